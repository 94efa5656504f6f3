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

function targets(): Tensor[] {
  const out: Tensor[] = [];
  let sum = zeros([batch, 1]);
  for (let t = 0; t < length; t++) {
    sum = sum.add(inputs.index(t));
    out.push(sum.div(t + 1));
  }
  return out;
}
const expected = targets();

export function train() {
  for (let epoch = 0; epoch < 40; epoch++) {
    optimizer.zeroGrad();
    let h = zeros([batch, hidden]);
    let loss: Tensor | number = 0;
    for (let t = 0; t < length; t++) {
      h = inputs.index(t).matmul(wx).add(h.matmul(wh)).tanh();
      loss = mse(h.matmul(wo), expected[t]).add(loss);
    }
    (loss as Tensor).div(length).backward();
    optimizer.step();
  }
}
