// The same small programs in gradscope and in TensorFlow.js (CPU backend), compared on the loss and on the
// gradient of every input. tfjs computes in float32 and gradscope in float64, so both get the same inputs
// rounded to float32; what is left is float32 rounding inside tfjs, held to a relative error of 1e-6.
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as gs from '../../engine';
import { manualSeed, noGrad, rand, randn, Tensor } from '../../engine';

const TOLERANCE = 1e-6;

/** How an input is drawn: `normal` N(0, std²); `positive` uniform in [lo, hi). */
type Draw = { kind: 'normal'; std: number } | { kind: 'positive'; lo: number; hi: number };
const normal = (...shape: number[]): InputSpec => ({ shape, draw: { kind: 'normal', std: 1 } });
const small = (std: number, ...shape: number[]): InputSpec => ({ shape, draw: { kind: 'normal', std } });
const positive = (lo: number, hi: number, ...shape: number[]): InputSpec => ({ shape, draw: { kind: 'positive', lo, hi } });

interface InputSpec {
  shape: number[];
  draw: Draw;
}

/** One program, written once per engine; both return a scalar loss of the same inputs, in the same order. */
interface Program {
  name: string;
  inputs: InputSpec[];
  ours: (...xs: Tensor[]) => Tensor;
  theirs: (...xs: tf.Tensor[]) => tf.Tensor;
}

/** Float32-representable draws from gradscope's seeded generator (one seed per program). */
function drawInputs(specs: InputSpec[], seed: number): Float64Array[] {
  manualSeed(seed);
  return specs.map(({ shape, draw }) =>
    noGrad(() => {
      const base = draw.kind === 'normal' ? randn(shape) : rand(shape);
      return Float64Array.from(base.data, (v) => Math.fround(draw.kind === 'normal' ? draw.std * v : draw.lo + (draw.hi - draw.lo) * v));
    }),
  );
}

/** ||ours - theirs|| / ||theirs||, L2 over all elements. */
function relativeError(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  assert.equal(ours.length, theirs.length, 'sizes differ');
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < theirs.length; i++) {
    diff += (ours[i] - theirs[i]) ** 2;
    norm += theirs[i] ** 2;
  }
  assert.ok(norm > 0, 'reference is all zeros: the comparison would prove nothing');
  return Math.sqrt(diff / norm);
}

/** Runs `p` in both engines and returns the worst relative error; fails if any exceeds TOLERANCE. */
function compare(p: Program, seed: number): number {
  const values = drawInputs(p.inputs, seed);

  const ours = values.map((v, i) => gs.tensor(v, { shape: p.inputs[i].shape, requiresGrad: true }));
  const loss = p.ours(...ours);
  assert.deepEqual(loss.shape, [], `${p.name}: gradscope loss is not a scalar`);
  loss.backward();

  const theirs = tf.tidy(() => {
    const xs = values.map((v, i) => tf.tensor(Float32Array.from(v), p.inputs[i].shape));
    const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => p.theirs(...args))(xs);
    return { value: value.dataSync(), grads: grads.map((g) => g.dataSync()) };
  });
  assert.equal(theirs.value.length, 1, `${p.name}: tfjs loss is not a scalar`);

  const errors: [string, number][] = [['loss', relativeError([loss.item()], theirs.value)]];
  ours.forEach((x, i) => {
    assert.ok(x.grad, `${p.name}: input ${i} received no gradient`);
    assert.deepEqual(x.grad.shape, p.inputs[i].shape);
    errors.push([`grad of input ${i}`, relativeError(x.grad.data, theirs.grads[i])]);
  });
  for (const [what, err] of errors) {
    assert.ok(err <= TOLERANCE, `${p.name}: ${what} differs from tfjs by relative error ${err.toExponential(2)} > ${TOLERANCE}`);
  }
  return Math.max(...errors.map(([, e]) => e));
}

// Position-dependent positive weights, so a scalar loss still tells permutations and index maps apart.
function rampValues(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => ((i * 5) % 11) / 11 + 0.25);
}
/** sum(ramp * t²): positive (no cancellation in the loss) and sensitive to where each element lands. */
const oursProbe = (t: Tensor): Tensor => t.mul(t).mul(gs.tensor(Float64Array.from(rampValues(t.size)), { shape: t.shape })).sum();
const theirsProbe = (t: tf.Tensor): tf.Tensor => tf.sum(tf.mul(tf.square(t), tf.tensor(rampValues(t.size), t.shape)));

/**
 * tf.conv2d on NCHW data ([N, C, H, W] input, our [O, C/groups, kH, kW] weight): explicit zero padding, one conv
 * per group, and dilation as zeros between the kernel's taps (tfjs has no gradient for a dilated conv2d).
 */
function conv2dNCHW(x: tf.Tensor, w: tf.Tensor, stride: [number, number], pad: [number, number], dilation: number, groups = 1): tf.Tensor {
  for (const axis of dilation === 1 ? [] : [2, 3]) {
    const taps = w.shape[axis];
    const spaced = tf.concat([tf.expandDims(w, axis + 1), tf.zeros([...w.shape.slice(0, axis + 1), dilation - 1, ...w.shape.slice(axis + 1)])], axis + 1);
    const shape = [...w.shape];
    shape[axis] = taps * dilation;
    w = tf.slice(tf.reshape(spaced, shape), 0, shape.map((d, i) => (i === axis ? d - dilation + 1 : d)));
  }
  const padded = tf.pad(x, [[0, 0], [0, 0], [pad[0], pad[0]], [pad[1], pad[1]]]);
  const xs = groups === 1 ? [padded] : tf.split(padded, groups, 1);
  const ws = groups === 1 ? [w] : tf.split(w, groups, 0);
  const ys = xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, tf.transpose(ws[g], [2, 3, 1, 0]) as tf.Tensor4D, stride, 'valid', 'NCHW'));
  return groups === 1 ? ys[0] : tf.concat(ys, 1);
}

/** tf.maxPool / tf.avgPool (NHWC only) on NCHW data, padded explicitly: -1e30 for max, zeros (counted) for average. */
function poolNCHW(kind: 'max' | 'avg', x: tf.Tensor, kernel: [number, number], stride: [number, number], pad: [number, number]): tf.Tensor {
  const nhwc = tf.pad(tf.transpose(x, [0, 2, 3, 1]), [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]], kind === 'max' ? -1e30 : 0) as tf.Tensor4D;
  const y = kind === 'max' ? tf.maxPool(nhwc, kernel, stride, 'valid') : tf.avgPool(nhwc, kernel, stride, 'valid');
  return tf.transpose(y, [0, 3, 1, 2]);
}

const BATCH = 32;
const CLASSES = 5;
const LABELS = Array.from({ length: BATCH }, (_, i) => (i * 3 + 1) % CLASSES);
const STEPS = 5;
const RNN_BATCH = 8;
const HIDDEN = 16;
const EMBED_INDICES = [[0, 5, 2], [2, 2, 1]];
const SPATIAL_LABELS = [[0, 4, 2], [1, 1, 3], [4, 0, 0], [2, 3, 1]];

const programs: Program[] = [
  {
    name: 'linear regression sum((x@w + b - y)^2)',
    inputs: [normal(100, 3), normal(3, 3), normal(3), normal(100, 3)],
    ours: (x, w, b, y) => {
      const err = x.matmul(w).add(b).sub(y);
      return err.mul(err).sum();
    },
    theirs: (x, w, b, y) => tf.sum(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))),
  },
  {
    name: '2-layer MLP, softmax cross-entropy',
    // Batch 32, hidden 16, W2 of scale 0.5 (fewer saturated softmax rows, where p - 1 cancels in float32): over
    // 300 seeds the worst error is 3.6e-7, against 5.9e-7 for batch 16, hidden 8, unit-scale W2.
    inputs: [normal(BATCH, 8), normal(8, 16), normal(16), small(0.5, 16, CLASSES), normal(CLASSES)],
    ours: (x, w1, b1, w2, b2) => gs.crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2).add(b2), LABELS),
    theirs: (x, w1, b1, w2, b2) => {
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(LABELS, CLASSES), logits);
    },
  },
  {
    name: 'sigmoid/tanh chain, broadcast mul/div/sub',
    // c in [1.5, 2.5) keeps c - sigmoid(.) away from 0, where float32 cancellation would dominate.
    inputs: [normal(8, 6), normal(6), positive(1.5, 2.5, 8, 1)],
    ours: (a, b, c) => {
      const h = c.sub(a.mul(b).sigmoid()).div(b.tanh().add(2));
      return oursProbe(h.tanh().mul(a.sigmoid()));
    },
    theirs: (a, b, c) => {
      const h = tf.div(tf.sub(c, tf.sigmoid(tf.mul(a, b))), tf.add(tf.tanh(b), 2));
      return theirsProbe(tf.mul(tf.tanh(h), tf.sigmoid(a)));
    },
  },
  {
    // log and pow on [2, 4): away from 1, where log's relative error would blow up in float32.
    name: 'exp/log/sqrt/abs/pow, broadcast',
    inputs: [normal(3, 4), positive(2, 4, 3, 4), positive(0.5, 1.5, 4)],
    ours: (a, p, q) => {
      const t = a.mul(0.5).exp().mul(p.log()).add(p.sqrt().div(a.abs().add(1)));
      return oursProbe(t.add(p.pow(q)).add(p.pow(1.5)));
    },
    theirs: (a, p, q) => {
      const t = tf.add(tf.mul(tf.exp(tf.mul(a, 0.5)), tf.log(p)), tf.div(tf.sqrt(p), tf.add(tf.abs(a), 1)));
      return theirsProbe(tf.add(tf.add(t, tf.pow(p, q)), tf.pow(p, tf.scalar(1.5))));
    },
  },
  {
    name: 'sum/mean/max/min with axes and keepDims, softmax along an inner axis',
    inputs: [normal(3, 4, 5)],
    ours: (x) =>
      [x.sum(1), x.mean([0, 2], true).mul(x), x.max(2), x.min(0, true), x.max(-1, true).sub(x.min([0, 1])), x.softmax(1)]
        .map(oursProbe)
        .reduce((s, t) => s.add(t)),
    theirs: (x) =>
      [
        tf.sum(x, 1),
        tf.mul(tf.mean(x, [0, 2], true), x),
        tf.max(x, 2),
        tf.min(x, 0, true),
        tf.sub(tf.max(x, -1, true), tf.min(x, [0, 1])),
        tf.transpose(tf.softmax(tf.transpose(x, [0, 2, 1])), [0, 2, 1]), // tfjs softmax is last-axis only
      ]
        .map(theirsProbe)
        .reduce((s, t) => tf.add(s, t)),
  },
  {
    name: 'transpose/slice/concat/stack/reshape',
    inputs: [normal(2, 3, 4), normal(4, 2, 2)],
    ours: (x, y) => {
      const t = x.transpose([2, 0, 1]); // [4, 2, 3]
      const s = t.slice([0, 0, 1], [4, 2, 3]); // [4, 2, 2]
      const c = gs.concat([s, y, s], 1); // [4, 6, 2]
      const st = gs.stack([s, y], 2); // [4, 2, 2, 2]
      return oursProbe(c.reshape([8, -1]).add(st.reshape([8, 4]).sum(1, true))).add(oursProbe(t));
    },
    theirs: (x, y) => {
      const t = tf.transpose(x, [2, 0, 1]);
      const s = tf.slice(t, [0, 0, 1], [4, 2, 2]);
      const c = tf.concat([s, y, s], 1);
      const st = tf.stack([s, y], 2);
      return tf.add(theirsProbe(tf.add(tf.reshape(c, [8, -1]), tf.sum(tf.reshape(st, [8, 4]), 1, true))), theirsProbe(t));
    },
  },
  {
    name: 'mse',
    inputs: [normal(8, 3), normal(8, 3)],
    ours: (pred, target) => gs.mse(pred, target),
    theirs: (pred, target) => tf.losses.meanSquaredError(target, pred),
  },
  {
    name: 'tanh RNN unrolled 5 steps',
    // Hidden 16, batch 8: with 6 hidden units the gradient of b (a sum over batch and time) had seeds at 1e-6.
    inputs: [normal(STEPS, RNN_BATCH, 3), normal(3, HIDDEN), small(0.25, HIDDEN, HIDDEN), normal(HIDDEN), normal(HIDDEN, 2), normal(RNN_BATCH, 2)],
    ours: (xs, wx, wh, b, wy, target) => {
      let h = gs.zeros([RNN_BATCH, HIDDEN]);
      for (let t = 0; t < STEPS; t++) h = xs.index(t).matmul(wx).add(h.matmul(wh)).add(b).tanh();
      return gs.mse(h.matmul(wy), target);
    },
    theirs: (xs, wx, wh, b, wy, target) => {
      let h: tf.Tensor = tf.zeros([RNN_BATCH, HIDDEN]);
      for (const x of tf.unstack(xs)) h = tf.tanh(tf.add(tf.add(tf.matMul(x, wx), tf.matMul(h, wh)), b));
      return tf.losses.meanSquaredError(target, tf.matMul(h, wy));
    },
  },  // embedding, normalization, losses (ops-norm-loss)
  {
    name: 'embedding (tf.gather), repeated rows',
    inputs: [normal(6, 4)],
    ours: (w) => oursProbe(gs.embedding(EMBED_INDICES, w)),
    theirs: (w) => theirsProbe(tf.gather(w, tf.tensor2d(EMBED_INDICES, undefined, 'int32'))),
  },
  {
    name: 'layerNorm over the last axis (tf.moments)',
    inputs: [normal(5, 8), normal(8), normal(8)],
    ours: (x, w, b) => oursProbe(gs.layerNorm(x, [8], w, b)),
    theirs: (x, w, b) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return theirsProbe(tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w), b));
    },
  },
  {
    name: 'batchNorm training on [N, C, L] (tf.moments)',
    inputs: [normal(4, 3, 5), normal(3), normal(3)],
    ours: (x, w, b) => oursProbe(gs.batchNorm(x, gs.zeros([3]), gs.ones([3]), w, b, { training: true })),
    theirs: (x, w, b) => {
      const { mean, variance } = tf.moments(x, [0, 2], true);
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return theirsProbe(tf.add(tf.mul(xhat, tf.reshape(w, [3, 1])), tf.reshape(b, [3, 1])));
    },
  },
  {
    name: 'crossEntropy on [N, C, d] with labelSmoothing',
    inputs: [normal(4, 5, 3)],
    ours: (x) => gs.crossEntropy(x, SPATIAL_LABELS, { labelSmoothing: 0.1 }),
    theirs: (x) => {
      const flat = tf.reshape(tf.transpose(x, [0, 2, 1]), [12, 5]);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(SPATIAL_LABELS.flat(), 5), flat, undefined, 0.1);
    },
  },
  {
    name: 'binaryCrossEntropyWithLogits (sigmoidCrossEntropy)',
    inputs: [small(3, 6, 4), positive(0, 1, 6, 4)],
    ours: (x, t) => gs.binaryCrossEntropyWithLogits(x, t),
    theirs: (x, t) => tf.losses.sigmoidCrossEntropy(t, x),
  },
  {
    name: 'l1Loss (absoluteDifference)',
    inputs: [normal(7, 3), normal(7, 3)],
    ours: (pred, target) => gs.l1Loss(pred, target),
    theirs: (pred, target) => tf.losses.absoluteDifference(target, pred),
  },
  // elementwise, shape and reductions (ops-elementwise)
  {
    name: 'leakyRelu/softplus/silu/clamp, maximum/minimum with broadcasting',
    inputs: [normal(4, 5), normal(5)],
    ours: (a, b) =>
      [a.leakyRelu(0.1), b.softplus().mul(a), a.silu(), a.clamp(-0.5, 0.8), a.clamp(undefined, 0.3), a.maximum(b), gs.minimum(a, b.mul(0.5))]
        .map(oursProbe)
        .reduce((s, t) => s.add(t)),
    theirs: (a, b) =>
      [
        tf.leakyRelu(a, 0.1),
        tf.mul(tf.softplus(b), a),
        tf.mul(a, tf.sigmoid(a)),
        tf.clipByValue(a, -0.5, 0.8),
        // tfjs's Maximum/Minimum gradients do not sum back over broadcast axes: broadcast by hand.
        tf.minimum(a, tf.fill([4, 5], 0.3)),
        tf.maximum(a, tf.broadcastTo(b, [4, 5])),
        tf.minimum(a, tf.broadcastTo(tf.mul(b, 0.5), [4, 5])),
      ]
        .map(theirsProbe)
        .reduce((s, t) => tf.add(s, t)),
  },
  {
    name: 'where/maskedFill, squeeze/unsqueeze/expand/flatten/permute/tril/triu',
    inputs: [normal(3, 1, 4), normal(4), normal(2, 3, 3)],
    ours: (x, y, z) => {
      const w = gs.where([[true], [false], [true]], x.squeeze(1), y); // [3, 4]
      const m = w.maskedFill([false, true, false, false], 2); // [3, 4]
      const e = y.unsqueeze(0).expand([3, -1]).mul(m); // [3, 4]
      const p = z.permute([2, 0, 1]).flatten(1); // [3, 6]
      return [w, m, e, p, z.tril(), z.triu()].map(oursProbe).reduce((s, t) => s.add(t));
    },
    theirs: (x, y, z) => {
      const w = tf.where(tf.tensor([[true], [false], [true]], [3, 1], 'bool'), tf.squeeze(x, [1]), y);
      const m = tf.where(tf.tensor([false, true, false, false], [4], 'bool'), tf.fill([3, 4], 2), w);
      const e = tf.mul(tf.broadcastTo(tf.expandDims(y, 0), [3, 4]), m);
      const p = tf.reshape(tf.transpose(z, [2, 0, 1]), [3, 6]);
      const lower = tf.linalg.bandPart(z, -1, 0);
      const upper = tf.linalg.bandPart(z, 0, -1);
      return [w, m, e, p, lower, upper].map(theirsProbe).reduce((s, t) => tf.add(s, t));
    },
  },
  {
    name: 'variance/std (population and unbiased)/logSumExp over axes',
    inputs: [normal(3, 4, 5)],
    ours: (x) =>
      [x.variance(1, false, 0), x.variance([0, 2], true), x.std(2, false, 0), x.std(), x.logSumExp(2), x.logSumExp([0, 1], true), x.logSumExp()]
        .map(oursProbe)
        .reduce((s, t) => s.add(t)),
    theirs: (x) =>
      [
        tf.moments(x, 1).variance,
        tf.mul(tf.moments(x, [0, 2], true).variance, 15 / 14),
        tf.sqrt(tf.moments(x, 2).variance),
        tf.sqrt(tf.mul(tf.moments(x).variance, 60 / 59)),
        tf.logSumExp(x, 2),
        tf.logSumExp(x, [0, 1], true),
        tf.logSumExp(x),
      ]
        .map(theirsProbe)
        .reduce((s, t) => tf.add(s, t)),
  },
  // conv and pooling (ops-conv)
  {
    name: 'matmul 4-D with both batch dims broadcast (attention-style)',
    inputs: [normal(2, 1, 3, 4), normal(1, 5, 4, 2)],
    ours: (a, b) => oursProbe(a.matmul(b)),
    // tfjs's BatchMatMul gradient does not sum over broadcast batch dims: broadcast explicitly (broadcastTo's does).
    theirs: (a, b) => theirsProbe(tf.matMul(tf.broadcastTo(a, [2, 5, 3, 4]), tf.broadcastTo(b, [2, 5, 4, 2]))),
  },
  {
    name: 'conv2d stride/padding/rectangular kernel/bias, then maxPool2d with padding',
    inputs: [normal(2, 3, 9, 8), small(0.5, 4, 3, 3, 2), normal(4)],
    ours: (x, w, b) => oursProbe(gs.maxPool2d(gs.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2] }), 3, { stride: 2, padding: 1 })),
    theirs: (x, w, b) => {
      const y = tf.add(conv2dNCHW(x, w, [2, 1], [1, 2], 1), tf.reshape(b, [1, 4, 1, 1]));
      return theirsProbe(poolNCHW('max', y, [3, 3], [2, 2], [1, 1]));
    },
  },
  {
    name: 'conv2d groups 2 and dilation 2, then avgPool2d with padding (zeros counted)',
    inputs: [normal(2, 4, 8, 7), small(0.5, 6, 2, 2, 3)],
    ours: (x, w) => oursProbe(gs.avgPool2d(gs.conv2d(x, w, null, { groups: 2, dilation: 2, padding: 1 }), [3, 2], { stride: [2, 1], padding: [1, 1] })),
    theirs: (x, w) => theirsProbe(poolNCHW('avg', conv2dNCHW(x, w, [1, 1], [1, 1], 2, 2), [3, 2], [2, 1], [1, 1])),
  },
];

describe('tfjs oracle: loss and gradients match TensorFlow.js (cpu) to 1e-6 relative', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  programs.forEach((p, i) => {
    it(p.name, () => {
      const worst = compare(p, 100 + i);
      if (process.env.ORACLE_REPORT) console.log(`      max relative error ${worst.toExponential(2)}`);
    });
  });

  it('argmax/argmin agree with tf.argMax/argMin (per axis and flattened)', () => {
    const [v] = drawInputs([normal(4, 5, 3)], 7);
    const x = gs.tensor(v, { shape: [4, 5, 3] });
    const t = tf.tensor(Float32Array.from(v), [4, 5, 3]);
    for (const axis of [0, 1, 2, -1]) {
      assert.deepEqual(Array.from(x.argmax(axis).data), Array.from(tf.argMax(t, axis).dataSync()), `argmax axis ${axis}`);
      assert.deepEqual(Array.from(x.argmin(axis).data), Array.from(tf.argMin(t, axis).dataSync()), `argmin axis ${axis}`);
    }
    assert.equal(x.argmax().item(), tf.argMax(tf.reshape(t, [-1])).dataSync()[0]);
    assert.equal(x.argmin().item(), tf.argMin(tf.reshape(t, [-1])).dataSync()[0]);
  });

  it('notices a wrong gradient', () => {
    // The oracle itself must be able to fail: tanh's gradient on one side, sigmoid's on the other.
    const wrong: Program = { name: 'tanh vs sigmoid', inputs: [normal(3)], ours: (a) => a.tanh().sum(), theirs: (a) => tf.sum(tf.sigmoid(a)) };
    assert.throws(() => compare(wrong, 1), /relative error/);
  });
});
