// Ops that move values without changing them: reshape, transpose, slice, index, concat, stack, detach. Each gathers
// through an index map; its gradient scatters back through the same map.
import { announce, api } from '../recorder';
import { allocate, copy, copyToKeep } from '../memory';
import { checkShape, normalizeAxis, Shape, ShapeError, sizeOf, stridedIndex, stridesOf } from '../shape';
import { formatShape } from '../format';
import { Tensor } from '../tensor';

/** Output element i is input element index[i]; the gradient goes back the same way. */
export function gather(op: string, x: Tensor, shape: Shape, index: Int32Array): Tensor {
  const out = allocate(index.length);
  const xd = x.data;
  for (let i = 0; i < index.length; i++) out[i] = xd[index[i]];
  return Tensor.fromOp(op, out, shape, [x], [
    (g) => {
      const dx = allocate(x.size);
      for (let i = 0; i < index.length; i++) dx[index[i]] += g[i];
      return dx;
    },
  ]);
}

/** The same values in `shape` (same size): the gradient passes through unchanged. */
export function view(op: string, x: Tensor, shape: Shape): Tensor {
  return Tensor.fromOp(op, copy(x.data), shape, [x], [(g) => g]);
}

/** The axes in the order `axes` (checked to be a permutation): output axis i is input axis axes[i]. */
export function permuted(op: string, x: Tensor, axes: readonly number[]): Tensor {
  const strides = stridesOf(x.shape);
  const shape = axes.map((a) => x.shape[a]);
  return gather(op, x, shape, stridedIndex(shape, axes.map((a) => strides[a])));
}

/**
 * Same values, cut from the graph: no dependencies, no gradient. `detach(w.mul(0.5))`. In a buffer of its own, not a
 * slab's (engine/memory.ts): what is detached is often kept (a loss history), and must not keep a slab alive.
 */
export const detach = api(function detach(x: Tensor): Tensor {
  return announce(new Tensor(copyToKeep(x.data), x.shape, { isConst: x.isConst }));
});

/** Same values in a new shape; one dimension may be -1 (inferred). `reshape(arange(6), [2, -1])` -> shape [2, 3] */
export const reshape = api(function reshape(x: Tensor, shape: Shape): Tensor {
  checkShape('reshape', shape, true);
  const rest = sizeOf(shape.filter((d) => d !== -1));
  const target = shape.map((d) => (d === -1 ? x.size / rest : d));
  if (!target.every(Number.isInteger) || sizeOf(target) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape a tensor of shape ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  return view('reshape', x, target);
});

/** Permutes the axes (reverses them by default). `transpose(zeros([2, 3]))` -> shape [3, 2] */
export const transpose = api(function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const order = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const axes = order.map((a) => normalizeAxis('transpose', a, x.rank));
  if (axes.length !== x.rank || new Set(axes).size !== x.rank) {
    throw new ShapeError(`transpose: [${order.join(', ')}] is not a permutation of the axes of a tensor of shape ${formatShape(x.shape)}`);
  }
  return permuted('transpose', x, axes);
});

/**
 * NumPy's `x[b0:e0, b1:e1, ...]`: begin inclusive, end exclusive, negatives count from the end, axes left out
 * are taken whole. `slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [1, 3])` -> [[2, 3]]
 */
export const slice = api(function slice(x: Tensor, begin: readonly number[], end: readonly number[] = []): Tensor {
  if (begin.length > x.rank || end.length > x.rank) {
    throw new ShapeError(`slice: ${Math.max(begin.length, end.length)} bounds for a tensor of shape ${formatShape(x.shape)}`);
  }
  const clamp = (v: number, d: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
  const starts = x.shape.map((d, i) => clamp(begin[i] ?? 0, d));
  const stops = x.shape.map((d, i) => Math.max(starts[i], clamp(end[i] ?? d, d)));
  const strides = stridesOf(x.shape);
  const shape = starts.map((s, i) => stops[i] - s);
  const offset = starts.reduce((o, s, i) => o + s * strides[i], 0);
  return gather('slice', x, shape, stridedIndex(shape, strides, offset));
});

/** `x[i]` along `axis`, dropping that axis; negative i counts from the end. `index(tensor([[1, 2], [3, 4]]), 1)` -> [3, 4] */
export const index = api(function index(x: Tensor, i: number, axis: number = 0): Tensor {
  const a = normalizeAxis('index', axis, x.rank);
  const at = i < 0 ? i + x.shape[a] : i;
  if (!Number.isInteger(at) || at < 0 || at >= x.shape[a]) {
    throw new ShapeError(`index: index ${i} is out of range for axis ${axis} of a tensor of shape ${formatShape(x.shape)}`);
  }
  const strides = stridesOf(x.shape);
  const shape = x.shape.filter((_, d) => d !== a);
  return gather('index', x, shape, stridedIndex(shape, strides.filter((_, d) => d !== a), at * strides[a]));
});

/** Joins tensors along an existing axis. `concat([zeros([2, 3]), ones([1, 3])])` -> shape [3, 3] */
export const concat = api(function concat(tensors: readonly Tensor[], axis: number = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis('concat', axis, first.rank);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${axis}`);
    }
  }
  const outer = sizeOf(first.shape.slice(0, a));
  const inner = sizeOf(first.shape.slice(a + 1));
  const total = tensors.reduce((n, t) => n + t.shape[a], 0);
  const shape = first.shape.map((d, i) => (i === a ? total : d));
  const out = allocate(sizeOf(shape));
  // Each input owns a block of `shape[a] * inner` values in every one of the `outer` rows of the output.
  const row = total * inner;
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    starts.push(start);
    const block = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * block, (o + 1) * block), o * row + start);
    start += block;
  }
  return Tensor.fromOp(
    'concat',
    out,
    shape,
    tensors,
    tensors.map((t, k) => (g: Float64Array) => {
      const block = t.shape[a] * inner;
      const dt = allocate(t.size);
      for (let o = 0; o < outer; o++) dt.set(g.subarray(o * row + starts[k], o * row + starts[k] + block), o * block);
      return dt;
    }),
  );
});

/** Joins same-shaped tensors along a new axis. `stack([zeros([3]), ones([3])])` -> shape [2, 3] */
export const stack = api(function stack(tensors: readonly Tensor[], axis: number = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const first = tensors[0];
  const a = normalizeAxis('stack', axis, first.rank + 1);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new ShapeError(`stack: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ`);
    }
  }
  const expanded = [...first.shape.slice(0, a), 1, ...first.shape.slice(a)];
  return concat(tensors.map((t) => reshape(t, expanded)), a);
});
