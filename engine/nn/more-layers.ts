// Layers for images, sequences and regularisation, over the ops of the same name, with PyTorch's shapes,
// defaults and initialisation. Their forward is a recorded entry point (the user's call of the layer).
import { gelu, leakyRelu, silu } from '../ops/activation-functions';
import { conv2d, Conv2dOptions } from '../ops/conv';
import { embedding } from '../ops/embedding';
import { batchNorm, dropout, layerNorm } from '../ops/normalization';
import { avgPool2d, maxPool2d } from '../ops/pool';
import { softmax } from '../ops/activation';
import { ones, zeros } from '../factories';
import type { NestedArray, Tensor } from '../tensor';
import { constant, kaimingUniform, normal, uniform } from './init';
import { elementwise } from './layers';
import { Layer, Module, parameter, recordForward } from './module';

type Pair = number | [number, number];

/** 2-D convolution over NCHW images: weight [out, in/groups, kH, kW], bias [out]. */
export class Conv2d extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, readonly options: Conv2dOptions & { bias?: boolean } = {}) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const groups = options.groups ?? 1;
    // PyTorch's default: kaiming-uniform with a = √5 (U(±1/√fanIn)) for the weight, U(±1/√fanIn) for the bias.
    this.weight = parameter([outChannels, inChannels / groups, kh, kw], (w) => kaimingUniform(w, { a: Math.sqrt(5) }));
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.bias = options.bias === false ? null : parameter([outChannels], (b) => uniform(b, -bound, bound));
  }

  forward(x: Tensor): Tensor {
    const { bias: _, ...conv } = this.options;
    return conv2d(x, this.weight, this.bias, conv);
  }
}

/** Max over each window. */
export class MaxPool2d extends Module implements Layer {
  constructor(readonly kernelSize: Pair, readonly options: { stride?: Pair; padding?: Pair } = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
}

/** Mean over each window. */
export class AvgPool2d extends Module implements Layer {
  constructor(readonly kernelSize: Pair, readonly options: { stride?: Pair; padding?: Pair } = {}) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/** A lookup table of `numEmbeddings` vectors of `dim` values, initialised N(0, 1) as in PyTorch. */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(readonly numEmbeddings: number, readonly dim: number) {
    super();
    this.weight = parameter([numEmbeddings, dim], (w) => normal(w));
  }

  forward(indices: Tensor | NestedArray | readonly number[]): Tensor {
    return embedding(indices, this.weight);
  }
}

/** Layer normalisation over the last axes, with a learned scale (ones) and shift (zeros). */
export class LayerNorm extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(readonly normalizedShape: number | readonly number[], readonly eps = 1e-5) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.weight = parameter(shape, (w) => constant(w, 1));
    this.bias = parameter(shape);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Batch normalisation over the channel axis (1): batch statistics in training, running ones in evaluation. */
class BatchNorm extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(readonly numFeatures: number, readonly options: { momentum?: number; eps?: number } = {}) {
    super();
    this.weight = parameter([numFeatures], (w) => constant(w, 1));
    this.bias = parameter([numFeatures]);
    this.runningMean = zeros([numFeatures]);
    this.runningVar = ones([numFeatures]);
  }

  forward(x: Tensor): Tensor {
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { ...this.options, training: this.training });
  }
}

/** Batch normalisation of [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {}
/** Batch normalisation of [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {}

/** Zeroes each value with probability `p` in training (the rest scaled by 1/(1-p)); the identity in evaluation. */
export class Dropout extends Module implements Layer {
  constructor(readonly p = 0.5) {
    super();
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}

/** GELU (exact, erf-based), as a layer. */
export class GELU extends elementwise(gelu) {}
/** x·sigmoid(x), as a layer. */
export class SiLU extends elementwise(silu) {}

/** max(x, slope·x), as a layer. */
export class LeakyReLU extends Module implements Layer {
  constructor(readonly slope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.slope);
  }
}

/** Softmax along an axis, as a layer. */
export class Softmax extends Module implements Layer {
  constructor(readonly axis = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }
}

recordForward(Conv2d, MaxPool2d, AvgPool2d, Embedding, LayerNorm, BatchNorm, Dropout, GELU, SiLU, LeakyReLU, Softmax);
