// Large matrix products on two threads: this one and one helper worker, over a WebAssembly memory they share
// (kernels/matmul.ts built again with an imported shared memory: __MATMUL_SHARED_WASM__). The caller copies the
// operands in, posts the job (C's second half of rows) to the helper through a small shared control block, does
// the first half itself, then waits with Atomics.wait for the helper's half: the engine's API stays synchronous.
//
// Only where Node's worker_threads is (process.getBuiltinModule); Atomics.wait may block Node's main thread as
// well as a worker's. The helper is unref'd (it never keeps the process alive), is stopped with the thread that
// made it (a model's worker stopped on timeout takes it along), and is used only once it has said it is ready, so
// a product never waits on a helper still starting. Without it, every product runs on one thread (wasm-matmul.ts).
// A helper that does not finish its half in time (it died, or the machine starves it) is given up for the rest of
// the thread's life, and that product returns false, its output untouched: the caller does it on one thread.
import { countKernelMemory, onKernelMemoryPressure } from '../memory';
import { decodeBase64, growCounted, WasmMemory } from './wasm-module';

declare const __MATMUL_SHARED_WASM__: string | undefined;

interface SharedKernels {
  heapBase(): number;
  scratchBytes(): number;
  gemm(transA: number, transB: number, n: number, k: number, m: number, a: number, b: number, c: number, work: number, rowFrom: number, rowTo: number): void;
}
interface WasmApi {
  Memory: new (init: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
interface HelperWorker {
  unref(): void;
  terminate(): unknown;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => HelperWorker;
}

const PAGE = 65536;
const MAX_PAGES = 16384; // as the build declares (scripts/build.mjs)
// The control block, in Int32 slots: the job number the caller posted, the job, the number of the job the helper
// finished, and whether the helper is ready.
const POSTED = 0;
const JOB = 1; // transA, transB, n, k, m, a, b, c, work, rowFrom, rowTo
const FINISHED = 12;
const READY = 13;

// The helper's whole program: instantiate the same module over the same memory, then run each posted job.
const HELPER = `
const { workerData } = require('node:worker_threads');
const { memory, control, base64 } = workerData;
const kernels = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } }).exports;
const ctl = new Int32Array(control);
let seen = Atomics.load(ctl, ${POSTED});
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  Atomics.wait(ctl, ${POSTED}, seen);
  seen = Atomics.load(ctl, ${POSTED});
  const j = ctl.subarray(${JOB}, ${JOB + 11});
  kernels.gemm(j[0], j[1], j[2], j[3], j[4], j[5], j[6], j[7], j[8], j[9], j[10]);
  Atomics.store(ctl, ${FINISHED}, seen);
  Atomics.notify(ctl, ${FINISHED});
}`;

interface Pool {
  kernels: SharedKernels;
  memory: WasmMemory;
  control: Int32Array;
  helper: HelperWorker;
  job: number;
  grown: number;
}

let pool: Pool | null | undefined; // undefined: not tried yet; null: not possible here (or given up)

/** How long a product waits for the helper's half, beyond 20 times as long as its own half took. */
const HELPER_GRACE_MS = 1000;

function start(): Pool | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = host?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  if (typeof __MATMUL_SHARED_WASM__ !== 'string' || wasm === undefined || threads === undefined || typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const kernels = new wasm.Instance(new wasm.Module(decodeBase64(__MATMUL_SHARED_WASM__)), { env: { memory } }).exports as SharedKernels;
    const control = new Int32Array(new SharedArrayBuffer(16 * 4));
    const helper = new threads.Worker(HELPER, { eval: true, workerData: { memory, control: control.buffer, base64: __MATMUL_SHARED_WASM__ } });
    helper.unref();
    countKernelMemory(PAGE);
    return { kernels, memory, control, helper, job: 0, grown: PAGE };
  } catch {
    return null;
  }
}

// Under memory pressure: stop the helper and let the memory go; the next large product starts a new pair.
onKernelMemoryPressure(() => {
  if (!pool) return 0;
  const freed = pool.grown;
  void pool.helper.terminate();
  pool = undefined;
  return freed;
});

/** Stops the helper (tests; a product after this starts a new one). */
export function stopMatmulHelper(): void {
  if (pool) void pool.helper.terminate();
  pool = undefined;
}

/** Whether a helper thread is ready to take half of the next large product. */
export function matmulHelperReady(): boolean {
  if (pool === undefined) pool = start();
  return pool !== null && Atomics.load(pool.control, READY) === 1;
}

/**
 * c[co..] (n×m) += op(a)·op(b) as wasm-matmul.ts's wasmProduct, on two threads: false, having done nothing, when
 * there is no helper ready here or the memory may not grow (the caller then uses one thread).
 */
export function twoThreadProduct(transA: boolean, transB: boolean, a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): boolean {
  if (!matmulHelperReady()) return false;
  const p = pool!;
  const scratch = p.kernels.scratchBytes();
  const work = p.kernels.heapBase();
  const at = work + 2 * scratch; // a scratch area for each thread
  const bt = at + n * k * 8;
  const ct = bt + k * m * 8;
  const grew = growCounted(p.memory, ct + n * m * 8, MAX_PAGES * PAGE);
  if (grew === null) return false;
  p.grown += grew;
  // A shared memory's buffer grows in place; a view made now sees all of it.
  const mem = new Float64Array(p.memory.buffer);
  mem.set(a.subarray(ao, ao + n * k), at / 8);
  mem.set(b.subarray(bo, bo + k * m), bt / 8);
  mem.set(c.subarray(co, co + n * m), ct / 8);
  const half = (n >> 3) << 2; // the first half of the rows, a whole number of 4-row tiles
  const ctl = p.control;
  ctl.set([transA ? 1 : 0, transB ? 1 : 0, n, k, m, at, bt, ct, work + scratch, half, n], JOB);
  const job = ++p.job;
  Atomics.store(ctl, POSTED, job);
  Atomics.notify(ctl, POSTED);
  const started = Date.now();
  p.kernels.gemm(transA ? 1 : 0, transB ? 1 : 0, n, k, m, at, bt, ct, work, 0, half);
  const deadline = Date.now() + 20 * (Date.now() - started) + HELPER_GRACE_MS;
  for (let done = Atomics.load(ctl, FINISHED); done !== job; done = Atomics.load(ctl, FINISHED)) {
    const left = deadline - Date.now();
    if (left <= 0) return giveUp(p);
    Atomics.wait(ctl, FINISHED, done, left);
  }
  c.set(mem.subarray(ct / 8, ct / 8 + n * m), co);
  return true;
}

/**
 * Stops waiting for a helper that did not finish: it is stopped and its memory let go (a late write of its lands
 * in memory nothing reads any more), and no product on this thread uses two threads again. False, for the caller.
 */
function giveUp(p: Pool): false {
  void p.helper.terminate();
  countKernelMemory(-p.grown);
  pool = null;
  return false;
}

/** @internal Tests: stops the helper as a crash would, leaving the pool unaware of it; resolves once it has stopped. */
export function crashMatmulHelper(): Promise<unknown> {
  return Promise.resolve(pool ? pool.helper.terminate() : undefined);
}
