// The gradscope workloads, written once: run.ts times each as it is and again with a recorder on.
// Each factory does its setup (data, parameters) up front and returns the function to time.
import { conv2d, crossEntropy, manualSeed, noGrad, rand, randint, randn, sgd, tensor, Tensor, zeros } from 'gradscope';

export const MLP = { batch: 64, inputs: 784, hidden: 256, classes: 10, lr: 0.01 };

/** A parameter drawn from N(0, 2/fanIn) (He initialisation), so training behaves. */
function heParam(fanIn: number, fanOut: number): Tensor {
  const values = noGrad(() => randn([fanIn, fanOut])).data.map((v) => v * Math.sqrt(2 / fanIn));
  return tensor(values, { shape: [fanIn, fanOut], requiresGrad: true });
}

/** (a) One training step of a 784-256-10 MLP on a fixed batch: forward, cross-entropy, backward, SGD. */
export function mlpStep(): () => number {
  manualSeed(1);
  const x = noGrad(() => rand([MLP.batch, MLP.inputs]));
  const labels = Array.from(noGrad(() => randint(0, MLP.classes, [MLP.batch])).data);
  const w1 = heParam(MLP.inputs, MLP.hidden);
  const b1 = zeros([MLP.hidden], { requiresGrad: true });
  const w2 = heParam(MLP.hidden, MLP.classes);
  const b2 = zeros([MLP.classes], { requiresGrad: true });
  const params = [w1, b1, w2, b2];
  return () => {
    for (const p of params) p.zeroGrad();
    const logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
    const loss = crossEntropy(logits, labels);
    loss.backward();
    sgd(params, MLP.lr);
    return loss.item();
  };
}

/** (b) The linear-regression example, the whole of it: data, parameters and 101 epochs. Returns the last loss. */
export function linearRegression(): number {
  const x = randn([100, 3]);
  const coef = randint(0, 10, [3]);
  const y = x.mul(coef).sub(3);
  const params = { w: randn([3, 3], { requiresGrad: true }), b: randn([3], { requiresGrad: true }) };
  let last = NaN;
  for (let epoch = 0; epoch <= 100; epoch++) {
    for (const p of Object.values(params)) p.zeroGrad();
    const err = x.matmul(params.w).add(params.b).sub(y);
    const loss = err.mul(err).sum();
    loss.backward();
    sgd(Object.values(params), 3e-4);
    last = loss.item();
  }
  return last;
}

/** (c) `count` elementwise adds on 3-element tensors (no gradient tracking: none of them requires grad). */
export function elementwiseAdds(count: number): () => number {
  const a = tensor([1, 2, 3]);
  const b = tensor([0.5, 0.25, 0.125]);
  return () => {
    let acc = a;
    for (let i = 0; i < count; i++) acc = acc.add(b);
    return acc.data[0];
  };
}

/** (d) A chain of `length` ops from one parameter (alternating mul and add, so both gradient paths run). */
export function buildChain(length: number): { x: Tensor; y: Tensor } {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  let y = x;
  for (let i = 0; i < length; i++) y = i % 2 === 0 ? y.mul(1.000001) : y.add(1e-6);
  return { x, y: y.sum() };
}

/** (e) `depth` stacked diamonds, y = y*0.5 + y*0.5, forward and backward; x.grad is exactly 1 (2^depth paths). */
export function diamonds(depth: number): () => number {
  return () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < depth; i++) y = y.mul(0.5).add(y.mul(0.5));
    y.sum().backward();
    return x.grad!.data[0];
  };
}

export const CONV = { batch: 16, channels: 8, size: 16, filters: 16, kernel: 3 };

/** (g) One conv2d layer, forward and backward (gradients of input and weight): x [16, 8, 16, 16], weight [16, 8, 3, 3], padding 1. */
export function conv2dStep(): () => number {
  manualSeed(5);
  const x = randn([CONV.batch, CONV.channels, CONV.size, CONV.size], { requiresGrad: true });
  const w = randn([CONV.filters, CONV.channels, CONV.kernel, CONV.kernel], { requiresGrad: true });
  return () => {
    x.zeroGrad();
    w.zeroGrad();
    const loss = conv2d(x, w, null, { padding: 1 }).sum();
    loss.backward();
    return w.grad!.data[0];
  };
}
