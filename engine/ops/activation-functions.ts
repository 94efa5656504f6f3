// More elementwise ops: activations (gelu, silu, leakyRelu, softplus), clamp, maximum/minimum, and selection
// (where, maskedFill). Forward and local derivative side by side, through elementwise.ts's unaryOp/binaryOp.
import { api } from '../recorder';
import { allocate } from '../memory';
import { broadcastIndex, reduceToShape, sameShape, Shape, ShapeError, sizeOf } from '../shape';
import { formatShape } from '../format';
import { asTensor, GradFn, NestedArray, NO_GRADIENT, reading, Tensor, TensorLike } from '../tensor';
import { tensor } from '../factories';
import { binaryOp, logistic, logOnePlusExp, unaryOp } from './elementwise';
import { wasmGelu } from './wasm-elementwise';
import { erf, erfc } from './erf';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** Φ(x), the standard normal CDF: 0.5·(1 + erf(x/√2)), through erfc for x < 0 so the left tail keeps its digits. */
const normalCdf = (v: number): number => (v < 0 ? 0.5 * erfc(-v * SQRT1_2) : 0.5 * (1 + erf(v * SQRT1_2)));

/** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (PyTorch's default, not the tanh approximation). `gelu(tensor([1]))` -> [0.8413] */
export const gelu = api(function gelu(xLike: TensorLike): Tensor {
  const x = asTensor(xLike);
  // In WebAssembly, the slope (Φ(x) + x·φ(x)) comes with the value from the one Φ both need, kept for backward.
  const out = allocate(x.size);
  const slope = x.requiresGrad ? allocate(x.size) : null;
  if (wasmGelu(x.data, out, slope)) {
    const gradFn = slope === null ? NO_GRADIENT : reading([x], (g) => {
      const dx = allocate(g.length);
      for (let i = 0; i < g.length; i++) dx[i] = g[i] * slope[i];
      return dx;
    });
    return Tensor.fromOp('gelu', out, x.shape, [x], [gradFn]);
  }
  return unaryOp('gelu', x, (v) => v * normalCdf(v), (v) => normalCdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v), 'x');
});

/** SiLU (swish), x·sigmoid(x). `silu(tensor([0, 1]))` -> [0, 0.7311] */
export const silu = api(function silu(x: TensorLike): Tensor {
  return unaryOp(
    'silu',
    x,
    (v) => v * logistic(v),
    (v) => {
      const s = logistic(v);
      return s * (1 + v * (1 - s));
    },
    'x',
  );
});

/** x for x > 0, slope·x otherwise (the gradient at 0 is `slope`, as in PyTorch). `leakyRelu(tensor([-2, 3]), 0.1)` -> [-0.2, 3] */
export const leakyRelu = api(function leakyRelu(x: TensorLike, slope: number = 0.01): Tensor {
  return unaryOp('leakyRelu', x, (v) => (v > 0 ? v : slope * v), (v) => (v > 0 ? 1 : slope), 'x');
});

/** log(1 + e^x), as max(x, 0) + log1p(e^-|x|) so it neither overflows nor loses small values. `softplus(tensor([0]))` -> [0.6931] */
export const softplus = api(function softplus(x: TensorLike): Tensor {
  return unaryOp('softplus', x, logOnePlusExp, logistic, 'x');
});

/**
 * Limits values to [min, max] (either bound may be left out); the gradient passes where min <= x <= max, as in
 * PyTorch. `clamp(tensor([-2, 0.5, 3]), 0, 1)` -> [0, 0.5, 1]
 */
export const clamp = api(function clamp(x: TensorLike, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new Error('clamp: give at least one of min and max');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return unaryOp('clamp', x, (v) => Math.min(Math.max(v, lo), hi), (v) => (v >= lo && v <= hi ? 1 : 0), 'x');
});

/** d max(a, b)/da: 1 where a wins, 0 where b wins, half each on a tie; with a NaN both get it all (as PyTorch). */
const winsOver = (a: number, b: number): number => (a > b ? 1 : a === b ? 0.5 : a < b ? 0 : 1);

/** Elementwise larger of two tensors, with broadcasting; a tie sends half the gradient to each. `maximum(tensor([1, 5]), 3)` -> [3, 5] */
export const maximum = api(function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('maximum', a, b, Math.max, { reads: 'ab', at: winsOver }, { reads: 'ab', at: (x, y) => winsOver(y, x) });
});

/** Elementwise smaller of two tensors, with broadcasting; a tie sends half the gradient to each. `minimum(tensor([1, 5]), 3)` -> [1, 3] */
export const minimum = api(function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, Math.min, { reads: 'ab', at: (x, y) => winsOver(-x, -y) }, { reads: 'ab', at: (x, y) => winsOver(-y, -x) });
});

/** Nested arrays of booleans or numbers (nonzero is true), as `where` and `maskedFill` take a condition. */
export type NestedCondition = boolean | number | readonly NestedCondition[];
export type Condition = Tensor | NestedCondition;

function conditionTensor(c: Condition): Tensor {
  if (c instanceof Tensor) return c;
  const toNumbers = (v: NestedCondition): NestedArray => (typeof v === 'object' ? v.map(toNumbers) : Number(v));
  return tensor(toNumbers(c));
}

/** Where each element of `shape` reads from a tensor of shape `from` broadcast to it (null: the same element). */
const indexInto = (from: Shape, shape: Shape): Int32Array | null => (sameShape(from, shape) ? null : broadcastIndex(from, shape));

/** A gradient that keeps `g` where `keep(i)` and sums it back to `t`'s shape; reads the condition. */
function selectedGrad(t: Tensor, cond: Tensor, shape: Shape, keep: (i: number) => boolean): GradFn {
  if (!t.requiresGrad) return NO_GRADIENT;
  return reading(cond.isConst ? [] : [cond], (g) => {
    const local = allocate(g.length);
    for (let i = 0; i < g.length; i++) if (keep(i)) local[i] = g[i];
    return reduceToShape(local, shape, t.shape);
  });
}

/**
 * `a` where `condition` is true (nonzero), `b` elsewhere; all three broadcast together. The condition gets no
 * gradient. `where([true, false], tensor([1, 2]), 0)` -> [1, 0]
 */
export const where = api(function where(condition: Condition, aLike: TensorLike, bLike: TensorLike): Tensor {
  const c = conditionTensor(condition);
  const a = asTensor(aLike);
  const b = asTensor(bLike);
  const rank = Math.max(c.rank, a.rank, b.rank);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const dims = [c, a, b].map((t) => t.shape[t.rank - rank + d] ?? 1);
    const size = Math.max(...dims);
    if (dims.some((n) => n !== 1 && n !== size)) {
      throw new ShapeError(`where: shapes ${formatShape(c.shape)}, ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast together`);
    }
    shape.push(dims.includes(0) ? 0 : size);
  }
  const n = sizeOf(shape);
  const [ic, ia, ib] = [c, a, b].map((t) => indexInto(t.shape, shape));
  const cd = c.data;
  const pick = (i: number): boolean => cd[ic ? ic[i] : i] !== 0;
  const out = allocate(n);
  for (let i = 0; i < n; i++) out[i] = pick(i) ? a.data[ia ? ia[i] : i] : b.data[ib ? ib[i] : i];
  return Tensor.fromOp('where', out, shape, [a, b], [selectedGrad(a, c, shape, pick), selectedGrad(b, c, shape, (i) => !pick(i))]);
});

/**
 * `value` where `mask` is true (nonzero), `x` elsewhere; the mask broadcasts to x's shape. The gradient reaches
 * x where the mask is false. `maskedFill(tensor([1, 2, 3]), [false, true, false], 0)` -> [1, 0, 3]
 */
export const maskedFill = api(function maskedFill(x: Tensor, mask: Condition, value: number): Tensor {
  const m = conditionTensor(mask);
  const fits = m.rank <= x.rank && m.shape.every((d, i) => d === 1 || d === x.shape[x.rank - m.rank + i]);
  if (!fits) throw new ShapeError(`maskedFill: mask of shape ${formatShape(m.shape)} cannot be broadcast to shape ${formatShape(x.shape)}`);
  const im = indexInto(m.shape, x.shape);
  const md = m.data;
  const masked = (i: number): boolean => md[im ? im[i] : i] !== 0;
  const out = allocate(x.size);
  for (let i = 0; i < out.length; i++) out[i] = masked(i) ? value : x.data[i];
  return Tensor.fromOp('maskedFill', out, x.shape, [x], [selectedGrad(x, m, x.shape, (i) => !masked(i))]);
});
