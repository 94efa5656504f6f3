// Shape ops: squeeze, unsqueeze, expand, flatten, permute (same values, new shape or order), and tril/triu (keep
// one triangle of the last two axes). Reshapes pass the gradient through; the rest gather or mask it back.
import { api } from '../recorder';
import { allocate } from '../memory';
import { broadcastIndex, checkShape, normalizeAxes, normalizeAxis, Shape, ShapeError } from '../shape';
import { formatShape } from '../format';
import type { Axis } from '../tensor';
import { Tensor } from '../tensor';
import { gather, permuted, view } from './movement';

/** Drops axes of size 1: all of them, or those of `axis` (an axis of another size is kept, as in PyTorch). `squeeze(zeros([2, 1, 3]))` -> shape [2, 3] */
export const squeeze = api(function squeeze(x: Tensor, axis?: Axis): Tensor {
  const axes = normalizeAxes('squeeze', axis, x.rank);
  return view('squeeze', x, x.shape.filter((d, i) => !(d === 1 && axes.includes(i))));
});

/** Inserts an axis of size 1 at `axis` (-1: last). `unsqueeze(zeros([2, 3]), 1)` -> shape [2, 1, 3] */
export const unsqueeze = api(function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return view('unsqueeze', x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
});

/**
 * Broadcasts to `shape` (axes of size 1 repeat, new axes go in front, -1 keeps an axis); the gradient sums back.
 * `expand(tensor([[1], [2]]), [2, 3])` -> [[1, 1, 1], [2, 2, 2]]
 */
export const expand = api(function expand(x: Tensor, shape: Shape): Tensor {
  if (!Array.isArray(shape)) checkShape('expand', shape);
  if (shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`expand: invalid shape ${formatShape(shape)}: dimensions must be non-negative integers or -1`);
  }
  const lead = shape.length - x.rank;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  const fits = lead >= 0 && target.every((d, i) => d >= 0 && (i < lead || x.shape[i - lead] === 1 || x.shape[i - lead] === d));
  if (!fits) throw new ShapeError(`expand: cannot expand a tensor of shape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  return gather('expand', x, target, broadcastIndex(x.shape, target));
});

/** Merges axes startAxis..endAxis (inclusive) into one. `flatten(zeros([2, 3, 4]), 1)` -> shape [2, 12] */
export const flatten = api(function flatten(x: Tensor, startAxis: number = 0, endAxis: number = -1): Tensor {
  if (x.rank === 0) return view('flatten', x, [1]);
  const s = normalizeAxis('flatten', startAxis, x.rank);
  const e = normalizeAxis('flatten', endAxis, x.rank);
  if (s > e) throw new ShapeError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for a tensor of shape ${formatShape(x.shape)}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return view('flatten', x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
});

/** Reorders the axes: output axis i is input axis perm[i]. `permute(zeros([2, 3, 4]), [2, 0, 1])` -> shape [4, 2, 3] */
export const permute = api(function permute(x: Tensor, perm: readonly number[]): Tensor {
  const axes = perm.map((a) => (Number.isInteger(a) && a >= -x.rank && a < x.rank ? (a + x.rank) % x.rank : -1));
  if (axes.length !== x.rank || axes.includes(-1) || new Set(axes).size !== x.rank) {
    throw new ShapeError(`permute: [${perm.join(', ')}] is not a permutation of the axes of a tensor of shape ${formatShape(x.shape)}`);
  }
  return permuted('permute', x, axes);
});

/** Keeps the elements of the last two axes where `keep(row, column)`, zeroes the rest; the gradient is masked the same way. */
function triangle(op: 'tril' | 'triu', x: Tensor, k: number): Tensor {
  if (x.rank < 2) throw new ShapeError(`${op}: needs a tensor of at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  const keep = (i: number): boolean => {
    const j = i % cols;
    const r = Math.floor(i / cols) % rows;
    return op === 'tril' ? j - r <= k : j - r >= k;
  };
  const mask = (v: Float64Array): Float64Array => {
    const out = allocate(v.length);
    for (let i = 0; i < v.length; i++) if (keep(i)) out[i] = v[i];
    return out;
  };
  return Tensor.fromOp(op, mask(x.data), x.shape, [x], [mask]);
}

/** The lower triangle of the last two axes (j - i <= k), zeros above. `tril(ones([2, 2]))` -> [[1, 0], [1, 1]] */
export const tril = api(function tril(x: Tensor, k: number = 0): Tensor {
  return triangle('tril', x, k);
});

/** The upper triangle of the last two axes (j - i >= k), zeros below. `triu(ones([2, 2]))` -> [[1, 1], [0, 1]] */
export const triu = api(function triu(x: Tensor, k: number = 0): Tensor {
  return triangle('triu', x, k);
});
