// Statistics over axes: variance and standard deviation (with Bessel's correction by default), a stable
// log-sum-exp, and argmax/argmin (indices, no gradient). Each reduces through reduce.ts's plan: input element i
// belongs to output element index[i].
import { isGradEnabled } from '../autograd';
import { activeRecorder, announce, api } from '../recorder';
import { allocate } from '../memory';
import { normalizeAxis, ShapeError, sizeOf, stridesOf } from '../shape';
import { formatShape } from '../format';
import type { Axis } from '../tensor';
import { reading, Tensor } from '../tensor';
import { plan } from './reduce';

/** Variance (or its square root) over `axis`: sum((x - mean)²) / (count - correction). */
function spread(op: 'variance' | 'std', x: Tensor, axis: Axis | undefined, keepDims: boolean, correction: number): Tensor {
  const r = plan(op, x, axis, keepDims);
  const n = sizeOf(r.keptShape);
  const xd = x.data;
  const means = allocate(n);
  for (let i = 0; i < xd.length; i++) means[r.index[i]] += xd[i];
  for (let o = 0; o < n; o++) means[o] /= r.count;
  const out = allocate(n);
  for (let i = 0; i < xd.length; i++) out[r.index[i]] += (xd[i] - means[r.index[i]]) ** 2;
  const dof = r.count - correction;
  for (let o = 0; o < n; o++) out[o] = op === 'std' ? Math.sqrt(out[o] / dof) : out[o] / dof;
  // d var/dx_i = 2(x_i - mean)/dof (the mean's own derivative sums to 0); d std = d var / (2 std).
  const reads: (Tensor | 'output')[] = op === 'std' ? [x, 'output'] : [x];
  return Tensor.fromOp(op, out, r.shape, [x], [
    reading(reads, (g) => {
      const dx = allocate(x.size);
      for (let i = 0; i < dx.length; i++) {
        const o = r.index[i];
        const dvar = (2 * (xd[i] - means[o])) / dof;
        dx[i] = g[o] * (op === 'std' ? dvar / (2 * out[o]) : dvar);
      }
      return dx;
    }),
  ]);
}

/**
 * Variance over `axis` (all axes when omitted), divided by count - correction (1: unbiased, as PyTorch; 0: the
 * population variance). `variance(tensor([1, 2, 3, 4]))` -> 1.6667
 */
export const variance = api(function variance(x: Tensor, axis?: Axis, keepDims: boolean = false, correction: number = 1): Tensor {
  return spread('variance', x, axis, keepDims, correction);
});

/** Standard deviation over `axis`, the square root of `variance` (same arguments). `std(tensor([1, 2, 3, 4]))` -> 1.2910 */
export const std = api(function std(x: Tensor, axis?: Axis, keepDims: boolean = false, correction: number = 1): Tensor {
  return spread('std', x, axis, keepDims, correction);
});

/** log(sum(exp(x))) over `axis`, shifted by the max so it never overflows. `logSumExp(tensor([1000, 1000]))` -> 1000.6931 */
export const logSumExp = api(function logSumExp(x: Tensor, axis?: Axis, keepDims: boolean = false): Tensor {
  const r = plan('logSumExp', x, axis, keepDims);
  const n = sizeOf(r.keptShape);
  const xd = x.data;
  const shift = allocate(n).fill(-Infinity);
  for (let i = 0; i < xd.length; i++) shift[r.index[i]] = Math.max(shift[r.index[i]], xd[i]);
  for (let o = 0; o < n; o++) if (!Number.isFinite(shift[o])) shift[o] = 0; // all -Inf, an Inf or a NaN: no shift
  const out = allocate(n);
  for (let i = 0; i < xd.length; i++) out[r.index[i]] += Math.exp(xd[i] - shift[r.index[i]]);
  for (let o = 0; o < n; o++) out[o] = shift[o] + Math.log(out[o]);
  // d lse/dx_i = exp(x_i - lse), the softmax of the group.
  return Tensor.fromOp('logSumExp', out, r.shape, [x], [
    reading([x, 'output'], (g) => {
      const dx = allocate(x.size);
      for (let i = 0; i < dx.length; i++) dx[i] = g[r.index[i]] * Math.exp(xd[i] - out[r.index[i]]);
      return dx;
    }),
  ]);
});

/** Position of the first largest (or smallest) element along `axis`, or in the flattened tensor; NaN counts as largest. */
function argExtremum(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (x.size === 0) throw new ShapeError(`${op}: cannot reduce an empty tensor of shape ${formatShape(x.shape)}`);
  const a = axis === undefined ? undefined : normalizeAxis(op, axis, x.rank);
  const r = plan(op, x, a, keepDims && a !== undefined);
  const n = sizeOf(r.keptShape);
  const best = allocate(n);
  const at = allocate(n).fill(-1);
  const stride = a === undefined ? 1 : stridesOf(x.shape)[a];
  const length = a === undefined ? x.size : x.shape[a];
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) {
    const o = r.index[i];
    const v = xd[i];
    if (best[o] !== best[o] && at[o] !== -1) continue; // a NaN found first stays
    if (at[o] === -1 || v !== v || (op === 'argmax' ? v > best[o] : v < best[o])) {
      best[o] = v;
      at[o] = Math.floor(i / stride) % length;
    }
  }
  const shape = a === undefined && keepDims ? x.shape.map(() => 1) : r.shape;
  // No gradient: the edge to x is kept only for a recorder's graph (gradFn null, as fromOp keeps it for one).
  const dependencies = activeRecorder() !== null && isGradEnabled() ? [{ tensor: x, gradFn: null, saved: undefined }] : [];
  return announce(new Tensor(at, shape, { op, dependencies }));
}

/** Index of the largest element along `axis` (of the flattened tensor when omitted); no gradient. `argmax(tensor([[1, 5], [7, 2]]), 1)` -> [1, 0] */
export const argmax = api(function argmax(x: Tensor, axis?: number, keepDims: boolean = false): Tensor {
  return argExtremum('argmax', x, axis, keepDims);
});

/** Index of the smallest element along `axis` (of the flattened tensor when omitted); no gradient. `argmin(tensor([3, 1, 2]))` -> 1 */
export const argmin = api(function argmin(x: Tensor, axis?: number, keepDims: boolean = false): Tensor {
  return argExtremum('argmin', x, axis, keepDims);
});
