// Every op's gradient against finite differences, broadcast shapes included: one table, one helper.
import * as ops from '../../engine';
import { Tensor } from '../../engine';
import { gradcheck, InputSpec } from './gradcheck';

type Case = [name: string, f: (...t: Tensor[]) => Tensor, inputs: InputSpec[]];

const any = (...shape: number[]): InputSpec => ({ shape });
const positive = (...shape: number[]): InputSpec => ({ shape, domain: 'positive' });
const distinct = (...shape: number[]): InputSpec => ({ shape, domain: 'distinct' });

const cases: Case[] = [
  ['add same shape', (a, b) => a.add(b), [any(2, 3), any(2, 3)]],
  ['add row broadcast', (a, b) => ops.add(a, b), [any(2, 3), any(3)]],
  ['add outer broadcast', (a, b) => a.add(b), [any(2, 1), any(1, 3)]],
  ['add number', (a) => a.add(2.5), [any(4)]],
  ['sub broadcast', (a, b) => a.sub(b), [any(3, 1), any(2, 1, 4)]],
  ['sub from number', (a) => ops.sub(1, a), [any(3)]],
  ['mul broadcast', (a, b) => a.mul(b), [any(2, 3), any(1, 3)]],
  ['mul scalar tensor', (a, b) => a.mul(b), [any(2, 2), any()]],
  ['div broadcast', (a, b) => a.div(b), [any(2, 3), positive(3)]],
  ['div number by tensor', (a) => ops.div(3, a), [positive(2, 2)]],
  ['pow number exponent', (a) => a.pow(3), [any(5)]],
  ['pow fractional exponent', (a) => a.pow(0.5), [positive(5)]],
  ['pow tensor exponent', (a, b) => a.pow(b), [positive(2, 3), any(3)]],
  ['neg', (a) => a.neg(), [any(2, 2)]],
  ['exp', (a) => a.exp(), [any(3, 2)]],
  ['log', (a) => a.log(), [positive(3, 2)]],
  ['sqrt', (a) => a.sqrt(), [positive(4)]],
  ['abs', (a) => a.abs(), [distinct(6)]],
  ['relu', (a) => a.relu(), [distinct(2, 5)]],
  ['sigmoid', (a) => a.sigmoid(), [any(2, 3)]],
  ['tanh', (a) => a.tanh(), [any(2, 3)]],
  ['matmul 2d', (a, b) => a.matmul(b), [any(2, 3), any(3, 4)]],
  ['matmul vector-matrix', (a, b) => a.matmul(b), [any(3), any(3, 2)]],
  ['matmul matrix-vector', (a, b) => a.matmul(b), [any(2, 3), any(3)]],
  ['matmul vector-vector', (a, b) => a.matmul(b), [any(4), any(4)]],
  ['matmul batched', (a, b) => a.matmul(b), [any(2, 2, 3), any(3, 4)]],
  ['matmul batch broadcast', (a, b) => a.matmul(b), [any(2, 1, 2, 3), any(3, 3, 2)]],
  ['sum all', (a) => a.sum(), [any(2, 3)]],
  ['sum axis', (a) => a.sum(0), [any(2, 3)]],
  ['sum axes keepDims', (a) => a.sum([0, 2], true), [any(2, 3, 2)]],
  ['sum negative axis', (a) => a.sum(-1), [any(2, 3)]],
  ['mean all', (a) => a.mean(), [any(3, 3)]],
  ['mean axis keepDims', (a) => a.mean(1, true), [any(2, 4)]],
  ['max all', (a) => a.max(), [distinct(3, 4)]],
  ['max axis', (a) => a.max(1), [distinct(3, 4)]],
  ['min axis keepDims', (a) => a.min(0, true), [distinct(3, 4)]],
  ['reshape', (a) => a.reshape([3, -1]).mul(ops.arange(3).reshape([3, 1])), [any(2, 3)]],
  ['transpose default', (a) => a.transpose(), [any(2, 3)]],
  ['transpose permutation', (a) => a.transpose([1, 2, 0]), [any(2, 3, 4)]],
  ['slice', (a) => a.slice([1, 0], [3, -1]), [any(4, 3)]],
  ['index', (a) => a.index(-1, 1), [any(2, 3, 2)]],
  ['concat', (a, b) => ops.concat([a, b, a], 1), [any(2, 1), any(2, 3)]],
  ['stack', (a, b) => ops.stack([a, b], 1), [any(2, 3), any(2, 3)]],
  ['softmax last axis', (a) => a.softmax(), [any(2, 4)]],
  ['softmax axis 0', (a) => ops.softmax(a, 0), [any(3, 2)]],
  ['logSoftmax', (a) => a.logSoftmax(), [any(3, 4)]],
  ['logSoftmax axis 1 of 3', (a) => ops.logSoftmax(a, 1), [any(2, 3, 2)]],
  ['mse', (a, b) => ops.mse(a, b), [any(4, 2), any(2)]],
  ['crossEntropy labels', (a) => ops.crossEntropy(a, [2, 0, 1]), [any(3, 4)]],
  ['crossEntropy label tensor', (a) => ops.crossEntropy(a, ops.tensor([1, 1])), [any(2, 3)]],
  ['crossEntropy soft targets', (a, b) => ops.crossEntropy(a, b.softmax()), [any(2, 3), any(2, 3)]],
  // elementwise, shape and reductions (ops-elementwise)
  ['gelu', (a) => a.gelu(), [any(3, 4)]],
  ['silu', (a) => a.silu(), [any(3, 4)]],
  ['leakyRelu default slope', (a) => a.leakyRelu(), [distinct(2, 5)]],
  ['leakyRelu slope 0.2', (a) => ops.leakyRelu(a, 0.2), [distinct(2, 5)]],
  ['softplus', (a) => a.softplus(), [any(3, 4)]],
  ['clamp both bounds', (a) => a.clamp(-0.5, 0.5), [distinct(3, 4)]],
  ['clamp min only', (a) => ops.clamp(a, 0), [distinct(6)]],
  ['maximum broadcast', (a, b) => a.maximum(b), [distinct(2, 3), any(3)]],
  ['minimum broadcast', (a, b) => ops.minimum(a, b), [any(3, 1), distinct(2, 1, 4)]],
  ['maximum number', (a) => a.maximum(0.1), [distinct(5)]],
  ['where broadcast', (a, b) => ops.where([[true], [false], [true]], a, b), [any(3, 4), any(4)]],
  ['where tensor condition, number b', (a) => ops.where(ops.tensor([1, 0, 2]), a, -1), [any(2, 3)]],
  ['maskedFill broadcast mask', (a) => a.maskedFill([[0, 1, 0]], 7), [any(2, 3)]],
  ['squeeze all', (a) => a.squeeze(), [any(2, 1, 3, 1)]],
  ['squeeze axis', (a) => a.squeeze(-1), [any(2, 1, 3, 1)]],
  ['unsqueeze', (a) => a.unsqueeze(1), [any(2, 3)]],
  ['expand', (a) => a.expand([2, -1, 4]), [any(3, 1)]],
  ['flatten middle axes', (a) => a.flatten(1, 2), [any(2, 3, 2, 2)]],
  ['permute', (a) => a.permute([2, 0, 1]), [any(2, 3, 4)]],
  ['tril', (a) => a.tril(), [any(2, 3, 4)]],
  ['triu k=1', (a) => ops.triu(a, 1), [any(4, 3)]],
  ['variance all', (a) => a.variance(), [any(3, 4)]],
  ['variance axis keepDims population', (a) => a.variance(1, true, 0), [any(3, 4)]],
  ['std axes', (a) => a.std([0, 2]), [any(2, 3, 4)]],
  ['logSumExp all', (a) => a.logSumExp(), [any(3, 4)]],
  ['logSumExp axis keepDims', (a) => ops.logSumExp(a, 0, true), [any(3, 4)]],
  ['composite mlp', (x, w, b) => x.matmul(w).add(b).tanh().sum(1).sigmoid(), [any(4, 3), any(3, 2), any(2)]],
  // conv and pooling (ops-conv)
  ['matmul 4-D both batch dims broadcast', (a, b) => a.matmul(b), [any(2, 1, 3, 4), any(1, 5, 4, 2)]],
  ['conv2d with bias', (x, w, b) => ops.conv2d(x, w, b), [any(2, 3, 5, 5), any(4, 3, 3, 3), any(4)]],
  ['conv2d stride 2 padding 1, no bias', (x, w) => ops.conv2d(x, w, null, { stride: 2, padding: 1 }), [any(1, 2, 6, 5), any(3, 2, 3, 3)]],
  ['conv2d dilation 2, rectangular kernel and padding', (x, w, b) => ops.conv2d(x, w, b, { dilation: 2, padding: [1, 2] }), [any(1, 2, 7, 6), any(2, 2, 2, 3), any(2)]],
  ['conv2d groups 2, stride [1, 2]', (x, w, b) => ops.conv2d(x, w, b, { groups: 2, stride: [1, 2] }), [any(2, 4, 5, 5), any(6, 2, 3, 2), any(6)]],
  ['conv2d all options, no bias', (x, w) => ops.conv2d(x, w, undefined, { stride: [2, 1], padding: 1, dilation: [1, 2], groups: 3 }), [any(1, 3, 6, 6), any(3, 1, 3, 2)]],
  ['maxPool2d kernel 3 stride 2 padding 1', (x) => ops.maxPool2d(x, 3, { stride: 2, padding: 1 }), [distinct(2, 2, 5, 5)]],
  ['maxPool2d rectangular kernel', (x) => ops.maxPool2d(x, [2, 3]), [distinct(1, 2, 4, 6)]],
  ['avgPool2d rectangular, padding counted', (x) => ops.avgPool2d(x, [3, 2], { stride: [2, 1], padding: 1 }), [any(2, 2, 5, 6)]],
  ['avgPool2d default stride', (x) => ops.avgPool2d(x, 2), [any(1, 3, 4, 5)]],
];

describe('gradients (finite differences)', () => {
  for (const [name, f, inputs] of cases) {
    it(name, () => gradcheck(f, inputs));
  }
});
