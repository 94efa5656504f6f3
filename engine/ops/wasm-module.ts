// Loading a WebAssembly kernel module that the build inlined as base64 (scripts/build.mjs compiles kernels/*.ts),
// and the memory its kernels work in. Shared by the matmul kernels (wasm-matmul.ts) and the elementwise ones
// (wasm-elementwise.ts); one switch, useWasmKernels, turns all of them off for the JavaScript kernels.
//
// A kernel's operands are copied into the module's memory, worked on there, and the result copied out. The
// memory grows to the largest operands seen and is kept for the next call; past MAX_BYTES a call runs in
// JavaScript instead. It is not tensor data but it is memory the engine holds: each growth is counted against the
// tensor memory limit (memory.ts countKernelMemory), a growth that would cross it runs in JavaScript instead, and
// a tensor that would cross it makes the modules let their memory go first (a new instance starts small).
import { countKernelMemory, onKernelMemoryPressure } from '../memory';

// Only what is used here of the WebAssembly API, read from globalThis: the engine compiles with no host's types.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
/** What every kernel module exports besides its kernels. */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
}

const PAGE = 65536;
/** Largest memory one module may hold (bytes); larger operands run in JavaScript. */
const MAX_BYTES = 2 ** 31;

let enabled = true;

/** Whether matmul, conv2d and the elementwise ops use the WebAssembly kernels when they can; `false` forces the JavaScript ones. */
export function useWasmKernels(on: boolean): void {
  enabled = on;
}

export function decodeBase64(text: string): Uint8Array {
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

/**
 * Grows `memory` to at least `bytes` (at most `maxBytes`), the growth counted against the tensor memory limit:
 * the bytes it grew by (0 when it was big enough), or null when it may not (past either limit: the caller runs
 * in JavaScript) or the host refused.
 */
export function growCounted(memory: WasmMemory, bytes: number, maxBytes: number): number | null {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return 0;
  if (bytes > maxBytes) return null;
  const grow = Math.ceil((bytes - have) / PAGE) * PAGE;
  if (!countKernelMemory(grow)) return null;
  try {
    memory.grow(grow / PAGE);
  } catch {
    countKernelMemory(-grow); // the host refused: nothing grew
    return null;
  }
  return grow;
}

/** One kernel module, instantiated on first use. */
export class KernelModule<K extends KernelExports> {
  private exports: K | null | undefined; // undefined: not tried yet
  private view: Float64Array | null = null;
  /** Bytes this module's memory grew by, as counted (memory.ts). */
  private grown = 0;

  /** `base64`: the module as the build inlined it, undefined in a bundle built without it. */
  constructor(private readonly base64: string | undefined) {
    // Under memory pressure: forget the instance, whose memory the collector then frees; the next call makes a new one.
    onKernelMemoryPressure(() => {
      const freed = this.grown;
      if (this.exports) this.exports = undefined;
      this.view = null;
      this.grown = 0;
      return freed;
    });
  }

  /** The kernels if they are on and load here, else null (no WebAssembly, no SIMD, or no module in this bundle). */
  get kernels(): K | null {
    if (!enabled) return null;
    if (this.exports === undefined) this.exports = this.instantiate();
    return this.exports;
  }

  private instantiate(): K | null {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (typeof this.base64 !== 'string' || wasm === undefined) return null;
    try {
      return new wasm.Instance(new wasm.Module(decodeBase64(this.base64)), {}).exports as K;
    } catch {
      return null; // no SIMD, or WebAssembly refused here: JavaScript kernels
    }
  }

  /** The memory as float64, at least `bytes` long; null if it may not or cannot grow that far. */
  memory(k: K, bytes: number): Float64Array | null {
    const grew = growCounted(k.memory, bytes, MAX_BYTES);
    if (grew === null) return null;
    this.grown += grew;
    if (this.view === null || this.view.buffer !== k.memory.buffer) this.view = new Float64Array(k.memory.buffer);
    return this.view;
  }
}
