// Layer norm, batch norm and dropout, with hand-written gradients: composed from mean/sub/pow/sqrt they would take
// a dozen nodes and passes each. Both norms normalize groups of elements and then scale and shift per parameter
// position; one kernel does both, told which group and which parameter each element belongs to.
import { api } from '../recorder';
import { allocate } from '../memory';
import { changed } from '../in-place';
import { nextUniform } from '../random';
import { sameShape, Shape, ShapeError, sizeOf } from '../shape';
import { formatShape } from '../format';
import { GradFn, NO_GRADIENT, reading, Tensor } from '../tensor';
import { wasmLayerNorm, wasmLayerNormBackward, wasmSumRows } from './wasm-elementwise';

/** Which group (normalized together) and which weight/bias position each element of the input belongs to. */
interface Layout {
  groups: number;
  group: (i: number) => number;
  param: (i: number) => number;
  /** Layer norm: groups are contiguous rows of this many elements, the parameter position the place in the row. */
  row?: number;
}

/** The forward pass already done (in WebAssembly, wasm-elementwise.ts): output, x̂ and 1/std per group. */
interface Normalized {
  out: Float64Array;
  xhat: Float64Array;
  rstd: Float64Array;
}

/** Mean and variance per group; `tensors` holds them when they are given (batch norm in eval), for backward's check. */
interface Stats {
  mean: Float64Array;
  variance: Float64Array;
  tensors?: Tensor[];
}

/** Biased mean and variance of each group. */
function groupStats(x: Tensor, l: Layout): Stats {
  const count = x.size / l.groups;
  const mean = new Float64Array(l.groups);
  const variance = new Float64Array(l.groups);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) mean[l.group(i)] += xd[i];
  for (let k = 0; k < l.groups; k++) mean[k] /= count;
  for (let i = 0; i < xd.length; i++) variance[l.group(i)] += (xd[i] - mean[l.group(i)]) ** 2;
  for (let k = 0; k < l.groups; k++) variance[k] /= count;
  return { mean, variance };
}

/** The normalized input x̂ = (x - mean) · rstd and the output x̂ · weight + bias, in JavaScript. */
function forward(x: Tensor, l: Layout, weight: Tensor | undefined, bias: Tensor | undefined, eps: number, stats: Stats): Normalized {
  const rstd = Float64Array.from(stats.variance, (v) => 1 / Math.sqrt(v + eps));
  const xd = x.data;
  const xhat = allocate(x.size);
  const out = allocate(x.size);
  for (let i = 0; i < x.size; i++) {
    const k = l.group(i);
    const p = l.param(i);
    xhat[i] = (xd[i] - stats.mean[k]) * rstd[k];
    out[i] = xhat[i] * (weight ? weight.data[p] : 1) + (bias ? bias.data[p] : 0);
  }
  return { out, xhat, rstd };
}

/**
 * y = (x - mean) / sqrt(var + eps) * weight + bias, with x̂ the normalized input and ĝ = g * weight:
 * dx = rstd * (ĝ - mean(ĝ) - x̂ * mean(ĝ * x̂)) per group with batch statistics, rstd * ĝ with fixed ones;
 * dweight = sum(g * x̂), dbias = sum(g) over the elements of each parameter position.
 */
function normalize(op: string, x: Tensor, l: Layout, weight: Tensor | undefined, bias: Tensor | undefined, eps: number, stats: Stats | Normalized): Tensor {
  const fixed = 'tensors' in stats && stats.tensors !== undefined;
  const n = x.size;
  const { out, xhat, rstd } = 'xhat' in stats ? stats : forward(x, l, weight, bias, eps, stats);
  const fixedTensors = ('tensors' in stats && stats.tensors) || [];
  const dx = reading([x, ...(weight ? [weight] : []), ...fixedTensors], (g) => {
    const gh = allocate(n);
    if (l.row !== undefined && wasmLayerNormBackward(g, weight?.data ?? null, xhat, rstd, gh)) return gh;
    for (let i = 0; i < n; i++) gh[i] = weight ? g[i] * weight.data[l.param(i)] : g[i];
    if (fixed) {
      for (let i = 0; i < n; i++) gh[i] *= rstd[l.group(i)];
      return gh;
    }
    const count = n / l.groups;
    const s1 = new Float64Array(l.groups);
    const s2 = new Float64Array(l.groups);
    for (let i = 0; i < n; i++) {
      s1[l.group(i)] += gh[i];
      s2[l.group(i)] += gh[i] * xhat[i];
    }
    for (let i = 0; i < n; i++) {
      const k = l.group(i);
      gh[i] = rstd[k] * (gh[i] - s1[k] / count - (xhat[i] * s2[k]) / count);
    }
    return gh;
  });
  const paramGrad = (t: Tensor, withXhat: boolean): GradFn =>
    reading(withXhat ? [x, ...fixedTensors] : [], (g) => {
      const summed = l.row !== undefined ? wasmSumRows(g, l.row, withXhat ? xhat : null) : null;
      if (summed !== null) return summed;
      const d = allocate(t.size);
      for (let i = 0; i < n; i++) d[l.param(i)] += withXhat ? g[i] * xhat[i] : g[i];
      return d;
    });
  const inputs = [x];
  const gradFns = [x.requiresGrad ? dx : NO_GRADIENT];
  if (weight) inputs.push(weight), gradFns.push(weight.requiresGrad ? paramGrad(weight, true) : NO_GRADIENT);
  if (bias) inputs.push(bias), gradFns.push(bias.requiresGrad ? paramGrad(bias, false) : NO_GRADIENT);
  return Tensor.fromOp(op, out, x.shape, inputs, gradFns);
}

function checkParam(op: string, name: string, t: Tensor | null | undefined, shape: Shape): void {
  if (t && !sameShape(t.shape, shape)) {
    throw new ShapeError(`${op}: ${name} of shape ${formatShape(t.shape)} does not match ${formatShape(shape)}`);
  }
}

/**
 * Normalizes over the last `normalizedShape.length` axes (mean 0, biased variance 1), then scales by `weight` and
 * shifts by `bias` (both of `normalizedShape`, optional). `layerNorm(h, [64], gamma, beta)`
 */
export const layerNorm = api(function layerNorm(x: Tensor, normalizedShape: number | Shape, weight?: Tensor | null, bias?: Tensor | null, eps: number = 1e-5): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.rank - shape.length);
  if (shape.length === 0 || shape.length > x.rank || !sameShape(tail, shape)) {
    throw new ShapeError(`layerNorm: normalized shape ${formatShape(shape)} is not the end of the input's shape ${formatShape(x.shape)}`);
  }
  checkParam('layerNorm', 'weight', weight, shape);
  checkParam('layerNorm', 'bias', bias, shape);
  const m = sizeOf(shape);
  const layout: Layout = { groups: x.size / m || 0, group: (i) => Math.floor(i / m), param: (i) => i % m, row: m };
  const inWasm = x.size > 0 ? wasmLayerNorm(x.data, weight?.data ?? null, bias?.data ?? null, m, eps) : null;
  return normalize('layerNorm', x, layout, weight ?? undefined, bias ?? undefined, eps, inWasm ?? groupStats(x, layout));
});

export interface BatchNormOptions {
  /** Batch statistics, and update the running ones (default false: use the running statistics, as PyTorch). */
  training?: boolean;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalization over channels (axis 1) of [N, C] or [N, C, ...] inputs. Training: normalizes with the batch
 * mean and biased variance, and updates `runningMean`/`runningVar` in place with the batch mean and unbiased
 * variance (`(1 - momentum) * running + momentum * batch`); eval: normalizes with the running statistics.
 * `batchNorm(h, mean, variance, gamma, beta, { training: true })`
 */
export const batchNorm = api(function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (x.rank < 2) throw new ShapeError(`batchNorm: input must be [batch, channels, ...], got shape ${formatShape(x.shape)}`);
  const c = x.shape[1];
  for (const [name, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    checkParam('batchNorm', name, t, [c]);
  }
  const inner = sizeOf(x.shape.slice(2));
  const layout: Layout = { groups: c, group: (i) => Math.floor(i / inner) % c, param: (i) => Math.floor(i / inner) % c };
  if (!training) {
    if (!runningMean || !runningVar) throw new ShapeError('batchNorm: eval mode (training: false) needs runningMean and runningVar');
    const running: Stats = { mean: runningMean.data, variance: runningVar.data, tensors: [runningMean, runningVar] };
    return normalize('batchNorm', x, layout, weight ?? undefined, bias ?? undefined, eps, running);
  }
  const count = x.size / c;
  if (count <= 1) throw new ShapeError(`batchNorm: training needs more than 1 value per channel, got input of shape ${formatShape(x.shape)}`);
  const stats = groupStats(x, layout);
  const out = normalize('batchNorm', x, layout, weight ?? undefined, bias ?? undefined, eps, stats);
  if (runningMean) {
    for (let k = 0; k < c; k++) runningMean.data[k] = (1 - momentum) * runningMean.data[k] + momentum * stats.mean[k];
    changed(runningMean, 'batchNorm');
  }
  if (runningVar) {
    const unbiased = count / (count - 1);
    for (let k = 0; k < c; k++) runningVar.data[k] = (1 - momentum) * runningVar.data[k] + momentum * stats.variance[k] * unbiased;
    changed(runningVar, 'batchNorm');
  }
  return out;
});

/**
 * Inverted dropout: zeroes each element with probability `p` (drawn from the seeded generator, so `manualSeed`
 * repeats it) and scales the rest by 1 / (1 - p); the identity when not training or p = 0. `dropout(h, 0.5)`
 */
export const dropout = api(function dropout(x: Tensor, p: number, training: boolean = true): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: probability p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const scale = 1 / (1 - p);
  const mask = allocate(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = nextUniform() < p ? 0 : scale;
  const out = allocate(x.size);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] * mask[i];
  return Tensor.fromOp('dropout', out, x.shape, [x], [
    (g) => {
      const dx = allocate(x.size);
      for (let i = 0; i < dx.length; i++) dx[i] = g[i] * mask[i];
      return dx;
    },
  ]);
});
