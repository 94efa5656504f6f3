// Ways to make a tensor from data: nested or flat arrays, constants, ranges and random draws.
import { announce, api } from './recorder';
import { adopt, allocate } from './memory';
import { nextNormal, nextUniform } from './random';
import { checkShape, Shape, ShapeError, sizeOf } from './shape';
import { formatShape } from './format';
import { readNested, shapeOfNested } from './nested';
import { NestedArray, Tensor } from './tensor';

export interface TensorOptions {
  /** Gradients are accumulated for this tensor by backward(); it is a parameter. */
  requiresGrad?: boolean;
}

export interface DataOptions extends TensorOptions {
  /** Shape for flat data (default: the nesting of the array). */
  shape?: Shape;
}

function flatten(data: NestedArray, shape: number[]): Float64Array {
  const out = allocate(sizeOf(shape));
  readNested('tensor', data, shape, out);
  return out;
}

/**
 * A tensor from nested arrays (shape from the nesting), or from flat values with `{ shape }`.
 * `tensor([[1, 2], [3, 4]], { requiresGrad: true })`
 */
export const tensor = api(function tensor(data: NestedArray | Float64Array | readonly number[], options: DataOptions = {}): Tensor {
  let values: Float64Array;
  let shape: number[];
  if (options.shape !== undefined) {
    checkShape('tensor', options.shape);
    shape = [...options.shape];
    values = data instanceof Float64Array ? adopt(data.slice()) : flatten(data as NestedArray, [sizeOf(shape)]);
    if (values.length !== sizeOf(shape)) {
      throw new ShapeError(`tensor: ${values.length} values do not fill shape ${formatShape(shape)}`);
    }
  } else if (data instanceof Float64Array) {
    shape = [data.length];
    values = adopt(data.slice());
  } else {
    shape = shapeOfNested(data as NestedArray);
    values = flatten(data as NestedArray, shape);
  }
  return announce(new Tensor(values, shape, { requiresGrad: options.requiresGrad }));
});

function filled(op: string, shape: Shape, options: TensorOptions, value: (i: number) => number): Tensor {
  checkShape(op, shape);
  const data = allocate(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return announce(new Tensor(data, [...shape], { requiresGrad: options.requiresGrad }));
}

/** All zeros. `zeros([2, 3])` */
export const zeros = api(function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, options, () => 0);
});

/** All ones. `ones([3])` */
export const ones = api(function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('ones', shape, options, () => 1);
});

/** Every element `value`. `full([2, 2], 7)` */
export const full = api(function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, options, () => value);
});

/** start, start+step, ... below stop (NumPy's arange; `arange(n)` is 0..n-1). `arange(1, 7, 2)` -> [1, 3, 5] */
export const arange = api(function arange(start: number, stop?: number, step: number = 1, options: TensorOptions = {}): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new RangeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((to - from) / step));
  return filled('arange', [n], options, (i) => from + i * step);
});

/** Standard normal draws (seed with manualSeed). `randn([3, 3], { requiresGrad: true })` */
export const randn = api(function randn(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('randn', shape, options, nextNormal);
});

/** Uniform draws in [0, 1). `rand([4])` */
export const rand = api(function rand(shape: Shape, options: TensorOptions = {}): Tensor {
  return filled('rand', shape, options, nextUniform);
});

/** Integers drawn uniformly from [low, high). `randint(0, 10, [3])` */
export const randint = api(function randint(low: number, high: number, shape: Shape, options: TensorOptions = {}): Tensor {
  if (!(high > low)) throw new RangeError(`randint: high (${high}) must be greater than low (${low})`);
  const lo = Math.ceil(low);
  const span = Math.ceil(high) - lo;
  return filled('randint', shape, options, () => lo + Math.floor(nextUniform() * span));
});
