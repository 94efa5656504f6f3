// backward() and values changed in place after the forward pass: an op whose gradient reads a tensor records its
// version (and, for a parameter, a checksum); backward() refuses to compute a gradient from other values.
import * as assert from 'node:assert/strict';
import { Adam, InPlaceChangeError, randn, sgd, SGD, tensor, Tensor } from '../../engine';
import { setRecorder } from '../../engine/recorder';

/** A two-layer model whose second matmul's gradient (for h) reads w2. */
function twoLayers() {
  const x = randn([4, 3]);
  const w1 = randn([3, 2], { requiresGrad: true });
  const w2 = randn([2, 1], { requiresGrad: true });
  const loss = x.matmul(w1).tanh().matmul(w2).sum();
  return { x, w1, w2, loss };
}

describe('values changed in place before backward', () => {
  const cases: [string, (m: ReturnType<typeof twoLayers>) => void, RegExp][] = [
    ['SGD.step', (m) => { m.w2.grad = tensor([[1], [1]]); new SGD([m.w2], { lr: 0.1 }).step(); }, /^backward: parameter \[2, 1\] was changed in place \(by SGD.step\) after matmul used it; call backward\(\) before the optimizer step$/],
    ['Adam.step', (m) => { m.w2.grad = tensor([[1], [1]]); new Adam([m.w2]).step(); }, /parameter \[2, 1\] was changed in place \(by Adam.step\) after matmul used it/],
    ['sgd()', (m) => { m.w2.grad = tensor([[1], [1]]); sgd([m.w1, m.w2], 0.1); }, /parameter \[2, 1\] was changed in place \(by sgd\) after matmul used it/],
    ['markChanged()', (m) => { m.x.data[0] = 7; m.x.markChanged(); }, /^backward: input \[4, 3\] was changed in place \(by markChanged\) after matmul used it; call backward\(\) before changing it, or change a detach\(\)ed copy$/],
    ['a direct write to a parameter', (m) => { m.w2.data[1] = 5; }, /^backward: parameter \[2, 1\] was changed in place \(by a direct write to its data\) after matmul used it; call backward\(\) before changing it/],
    ['a direct write of the same bits elsewhere in a parameter', (m) => { [m.w2.data[0], m.w2.data[1]] = [m.w2.data[1], m.w2.data[0]]; }, /parameter \[2, 1\] was changed in place \(by a direct write to its data\)/],
  ];
  for (const [how, change, message] of cases) {
    it(`refuses a gradient from values changed by ${how}`, () => {
      const m = twoLayers();
      change(m);
      assert.throws(() => m.loss.backward(), (e: unknown) => e instanceof InPlaceChangeError && message.test(e.message) ? true : assert.fail(String(e)));
    });
  }

  it("names an op's output changed in place, and the op that saved it", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = w.exp(); // exp's gradient reads its output
    const loss = y.sum();
    y.data[0] = 0;
    y.markChanged();
    assert.throws(() => loss.backward(), /backward: output of exp \[2\] was changed in place \(by markChanged\) after exp used it/);
  });

  it('leaves the gradients alone when it refuses (nothing half-accumulated)', () => {
    const m = twoLayers();
    m.w2.data[0] += 1;
    assert.throws(() => m.loss.backward(), InPlaceChangeError);
    assert.equal(m.w1.grad, null);
    assert.equal(m.w2.grad, null);
  });

  it('allows changes to values no gradient reads (x.matmul(w) with x data: the gradient for w reads only x)', () => {
    const x = tensor([[1, 2]]);
    const w = tensor([[3], [4]], { requiresGrad: true });
    const loss = x.matmul(w).sum();
    w.grad = tensor([[1], [1]]);
    sgd([w], 1);
    w.zeroGrad();
    loss.backward();
    assert.deepEqual(w.grad?.toArray(), [[1], [2]]);
  });

  it('counts versions, and is quiet for the usual order: forward, backward, step', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
    }
    assert.equal(w.version, 3);
    const t: Tensor = tensor([1]);
    t.markChanged();
    assert.equal(t.version, 1);
  });

  it('names the lines of the change and of the op when a recorder captured them', () => {
    setRecorder({ onTensor: () => undefined });
    let m: ReturnType<typeof twoLayers>;
    try {
      m = twoLayers();
      m.w2.grad = tensor([[1], [1]]);
      sgd([m.w2], 0.1);
    } finally {
      setRecorder(null);
    }
    let error: unknown;
    try {
      m.loss.backward();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InPlaceChangeError);
    const where = (capture: unknown) => {
      const frame = (capture as { userFrame(): { line: number } | undefined }).userFrame();
      return frame === undefined ? null : `line ${frame.line}`;
    };
    assert.match(error.describe(where), /\(by sgd at line \d+\) after matmul at line \d+ used it/);
  });
});
