// A small tanh RNN unrolled over 30 time steps, trained to output the running mean of its input sequence.
// The same weights are used at every time step, so their gradient is the sum over all 30 of them.
import { Adam, manualSeed, mse, randn, Tensor, zeros } from "gradscope";

manualSeed(5);
const batch = 8;
const hidden = 12;
const length = 30;
const inputs = randn([length, batch, 1]);

const wx = randn([1, hidden]).mul(0.5).detach();
const wh = randn([hidden, hidden]).mul(0.2).detach();
const wo = randn([hidden, 1]).mul(0.3).detach();
const params = [wx, wh, wo];
for (const p of params) p.requiresGrad = true;
const optimizer = new Adam(params, { lr: 0.01 });

/** The running mean of the inputs up to each time step: what the RNN learns to output. */
export function runningMeans(inputs: Tensor): Tensor[] {
  const out: Tensor[] = [];
  let sum = zeros(inputs.shape.slice(1));
  for (let t = 0; t < inputs.shape[0]; t++) {
    sum = sum.add(inputs.index(t));
    out.push(sum.div(t + 1));
  }
  return out;
}

/** The RNN unrolled over every time step of `inputs` [time, batch, 1]: the mean squared error against `expected`. */
export function sequenceLoss(inputs: Tensor, expected: Tensor[], wx: Tensor, wh: Tensor, wo: Tensor): Tensor {
  const steps = inputs.shape[0];
  let h = zeros([inputs.shape[1], wh.shape[0]]);
  let loss: Tensor | number = 0;
  for (let t = 0; t < steps; t++) {
    h = inputs.index(t).matmul(wx).add(h.matmul(wh)).tanh();
    loss = mse(h.matmul(wo), expected[t]).add(loss);
  }
  return (loss as Tensor).div(steps);
}

const expected = runningMeans(inputs);

export function train() {
  for (let epoch = 0; epoch < 40; epoch++) {
    optimizer.zeroGrad();
    sequenceLoss(inputs, expected, wx, wh, wo).backward();
    optimizer.step();
  }
}
