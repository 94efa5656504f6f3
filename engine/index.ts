// The public `gradscope` module: what `import { ... } from "gradscope"` gives a model file.
export { Tensor } from './tensor';
export type { Axis, Dependency, GradFn, NestedArray, TensorKind, TensorLike } from './tensor';
export { noGrad, isGradEnabled } from './autograd';
export { tensor, zeros, ones, full, arange, randn, rand, randint } from './factories';
export type { DataOptions, TensorOptions } from './factories';
export { manualSeed } from './random';
export { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh } from './ops/elementwise';
export { sum, mean, max, min } from './ops/reduce';
export { reshape, transpose, slice, index, concat, stack } from './ops/movement';
export { matmul } from './ops/matmul';
export { softmax, logSoftmax } from './ops/activation';
export { mse, crossEntropy } from './ops/loss';
export { sgd, SGD, Adam, Optimizer } from './optim';
export type { SGDOptions, AdamOptions } from './optim';
export { ShapeError } from './shape';
export type { Shape } from './shape';
export { TensorMemoryError } from './memory';
