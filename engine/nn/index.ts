// `import { nn } from "gradscope"`: modules, layers and initializers, PyTorch's torch.nn in camelCase.
export { Module, ModuleList, Sequential, parameter } from './module';
export type { Layer } from './module';
export { Linear, ReLU, Tanh, Sigmoid, Identity, Flatten } from './layers';
export * as init from './init';
