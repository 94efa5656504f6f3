// What a long chain of small ops keeps is made lean (engine/memory.ts: small buffers cut from shared slabs;
// engine/tensor.ts: a promoted number's values shared, an op's inputs in one array). None of it may show: every
// tensor's values are its own to write, the memory limit still counts them, and -0 stays -0.
import * as assert from 'node:assert/strict';
import { InPlaceChangeError, mul, tensor, Tensor, TensorMemoryError, zeros } from '../../engine';
import { save } from '../../engine/in-place';
import { setTensorMemoryLimit } from '../../engine/memory';

describe('small tensors', () => {
  it('each have values of their own, zeros when made, however many share a slab', () => {
    const made = Array.from({ length: 600 }, (_, i) => zeros([1 + (i % 8)]));
    made.forEach((t, i) => {
      assert.ok(t.data.every((v) => v === 0), `tensor ${i} starts at zeros`);
      t.data.fill(i + 1);
    });
    made.forEach((t, i) => assert.ok(t.data.every((v) => v === i + 1), `tensor ${i} keeps what was written to it`));
  });

  it('count against the tensor memory limit', () => {
    const limit = 256 * 1024;
    setTensorMemoryLimit(limit);
    const kept: Tensor[] = [];
    try {
      assert.throws(() => {
        // 8 values, 64 bytes each: the limit holds 4,096 of them, and this makes twice as many.
        for (let i = 0; i < (2 * limit) / 64; i++) kept.push(zeros([8]));
      }, TensorMemoryError);
      assert.ok(kept.length > 0 && kept.length <= limit / 64, `${kept.length} tensors of 64 bytes were made under a ${limit}-byte limit`);
    } finally {
      setTensorMemoryLimit(Infinity);
    }
  });

  it('promote each number to a constant of its own, with its own value: -0 and 0 apart', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const a = x.mul(0.5);
    const b = x.mul(0.5);
    assert.notEqual(a.dependencies[1].tensor, b.dependencies[1].tensor, 'two ops, two constants (two nodes of a graph)');
    assert.equal(a.dependencies[1].tensor.kind, 'const');
    const negative = mul(x, -0);
    const positive = mul(x, 0);
    assert.ok(Object.is(negative.data[0], -0) && Object.is(positive.data[0], 0), `${negative.data[0]}, ${positive.data[0]}`);
    a.add(b).sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 1]);
  });

  it('keep what a hand-built tensor\'s gradient function reads, for backward() to check', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const gradFn = (g: Float64Array) => g.map((v, i) => v * 2 * w.data[i]);
    const y = new Tensor(w.data.map((v) => v * v), [3], { op: 'square', requiresGrad: true, dependencies: [{ tensor: w, gradFn, saved: save([w], w) }] });
    assert.equal(y.dependencies[0].saved?.[0].tensor, w);
    w.data[0] = 10;
    w.markChanged();
    assert.throws(() => y.sum().backward(), InPlaceChangeError);
  });

  it("list an op's inputs as dependencies, with what each gradient function reads as the forward saw it", () => {
    const x = tensor([[1, 2]], { requiresGrad: true });
    const w = tensor([[3], [4]], { requiresGrad: true });
    const deps = x.matmul(w).dependencies;
    assert.deepEqual(deps.map((d) => d.tensor), [x, w]);
    // x's gradient reads w and w's reads x: each saved at the version the forward pass saw.
    assert.deepEqual(deps.map((d) => d.saved?.map((s) => [s.tensor, s.version])), [[[w, 0]], [[x, 0]]]);
    assert.deepEqual(x.mul(2).dependencies.map((d) => [d.tensor.kind, d.gradFn === null, d.saved]), [['param', false, undefined], ['const', true, undefined]]);
  });
});
