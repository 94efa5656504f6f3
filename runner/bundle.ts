// Bundles a model file with esbuild, in process, with a source map. `import ... from "gradscope"` stays a
// require the worker answers with its own engine (the one its recorder watches); everything else (relative
// imports, the user's packages, Node built-ins) resolves as Node would.
import * as esbuild from 'esbuild';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunError } from '../engine/trace';
import { Bundle } from './locate';
import { instrumentCalls } from './instrument';

let bundlerStarted = false;

/** Starts esbuild's service process ahead of the first bundle, which otherwise waits for it (measured: 46 ms of 48 here). */
export function startBundler(): void {
  if (bundlerStarted) return;
  bundlerStarted = true;
  try {
    void esbuild.initialize({}).catch(() => undefined);
  } catch {
    // Started already (a build ran first): nothing to do.
  }
}

export async function bundleModel(file: string): Promise<{ bundle: Bundle } | { error: RunError }> {
  const outfile = join(dirname(file), `${basename(file)}.gradscope.js`);
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: dirname(file),
      outfile,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: false,
      // A module's class name is what the graph calls the model (its box); keep it whatever the bundle renames.
      keepNames: true,
      logLevel: 'silent',
      plugins: [
        {
          name: 'gradscope-engine',
          setup(build) {
            build.onResolve({ filter: /^gradscope$/ }, () => ({ path: 'gradscope', external: true }));
          },
        },
      ],
    });
    const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (js === undefined || map === undefined) throw new Error('esbuild produced no output');
    return { bundle: markCalls({ file, name: `gradscope:${file}`, code: js.text, map: map.text, mapRoot: dirname(outfile) }) };
  } catch (e) {
    const failure = e as Partial<esbuild.BuildFailure>;
    const first = failure.errors?.[0];
    if (first === undefined) return { error: { kind: 'internal', message: `bundling failed: ${(e as Error).message}`, site: null } };
    const loc = first.location;
    return {
      error: {
        ...buildError(first.text),
        site: loc ? { file: resolve(dirname(file), loc.file), line: loc.line, column: loc.column + 1, function: '' } : null,
      },
    };
  }
}

/**
 * The bundle with its calls marked (runner/instrument.ts), so the recorder locates each call into the engine
 * without capturing a stack; as esbuild wrote it if the marking parser cannot read it (syntax newer than the
 * parser's): the recorder then captures stacks, slower but as exact.
 */
function markCalls(bundle: Bundle): Bundle {
  let marked;
  try {
    marked = instrumentCalls(bundle.code);
  } catch {
    return bundle;
  }
  const { code, ...marks } = marked;
  return { ...bundle, code, marks };
}

/** What esbuild's first error means for the user: an import that resolves to nothing, a top-level await, or a syntax error. */
function buildError(text: string): Pick<RunError, 'kind' | 'message'> {
  const unresolved = /^Could not resolve "(.*)"$/.exec(text)?.[1];
  if (unresolved !== undefined && /^[./]/.test(unresolved)) return { kind: 'build', message: `cannot find "${unresolved}": no such file (imports of your own files are relative to the importing file)` };
  if (unresolved !== undefined) return { kind: 'build', message: `cannot find package "${unresolved}": it is not installed where this file can import it (npm install it in the model's project)` };
  if (/^Top-level (await|for-await)/.test(text)) {
    return { kind: 'build', message: 'top-level await is not supported: the model runs as a CommonJS module, so move the await into an exported async function train()' };
  }
  return { kind: 'syntax', message: text };
}
