// The matrix product in WebAssembly (kernels/matmul.ts, f64x2 SIMD, cache-blocked), when this JavaScript has
// WebAssembly and the build inlined the module (scripts/build.mjs defines __MATMUL_WASM__ as its base64). The
// operands are copied into the module's memory (wasm-module.ts), multiplied there, and the product copied out:
// O(n·k + k·m + n·m) copying against O(n·k·m) arithmetic, so matmul.ts sends only products above a size here.
import { KernelExports, KernelModule } from './wasm-module';
import { twoThreadProduct } from './wasm-threads';

declare const __MATMUL_WASM__: string | undefined;

interface MatmulKernels extends KernelExports {
  scratchBytes(): number;
  gemm(transA: number, transB: number, n: number, k: number, m: number, a: number, b: number, c: number, work: number, rowFrom: number, rowTo: number): void;
}

/**
 * Products of at least this many multiply-adds (n·k·m: 256³) go to two threads when a helper is ready
 * (wasm-threads.ts). Each thread packs all of B, and the hand-over costs a wake-up: on this shared machine, which
 * gave a process about one core (two spinning threads got 1.6 s of CPU in 1.54 s), the MLP step's 64×784×256
 * products on two threads took 3.0-3.5 ms a step against 2.8-3.0 on one, wall and CPU time alike, so smaller
 * products stay on one thread.
 */
export const TWO_THREAD_MIN_WORK = 2 ** 24;

const matmulModule = new KernelModule<MatmulKernels>(typeof __MATMUL_WASM__ === 'string' ? __MATMUL_WASM__ : undefined);

export { useWasmKernels } from './wasm-module';

/** Whether the matmul kernels are on and load here. */
export function wasmKernelsAvailable(): boolean {
  return matmulModule.kernels !== null;
}

/**
 * c[co..] (n×m) += op(a)·op(b) in WebAssembly, a being [n,k] read from ao ([k,n] if transA), b [k,m] from bo
 * ([m,k] if transB). Returns false, having done nothing, when the kernels are off or unavailable.
 */
export function wasmProduct(transA: boolean, transB: boolean, a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): boolean {
  const kern = matmulModule.kernels;
  if (kern === null) return false;
  if (n * k * m >= TWO_THREAD_MIN_WORK && n >= 8 && twoThreadProduct(transA, transB, a, ao, b, bo, c, co, n, k, m)) return true;
  const work = kern.heapBase();
  const at = work + kern.scratchBytes();
  const bt = at + n * k * 8;
  const ct = bt + k * m * 8;
  const mem = matmulModule.memory(kern, ct + n * m * 8);
  if (mem === null) return false;
  mem.set(a.subarray(ao, ao + n * k), at / 8);
  mem.set(b.subarray(bo, bo + k * m), bt / 8);
  mem.set(c.subarray(co, co + n * m), ct / 8);
  kern.gemm(transA ? 1 : 0, transB ? 1 : 0, n, k, m, at, bt, ct, work, 0, n);
  c.set(mem.subarray(ct / 8, ct / 8 + n * m), co);
  return true;
}
