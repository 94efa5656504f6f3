// Integer indices given as a tensor or as nested number arrays (embedding rows, class labels): their values and
// shape, and a check that names the bad index, where it is and the valid range.
import { readNested, shapeOfNested } from './nested';
import { sizeOf } from './shape';
import { NestedArray, Tensor } from './tensor';

export interface Indices {
  values: ArrayLike<number>;
  shape: number[];
}

/** The values and shape of `indices`, a tensor or nested arrays (ragged arrays are refused). */
export function readIndices(op: string, indices: Tensor | NestedArray | readonly number[]): Indices {
  if (indices instanceof Tensor) return { values: indices.data, shape: [...indices.shape] };
  const shape = shapeOfNested(indices as NestedArray);
  const values = new Array<number>(sizeOf(shape));
  readNested(op, indices as NestedArray, shape, values);
  return { values, shape };
}

/** Where flat element `i` of a tensor of `shape` is: `4` in one dimension, `[1, 0]` in more. */
export function positionOf(i: number, shape: readonly number[]): string {
  if (shape.length <= 1) return String(i);
  const at: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${at.join(', ')}]`;
}

/** True for an integer in [0, bound). */
export function inRange(k: number, bound: number): boolean {
  return Number.isInteger(k) && k >= 0 && k < bound;
}
