// Nested number arrays as users write data (`[[1, 2], [3, 4]]`): their shape, and their values in row-major
// order, refusing ragged arrays and non-numbers with a message that says where. For tensor data and indices.
import { ShapeError } from './shape';
import type { NestedArray } from './tensor';

/** The shape the nesting describes, read along the first element at each level. */
export function shapeOfNested(data: NestedArray): number[] {
  const shape: number[] = [];
  for (let level = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  return shape;
}

/** Writes the values of `data`, which must have exactly `shape`, into `out` in row-major order. */
export function readNested(op: string, data: NestedArray, shape: readonly number[], out: { [i: number]: number }): void {
  let at = 0;
  const walk = (node: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof node !== 'number') throw new ShapeError(`${op}: expected a number at ${path || 'the top level'}, got ${Array.isArray(node) ? 'an array' : typeof node}`);
      out[at++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[dim]) {
      throw new ShapeError(`${op}: ragged nested array: ${path || 'the top level'} should be an array of ${shape[dim]}`);
    }
    node.forEach((child, i) => walk(child, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
}
