// Layers with PyTorch's shapes and default initialisation. Their forward is a recorded entry point: the tensors
// a layer makes carry the line where the user called it.
import { relu, sigmoid, tanh } from '../ops/elementwise';
import { matmul } from '../ops/matmul';
import { transpose } from '../ops/movement';
import { flatten } from '../ops/shape-ops';
import { add } from '../ops/elementwise';
import { formatShape } from '../format';
import { ShapeError } from '../shape';
import type { Tensor } from '../tensor';
import { kaimingUniform, uniform } from './init';
import { Layer, Module, parameter, recordForward } from './module';

/** y = x·Wᵀ + b over the last axis: weight [out, in], bias [out]. `new Linear(784, 256).forward(x)` */
export class Linear extends Module implements Layer {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    // PyTorch's default: kaiming-uniform with a = √5, i.e. U(-1/√in, 1/√in), for the weight and the bias.
    this.weight = parameter([outFeatures, inFeatures], (w) => kaimingUniform(w, { a: Math.sqrt(5) }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = options.bias === false ? null : parameter([outFeatures], (b) => uniform(b, -bound, bound));
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear(${this.inFeatures}, ${this.outFeatures}): input of shape ${formatShape(x.shape)} does not end in ${this.inFeatures} features`);
    }
    const y = matmul(x, transpose(this.weight));
    return this.bias === null ? y : add(y, this.bias);
  }
}

/** A layer class that applies an elementwise op: `class ReLU extends elementwise(relu) {}`. */
export function elementwise(op: (x: Tensor) => Tensor): new () => Module & Layer {
  return class extends Module implements Layer {
    forward(x: Tensor): Tensor {
      return op(x);
    }
  };
}

/** max(x, 0), as a layer. */
export class ReLU extends elementwise(relu) {}
/** Hyperbolic tangent, as a layer. */
export class Tanh extends elementwise(tanh) {}
/** The logistic sigmoid, as a layer. */
export class Sigmoid extends elementwise(sigmoid) {}

/** Passes its input through. */
export class Identity extends Module implements Layer {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens the axes from `startAxis` to `endAxis` into one (default: all but the batch axis). */
export class Flatten extends Module implements Layer {
  constructor(readonly startAxis = 1, readonly endAxis = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startAxis, this.endAxis);
  }
}

recordForward(Linear, ReLU, Tanh, Sigmoid, Identity, Flatten);
