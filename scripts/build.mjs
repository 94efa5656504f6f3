// One build for every target: test and benchmark bundles for Node. Test bundles include the engine and the
// tfjs oracle (resolved through its ES modules, so its gradients register on the same tfjs instance).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function filesUnder(dir, suffix) {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

// Packages that run as installed (native binaries, test runners, the editor) rather than bundled.
const external = ['mocha', 'esbuild', 'playwright-core', 'vscode'];

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', external, logLevel: 'warning' };

// The command line, and the worker that runs models (the runner looks for worker.js beside its own bundle).
await esbuild.build({
  ...node,
  absWorkingDir: root,
  entryPoints: { cli: 'runner/cli-main.ts', worker: 'runner/worker.ts' },
  outdir: 'out',
});

// The graph view, for the webview and the standalone report: one script, with the layout worker's code inlined
// as a string (a webview cannot start a worker from its resource URL; it makes one from a Blob).
const browser = { absWorkingDir: root, bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: true, logLevel: 'warning' };
const layoutWorker = await esbuild.build({ ...browser, entryPoints: ['webview/layout-worker.ts'], write: false });
await esbuild.build({
  ...browser,
  entryPoints: { webview: 'webview/main.ts' },
  outdir: 'media',
  define: { __LAYOUT_WORKER_SOURCE__: JSON.stringify(layoutWorker.outputFiles[0].text) },
});

await esbuild.build({
  absWorkingDir: root,
  entryPoints: [...filesUnder('test', '.test.ts'), 'bench/run.ts'],
  outdir: 'out',
  outbase: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  mainFields: ['module', 'main'],
  alias: { gradscope: './engine/index.ts' },
  external,
  logLevel: 'warning',
});
