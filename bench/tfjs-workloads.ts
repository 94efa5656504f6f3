// The same workloads as workloads.ts (a)-(c), written the idiomatic tfjs way (variables, an optimizer's
// minimize, tidy), on whichever backend is active (run.ts selects cpu).
import * as tf from '@tensorflow/tfjs-core';
import { CONV, MLP } from './workloads';

/** A variable holding `init()`; the initial tensor itself is freed (tidy keeps variables). */
const variable = (init: () => tf.Tensor): tf.Variable => tf.tidy(() => tf.variable(init()));

/** (a) One training step of the 784-256-10 MLP on a fixed batch. */
export function tfMlpStep(): { step: () => number; dispose: () => void } {
  const x = tf.randomUniform([MLP.batch, MLP.inputs], 0, 1, 'float32', 1);
  const labels = tf.tidy(() => tf.oneHot(tf.randomUniformInt([MLP.batch], 0, MLP.classes, 2), MLP.classes));
  const w1 = variable(() => tf.randomNormal([MLP.inputs, MLP.hidden], 0, Math.sqrt(2 / MLP.inputs), 'float32', 3));
  const b1 = variable(() => tf.zeros([MLP.hidden]));
  const w2 = variable(() => tf.randomNormal([MLP.hidden, MLP.classes], 0, Math.sqrt(2 / MLP.hidden), 'float32', 4));
  const b2 = variable(() => tf.zeros([MLP.classes]));
  const optimizer = tf.train.sgd(MLP.lr);
  const step = (): number =>
    tf.tidy(() => {
      const cost = optimizer.minimize(() => {
        const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, true);
      return cost!.dataSync()[0];
    });
  const dispose = (): void => {
    tf.dispose([x, labels, w1, b1, w2, b2]);
    optimizer.dispose();
  };
  return { step, dispose };
}

/** (b) The linear-regression example, the whole of it: data, parameters and 101 epochs. Returns the last loss. */
export function tfLinearRegression(): number {
  const optimizer = tf.train.sgd(3e-4);
  const w = variable(() => tf.randomNormal([3, 3]));
  const b = variable(() => tf.randomNormal([3]));
  const last = tf.tidy(() => {
    const x = tf.randomNormal([100, 3]);
    const coef = tf.cast(tf.randomUniformInt([3], 0, 10), 'float32');
    const y = tf.sub(tf.mul(x, coef), 3);
    let loss: tf.Scalar | null = null;
    for (let epoch = 0; epoch <= 100; epoch++) {
      loss?.dispose();
      loss = optimizer.minimize(() => {
        const err = tf.sub(tf.add(tf.matMul(x, w), b), y);
        return tf.sum(tf.mul(err, err));
      }, true);
    }
    return loss!.dataSync()[0];
  });
  tf.dispose([w, b]);
  optimizer.dispose();
  return last;
}

/** (c) `count` elementwise adds on 3-element tensors. */
export function tfElementwiseAdds(count: number): { run: () => number; dispose: () => void } {
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.tensor1d([0.5, 0.25, 0.125]);
  const run = (): number =>
    tf.tidy(() => {
      let acc = a;
      for (let i = 0; i < count; i++) acc = tf.add(acc, b);
      return acc.dataSync()[0];
    });
  return { run, dispose: () => tf.dispose([a, b]) };
}

/** (g) The same conv2d layer, forward and backward, in tfjs's own NHWC layout (weight [3, 3, 8, 16], 'same' = padding 1). */
export function tfConv2dStep(): { run: () => number; dispose: () => void } {
  const x = tf.randomNormal<tf.Rank.R4>([CONV.batch, CONV.size, CONV.size, CONV.channels], 0, 1, 'float32', 5);
  const w = tf.randomNormal<tf.Rank.R4>([CONV.kernel, CONV.kernel, CONV.channels, CONV.filters], 0, 1, 'float32', 6);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')));
  const run = (): number =>
    tf.tidy(() => {
      const [, dw] = grads([x, w]);
      return dw.dataSync()[0];
    });
  return { run, dispose: () => tf.dispose([x, w]) };
}
