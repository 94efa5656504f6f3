// Float64 elementwise kernels, reductions over rows, softmax and GELU in WebAssembly (AssemblyScript, f64x2 SIMD
// where the work is plain arithmetic; built by scripts/build.mjs into the engine bundle like matmul.ts).
//
// Each kernel mirrors a loop of the JavaScript engine operation for operation, in the same order, so that the two
// agree to the last bit or so (tested at 1e-12 relative): the sums add rows in order, softmax shifts by the row's
// max as engine/ops/activation.ts does, and erf is engine/ops/erf.ts itself, compiled here too. The caller
// (engine/ops/wasm-elementwise.ts) copies operands in at byte addresses from heapBase(), calls a kernel and copies
// the result out.

import { erf, erfc } from '../engine/ops/erf';

/** Byte address of the first free 16-byte-aligned byte past this module's own data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// Binary op codes, shared with engine/ops/wasm-elementwise.ts. The reversed ones compute b - a and b / a, so that a
// broadcast left operand can be passed as the row operand.
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const REVERSE_SUB = 4;
const REVERSE_DIV = 5;

// @ts-ignore: decorator
@inline
function apply2(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ADD: return f64x2.add(x, y);
    case SUB: return f64x2.sub(x, y);
    case MUL: return f64x2.mul(x, y);
    case DIV: return f64x2.div(x, y);
    case REVERSE_SUB: return f64x2.sub(y, x);
    default: return f64x2.div(y, x);
  }
}

// @ts-ignore: decorator
@inline
function apply1(op: i32, x: f64, y: f64): f64 {
  switch (op) {
    case ADD: return x + y;
    case SUB: return x - y;
    case MUL: return x * y;
    case DIV: return x / y;
    case REVERSE_SUB: return y - x;
    default: return y / x;
  }
}

/**
 * out[r·m + j] = a[r·m + j] op b[(r·m + j) mod bLength]: `b` has bLength elements and repeats along a, whose
 * length is a multiple of it (same shapes: bLength = length; a bias over rows: bLength = the row length).
 */
export function binary(op: i32, a: usize, b: usize, out: usize, length: i32, bLength: i32): void {
  if (bLength == 1) {
    const bs = load<f64>(b);
    const bv = f64x2.splat(bs);
    let i = 0;
    for (; i + 2 <= length; i += 2) v128.store(out + (<usize>i << 3), apply2(op, v128.load(a + (<usize>i << 3)), bv));
    for (; i < length; i++) store<f64>(out + (<usize>i << 3), apply1(op, load<f64>(a + (<usize>i << 3)), bs));
    return;
  }
  for (let start = 0; start < length; start += bLength) {
    let j = 0;
    for (; j + 2 <= bLength; j += 2) {
      const at = <usize>(start + j) << 3;
      v128.store(out + at, apply2(op, v128.load(a + at), v128.load(b + (<usize>j << 3))));
    }
    for (; j < bLength; j++) {
      const at = <usize>(start + j) << 3;
      store<f64>(out + at, apply1(op, load<f64>(a + at), load<f64>(b + (<usize>j << 3))));
    }
  }
}

/** out[j] = Σ_r g[r·m + j] over `rows` rows, in row order: the gradient of a row operand broadcast over rows. */
export function sumRows(g: usize, out: usize, rows: i32, m: i32): void {
  memory.fill(out, 0, <usize>m << 3);
  for (let r = 0; r < rows; r++) {
    const row = g + (<usize>(r * m) << 3);
    let j = 0;
    for (; j + 2 <= m; j += 2) {
      const at = <usize>j << 3;
      v128.store(out + at, f64x2.add(v128.load(out + at), v128.load(row + at)));
    }
    for (; j < m; j++) {
      const at = <usize>j << 3;
      store<f64>(out + at, load<f64>(out + at) + load<f64>(row + at));
    }
  }
}

/** Softmax of each row of m values: exp(x - lse), lse = mx + log Σ exp(x - mx), mx the row's max (0 if not finite). */
export function softmaxRows(x: usize, y: usize, rows: i32, m: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * m) << 3);
    const yr = y + (<usize>(r * m) << 3);
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, load<f64>(xr + (<usize>j << 3)));
    if (!isFinite(mx)) mx = 0;
    let s = 0.0;
    for (let j = 0; j < m; j++) s += Math.exp(load<f64>(xr + (<usize>j << 3)) - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < m; j++) store<f64>(yr + (<usize>j << 3), Math.exp(load<f64>(xr + (<usize>j << 3)) - lse));
  }
}

/** Softmax's gradient along rows: dx = y · (g - Σ g·y). */
export function softmaxRowsBackward(g: usize, y: usize, dx: usize, rows: i32, m: i32): void {
  for (let r = 0; r < rows; r++) {
    const at = <usize>(r * m) << 3;
    let s = 0.0;
    for (let j = 0; j < m; j++) s += load<f64>(g + at + (<usize>j << 3)) * load<f64>(y + at + (<usize>j << 3));
    for (let j = 0; j < m; j++) {
      const o = at + (<usize>j << 3);
      store<f64>(dx + o, load<f64>(y + o) * (load<f64>(g + o) - s));
    }
  }
}

const SQRT1_2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;

/** Φ(v), through erfc for v < 0 as engine/ops/activation-functions.ts. */
// @ts-ignore: decorator
@inline
function normalCdf(v: f64): f64 {
  if (v < 0) return 0.5 * erfc(-v * SQRT1_2);
  return 0.5 * (1 + erf(v * SQRT1_2));
}

/**
 * Exact GELU, y = x·Φ(x), and when `slope` is non-zero its derivative Φ(x) + x·φ(x) there too: Φ is the costly
 * part and both need it, so the forward pass keeps the slope for backward instead of computing Φ twice.
 */
export function gelu(x: usize, y: usize, slope: usize, length: i32): void {
  for (let i = 0; i < length; i++) {
    const at = <usize>i << 3;
    const v = load<f64>(x + at);
    const cdf = normalCdf(v);
    store<f64>(y + at, v * cdf);
    if (slope != 0) store<f64>(slope + at, cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
}

/**
 * Layer norm of each row of m values, as engine/ops/normalization.ts: mean and biased variance summed in order,
 * rstd = 1/√(var + eps), x̂ = (x - mean)·rstd, y = x̂·weight + bias (weight, bias: 0 when absent). Keeps x̂ and
 * rstd (one per row) for backward.
 */
export function layerNormRows(x: usize, weight: usize, bias: usize, xhat: usize, y: usize, rstd: usize, rows: i32, m: i32, eps: f64): void {
  for (let r = 0; r < rows; r++) {
    const at = <usize>(r * m) << 3;
    let mean = 0.0;
    for (let j = 0; j < m; j++) mean += load<f64>(x + at + (<usize>j << 3));
    mean /= <f64>m;
    let variance = 0.0;
    for (let j = 0; j < m; j++) {
      const d = load<f64>(x + at + (<usize>j << 3)) - mean;
      variance += d * d;
    }
    variance /= <f64>m;
    const s = 1 / Math.sqrt(variance + eps);
    store<f64>(rstd + (<usize>r << 3), s);
    for (let j = 0; j < m; j++) {
      const o = at + (<usize>j << 3);
      const h = (load<f64>(x + o) - mean) * s;
      store<f64>(xhat + o, h);
      store<f64>(y + o, h * (weight != 0 ? load<f64>(weight + (<usize>j << 3)) : 1) + (bias != 0 ? load<f64>(bias + (<usize>j << 3)) : 0));
    }
  }
}

/** Layer norm's input gradient per row: ĝ = g·weight, dx = rstd·(ĝ - Σĝ/m - x̂·Σ(ĝ·x̂)/m). */
export function layerNormRowsBackward(g: usize, weight: usize, xhat: usize, rstd: usize, dx: usize, rows: i32, m: i32): void {
  for (let r = 0; r < rows; r++) {
    const at = <usize>(r * m) << 3;
    let s1 = 0.0;
    let s2 = 0.0;
    for (let j = 0; j < m; j++) {
      const o = at + (<usize>j << 3);
      const gh = weight != 0 ? load<f64>(g + o) * load<f64>(weight + (<usize>j << 3)) : load<f64>(g + o);
      s1 += gh;
      s2 += gh * load<f64>(xhat + o);
    }
    const s = load<f64>(rstd + (<usize>r << 3));
    for (let j = 0; j < m; j++) {
      const o = at + (<usize>j << 3);
      const gh = weight != 0 ? load<f64>(g + o) * load<f64>(weight + (<usize>j << 3)) : load<f64>(g + o);
      store<f64>(dx + o, s * (gh - s1 / <f64>m - (load<f64>(xhat + o) * s2) / <f64>m));
    }
  }
}

/** out[j] = Σ_r g[r·m + j]·x̂[r·m + j] in row order: layer norm's weight gradient. */
export function sumRowsOfProduct(g: usize, xhat: usize, out: usize, rows: i32, m: i32): void {
  memory.fill(out, 0, <usize>m << 3);
  for (let r = 0; r < rows; r++) {
    const at = <usize>(r * m) << 3;
    let j = 0;
    for (; j + 2 <= m; j += 2) {
      const o = <usize>j << 3;
      v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(v128.load(g + at + o), v128.load(xhat + at + o))));
    }
    for (; j < m; j++) {
      const o = <usize>j << 3;
      store<f64>(out + o, load<f64>(out + o) + load<f64>(g + at + o) * load<f64>(xhat + at + o));
    }
  }
}
