// The Tensor: values in a flat Float64Array with a shape, and the dependencies it was computed from, each with
// the function that maps this tensor's gradient to that dependency's gradient.
import { backward, isGradEnabled } from './autograd';
import { allocate } from './memory';
import * as elementwise from './ops/elementwise';
import * as reduce from './ops/reduce';
import * as movement from './ops/movement';
import { matmul } from './ops/matmul';
import { logSoftmax, softmax } from './ops/activation';
import { activeRecorder, announce, api } from './recorder';
import { sameShape, Shape, ShapeError, sizeOf } from './shape';
import { formatShape } from './format';

/** Maps the gradient of a tensor (its shape) to the gradient of one of its dependencies (that one's shape). */
export type GradFn = (grad: Float64Array) => Float64Array;

/** One input of a computed tensor. `gradFn` is null when the input needs no gradient. */
export interface Dependency {
  readonly tensor: Tensor;
  readonly gradFn: GradFn | null;
}

export type TensorKind = 'param' | 'input' | 'const' | 'op';
export type NestedArray = number | NestedArray[];
export type TensorLike = Tensor | number;
export type Axis = number | readonly number[];

let nextId = 0;

export class Tensor {
  /** Unique per process, in creation order. */
  readonly id = nextId++;
  readonly size: number;
  grad: Tensor | null = null;
  /** What the recorder attached (a call-site capture, say); the engine never reads it. */
  site: unknown = undefined;
  /** Gradient reaching this tensor during the running backward pass, before it is added to `grad`. */
  passGrad: Float64Array | null = null;
  /** False while `passGrad` is an array some other tensor also holds (a gradient passed through unchanged). */
  passGradOwned = false;
  /** Marks the backward pass that last visited this tensor (saves a Set per pass). */
  visitMark = 0;

  constructor(
    readonly data: Float64Array,
    readonly shape: Shape,
    public requiresGrad = false,
    readonly op = 'tensor',
    readonly dependencies: readonly Dependency[] = [],
    /** True for numbers promoted to tensors by an op (`x.mul(2)`), as opposed to data the user made. */
    readonly isConst = false,
  ) {
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)}`);
    }
  }

  /** param = leaf that requires grad, input = other leaf data, const = a promoted number, op = computed. */
  get kind(): TensorKind {
    if (this.dependencies.length > 0 || this.op !== 'tensor') return 'op';
    if (this.requiresGrad) return 'param';
    return this.isConst ? 'const' : 'input';
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Builds the output of an op. Dependencies are kept when a gradient can flow or a recorder wants the graph. */
  static fromOp(op: string, data: Float64Array, shape: Shape, inputs: readonly Tensor[], gradFns: readonly GradFn[]): Tensor {
    let requiresGrad = false;
    if (isGradEnabled()) for (const t of inputs) requiresGrad ||= t.requiresGrad;
    let dependencies: Dependency[] = [];
    if (requiresGrad || (activeRecorder() !== null && isGradEnabled())) {
      dependencies = inputs.map((t, i) => ({ tensor: t, gradFn: t.requiresGrad && requiresGrad ? gradFns[i] : null }));
    }
    return announce(new Tensor(data, shape, requiresGrad, op, dependencies));
  }

  /** Number of elements is 1: its value. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${formatShape(this.shape)} is not a scalar`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const inner = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * inner));
    };
    return build(0, 0);
  }

  /** Same values, cut from the graph: no dependencies, no gradient. */
  detach(): Tensor {
    return announce(new Tensor(this.data.slice(), this.shape, false, 'tensor', [], this.isConst));
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** Back-propagates from this tensor: gradient 1 for a scalar, or `grad` (same shape) otherwise. */
  backward(grad?: Tensor | Float64Array | NestedArray): void {
    backward(this, grad === undefined ? undefined : gradientSeed(this, grad));
  }

  /** Adds `g` (this tensor's shape) into `grad`; `owned` says `g` may be kept rather than copied. */
  accumulateGrad(g: Float64Array, owned = false): void {
    if (g.length !== this.size) {
      throw new ShapeError(`backward: gradient of ${g.length} values for a tensor of shape ${formatShape(this.shape)}`);
    }
    if (this.grad === null) {
      this.grad = new Tensor(owned ? g : g.slice(), this.shape);
      return;
    }
    const acc = this.grad.data;
    for (let i = 0; i < acc.length; i++) acc[i] += g[i];
  }

  toString(): string {
    return `Tensor(${this.op} ${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  add(other: TensorLike): Tensor { return elementwise.add(this, other); }
  sub(other: TensorLike): Tensor { return elementwise.sub(this, other); }
  mul(other: TensorLike): Tensor { return elementwise.mul(this, other); }
  div(other: TensorLike): Tensor { return elementwise.div(this, other); }
  pow(exponent: TensorLike): Tensor { return elementwise.pow(this, exponent); }
  neg(): Tensor { return elementwise.neg(this); }
  exp(): Tensor { return elementwise.exp(this); }
  log(): Tensor { return elementwise.log(this); }
  sqrt(): Tensor { return elementwise.sqrt(this); }
  abs(): Tensor { return elementwise.abs(this); }
  relu(): Tensor { return elementwise.relu(this); }
  sigmoid(): Tensor { return elementwise.sigmoid(this); }
  tanh(): Tensor { return elementwise.tanh(this); }
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  sum(axis?: Axis, keepDims = false): Tensor { return reduce.sum(this, axis, keepDims); }
  mean(axis?: Axis, keepDims = false): Tensor { return reduce.mean(this, axis, keepDims); }
  max(axis?: Axis, keepDims = false): Tensor { return reduce.max(this, axis, keepDims); }
  min(axis?: Axis, keepDims = false): Tensor { return reduce.min(this, axis, keepDims); }
  reshape(shape: Shape): Tensor { return movement.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return movement.transpose(this, perm); }
  slice(begin: readonly number[], end?: readonly number[]): Tensor { return movement.slice(this, begin, end); }
  index(i: number, axis = 0): Tensor { return movement.index(this, i, axis); }
  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }
}

// Methods are entry points of the public API too: the user's `x.add(y)` is the call site to record.
const methods = ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'abs', 'relu', 'sigmoid', 'tanh', 'matmul',
  'sum', 'mean', 'max', 'min', 'reshape', 'transpose', 'slice', 'index', 'softmax', 'logSoftmax', 'detach'] as const;
for (const name of methods) {
  const method = Tensor.prototype[name] as (this: Tensor, ...args: unknown[]) => Tensor;
  Object.defineProperty(Tensor.prototype, name, { value: api(method), writable: true, configurable: true });
}

/** Promotes a number to a constant scalar tensor; tensors pass through. */
export function asTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  const data = allocate(1);
  data[0] = x;
  return announce(new Tensor(data, [], false, 'tensor', [], true));
}

function gradientSeed(t: Tensor, grad: Tensor | Float64Array | NestedArray): Float64Array {
  if (grad instanceof Tensor) {
    if (!sameShape(grad.shape, t.shape)) {
      throw new ShapeError(`backward: gradient of shape ${formatShape(grad.shape)} for a tensor of shape ${formatShape(t.shape)}`);
    }
    return grad.data;
  }
  const flat = grad instanceof Float64Array ? grad : Float64Array.from(flattenNested(grad));
  if (flat.length !== t.size) {
    throw new ShapeError(`backward: gradient of ${flat.length} values for a tensor of shape ${formatShape(t.shape)}`);
  }
  return flat;
}

function flattenNested(x: NestedArray, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const v of x) flattenNested(v, out);
  else out.push(x);
  return out;
}
