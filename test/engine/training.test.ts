// Training as a user does it: the reference example converges, optimizers follow their update rules, and
// random factories are reproducible.
import * as assert from 'node:assert/strict';
import { Adam, arange, full, manualSeed, mse, ones, rand, randint, randn, SGD, sgd, tensor, zeros } from '../../engine';
import { setRecorder } from '../../engine/recorder';
import { train } from '../../examples/linear-regression';

describe('linear regression example', () => {
  it('loss falls by at least 1e4x over 101 epochs', () => {
    const losses: number[] = [];
    setRecorder({ onTensor: () => undefined, onBackwardStart: (root) => losses.push(root.item()) });
    try {
      train();
    } finally {
      setRecorder(null);
    }
    assert.equal(losses.length, 101);
    const drop = losses[0] / losses[100];
    assert.ok(drop >= 1e4, `loss went from ${losses[0]} to ${losses[100]} (${drop.toExponential(2)}x)`);
  });
});

describe('optimizers', () => {
  it('sgd updates in place and leaves the graph alone', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([5], { requiresGrad: true });
    w.mul(w).sum().backward(); // grad 2w
    sgd([w, unused], 0.1);
    assert.deepEqual(w.toArray(), [0.8, 1.6]);
    assert.deepEqual(unused.toArray(), [5]);
    assert.equal(w.kind, 'param');
    assert.equal(w.dependencies.length, 0);
  });

  it('SGD with momentum and weight decay follows the PyTorch rule', () => {
    const w = tensor([1], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    let v = 0;
    let expected = 1;
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      w.mul(w).sum().backward();
      v = 0.9 * v + (2 * expected + 0.01 * expected);
      expected -= 0.1 * v;
      opt.step();
      assert.ok(Math.abs(w.item() - expected) < 1e-15, `step ${i}: ${w.item()} vs ${expected}`);
    }
  });

  it('Adam moves each weight by about lr on its first step and converges on a quadratic', () => {
    const w = tensor([10, -10], { requiresGrad: true });
    const opt = new Adam([w], { lr: 0.1 });
    opt.zeroGrad();
    mse(w, 3).backward();
    opt.step();
    assert.ok(Math.abs(w.data[0] - 9.9) < 1e-6 && Math.abs(w.data[1] + 9.9) < 1e-6, `${w.toArray()}`);
    for (let i = 0; i < 2000; i++) {
      opt.zeroGrad();
      mse(w, 3).backward();
      opt.step();
    }
    assert.ok(Math.abs(w.data[0] - 3) < 1e-3 && Math.abs(w.data[1] - 3) < 1e-3, `${w.toArray()}`);
  });
});

describe('factories', () => {
  it('manualSeed makes random draws reproducible', () => {
    manualSeed(42);
    const a = randn([5]).toArray();
    manualSeed(42);
    assert.deepEqual(randn([5]).toArray(), a);
    manualSeed(43);
    assert.notDeepEqual(randn([5]).toArray(), a);
  });

  it('draws from the documented distributions', () => {
    manualSeed(7);
    const n = randn([20000]);
    const m = n.mean().item();
    const sd = Math.sqrt(n.sub(m).pow(2).mean().item());
    assert.ok(Math.abs(m) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${m}, std ${sd}`);
    const u = rand([5000]);
    assert.ok(u.min().item() >= 0 && u.max().item() < 1);
    const k = randint(-2, 3, [5000]);
    assert.ok(k.data.every((v) => Number.isInteger(v) && v >= -2 && v < 3));
    assert.equal(new Set(k.data).size, 5);
  });

  it('makes constant and range tensors', () => {
    assert.deepEqual(zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(ones([3]).toArray(), [1, 1, 1]);
    assert.deepEqual(full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(arange(4).toArray(), [0, 1, 2, 3]);
    assert.deepEqual(arange(1, 7, 2).toArray(), [1, 3, 5]);
    assert.deepEqual(arange(3, 0, -1).toArray(), [3, 2, 1]);
    assert.equal(zeros([2], { requiresGrad: true }).kind, 'param');
  });
});
