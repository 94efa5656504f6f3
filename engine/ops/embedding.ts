// Embedding lookup: rows of a weight matrix picked by integer indices; the gradient adds back into those rows.
import { api } from '../recorder';
import { allocate } from '../memory';
import { ShapeError } from '../shape';
import { formatShape } from '../format';
import { inRange, positionOf, readIndices } from '../indices';
import { NestedArray, Tensor } from '../tensor';

/**
 * Rows of `weight` ([V, D]) at `indices` (integers in [0, V), a tensor or nested arrays of any shape); the output
 * is [...indices.shape, D]. A row picked several times gets the sum of its gradients.
 * `embedding([[0, 2], [2, 1]], w)` -> shape [2, 2, D]
 */
export const embedding = api(function embedding(indices: Tensor | NestedArray | readonly number[], weight: Tensor): Tensor {
  if (weight.rank !== 2) throw new ShapeError(`embedding: weight must be [numEmbeddings, dim], got shape ${formatShape(weight.shape)}`);
  const [v, d] = weight.shape;
  const { values, shape } = readIndices('embedding', indices);
  // Copied, so indices changed later cannot move the gradient.
  const rows = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = values[i];
    if (!inRange(k, v)) {
      throw new RangeError(`embedding: index ${k} at position ${positionOf(i, shape)} is not a row of a weight with ${v} embeddings (integers in [0, ${v}))`);
    }
    rows[i] = k;
  }
  const wd = weight.data;
  const out = allocate(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(wd.subarray(rows[i] * d, rows[i] * d + d), i * d);
  return Tensor.fromOp('embedding', out, [...shape, d], [weight], [
    (g) => {
      const dw = allocate(weight.size);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] * d;
        for (let j = 0; j < d; j++) dw[r + j] += g[i * d + j];
      }
      return dw;
    },
  ]);
});
