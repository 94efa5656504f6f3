// Losses, composed from primitives so the graph shows how they were computed; log-softmax carries the numerics.
// Binary cross-entropy with logits is the exception: its composition has kinks at 0 that give a wrong gradient there.
import { announce, api } from '../recorder';
import { allocate } from '../memory';
import { sameShape, ShapeError, sizeOf } from '../shape';
import { formatShape } from '../format';
import { inRange, positionOf, readIndices } from '../indices';
import { asTensor, NestedArray, NO_GRADIENT, reading, Tensor, TensorLike } from '../tensor';
import { logSoftmax } from './activation';
import { abs, add, div, logistic, logOnePlusExp, mul, sub } from './elementwise';
import { mean, sum } from './reduce';

/** Mean squared error. `mse(pred, target)` = mean((pred - target)²), broadcasting target to pred. */
export const mse = api(function mse(pred: Tensor, target: TensorLike): Tensor {
  const err = sub(pred, target);
  return mean(mul(err, err));
});

/** Mean absolute error. `l1Loss(pred, target)` = mean(|pred - target|), broadcasting target to pred. */
export const l1Loss = api(function l1Loss(pred: Tensor, target: TensorLike): Tensor {
  return mean(abs(sub(pred, target)));
});

type Labels = Tensor | NestedArray | readonly number[];

export interface NllLossOptions {
  /** Positions with this label add nothing and are left out of the mean (default -100, as PyTorch). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / classes (default 0). */
  labelSmoothing?: number;
}

/**
 * The constant target for class labels of `scores` ([N, C, d1, ...], classes on axis 1): at each position,
 * (1 - smoothing) at the label plus smoothing / C everywhere, nothing where the label is `ignoreIndex`; and how
 * many positions count.
 */
function classTarget(op: string, scores: Tensor, labels: Labels, ignoreIndex: number, smoothing: number): { target: Tensor; count: number } {
  const [n, c] = scores.shape;
  const rest = scores.shape.slice(2);
  const { values, shape } = readIndices(op, labels);
  if (!sameShape(shape, [n, ...rest])) {
    const got = labels instanceof Tensor ? `shape ${formatShape(shape)}` : rest.length === 0 && shape.length === 1 ? `${values.length} labels` : `labels of shape ${formatShape(shape)}`;
    const need = rest.length === 0 ? `${n} class labels` : `class labels of shape ${formatShape([n, ...rest])}`;
    throw new ShapeError(`${op}: logits of shape ${formatShape(scores.shape)} need ${need} or a ${formatShape(scores.shape)} target, got ${got}`);
  }
  const inner = sizeOf(rest);
  const data = allocate(scores.size);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const k = values[i];
    if (k === ignoreIndex) continue;
    if (!inRange(k, c)) throw new RangeError(`${op}: label ${k} at position ${positionOf(i, shape)} is not a class index in [0, ${c})`);
    count++;
    // Label i is at batch b = i / inner, position p = i % inner; class j of it at (b * c + j) * inner + p.
    const base = Math.floor(i / inner) * c * inner + (i % inner);
    for (let j = 0; j < c; j++) data[base + j * inner] = smoothing / c;
    data[base + k * inner] += 1 - smoothing;
  }
  return { target: announce(new Tensor(data, scores.shape, { isConst: true })), count };
}

function checkScores(op: string, scores: Tensor): void {
  if (scores.rank < 2) throw new ShapeError(`${op}: logits must be [batch, classes] or [batch, classes, d1, ...], got shape ${formatShape(scores.shape)}`);
}

/**
 * Softmax cross-entropy, averaged over the batch (and any further positions). `logits` is [N, C] or [N, C, d1, ...]
 * (classes on axis 1, as PyTorch); `labels` are class indices of shape [N, d1, ...] (arrays or a tensor), averaged
 * over those not equal to `ignoreIndex`, or a tensor of target probabilities shaped like `logits`. Stable for any
 * logits. `crossEntropy(model(x), [0, 2, 1], { labelSmoothing: 0.1 })`
 */
export const crossEntropy = api(function crossEntropy(logits: Tensor, labels: Labels, options: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, labelSmoothing = 0 } = options;
  checkScores('crossEntropy', logits);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  const logProbs = logSoftmax(logits, 1);
  if (labels instanceof Tensor && sameShape(labels.shape, logits.shape)) {
    const c = logits.shape[1];
    const target = labelSmoothing === 0 ? labels : add(mul(labels, 1 - labelSmoothing), labelSmoothing / c);
    return div(sum(mul(logProbs, target)), -(logits.size / c));
  }
  const { target, count } = classTarget('crossEntropy', logits, labels, ignoreIndex, labelSmoothing);
  return div(sum(mul(logProbs, target)), -count);
});

/**
 * Negative log-likelihood of class labels under log-probabilities `logProbs` ([N, C] or [N, C, d1, ...]), averaged
 * over the labels not equal to `ignoreIndex`. `nllLoss(logSoftmax(logits, 1), [2, 0])`
 */
export const nllLoss = api(function nllLoss(logProbs: Tensor, labels: Labels, options: NllLossOptions = {}): Tensor {
  checkScores('nllLoss', logProbs);
  const { target, count } = classTarget('nllLoss', logProbs, labels, options.ignoreIndex ?? -100, 0);
  return div(sum(mul(logProbs, target)), -count);
});

/**
 * Binary cross-entropy of sigmoid(logits) against targets in [0, 1], averaged, computed stably as
 * max(x, 0) - x * t + log(1 + exp(-|x|)). Gradients: (sigmoid(x) - t) / n for the logits, -x / n for the targets.
 * `binaryCrossEntropyWithLogits(model(x), tensor([1, 0, 1]))`
 */
export const binaryCrossEntropyWithLogits = api(function binaryCrossEntropyWithLogits(logits: Tensor, targets: TensorLike): Tensor {
  const t = asTensor(targets);
  if (!sameShape(logits.shape, t.shape)) {
    throw new ShapeError(`binaryCrossEntropyWithLogits: logits of shape ${formatShape(logits.shape)} and targets of shape ${formatShape(t.shape)} differ`);
  }
  const xd = logits.data;
  const td = t.data;
  const n = logits.size;
  const out = allocate(1);
  for (let i = 0; i < n; i++) out[0] += logOnePlusExp(xd[i]) - xd[i] * td[i];
  out[0] /= n;
  const dLogits = reading([logits, t], (g) => {
    const d = allocate(n);
    for (let i = 0; i < n; i++) {
      d[i] = (g[0] * (logistic(xd[i]) - td[i])) / n;
    }
    return d;
  });
  const dTargets = reading([logits], (g) => {
    const d = allocate(n);
    for (let i = 0; i < n; i++) d[i] = (-g[0] * xd[i]) / n;
    return d;
  });
  return Tensor.fromOp('binaryCrossEntropyWithLogits', out, [], [logits, t], [
    logits.requiresGrad ? dLogits : NO_GRADIENT,
    t.requiresGrad ? dTargets : NO_GRADIENT,
  ]);
});
