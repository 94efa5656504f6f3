// The models of model-workloads.ts written in tfjs-core ops (tfjs-core has no layers): same shapes, same
// initial scales, same Adam (epsilon 1e-8 as gradscope's, not tfjs's 1e-7 default), one optimizer.minimize per
// step (variableGrads, then the update). Images are NHWC, tfjs's native layout.
import * as tf from '@tensorflow/tfjs-core';
import { CNN, GPT, gptBatch } from './model-workloads';

interface Workload {
  step: () => number;
  dispose: () => void;
}

/** A variable drawn U(-1/√fanIn, 1/√fanIn), PyTorch's default for Linear and Conv2d (the shape gradscope's layers use). */
function uniformVariable(shape: number[], fanIn: number, seed: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', seed)));
}

const constantVariable = (shape: number[], value: number): tf.Variable => tf.tidy(() => tf.variable(tf.fill(shape, value)));

const adam = (lr: number): tf.Optimizer => tf.train.adam(lr, 0.9, 0.999, 1e-8);

/** One Adam step: minimize `loss` over every variable it reads, and read the loss back as gradscope's item() does. */
function stepOf(optimizer: tf.Optimizer, loss: () => tf.Scalar): () => number {
  return () =>
    tf.tidy(() => {
      const cost = optimizer.minimize(loss, true);
      return cost!.dataSync()[0];
    });
}

/** The digits CNN: conv 1→8 → relu → pool, conv 8→16 → relu → pool, linear 64→10, softmax cross-entropy. */
export function tfCnnStep(): Workload {
  const x = tf.randomUniform<tf.Rank.R4>([CNN.batch, CNN.size, CNN.size, 1], 0, 1, 'float32', 1);
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniformInt([CNN.batch], 0, CNN.classes, 2), CNN.classes));
  const k1 = uniformVariable([3, 3, 1, CNN.channels1], 9, 3);
  const b1 = uniformVariable([CNN.channels1], 9, 4);
  const k2 = uniformVariable([3, 3, CNN.channels1, CNN.channels2], 9 * CNN.channels1, 5);
  const b2 = uniformVariable([CNN.channels2], 9 * CNN.channels1, 6);
  const flat = CNN.channels2 * 2 * 2;
  const w = uniformVariable([flat, CNN.classes], flat, 7);
  const b = uniformVariable([CNN.classes], flat, 8);
  const optimizer = adam(CNN.lr);
  const layer = (h: tf.Tensor4D, k: tf.Variable, bias: tf.Variable): tf.Tensor4D =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k as tf.Tensor4D, 1, 'same'), bias)) as tf.Tensor4D, 2, 2, 'valid');
  const step = stepOf(optimizer, () => {
    const h = layer(layer(x, k1, b1), k2, b2);
    const logits = tf.add(tf.matMul(tf.reshape(h, [CNN.batch, flat]), w), b);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
  return { step, dispose: () => (tf.dispose([x, labels, k1, b1, k2, b2, w, b]), optimizer.dispose()) };
}

interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}
interface Norm {
  gain: tf.Variable;
  shift: tf.Variable;
}

/**
 * The char GPT: token + position embeddings, pre-LayerNorm blocks (causal attention, erf GELU MLP), final LayerNorm, head.
 * `oneHotEmbedding`: look embeddings up as one-hot rows times the table, for tfjs-wasm, which has no kernel for
 * gather's gradient (UnsortedSegmentSum); the same values and gradients, at the cost of two small products.
 */
export function tfGptStep(oneHotEmbedding = false): Workload {
  const { ids, targets } = gptBatch(11);
  const { vocab, context: T, embed: C, heads: H, batch: B } = GPT;
  const D = C / H;
  const tokenIds = tf.tensor2d(ids, [B, T], 'int32');
  const positions = tf.range(0, T, 1, 'int32');
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), vocab));
  // -1e9 above the diagonal, added to the scores: the same effect as gradscope's maskedFill with -Infinity.
  const future = tf.tidy(() => tf.mul(tf.sub(tf.ones([T, T]), tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));
  let seed = 100;
  const linear = (inputs: number, outputs: number): Linear => ({ w: uniformVariable([inputs, outputs], inputs, seed++), b: uniformVariable([outputs], inputs, seed++) });
  const norm = (): Norm => ({ gain: constantVariable([C], 1), shift: constantVariable([C], 0) });
  const tokenTable = tf.tidy(() => tf.variable(tf.randomNormal([vocab, C], 0, 1, 'float32', seed++)));
  const positionTable = tf.tidy(() => tf.variable(tf.randomNormal([T, C], 0, 1, 'float32', seed++)));
  const blocks = Array.from({ length: GPT.blocks }, () => ({
    ln1: norm(),
    query: linear(C, C),
    key: linear(C, C),
    value: linear(C, C),
    proj: linear(C, C),
    ln2: norm(),
    up: linear(C, GPT.hidden),
    down: linear(GPT.hidden, C),
  }));
  const lnFinal = norm();
  const head = linear(C, vocab);

  // Linear on [B, T, in]: one [B*T, in] × [in, out] product, as gradscope's broadcast matmul amounts to.
  const apply = (l: Linear, x: tf.Tensor): tf.Tensor => {
    const [b, t, inputs] = x.shape as [number, number, number];
    return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, inputs]), l.w), l.b), [b, t, l.w.shape[1]!]);
  };
  const layerNorm = (n: Norm, x: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.gain), n.shift);
  };
  const gelu = (x: tf.Tensor): tf.Tensor => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const split = (y: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(y, [B, T, H, D]), [0, 2, 1, 3]);
  const attention = (blk: (typeof blocks)[number], x: tf.Tensor): tf.Tensor => {
    const [q, k, v] = [blk.query, blk.key, blk.value].map((l) => split(apply(l, x)));
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), future);
    const mixed = tf.matMul(tf.softmax(scores), v); // [B, H, T, D]
    return apply(blk.proj, tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B, T, C]));
  };

  const optimizer = adam(GPT.lr);
  const step = stepOf(optimizer, () => {
    const lookUp = (table: tf.Variable, rows: tf.Tensor, count: number): tf.Tensor =>
      oneHotEmbedding ? tf.reshape(tf.matMul(tf.oneHot(tf.reshape(rows, [-1]), count), table), [...rows.shape, C]) : tf.gather(table, rows);
    let x: tf.Tensor = tf.add(lookUp(tokenTable, tokenIds, vocab), lookUp(positionTable, positions, T));
    for (const blk of blocks) {
      x = tf.add(x, attention(blk, layerNorm(blk.ln1, x)));
      x = tf.add(x, apply(blk.down, gelu(apply(blk.up, layerNorm(blk.ln2, x)))));
    }
    const logits = tf.reshape(apply(head, layerNorm(lnFinal, x)), [B * T, vocab]);
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
  const variables = [tokenTable, positionTable, lnFinal.gain, lnFinal.shift, head.w, head.b];
  for (const blk of blocks) for (const part of Object.values(blk)) variables.push(...Object.values(part as Linear | Norm));
  return { step, dispose: () => (tf.dispose([tokenIds, positions, labels, future, ...variables]), optimizer.dispose()) };
}
