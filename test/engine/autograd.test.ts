// Backward as users rely on it: one pass in topological order, accumulation until zeroGrad, deep and shared
// graphs, noGrad and detach, and clear errors.
import * as assert from 'node:assert/strict';
import { avgPool2d, batchNorm, binaryCrossEntropyWithLogits, clamp, concat, conv2d, crossEntropy, dropout, embedding, full, layerNorm, maskedFill, maximum, maxPool2d, minimum, nllLoss, noGrad, ones, rand, randint, randn, Tensor, tensor, triu, where, zeros } from '../../engine';
import { setRecorder } from '../../engine/recorder';

/** Counts gradient-function calls during `fn` (each dependency walked once per backward pass). */
function countGradCalls(fn: () => void): number {
  let calls = 0;
  setRecorder({ onTensor: () => undefined, onEdgeGrad: () => calls++ });
  try {
    fn();
  } finally {
    setRecorder(null);
  }
  return calls;
}

describe('backward', () => {
  it('starts a scalar loss at gradient 1 and returns the chain rule', () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    x.mul(x).mul(3).sum().backward(); // d/dx 3x² = 6x
    assert.deepEqual(x.grad?.toArray(), [3, -6, 12]);
  });

  it('accumulates gradients across calls until zeroGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(2).sum().backward();
    w.mul(3).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [5, 5]);
    w.zeroGrad();
    assert.equal(w.grad === null, true); // (not assert.equal(w.grad, null): that would narrow the type below)
    w.mul(4).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [4, 4]);
  });

  it('gives the same answer when the same graph is walked twice (pass-local gradients)', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const h = a.mul(a); // shared by both branches
    const loss = h.add(h.mul(2)).sum(); // 3a²
    loss.backward();
    loss.backward();
    assert.deepEqual(a.grad?.toArray(), [12, 24]); // twice 6a
    assert.deepEqual(h.grad?.toArray(), [6, 6]); // twice 3
  });

  it('takes an explicit gradient for a non-scalar tensor', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).backward([1, 0, -1]);
    assert.deepEqual(x.grad?.toArray(), [2, 0, -6]);
  });

  it('handles a 200,000-op chain without recursion', () => {
    const x = tensor(1, { requiresGrad: true });
    let y: Tensor = x;
    for (let i = 0; i < 200_000; i++) y = y.mul(1.00001);
    y.backward();
    const expected = Math.pow(1.00001, 200_000);
    assert.ok(Math.abs(x.grad!.item() - expected) < 1e-9 * expected, `${x.grad!.item()} vs ${expected}`);
  });

  it('walks 40 stacked diamonds once per edge, not once per path', () => {
    const x = tensor(1, { requiresGrad: true });
    const calls = countGradCalls(() => {
      let y: Tensor = x;
      for (let i = 0; i < 40; i++) y = y.mul(2).add(y.mul(3));
      y.backward();
    });
    // Per diamond: add -> two muls (2 calls), each mul -> y and its constant (constants need no gradient).
    assert.equal(calls, 40 * 4);
    assert.equal(x.grad!.item(), Math.pow(5, 40));
  });

  it('sums gradients where one tensor feeds several ops', () => {
    const x = tensor([2], { requiresGrad: true });
    x.mul(x).add(x.exp()).add(x).sum().backward(); // 2x + e^x + 1
    assert.ok(Math.abs(x.grad!.item() - (4 + Math.exp(2) + 1)) < 1e-12);
  });

  it('leaves tensors made inside noGrad out of the graph', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => w.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.dependencies.length, 0);
    assert.deepEqual(y.toArray(), [2, 4]);
    assert.throws(() => y.sum().backward(), /does not require grad/);
  });

  it('detach copies the values and cuts the graph', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const d = w.mul(3).detach();
    assert.equal(d.requiresGrad, false);
    assert.deepEqual(d.toArray(), [3, 6]);
    d.mul(w).sum().backward();
    assert.deepEqual(w.grad?.toArray(), [3, 6]);
  });
});

describe('tensor basics', () => {
  it('builds from nested or flat arrays and reads back', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
    assert.equal(tensor(7).item(), 7);
    assert.deepEqual(tensor(7).shape, []);
  });
});

describe('error messages', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['backward on a tensor that does not require grad', () => tensor([1]).sum().backward(), /backward: this sum tensor does not require grad/],
    ['backward on a non-scalar without a gradient', () => tensor([1, 2], { requiresGrad: true }).mul(2).backward(), /only for a scalar.*shape \[2\]/],
    ['backward with a gradient of the wrong shape', () => tensor([1, 2], { requiresGrad: true }).mul(2).backward([1, 2, 3]), /gradient of 3 values for a tensor of shape \[2\]/],
    ['add with shapes that do not broadcast', () => tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([1, 2])), /add: shapes \[2, 3\] and \[2\] cannot be broadcast/],
    ['mul with shapes that do not broadcast', () => tensor([[1], [2]]).mul(tensor([[1, 2], [3, 4], [5, 6]])), /mul: shapes \[2, 1\] and \[3, 2\]/],
    ['matmul with inner dimensions that differ', () => tensor([[1, 2, 3]]).matmul(tensor([[1, 2]])), /matmul: shapes \[1, 3\] and \[1, 2\] are not aligned/],
    ['tensor with a negative dimension', () => tensor([1, 2], { shape: [2, -1] }), /^ShapeError: tensor: invalid shape \[2, -1\]: dimensions must be non-negative integers$/],
    ['tensor with a fractional dimension', () => tensor([1, 2, 3], { shape: [1.5, 2] }), /tensor: invalid shape \[1.5, 2\]: dimensions must be non-negative integers/],
    ['the Tensor constructor with negative dimensions', () => new Tensor(new Float64Array(4), [-2, -2]), /tensor: invalid shape \[-2, -2\]/],
    ['zeros with a negative dimension', () => zeros([3, -1]), /zeros: invalid shape \[3, -1\]: dimensions must be non-negative integers/],
    ['ones with a fractional dimension', () => ones([2.5]), /ones: invalid shape \[2.5\]/],
    ['full with NaN', () => full([NaN], 1), /full: invalid shape \[NaN\]/],
    ['randn with a number for a shape', () => randn(3 as unknown as number[]), /randn: invalid shape 3: a shape is an array of dimensions/],
    ['rand with a negative dimension', () => rand([-4]), /rand: invalid shape \[-4\]/],
    ['randint with a fractional dimension', () => randint(0, 5, [0.5]), /randint: invalid shape \[0.5\]/],
    ['reshape with two -1', () => tensor([1, 2, 3, 4]).reshape([-1, -1]), /reshape: invalid shape \[-1, -1\]: dimensions must be non-negative integers, with at most one -1/],
    ['reshape with a fractional dimension', () => tensor([1, 2, 3, 4]).reshape([0.5, 8]), /reshape: invalid shape \[0.5, 8\]/],
    ['reshape to a different size', () => tensor([1, 2, 3]).reshape([2, 2]), /reshape: cannot reshape a tensor of shape \[3\] to \[2, 2\]/],
    ['concat with mismatched shapes', () => concat([zeros([2, 3]), zeros([2, 2])], 0), /concat: shapes \[2, 3\] and \[2, 2\] differ outside axis 0/],
    ['item on a non-scalar', () => tensor([1, 2]).item(), /item: tensor of shape \[2\] is not a scalar/],
    ['a ragged nested array', () => tensor([[1, 2], [3]]), /ragged nested array: \[1\] should be an array of 2/],
    ['an axis out of range', () => tensor([1, 2]).sum(1), /sum: axis 1 is out of range for a tensor of rank 1/],
    ['a class label out of range', () => crossEntropy(zeros([2, 3]), [0, 3]), /crossEntropy: label 3 at position 1 is not a class index in \[0, 3\)/],
    ['too few class labels', () => crossEntropy(zeros([2, 3]), [0]), /crossEntropy: logits of shape \[2, 3\] need 2 class labels or a \[2, 3\] target, got 1 labels/],
    // elementwise, shape and reductions (ops-elementwise)
    ['maximum with shapes that do not broadcast', () => maximum(zeros([2, 3]), zeros([2])), /maximum: shapes \[2, 3\] and \[2\] cannot be broadcast together/],
    ['minimum with shapes that do not broadcast', () => minimum(zeros([3]), zeros([4])), /minimum: shapes \[3\] and \[4\] cannot be broadcast together/],
    ['where with shapes that do not broadcast', () => where([true, false], zeros([2, 3]), 0), /where: shapes \[2\], \[2, 3\] and \[\] cannot be broadcast together/],
    ['maskedFill with a mask that does not fit', () => maskedFill(zeros([2, 3]), [[true], [false], [true]], 0), /maskedFill: mask of shape \[3, 1\] cannot be broadcast to shape \[2, 3\]/],
    ['clamp without bounds', () => clamp(zeros([2])), /clamp: give at least one of min and max/],
    ['squeeze an axis out of range', () => zeros([2, 1]).squeeze(2), /squeeze: axis 2 is out of range for a tensor of rank 2/],
    ['unsqueeze an axis out of range', () => zeros([2, 1]).unsqueeze(4), /unsqueeze: axis 4 is out of range for a tensor of rank 3/],
    ['expand to an incompatible shape', () => zeros([2, 3]).expand([2, 4]), /expand: cannot expand a tensor of shape \[2, 3\] to \[2, 4\]/],
    ['expand to fewer axes', () => zeros([2, 3]).expand([3]), /expand: cannot expand a tensor of shape \[2, 3\] to \[3\]/],
    ['expand with a new leading -1', () => zeros([3]).expand([-1, 3]), /expand: cannot expand a tensor of shape \[3\] to \[-1, 3\]/],
    ['expand with an invalid dimension', () => zeros([3]).expand([2, -2]), /expand: invalid shape \[2, -2\]/],
    ['flatten with axes in the wrong order', () => zeros([2, 3, 4]).flatten(2, 1), /flatten: startAxis 2 comes after endAxis 1 for a tensor of shape \[2, 3, 4\]/],
    ['permute with a wrong permutation', () => zeros([2, 3]).permute([0, 0]), /permute: \[0, 0\] is not a permutation of the axes of a tensor of shape \[2, 3\]/],
    ['tril on a vector', () => zeros([3]).tril(), /tril: needs a tensor of at least 2 dimensions, got shape \[3\]/],
    ['triu on a scalar', () => triu(zeros([])), /triu: needs a tensor of at least 2 dimensions, got shape \[\]/],
    ['variance over an axis out of range', () => zeros([2, 3]).variance(2), /variance: axis 2 is out of range for a tensor of rank 2/],
    ['std over an axis out of range', () => zeros([2]).std(-2), /std: axis -2 is out of range for a tensor of rank 1/],
    ['logSumExp over an axis out of range', () => zeros([2]).logSumExp(1), /logSumExp: axis 1 is out of range for a tensor of rank 1/],
    ['argmax of an empty tensor', () => zeros([0, 2]).argmax(), /argmax: cannot reduce an empty tensor of shape \[0, 2\]/],
    ['argmin over an axis out of range', () => zeros([2, 2]).argmin(2), /argmin: axis 2 is out of range for a tensor of rank 2/],
    // conv and pooling (ops-conv)
    ['conv2d with channels that differ', () => conv2d(zeros([2, 3, 8, 8]), zeros([4, 2, 3, 3])), /^ShapeError: conv2d: input \[2, 3, 8, 8\] has 3 channels but weight \[4, 2, 3, 3\] expects 2 \(groups 1\)$/],
    ['conv2d with input channels not divisible by groups', () => conv2d(zeros([1, 3, 4, 4]), zeros([4, 1, 3, 3]), null, { groups: 2 }), /conv2d: input \[1, 3, 4, 4\] has 3 channels, not divisible by groups 2/],
    ['conv2d with output channels not divisible by groups', () => conv2d(zeros([1, 4, 4, 4]), zeros([3, 2, 3, 3]), null, { groups: 2 }), /conv2d: weight \[3, 2, 3, 3\] has 3 output channels, not divisible by groups 2/],
    ['conv2d with a 3-D input', () => conv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3])), /conv2d: input \[3, 8, 8\] must be 4-D \[N, C, H, W\]/],
    ['conv2d with a kernel larger than the padded input', () => conv2d(zeros([1, 1, 2, 5]), zeros([1, 1, 3, 3])), /conv2d: kernel 3x3 is larger than the padded input 2x5 \(input \[1, 1, 2, 5\], padding 0x0\)/],
    ['conv2d whose dilation makes the kernel too large', () => conv2d(zeros([1, 1, 4, 4]), zeros([1, 1, 3, 3]), null, { dilation: 2 }), /conv2d: kernel 3x3 \(5x5 with dilation 2x2\) is larger than the padded input 4x4/],
    ['conv2d with a zero stride', () => conv2d(zeros([1, 1, 4, 4]), zeros([1, 1, 3, 3]), null, { stride: 0 }), /conv2d: stride must be a positive integer or a pair \[h, w\] of them, got 0/],
    ['conv2d with a negative padding', () => conv2d(zeros([1, 1, 4, 4]), zeros([1, 1, 3, 3]), null, { padding: [1, -1] }), /conv2d: padding must be a non-negative integer or a pair \[h, w\] of them, got \[1, -1\]/],
    ['conv2d with a zero groups', () => conv2d(zeros([1, 1, 4, 4]), zeros([1, 1, 3, 3]), null, { groups: 0 }), /conv2d: groups must be a positive integer, got 0/],
    ['conv2d with a bias of the wrong size', () => conv2d(zeros([1, 1, 4, 4]), zeros([2, 1, 3, 3]), zeros([3])), /conv2d: bias \[3\] does not match weight \[2, 1, 3, 3\]: it should be \[2\]/],
    ['maxPool2d with padding over half the kernel', () => maxPool2d(zeros([1, 1, 4, 4]), 2, { padding: 2 }), /maxPool2d: padding 2x2 is more than half the kernel 2x2/],
    ['maxPool2d with a kernel larger than the input', () => maxPool2d(zeros([1, 1, 2, 2]), 3), /maxPool2d: kernel 3x3 is larger than the padded input 2x2/],
    ['avgPool2d with a fractional kernel', () => avgPool2d(zeros([1, 1, 4, 4]), [2, 1.5]), /avgPool2d: kernel must be a positive integer or a pair \[h, w\] of them, got \[2, 1.5\]/],
    ['avgPool2d with a 2-D input', () => avgPool2d(zeros([4, 4]), 2), /avgPool2d: input \[4, 4\] must be 4-D \[N, C, H, W\]/],
    // embedding, normalization, losses (ops-norm-loss)
    ['an embedding index out of range', () => embedding([[0, 1], [5, 2]], zeros([4, 3])), /^RangeError: embedding: index 5 at position \[1, 0\] is not a row of a weight with 4 embeddings \(integers in \[0, 4\)\)$/],
    ['an embedding index that is not an integer', () => embedding(tensor([0, 1.5]), zeros([4, 3])), /embedding: index 1.5 at position 1 is not a row of a weight with 4 embeddings/],
    ['an embedding weight that is not a matrix', () => embedding([0], zeros([4])), /embedding: weight must be \[numEmbeddings, dim\], got shape \[4\]/],
    ['layerNorm over a shape that does not end the input', () => layerNorm(zeros([2, 3]), [2]), /layerNorm: normalized shape \[2\] is not the end of the input's shape \[2, 3\]/],
    ['layerNorm with a weight of the wrong shape', () => layerNorm(zeros([2, 3]), [3], zeros([2])), /layerNorm: weight of shape \[2\] does not match \[3\]/],
    ['batchNorm with running statistics for other channels', () => batchNorm(zeros([4, 3]), zeros([2]), ones([2])), /batchNorm: runningMean of shape \[2\] does not match \[3\]/],
    ['batchNorm training on one value per channel', () => batchNorm(zeros([1, 3]), null, null, null, null, { training: true }), /batchNorm: training needs more than 1 value per channel, got input of shape \[1, 3\]/],
    ['dropout with p = 1', () => dropout(zeros([3]), 1), /^RangeError: dropout: probability p must be in \[0, 1\), got 1$/],
    ['a class label out of range on [N, C, d]', () => crossEntropy(zeros([2, 3, 2]), [[0, 1], [3, 0]]), /crossEntropy: label 3 at position \[1, 0\] is not a class index in \[0, 3\)/],
    ['class labels of the wrong shape on [N, C, d]', () => crossEntropy(zeros([2, 3, 2]), [0, 1]), /crossEntropy: logits of shape \[2, 3, 2\] need class labels of shape \[2, 2\] or a \[2, 3, 2\] target, got labels of shape \[2\]/],
    ['an nllLoss label out of range', () => nllLoss(zeros([2, 3]), [0, -1]), /nllLoss: label -1 at position 1 is not a class index in \[0, 3\)/],
    ['binaryCrossEntropyWithLogits with targets of another shape', () => binaryCrossEntropyWithLogits(zeros([2, 3]), zeros([3])), /binaryCrossEntropyWithLogits: logits of shape \[2, 3\] and targets of shape \[3\] differ/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => assert.throws(fn, message));
  }
});
