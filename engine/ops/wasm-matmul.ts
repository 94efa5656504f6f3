// The matrix product in WebAssembly (kernels/matmul.ts, f64x2 SIMD, cache-blocked), when this JavaScript has
// WebAssembly and the build inlined the module (scripts/build.mjs defines __MATMUL_WASM__ as its base64). The
// operands are copied into the module's memory, multiplied there, and the product copied out: O(n·k + k·m + n·m)
// copying against O(n·k·m) arithmetic, so matmul.ts sends only products above a size here. The memory grows to
// the largest product seen and is kept for the next (it is not tensor data: setTensorMemoryLimit does not count
// it; past MAX_BYTES a product runs in JavaScript instead).

declare const __MATMUL_WASM__: string | undefined;

// Only what is used here of the WebAssembly API, read from globalThis: the engine compiles with no host's types.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Kernels {
  memory: WasmMemory;
  heapBase(): number;
  scratchBytes(): number;
  gemm(transA: number, transB: number, n: number, k: number, m: number, a: number, b: number, c: number, work: number): void;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const PAGE = 65536;
/** Largest memory the kernels may hold (bytes); a larger product runs in JavaScript. */
const MAX_BYTES = 2 ** 31;

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Uint8Array(128);
  for (let i = 0; i < alphabet.length; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  for (let i = 0, o = 0; i < clean.length; i += 4) {
    const n = (value[clean.charCodeAt(i)] << 18) | (value[clean.charCodeAt(i + 1)] << 12) | (value[clean.charCodeAt(i + 2)] << 6) | value[clean.charCodeAt(i + 3)];
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

function instantiate(): Kernels | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (typeof __MATMUL_WASM__ !== 'string' || wasm === undefined) return null;
  try {
    return new wasm.Instance(new wasm.Module(decodeBase64(__MATMUL_WASM__)), {}).exports as Kernels;
  } catch {
    return null; // no SIMD, or WebAssembly refused here: JavaScript kernels
  }
}

let kernels: Kernels | null | undefined; // undefined: not tried yet
let enabled = true;
let view: Float64Array | null = null;

/** Whether matmul (and conv2d) use the WebAssembly kernels when they can; `false` forces the JavaScript ones. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

/** The kernels if they are on and load here, else null. */
export function wasmKernelsAvailable(): boolean {
  return loaded() !== null;
}

function loaded(): Kernels | null {
  if (!enabled) return null;
  if (kernels === undefined) kernels = instantiate();
  return kernels;
}

/** The memory as float64, at least `bytes` long; null if it cannot grow that far. */
function memoryOf(k: Kernels, bytes: number): Float64Array | null {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) {
    if (bytes > MAX_BYTES) return null;
    try {
      k.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return null;
    }
  }
  if (view === null || view.buffer !== k.memory.buffer) view = new Float64Array(k.memory.buffer);
  return view;
}

/**
 * c[co..] (n×m) += op(a)·op(b) in WebAssembly, a being [n,k] read from ao ([k,n] if transA), b [k,m] from bo
 * ([m,k] if transB). Returns false, having done nothing, when the kernels are off or unavailable.
 */
export function wasmProduct(transA: boolean, transB: boolean, a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): boolean {
  const kern = loaded();
  if (kern === null) return false;
  const work = kern.heapBase();
  const at = work + kern.scratchBytes();
  const bt = at + n * k * 8;
  const ct = bt + k * m * 8;
  const mem = memoryOf(kern, ct + n * m * 8);
  if (mem === null) return false;
  mem.set(a.subarray(ao, ao + n * k), at / 8);
  mem.set(b.subarray(bo, bo + k * m), bt / 8);
  mem.set(c.subarray(co, co + n * m), ct / 8);
  kern.gemm(transA ? 1 : 0, transB ? 1 : 0, n, k, m, at, bt, ct, work);
  c.set(mem.subarray(ct / 8, ct / 8 + n * m), co);
  return true;
}
