// Values and PyTorch conventions of the ops-elementwise ops that finite differences cannot see: erf to ~1 ulp,
// stability for large inputs, gradients at boundaries and ties, index results, in-place refusal of what they read.
import * as assert from 'node:assert/strict';
import * as gs from '../../engine';
import { InPlaceChangeError, tensor } from '../../engine';
import { erf, erfc } from '../../engine/ops/erf';
import { setRecorder } from '../../engine/recorder';

const close = (actual: number, expected: number, rel = 2e-16) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-300), `${actual} vs ${expected}`);
const flat = (t: gs.Tensor) => Array.from(t.data);

describe('ops-elementwise: values and conventions', () => {
  it('erf matches reference values to within 2 ulp', () => {
    // (erf(-0.3) is -0.32862675945912743, the double nearest the true value.)
    const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [-0.3, -0.3286267594591274],
      [0.1, 0.1124629160182849], [2.5, 0.999593047982555], [3, 0.9999779095030014], [5, 0.9999999999984626], [-1.7, -0.9837904585907745], [1e-5, 1.1283791670579e-5]];
    for (const [x, v] of known) close(erf(x), v, 4.5e-16);
    assert.equal(erf(0), 0);
    assert.equal(erf(7), 1);
    assert.equal(erf(-Infinity), -1);
    assert.ok(Number.isNaN(erf(NaN)));
    close(erfc(3), 2.2090496998585438e-5, 1e-15);
    close(erfc(6), 2.1519736712498916e-17, 1e-15);
  });

  it('gelu is the exact erf form; silu, softplus and leakyRelu take PyTorch values, softplus without overflow', () => {
    // -3: 1 - erf(3/√2) loses ~3 digits (PyTorch's formula has the same); from -3.6 on erfc keeps full precision.
    const g = flat(tensor([1, -1, 0.5, -3, -10]).gelu());
    [0.8413447460685429, -0.15865525393145707, 0.34573123063700656, -0.004049694094890287, -7.619853024160593e-23].forEach((v, i) => close(g[i], v, 1e-12));
    close(tensor([1]).silu().item(), 0.7310585786300049);
    assert.deepEqual(flat(tensor([1000, -1000]).silu()), [1000, -0]);
    assert.deepEqual(flat(tensor([1000, -1000, 0]).softplus()).slice(0, 2), [1000, 0]);
    close(tensor([-40]).softplus().item(), 4.248354255291589e-18, 1e-15);
    const x = tensor([-2, 0, 3], { requiresGrad: true });
    x.leakyRelu(0.1).sum().backward();
    assert.deepEqual(flat(x.leakyRelu(0.1)), [-0.2, 0, 3]);
    assert.deepEqual(flat(x.grad!), [0.1, 0.1, 1]);
  });

  it('clamp passes the gradient where min <= x <= max, boundaries included', () => {
    const x = tensor([-1, 0, 0.5, 1, 2], { requiresGrad: true });
    const y = x.clamp(0, 1);
    assert.deepEqual(flat(y), [0, 0, 0.5, 1, 1]);
    y.sum().backward();
    assert.deepEqual(flat(x.grad!), [0, 1, 1, 1, 0]);
    assert.deepEqual(flat(tensor([-1, 5]).clamp(undefined, 2)), [-1, 2]);
  });

  it('maximum and minimum split the gradient in half on ties and broadcast', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    assert.deepEqual(flat(a.maximum(b)), [2, 2, 3]);
    a.maximum(b).sum().backward();
    assert.deepEqual(flat(a.grad!), [0, 0.5, 1]);
    assert.deepEqual(flat(b.grad!), [1.5]);
    a.zeroGrad();
    b.zeroGrad();
    gs.minimum(a, b).sum().backward();
    assert.deepEqual(flat(a.grad!), [1, 0.5, 0]);
    assert.deepEqual(flat(b.grad!), [1.5]);
  });

  it('where takes booleans, numbers or a tensor; the gradient goes to the chosen side, summed back', () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([10, 20], { requiresGrad: true });
    const y = gs.where([[true, false], [false, true]], a, b);
    assert.deepEqual(y.toArray(), [[1, 20], [10, 4]]);
    y.sum().backward();
    assert.deepEqual(a.grad!.toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(flat(b.grad!), [1, 1]);
    assert.deepEqual(flat(gs.where(tensor([0, -2, NaN]), 1, 0)), [0, 1, 1]);
    assert.deepEqual(flat(gs.where(true, tensor([1, 2]), 5)), [1, 2]);
  });

  it('maskedFill fills where the mask is set and passes the gradient elsewhere', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.maskedFill([true, false], -9);
    assert.deepEqual(y.toArray(), [[-9, 2], [-9, 4]]);
    y.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[0, 1], [0, 1]]);
  });

  it('refuses a backward through a where whose condition, or a gelu whose input, changed in place', () => {
    const cond = tensor([1, 0]);
    const a = tensor([1, 2], { requiresGrad: true });
    const y = gs.where(cond, a, 0).sum();
    cond.data[0] = 0;
    cond.markChanged();
    assert.throws(() => y.backward(), InPlaceChangeError);
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    const z = h.gelu().sum();
    h.markChanged();
    assert.throws(() => z.backward(), /after gelu/);
  });

  it('squeeze, unsqueeze, expand, flatten and permute give PyTorch shapes and values', () => {
    const x = gs.zeros([2, 1, 3, 1]);
    assert.deepEqual(x.squeeze().shape, [2, 3]);
    assert.deepEqual(x.squeeze(1).shape, [2, 3, 1]);
    assert.deepEqual(x.squeeze(0).shape, [2, 1, 3, 1]); // not of size 1: kept, as in PyTorch
    assert.deepEqual(x.squeeze([1, -1]).shape, [2, 3]);
    assert.deepEqual(gs.zeros([2, 3]).unsqueeze(-1).shape, [2, 3, 1]);
    assert.deepEqual(tensor([[1], [2]]).expand([2, 2, 3]).toArray(), [[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]]);
    assert.deepEqual(tensor([1, 2]).expand([-1]).toArray(), [1, 2]);
    assert.deepEqual(gs.zeros([2, 3, 4]).flatten().shape, [24]);
    assert.deepEqual(gs.zeros([2, 3, 4]).flatten(0, 1).shape, [6, 4]);
    assert.deepEqual(tensor(5).flatten().shape, [1]);
    assert.deepEqual(tensor([[1, 2, 3], [4, 5, 6]]).permute([1, 0]).toArray(), [[1, 4], [2, 5], [3, 6]]);
  });

  it('tril and triu keep a triangle of the last two axes, offset by k', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert.deepEqual(x.tril().toArray(), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    assert.deepEqual(x.tril(-1).toArray(), [[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    assert.deepEqual(x.triu().toArray(), [[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
    assert.deepEqual(x.triu(1).toArray(), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    assert.deepEqual(gs.stack([x, x]).triu(2).toArray(), [[[0, 0, 3], [0, 0, 0], [0, 0, 0]], [[0, 0, 3], [0, 0, 0], [0, 0, 0]]]);
  });

  it('variance and std are unbiased by default; logSumExp is stable for large values', () => {
    close(tensor([1, 2, 3, 4]).variance().item(), 1.6666666666666667);
    close(tensor([1, 2, 3, 4]).std().item(), 1.2909944487358056);
    assert.equal(tensor([1, 2, 3, 4]).variance(undefined, false, 0).item(), 1.25);
    assert.deepEqual(tensor([[1, 3], [2, 2]]).variance(1, true).toArray(), [[2], [0]]);
    close(tensor([1000, 1000]).logSumExp().item(), 1000 + Math.LN2);
    assert.deepEqual(flat(tensor([[-1000, -1000], [-Infinity, -Infinity]]).logSumExp(1)), [-1000 + Math.LN2, -Infinity]);
  });

  it('argmax and argmin give first indices, flattened without an axis, NaN as the largest', () => {
    const x = tensor([[1, 7, 7], [9, 0, 0]]);
    assert.deepEqual(flat(x.argmax(1)), [1, 0]);
    assert.deepEqual(flat(x.argmin(1)), [0, 1]);
    assert.deepEqual(flat(x.argmax(0)), [1, 0, 0]);
    assert.equal(x.argmax().item(), 3);
    assert.deepEqual(x.argmax().shape, []);
    assert.deepEqual(x.argmin(1, true).shape, [2, 1]);
    assert.equal(tensor([1, NaN, 5, NaN]).argmax().item(), 1);
    const w = tensor([1, 2], { requiresGrad: true });
    assert.equal(w.argmax().requiresGrad, false);
    assert.equal(w.argmax().dependencies.length, 0);
    setRecorder({ onTensor: () => undefined });
    try {
      const [dep] = w.argmin().dependencies; // for the graph: an edge to w that carries no gradient
      assert.equal(dep.tensor, w);
      assert.equal(dep.gradFn, null);
    } finally {
      setRecorder(null);
    }
  });
});
