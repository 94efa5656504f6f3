// `import { nn } from "gradscope"`: modules, layers and initializers, PyTorch's torch.nn in camelCase.
export { Module, ModuleList, Sequential, parameter } from './module';
export type { Layer } from './module';
export { Linear, ReLU, Tanh, Sigmoid, Identity, Flatten } from './layers';
export { Conv2d, MaxPool2d, AvgPool2d, Embedding, LayerNorm, BatchNorm1d, BatchNorm2d, Dropout, GELU, SiLU, LeakyReLU, Softmax } from './more-layers';
export * as init from './init';
