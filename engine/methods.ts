// Tensor methods: `x.add(y)` is the op `add(x, y)`. This table is the one place that makes an op a method; each
// method is a recorded entry point of its own, so the call site recorded is the user's `x.add(y)`.
import * as activation from './ops/activation';
import * as elementwise from './ops/elementwise';
import { matmul } from './ops/matmul';
import * as movement from './ops/movement';
import * as reduce from './ops/reduce';
import * as activationFunctions from './ops/activation-functions';
import * as shapeOps from './ops/shape-ops';
import * as statistics from './ops/statistics';
import { api } from './recorder';
import type { Shape } from './shape';
import { Axis, Tensor, TensorLike } from './tensor';

/**
 * The methods, by signature. The table below must give each one its op (the compiler checks both ways), so a
 * method cannot exist without its recorded entry point.
 */
export interface TensorMethods {
  /** Elementwise sum with broadcasting. */
  add(other: TensorLike): Tensor;
  /** Elementwise difference with broadcasting. */
  sub(other: TensorLike): Tensor;
  /** Elementwise product with broadcasting. */
  mul(other: TensorLike): Tensor;
  /** Elementwise quotient with broadcasting. */
  div(other: TensorLike): Tensor;
  /** Elementwise power. */
  pow(exponent: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  /** Matrix product. */
  matmul(other: Tensor): Tensor;
  sum(axis?: Axis, keepDims?: boolean): Tensor;
  mean(axis?: Axis, keepDims?: boolean): Tensor;
  max(axis?: Axis, keepDims?: boolean): Tensor;
  min(axis?: Axis, keepDims?: boolean): Tensor;
  /** Same values in a new shape; one dimension may be -1. */
  reshape(shape: Shape): Tensor;
  /** Permutes the axes (reverses them by default). */
  transpose(perm?: readonly number[]): Tensor;
  /** NumPy's `x[b0:e0, b1:e1, ...]`. */
  slice(begin: readonly number[], end?: readonly number[]): Tensor;
  /** The sub-tensor at position `i` along `axis`. */
  index(i: number, axis?: number): Tensor;
  /** Same values, cut from the graph: no dependencies, no gradient. */
  detach(): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  // elementwise, shape and reductions (ops-elementwise)
  /** Exact (erf) GELU. */
  gelu(): Tensor;
  silu(): Tensor;
  leakyRelu(slope?: number): Tensor;
  softplus(): Tensor;
  /** Limits values to [min, max]; either bound may be left out. */
  clamp(min?: number, max?: number): Tensor;
  /** Elementwise larger, with broadcasting. */
  maximum(other: TensorLike): Tensor;
  /** Elementwise smaller, with broadcasting. */
  minimum(other: TensorLike): Tensor;
  /** `value` where `mask` is true, these values elsewhere. */
  maskedFill(mask: activationFunctions.Condition, value: number): Tensor;
  squeeze(axis?: Axis): Tensor;
  unsqueeze(axis: number): Tensor;
  /** Broadcasts to `shape`; -1 keeps an axis. */
  expand(shape: Shape): Tensor;
  flatten(startAxis?: number, endAxis?: number): Tensor;
  /** Reorders the axes: output axis i is input axis perm[i]. */
  permute(perm: readonly number[]): Tensor;
  tril(k?: number): Tensor;
  triu(k?: number): Tensor;
  variance(axis?: Axis, keepDims?: boolean, correction?: number): Tensor;
  std(axis?: Axis, keepDims?: boolean, correction?: number): Tensor;
  logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
  /** Indices of the largest elements (flattened when no axis); no gradient. */
  argmax(axis?: number, keepDims?: boolean): Tensor;
  /** Indices of the smallest elements (flattened when no axis); no gradient. */
  argmin(axis?: number, keepDims?: boolean): Tensor;
}

type Ops = { [K in keyof TensorMethods]: (self: Tensor, ...args: Parameters<TensorMethods[K]>) => Tensor };

const { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh } = elementwise;
const { sum, mean, max, min } = reduce;
const { reshape, transpose, slice, index, detach } = movement;
const { softmax, logSoftmax } = activation;
// elementwise, shape and reductions (ops-elementwise)
const { gelu, silu, leakyRelu, softplus, clamp, maximum, minimum, maskedFill } = activationFunctions;
const { squeeze, unsqueeze, expand, flatten, permute, tril, triu } = shapeOps;
const { variance, std, logSumExp, argmax, argmin } = statistics;

export const TENSOR_METHODS: Ops = {
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh,
  matmul,
  sum, mean, max, min,
  reshape, transpose, slice, index, detach,
  softmax, logSoftmax,
  // elementwise, shape and reductions (ops-elementwise)
  gelu, silu, leakyRelu, softplus, clamp, maximum, minimum, maskedFill,
  squeeze, unsqueeze, expand, flatten, permute, tril, triu,
  variance, std, logSumExp, argmax, argmin,
};

for (const [name, fn] of Object.entries(TENSOR_METHODS)) {
  const op = fn as (self: Tensor, ...args: unknown[]) => Tensor;
  const method = api(
    function (this: Tensor, ...args: unknown[]): Tensor {
      return op(this, ...args);
    },
    2,
    name,
  );
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
