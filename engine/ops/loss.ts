// Losses, composed from primitives so the graph shows how they were computed; log-softmax carries the numerics.
import { announce, api } from '../recorder';
import { allocate } from '../memory';
import { sameShape, ShapeError } from '../shape';
import { formatShape } from '../format';
import { Tensor, TensorLike } from '../tensor';
import { logSoftmax } from './activation';
import { div, mul, sub } from './elementwise';
import { mean, sum } from './reduce';

/** Mean squared error. `mse(pred, target)` = mean((pred - target)²), broadcasting target to pred. */
export const mse = api(function mse(pred: Tensor, target: TensorLike): Tensor {
  const err = sub(pred, target);
  return mean(mul(err, err));
});

/**
 * Softmax cross-entropy, averaged over the batch. `logits` is [N, C]; `labels` are N class indices (an array
 * or a [N] tensor) or a [N, C] tensor of target probabilities. Stable for any logits.
 * `crossEntropy(model(x), [0, 2, 1])`
 */
export const crossEntropy = api(function crossEntropy(logits: Tensor, labels: readonly number[] | Tensor): Tensor {
  if (logits.rank !== 2) {
    throw new ShapeError(`crossEntropy: logits must be [batch, classes], got shape ${formatShape(logits.shape)}`);
  }
  const [n, c] = logits.shape;
  let target: Tensor;
  if (labels instanceof Tensor && sameShape(labels.shape, logits.shape)) {
    target = labels;
  } else {
    const classes = labels instanceof Tensor ? labels.data : labels;
    if ((labels instanceof Tensor && labels.rank !== 1) || classes.length !== n) {
      const got = labels instanceof Tensor ? `shape ${formatShape(labels.shape)}` : `${classes.length} labels`;
      throw new ShapeError(`crossEntropy: logits of shape ${formatShape(logits.shape)} need ${n} class labels or a [${n}, ${c}] target, got ${got}`);
    }
    const oneHot = allocate(n * c);
    for (let i = 0; i < n; i++) {
      const k = classes[i];
      if (!Number.isInteger(k) || k < 0 || k >= c) {
        throw new RangeError(`crossEntropy: label ${k} at position ${i} is not a class index in [0, ${c})`);
      }
      oneHot[i * c + k] = 1;
    }
    target = announce(new Tensor(oneHot, [n, c], { isConst: true }));
  }
  return div(sum(mul(logSoftmax(logits, -1), target)), -n);
});
