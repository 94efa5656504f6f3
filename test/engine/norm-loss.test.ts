// Embedding, normalization and the losses added with them, checked on values: PyTorch's running-statistics
// formula, dropout's mask and seeding, class-axis-1 cross-entropy against the [N, C] form, exact gradients at 0.
import * as assert from 'node:assert/strict';
import {
  batchNorm,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  dropout,
  embedding,
  InPlaceChangeError,
  layerNorm,
  manualSeed,
  nllLoss,
  ones,
  randn,
  tensor,
  zeros,
} from '../../engine';

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `element ${i}: ${actual[i]} vs ${expected[i]}`);
};

describe('embedding', () => {
  it('picks rows into [...indices, D]', () => {
    const w = tensor([[0, 1], [2, 3], [4, 5]]);
    const out = embedding([[2, 0]], w);
    assert.deepEqual(out.shape, [1, 2, 2]);
    assert.deepEqual(out.toArray(), [[[4, 5], [0, 1]]]);
  });
});

describe('layerNorm', () => {
  it('normalizes with the biased variance', () => {
    const out = layerNorm(tensor([[1, 2, 3]]), [3], null, null, 0);
    const s = Math.sqrt(2 / 3);
    close(out.data, [-1 / s, 0, 1 / s]);
  });
});

describe('batchNorm', () => {
  it("updates the running statistics with PyTorch's formula over two training steps", () => {
    manualSeed(3);
    const rm = zeros([2]);
    const rv = ones([2]);
    const momentum = 0.2;
    const expMean = [0, 0];
    const expVar = [1, 1];
    for (let step = 0; step < 2; step++) {
      const x = randn([3, 2, 4]);
      batchNorm(x, rm, rv, null, null, { training: true, momentum });
      for (let c = 0; c < 2; c++) {
        const vals: number[] = [];
        for (let n = 0; n < 3; n++) for (let l = 0; l < 4; l++) vals.push(x.data[n * 8 + c * 4 + l]);
        const m = vals.reduce((a, b) => a + b) / vals.length;
        const unbiased = vals.reduce((a, v) => a + (v - m) ** 2, 0) / (vals.length - 1);
        expMean[c] = (1 - momentum) * expMean[c] + momentum * m;
        expVar[c] = (1 - momentum) * expVar[c] + momentum * unbiased;
      }
    }
    close(rm.data, expMean, 1e-12);
    close(rv.data, expVar, 1e-12);
    assert.equal(rm.version, 2);
    assert.equal(rv.version, 2);
  });

  it('uses the running statistics in eval, and backward refuses them once a training step changed them', () => {
    const rm = tensor([1, -1]);
    const rv = tensor([4, 0.25]);
    const x = tensor([[3, 0], [1, -2]], { requiresGrad: true });
    const y = batchNorm(x, rm, rv, null, null, { eps: 0 });
    assert.deepEqual(y.toArray(), [[1, 2], [0, -2]]);
    batchNorm(randn([4, 2]), rm, rv, null, null, { training: true });
    assert.throws(() => y.sum().backward(), (e: unknown) => e instanceof InPlaceChangeError && /changed in place \(by batchNorm\) after batchNorm used it/.test(e.message));
  });
});

describe('dropout', () => {
  it('has the gradient mask / (1 - p), the mask of the forward pass', () => {
    manualSeed(11);
    const x = tensor(Array.from({ length: 200 }, (_, i) => i + 1), { requiresGrad: true });
    const p = 0.25;
    const y = dropout(x, p);
    y.sum().backward();
    let dropped = 0;
    for (let i = 0; i < x.size; i++) {
      const kept = y.data[i] !== 0;
      if (!kept) dropped++;
      assert.equal(x.grad!.data[i], kept ? 1 / (1 - p) : 0);
      if (kept) assert.ok(Math.abs(y.data[i] - x.data[i] / (1 - p)) < 1e-12);
    }
    assert.ok(dropped > 25 && dropped < 75, `${dropped} of 200 dropped at p = 0.25`);
  });

  it('repeats its mask after manualSeed, and is the identity for p = 0 or in eval', () => {
    const x = randn([50]);
    manualSeed(5);
    const a = dropout(x, 0.5).data;
    manualSeed(5);
    assert.deepEqual(dropout(x, 0.5).data, a);
    assert.equal(dropout(x, 0), x);
    assert.equal(dropout(x, 0.5, false), x);
  });
});

describe('losses', () => {
  it('crossEntropy on [N, C, d] equals crossEntropy on the positions laid out as [N * d, C]', () => {
    manualSeed(2);
    const logits = randn([2, 3, 2]);
    const flat = logits.transpose([0, 2, 1]).reshape([4, 3]);
    close(crossEntropy(logits, [[0, 2], [1, 1]]).data, crossEntropy(flat, [0, 2, 1, 1]).data, 1e-12);
  });

  it('averages over the labels not ignored, and smooths as PyTorch', () => {
    const logits = tensor([[1, 2, 3], [0, 0, 5], [2, -1, 0]]);
    const lp = logits.logSoftmax().toArray() as number[][];
    close(crossEntropy(logits, [2, -100, 0]).data, [-(lp[0][2] + lp[2][0]) / 2], 1e-12);
    close(nllLoss(logits.logSoftmax(), [2, 7, 0], { ignoreIndex: 7 }).data, [-(lp[0][2] + lp[2][0]) / 2], 1e-12);
    const s = 0.3;
    const smoothRow = (r: number[], k: number) => -((1 - s) * r[k] + (s / 3) * (r[0] + r[1] + r[2]));
    close(crossEntropy(logits, [2, 1, 0], { labelSmoothing: s }).data, [(smoothRow(lp[0], 2) + smoothRow(lp[1], 1) + smoothRow(lp[2], 0)) / 3], 1e-12);
  });

  it('binaryCrossEntropyWithLogits has the exact gradient sigmoid(x) - t at x = 0, and stays finite for large |x|', () => {
    const x = tensor([0, 0, 800, -800], { requiresGrad: true });
    const loss = binaryCrossEntropyWithLogits(x, tensor([1, 0, 1, 1]));
    close(loss.data, [(2 * Math.log(2) + 0 + 800) / 4], 1e-12);
    loss.backward();
    close(x.grad!.data, [-0.5 / 4, 0.5 / 4, 0, -1 / 4], 1e-12);
  });
});
