// The elementwise kernels in WebAssembly (kernels/elementwise.ts): binary arithmetic on same shapes, on a row
// operand broadcast over rows (a bias) and on a scalar; the sum over rows that is a row operand's gradient; softmax
// along contiguous rows and its gradient; GELU with its slope. Each returns false, having done nothing, when the
// kernels are off, unavailable, or the work is too small to repay copying operands into the module's memory and
// the result out (MIN_ELEMENTS); the caller then runs its JavaScript loop, which stays the reference.
import { copy } from '../memory';
import { KernelExports, KernelModule } from './wasm-module';

declare const __ELEMENTWISE_WASM__: string | undefined;

interface ElementwiseKernels extends KernelExports {
  binary(op: number, a: number, b: number, out: number, length: number, bLength: number): void;
  sumRows(g: number, out: number, rows: number, m: number): void;
  softmaxRows(x: number, y: number, rows: number, m: number): void;
  softmaxRowsBackward(g: number, y: number, dx: number, rows: number, m: number): void;
  gelu(x: number, y: number, slope: number, length: number): void;
  layerNormRows(x: number, weight: number, bias: number, xhat: number, y: number, rstd: number, rows: number, m: number, eps: number): void;
  layerNormRowsBackward(g: number, weight: number, xhat: number, rstd: number, dx: number, rows: number, m: number): void;
  sumRowsOfProduct(g: number, xhat: number, out: number, rows: number, m: number): void;
}

const elementwiseModule = new KernelModule<ElementwiseKernels>(typeof __ELEMENTWISE_WASM__ === 'string' ? __ELEMENTWISE_WASM__ : undefined);

/**
 * Fewest elements worth sending to WebAssembly, measured here (process CPU time, no gradient, kernels on / off):
 * a same-shape add of 1,024 takes 2.2 / 2.6 us, of 256 1.2 / 1.2 us; a bias add over rows of 1,024 5.1 / 7.9 us,
 * 16,384 63 / 118 us; a scalar multiply of 256 1.8 / 1.7 us. Softmax and layer norm (per-row passes, exp) win from
 * 64 (softmax 1.5 / 2.4 us). GELU's forward costs the same in both (the erf series dominates, and V8 compiles it
 * as well): it gains by keeping the slope for backward, which saves a second erf per element.
 */
export const MIN_ELEMENTS = { arithmetic: 1024, costly: 64 };

/** The binary ops with a kernel, by the engine's op name: [code, code with the operands swapped]. */
const BINARY_CODES: Record<string, readonly [number, number]> = { add: [0, 0], sub: [1, 4], mul: [2, 2], div: [3, 5] };

export function hasBinaryKernel(op: string): boolean {
  return op in BINARY_CODES;
}

/** Byte addresses of `lengths` consecutive float64 arrays from the heap base, and the memory holding them. */
function layout(kern: ElementwiseKernels, lengths: number[]): { mem: Float64Array; at: number[] } | null {
  const at: number[] = [];
  let next = kern.heapBase();
  for (const n of lengths) {
    at.push(next);
    next += (n * 8 + 15) & ~15; // 16-byte aligned, for the vector loads
  }
  const mem = elementwiseModule.memory(kern, next);
  return mem === null ? null : { mem, at };
}

/**
 * out = a op b, `a` of out's length and `b` repeating along it (b.length divides it: the same shape, a row
 * broadcast over rows, or a scalar); `swapped`: b op a instead, for a broadcast left operand passed as `b`.
 */
export function wasmBinary(op: string, a: Float64Array, b: Float64Array, out: Float64Array, swapped: boolean): boolean {
  const kern = elementwiseModule.kernels;
  const codes = BINARY_CODES[op];
  if (kern === null || codes === undefined || out.length < MIN_ELEMENTS.arithmetic) return false;
  const place = layout(kern, [a.length, b.length, out.length]);
  if (place === null) return false;
  const { mem, at } = place;
  mem.set(a, at[0] / 8);
  mem.set(b, at[1] / 8);
  kern.binary(swapped ? codes[1] : codes[0], at[0], at[1], at[2], out.length, b.length);
  out.set(mem.subarray(at[2] / 8, at[2] / 8 + out.length));
  return true;
}

/**
 * Σ_r g[r·m + j] (times xhat[r·m + j] if given) for each j < m: the gradient of an operand broadcast over rows, or
 * of layer norm's weight; null when not done here.
 */
export function wasmSumRows(g: Float64Array, m: number, xhat: Float64Array | null = null): Float64Array | null {
  const kern = elementwiseModule.kernels;
  if (kern === null || g.length < MIN_ELEMENTS.arithmetic) return null;
  const place = layout(kern, [g.length, m, xhat === null ? 0 : xhat.length]);
  if (place === null) return null;
  const { mem, at } = place;
  mem.set(g, at[0] / 8);
  if (xhat === null) kern.sumRows(at[0], at[1], g.length / m, m);
  else {
    mem.set(xhat, at[2] / 8);
    kern.sumRowsOfProduct(at[0], at[2], at[1], g.length / m, m);
  }
  return copy(mem.subarray(at[1] / 8, at[1] / 8 + m));
}

/** Layer norm over contiguous rows of m values: the output, x̂ and 1/std per row; null when not done here. */
export function wasmLayerNorm(x: Float64Array, weight: Float64Array | null, bias: Float64Array | null, m: number, eps: number): { out: Float64Array; xhat: Float64Array; rstd: Float64Array } | null {
  const kern = elementwiseModule.kernels;
  if (kern === null || x.length < MIN_ELEMENTS.costly) return null;
  const rows = x.length / m;
  const place = layout(kern, [x.length, m, m, x.length, x.length, rows]);
  if (place === null) return null;
  const { mem, at } = place;
  mem.set(x, at[0] / 8);
  if (weight !== null) mem.set(weight, at[1] / 8);
  if (bias !== null) mem.set(bias, at[2] / 8);
  kern.layerNormRows(at[0], weight === null ? 0 : at[1], bias === null ? 0 : at[2], at[3], at[4], at[5], rows, m, eps);
  const part = (i: number, length: number) => copy(mem.subarray(at[i] / 8, at[i] / 8 + length));
  return { xhat: part(3, x.length), out: part(4, x.length), rstd: part(5, rows) };
}

/** Layer norm's input gradient into dx (rows of m values); false when not done here. */
export function wasmLayerNormBackward(g: Float64Array, weight: Float64Array | null, xhat: Float64Array, rstd: Float64Array, dx: Float64Array): boolean {
  const kern = elementwiseModule.kernels;
  const m = xhat.length / rstd.length;
  if (kern === null || g.length < MIN_ELEMENTS.costly) return false;
  const place = layout(kern, [g.length, m, xhat.length, rstd.length, dx.length]);
  if (place === null) return false;
  const { mem, at } = place;
  mem.set(g, at[0] / 8);
  if (weight !== null) mem.set(weight, at[1] / 8);
  mem.set(xhat, at[2] / 8);
  mem.set(rstd, at[3] / 8);
  kern.layerNormRowsBackward(at[0], weight === null ? 0 : at[1], at[2], at[3], at[4], rstd.length, m);
  dx.set(mem.subarray(at[4] / 8, at[4] / 8 + dx.length));
  return true;
}

/** y = softmax of each contiguous row of m values of x. */
export function wasmSoftmaxRows(x: Float64Array, y: Float64Array, m: number): boolean {
  const kern = elementwiseModule.kernels;
  if (kern === null || x.length < MIN_ELEMENTS.costly) return false;
  const place = layout(kern, [x.length, y.length]);
  if (place === null) return false;
  const { mem, at } = place;
  mem.set(x, at[0] / 8);
  kern.softmaxRows(at[0], at[1], x.length / m, m);
  y.set(mem.subarray(at[1] / 8, at[1] / 8 + y.length));
  return true;
}

/** dx = y · (g - Σ_row g·y) along contiguous rows of m values: softmax's gradient. */
export function wasmSoftmaxRowsBackward(g: Float64Array, y: Float64Array, dx: Float64Array, m: number): boolean {
  const kern = elementwiseModule.kernels;
  if (kern === null || g.length < MIN_ELEMENTS.costly) return false;
  const place = layout(kern, [g.length, y.length, dx.length]);
  if (place === null) return false;
  const { mem, at } = place;
  mem.set(g, at[0] / 8);
  mem.set(y, at[1] / 8);
  kern.softmaxRowsBackward(at[0], at[1], at[2], g.length / m, m);
  dx.set(mem.subarray(at[2] / 8, at[2] / 8 + dx.length));
  return true;
}

/** y = GELU(x) and, when `slope` is given, GELU'(x) into it. */
export function wasmGelu(x: Float64Array, y: Float64Array, slope: Float64Array | null): boolean {
  const kern = elementwiseModule.kernels;
  if (kern === null || x.length < MIN_ELEMENTS.costly) return false;
  const place = layout(kern, [x.length, y.length, slope === null ? 0 : slope.length]);
  if (place === null) return false;
  const { mem, at } = place;
  mem.set(x, at[0] / 8);
  kern.gelu(at[0], at[1], slope === null ? 0 : at[2], x.length);
  y.set(mem.subarray(at[1] / 8, at[1] / 8 + y.length));
  if (slope !== null) slope.set(mem.subarray(at[2] / 8, at[2] / 8 + slope.length));
  return true;
}
