// One build for every target: test and benchmark bundles for Node. Test bundles include the engine and the
// tfjs oracle (resolved through its ES modules, so its gradients register on the same tfjs instance).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';

const root = new URL('..', import.meta.url).pathname;

function filesUnder(dir, suffix) {
  return readdirSync(join(root, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

// The WebAssembly kernels (kernels/NAME.ts, AssemblyScript with f64x2 SIMD), compiled again only when their
// source (or this script) is newer, and inlined as base64 into every bundle that holds the engine
// (engine/ops/wasm-module.ts loads them), so the command line, the worker, the extension host and the tests load
// them without looking for a file.
// `imports`: engine files the kernel source compiles in (kernels/elementwise.ts takes engine/ops/erf.ts);
// `variant`: a second build of the same source with more compiler options, written as NAME-VARIANT.wasm.
async function kernels(name, imports = [], variant = { suffix: '', args: [] }) {
  const source = join(root, `kernels/${name}.ts`);
  const wasm = join(root, `out/kernels/${name}${variant.suffix}.wasm`);
  let fresh = false;
  try {
    const inputs = [source, ...imports.map((f) => join(root, f)), new URL(import.meta.url)];
    fresh = statSync(wasm).mtimeMs >= Math.max(...inputs.map((f) => statSync(f).mtimeMs));
  } catch {}
  if (!fresh) {
    mkdirSync(join(root, 'out/kernels'), { recursive: true });
    const args = [source, '--outFile', wasm, '--textFile', wasm.replace(/wasm$/, 'wat'), '--enable', 'simd', '-O3', '--noAssert', '--runtime', 'stub', ...variant.args];
    const { error, stderr } = await asc.main(args);
    if (error) throw new Error(`kernels/${name}.ts: ${error.message}\n${stderr.toString()}`);
  }
  return readFileSync(wasm).toString('base64');
}
// The matmul kernels again over a memory the engine makes shared with a helper thread (engine/ops/wasm-threads.ts):
// imported, shared, at most 1 GiB (a shared memory must declare its maximum).
const sharedMemory = { suffix: '-shared', args: ['--importMemory', '--sharedMemory', '--maximumMemory', '16384', '--enable', 'threads'] };
const define = {
  __MATMUL_SHARED_WASM__: JSON.stringify(await kernels('matmul', [], sharedMemory)),
  __MATMUL_WASM__: JSON.stringify(await kernels('matmul')),
  __ELEMENTWISE_WASM__: JSON.stringify(await kernels('elementwise', ['engine/ops/erf.ts'])),
};

// Packages that run as installed (native binaries, test runners, the editor) rather than bundled.
const external = ['mocha', 'esbuild', 'playwright-core', 'vscode', '@vscode/test-electron'];

// keepNames: the engine's op names are data (a recording names the box of a composite call after its function).
const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', keepNames: true, external, define, logLevel: 'warning' };

// The command line, the extension, and the worker that runs models (the runner looks for worker.js beside its
// own bundle, so all three share out/).
await esbuild.build({
  ...node,
  absWorkingDir: root,
  entryPoints: { cli: 'runner/cli-main.ts', worker: 'runner/worker.ts', extension: 'extension/extension.ts' },
  outdir: 'out',
});

// The extension's tests: suites that run inside a real VS Code, and the Node program that starts one.
await esbuild.build({
  ...node,
  absWorkingDir: root,
  entryPoints: {
    'test/vscode/index': 'test/vscode/index.ts',
    'test/vscode/untrusted': 'test/vscode/untrusted.ts',
    'test/vscode-host': 'test/vscode/host.ts',
    'test/vscode-desktop': 'test/vscode/desktop.ts',
  },
  outdir: 'out',
});

// Declarations of the engine, for `import ... from "gradscope"` in the user's editor (Gradscope: Set Up Types).
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.types.json')], { stdio: 'inherit' });

// The graph view, for the webview and the standalone report: its script, with the layout worker's code inlined
// as a string (a webview cannot start a worker from its resource URL; it makes one from a Blob), and the Health
// charts' script apart (ECharts, loaded when the charts first show: webview/health/load.ts).
const browser = { absWorkingDir: root, bundle: true, platform: 'browser', target: 'es2022', format: 'iife', minify: true, logLevel: 'warning' };
const layoutWorker = await esbuild.build({ ...browser, entryPoints: ['webview/layout-worker.ts'], write: false });
await esbuild.build({
  ...browser,
  entryPoints: { webview: 'webview/main.ts', health: 'webview/health/health-entry.ts' },
  outdir: 'media',
  define: { __LAYOUT_WORKER_SOURCE__: JSON.stringify(layoutWorker.outputFiles[0].text) },
});

await esbuild.build({
  absWorkingDir: root,
  entryPoints: [...filesUnder('test', '.test.ts'), 'bench/run.ts', 'bench/alone.ts'],
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
  define,
  logLevel: 'warning',
});
