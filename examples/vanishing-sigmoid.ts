// A deep stack of sigmoid layers. Sigmoid's slope is at most 1/4, so every layer shrinks the gradient on its
// way back: the last layers learn, the first ones barely move. Gradscope flags them as vanishing; replace
// sigmoid() with relu() or tanh() in forward() and watch the warning go away.
import { manualSeed, mse, randn, sgd, Tensor, zeros } from "gradscope";

manualSeed(3);
const depth = 8;
const width = 16;
const x = randn([64, width]);
const target = x.matmul(randn([width, 1]).div(Math.sqrt(width))).sigmoid();

// Xavier-style initial weights: no saturation to blame, the sigmoids' slopes alone make the gradient vanish.
const layers = Array.from({ length: depth }, () => ({
  w: randn([width, width]).div(Math.sqrt(width)).detach(),
  b: zeros([width]),
}));
const head = randn([width, 1]).div(Math.sqrt(width)).detach();
const params = [...layers.flatMap((l) => [l.w, l.b]), head];
for (const p of params) p.requiresGrad = true;

function forward(input: Tensor): Tensor {
  let h = input;
  for (const layer of layers) h = h.matmul(layer.w).add(layer.b).sigmoid();
  return h.matmul(head).sigmoid();
}

export function train() {
  for (let step = 0; step < 50; step++) {
    for (const p of params) p.zeroGrad();
    const loss = mse(forward(x), target);
    loss.backward();
    sgd(params, 0.5);
  }
}
