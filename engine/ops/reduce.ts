// Reductions over one axis, several axes or all of them. The reduced tensor is indexed as the input broadcast
// against the kept-dims output shape, so forward and backward share one index map.
import { api } from '../recorder';
import { allocate } from '../memory';
import { broadcastIndex, normalizeAxes, ShapeError } from '../shape';
import { formatShape } from '../format';
import type { Axis } from '../tensor';
import { Tensor } from '../tensor';
import { div } from './elementwise';

interface Reduction {
  /** Output shape with reduced axes kept as 1. */
  keptShape: number[];
  /** Output shape as the caller asked (reduced axes dropped unless keepDims). */
  shape: number[];
  /** For each input element, the output element it reduces into. */
  index: Int32Array;
  /** How many input elements reduce into each output element. */
  count: number;
}

export function plan(op: string, x: Tensor, axis: Axis | undefined, keepDims: boolean): Reduction {
  const axes = normalizeAxes(op, axis, x.rank);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const shape = keepDims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return { keptShape, shape, index: broadcastIndex(keptShape, x.shape), count };
}

/** Sum of elements, over `axis` (a number, a list, or all when omitted). `sum(tensor([[1, 2], [3, 4]]), 0)` -> [4, 6] */
export const sum = api(function sum(x: Tensor, axis?: Axis, keepDims: boolean = false): Tensor {
  const r = plan('sum', x, axis, keepDims);
  const out = allocate(r.keptShape.reduce((a, b) => a * b, 1));
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) out[r.index[i]] += xd[i];
  return Tensor.fromOp('sum', out, r.shape, [x], [
    (g) => {
      const dx = allocate(x.size);
      for (let i = 0; i < dx.length; i++) dx[i] = g[r.index[i]];
      return dx;
    },
  ]);
});

/** Arithmetic mean over `axis`. `mean(tensor([1, 2, 3, 6]))` -> 3 */
export const mean = api(function mean(x: Tensor, axis?: Axis, keepDims: boolean = false): Tensor {
  const r = plan('mean', x, axis, keepDims);
  return div(sum(x, axis, keepDims), r.count);
});

function extremum(op: 'max' | 'min', x: Tensor, axis: Axis | undefined, keepDims: boolean): Tensor {
  const r = plan(op, x, axis, keepDims);
  if (x.size === 0) throw new ShapeError(`${op}: cannot reduce an empty tensor of shape ${formatShape(x.shape)}`);
  const n = r.keptShape.reduce((a, b) => a * b, 1);
  const out = allocate(n).fill(op === 'max' ? -Infinity : Infinity);
  // Where each output's value came from: the gradient goes there (the first one on ties, like tfjs argmax).
  const from = new Int32Array(n).fill(-1);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) {
    const o = r.index[i];
    const v = xd[i];
    if (from[o] === -1 || (op === 'max' ? v > out[o] : v < out[o]) || (v !== v && out[o] === out[o])) {
      out[o] = v;
      from[o] = i;
    }
  }
  return Tensor.fromOp(op, out, r.shape, [x], [
    (g) => {
      const dx = allocate(x.size);
      for (let o = 0; o < n; o++) dx[from[o]] += g[o];
      return dx;
    },
  ]);
}

/** Largest element over `axis`; the gradient flows to the (first) largest. `max(tensor([1, 5, 2]))` -> 5 */
export const max = api(function max(x: Tensor, axis?: Axis, keepDims: boolean = false): Tensor {
  return extremum('max', x, axis, keepDims);
});

/** Smallest element over `axis`; the gradient flows to the (first) smallest. `min(tensor([1, 5, 2]))` -> 1 */
export const min = api(function min(x: Tensor, axis?: Axis, keepDims: boolean = false): Tensor {
  return extremum('min', x, axis, keepDims);
});

