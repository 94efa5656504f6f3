// The shape of the codebase, checked: who may import whom (the engine runs anywhere, the webview sees only the
// contract), no import cycles outside the engine, files a reader can hold in their head, and one set of
// defaults shared by the runner and package.json.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { SETTING_DEFAULTS } from '../extension/setting-defaults';

const root = join(__dirname, '..', '..');
const FOLDERS = ['engine', 'runner', 'extension', 'webview', 'test', 'bench', 'examples', 'scripts'];

const sources: string[] = FOLDERS.flatMap((folder) =>
  readdirSync(join(root, folder), { recursive: true })
    .map((f) => join(folder, String(f)))
    .filter((f) => /\.(ts|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith(join('test', 'fixtures'))),
);

/** Every module specifier a file imports or re-exports (type-only imports included: they couple files too). */
function specifiers(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  const patterns = [/^\s*import\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm, /^\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/gm];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** The project file a relative specifier names, or undefined for packages and Node built-ins. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(root, dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && /\.(ts|mjs)$/.test(candidate)) return relative(root, candidate);
  }
  return undefined;
}

const imports = new Map(sources.map((f) => [f, specifiers(f)]));
const localImports = (f: string) => (imports.get(f) ?? []).map((s) => resolveLocal(f, s)).filter((x): x is string => x !== undefined);
const inFolder = (f: string, folder: string) => f.startsWith(folder + '/') || f.startsWith(folder + '\\');

/** Strongly connected components with more than one file (Tarjan's algorithm). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of localImports(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of sources) if (!index.has(f)) visit(f);
  return found;
}

describe('structure', () => {
  it('reads a real tree', () => {
    assert.ok(sources.length > 50, `${sources.length} files`);
    assert.ok(localImports(join('engine', 'index.ts')).includes(join('engine', 'tensor.ts')));
  });

  it('has no import cycles outside the engine', () => {
    const outside = cycles().filter((c) => c.some((f) => !inFolder(f, 'engine')));
    assert.deepEqual(outside, []);
  });

  it('keeps the engine free of Node and of everything outside engine/', () => {
    for (const f of sources.filter((s) => inFolder(s, 'engine'))) {
      for (const spec of imports.get(f)!) {
        assert.ok(spec.startsWith('.'), `${f} imports the package ${spec}`);
        const target = resolveLocal(f, spec);
        assert.ok(target !== undefined && inFolder(target, 'engine'), `${f} imports ${spec}, outside engine/`);
      }
    }
  });

  it('lets the webview see only the contract and the formatting helpers of the engine, and nothing of the host', () => {
    const allowed = [join('engine', 'trace.ts'), join('engine', 'view-messages.ts'), join('engine', 'format.ts')];
    for (const f of sources.filter((s) => inFolder(s, 'webview'))) {
      for (const target of localImports(f)) {
        assert.ok(inFolder(target, 'webview') || allowed.includes(target), `${f} imports ${target}`);
      }
      for (const spec of imports.get(f)!) assert.ok(spec.startsWith('.') || spec === 'cytoscape' || spec.startsWith('echarts/'), `${f} imports ${spec}`);
    }
  });

  it('imports vscode only in the extension and its tests', () => {
    for (const f of sources) {
      if (imports.get(f)!.includes('vscode')) assert.ok(inFolder(f, 'extension') || inFolder(f, join('test', 'vscode')), f);
    }
  });

  it('keeps every source file under 400 lines', () => {
    const long = sources.map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    assert.deepEqual(long, []);
  });

  it("declares the same setting defaults in package.json as the runner's", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
    const declared = Object.fromEntries(Object.entries(pkg.contributes.configuration.properties).map(([k, v]) => [k.replace(/^gradscope\./, ''), v.default]));
    assert.deepEqual(declared, SETTING_DEFAULTS);
  });
});
