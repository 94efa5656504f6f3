// Shapes, strides and broadcasting: the one place that knows how an element of one tensor maps onto another.
import { formatShape } from './format';
import { allocate } from './memory';

export type Shape = readonly number[];

/** Thrown when operands have shapes an op cannot combine; the message names the op and both shapes. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/**
 * Checks a shape the user gave: an array of non-negative integers (with `inferred`, one of them may be -1, as
 * in reshape). Every op that takes a shape from the user calls it, so a bad one fails with the op and the shape.
 */
export function checkShape(op: string, shape: unknown, inferred = false): asserts shape is Shape {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${op}: invalid shape ${String(shape)}: a shape is an array of dimensions, like [2, 3]`);
  }
  let minusOnes = 0;
  for (const d of shape) {
    if (inferred && d === -1 && minusOnes++ === 0) continue;
    if (!Number.isInteger(d) || d < 0) {
      const rule = inferred ? 'non-negative integers, with at most one -1' : 'non-negative integers';
      throw new ShapeError(`${op}: invalid shape ${formatShape(shape as Shape)}: dimensions must be ${rule}`);
    }
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides: the flat distance between neighbours along each axis. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** NumPy broadcasting: align shapes on the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  // A scalar goes with any shape (x.mul(2)); said first, since reading a shape past its start is slow in V8.
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const nd = Math.max(a.length, b.length);
  let isA = a.length === nd;
  let isB = b.length === nd;
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    const d = da === 1 ? db : da;
    isA &&= d === da;
    isB &&= d === db;
  }
  // An operand's own shape when it is the result (x.mul(2)): shapes are never written, and a chain keeps each one;
  // a new array only when neither is (made after the check, so x.mul(2) makes none at all).
  if (isA) return a;
  if (isB) return b;
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    out[i] = da === 1 ? (b[b.length - nd + i] ?? 1) : da;
  }
  return out;
}

/**
 * For each flat index of a tensor of `outShape`, the flat offset `offset + sum(index[d] * strides[d])`.
 * Every gather in the engine (broadcast, reduce, transpose, slice) is this walk with different strides.
 */
export function stridedIndex(outShape: Shape, strides: readonly number[], offset = 0): Int32Array {
  const n = sizeOf(outShape);
  const nd = outShape.length;
  const index = new Int32Array(n);
  const counter = new Array<number>(nd).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    index[i] = at;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      at += strides[d];
      if (counter[d] < outShape[d]) break;
      at -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return index;
}

/** Where each element of a tensor of `outShape` reads from a tensor of `shape` broadcast to it. */
export function broadcastIndex(shape: Shape, outShape: Shape): Int32Array {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  const strides = outShape.map((_, d) => (d < lead || shape[d - lead] === 1 ? 0 : own[d - lead]));
  return stridedIndex(outShape, strides);
}

/** Sums a gradient of `gradShape` back to the `shape` it was broadcast from (the backward of broadcasting). */
export function reduceToShape(grad: Float64Array, gradShape: Shape, shape: Shape): Float64Array {
  if (sameShape(gradShape, shape)) return grad;
  const out = allocate(sizeOf(shape));
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < grad.length; i++) s += grad[i];
    out[0] = s;
    return out;
  }
  const index = broadcastIndex(shape, gradShape);
  for (let i = 0; i < grad.length; i++) out[index[i]] += grad[i];
  return out;
}

/** Resolves a possibly negative axis against `rank`, with an error that names the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** The sorted, deduplicated axes an op reduces over; all axes when `axis` is undefined. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normalizeAxis(op, a, rank)))].sort((x, y) => x - y);
}
