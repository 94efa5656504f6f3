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
  ['composite mlp', (x, w, b) => x.matmul(w).add(b).tanh().sum(1).sigmoid(), [any(4, 3), any(3, 2), any(2)]],
  // embedding, normalization, losses (ops-norm-loss)
  ['embedding repeated rows', (w) => ops.embedding([[0, 2], [2, 3], [0, 0]], w), [any(4, 3)]],
  ['embedding index tensor', (w) => ops.embedding(ops.tensor([1, 0, 1]), w), [any(2, 5)]],
  ['layerNorm last axis', (x, w, b) => ops.layerNorm(x, [4], w, b), [any(3, 4), any(4), any(4)]],
  ['layerNorm two axes, no affine', (x) => ops.layerNorm(x, [2, 3]), [any(2, 2, 3)]],
  ['batchNorm training [N, C]', (x, w, b) => ops.batchNorm(x, ops.zeros([3]), ops.ones([3]), w, b, { training: true }), [any(4, 3), any(3), any(3)]],
  ['batchNorm training [N, C, L]', (x, w) => ops.batchNorm(x, null, null, w, null, { training: true }), [any(2, 3, 4), any(3)]],
  ['batchNorm eval', (x, w, b) => ops.batchNorm(x, ops.tensor([0.5, -1]), ops.tensor([2, 0.5]), w, b), [any(3, 2, 2), any(2), any(2)]],
  ['dropout (seeded mask)', (x) => (ops.manualSeed(7), ops.dropout(x, 0.3)), [any(3, 4)]],
  ['crossEntropy [N, C, d] labels', (a) => ops.crossEntropy(a, [[0, 2], [1, 1]]), [any(2, 3, 2)]],
  ['crossEntropy ignoreIndex, labelSmoothing', (a) => ops.crossEntropy(a, [2, -1, 0], { ignoreIndex: -1, labelSmoothing: 0.2 }), [any(3, 4)]],
  ['crossEntropy soft targets [N, C, d], smoothing', (a, b) => ops.crossEntropy(a, ops.softmax(b, 1), { labelSmoothing: 0.1 }), [any(2, 3, 2), any(2, 3, 2)]],
  ['nllLoss ignoreIndex', (a) => ops.nllLoss(a.logSoftmax(), [1, 0, 5], { ignoreIndex: 5 }), [any(3, 4)]],
  ['binaryCrossEntropyWithLogits', (a, t) => ops.binaryCrossEntropyWithLogits(a.mul(3), t), [any(2, 3), any(2, 3)]],
  ['l1Loss', (a, b) => ops.l1Loss(a, b), [distinct(3, 2), any(2)]],
];

describe('gradients (finite differences)', () => {
  for (const [name, f, inputs] of cases) {
    it(name, () => gradcheck(f, inputs));
  }
});
