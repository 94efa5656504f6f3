// A two-layer MLP that learns to tell two interleaved spirals apart, trained with Adam on generated data.
import { Adam, crossEntropy, manualSeed, randn, tensor, Tensor, zeros } from "gradscope";

manualSeed(1);

/** n points per class on two spirals (class 0 and class 1), with a little noise. */
function spirals(n: number): { x: Tensor; labels: number[] } {
  const points: number[][] = [];
  const labels: number[] = [];
  const noise = randn([2 * n, 2]).mul(0.05).toArray() as number[][];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 1.5 + 0.1;
      const angle = (i / n) * 3 * Math.PI + c * Math.PI;
      const [dx, dy] = noise[c * n + i];
      points.push([r * Math.cos(angle) + dx, r * Math.sin(angle) + dy]);
      labels.push(c);
    }
  }
  return { x: tensor(points), labels };
}

const data = spirals(100);
const hidden = 32;
const w1 = randn([2, hidden], { requiresGrad: true });
const b1 = zeros([hidden], { requiresGrad: true });
const w2 = randn([hidden, hidden]).mul(0.25).detach();
w2.requiresGrad = true;
const b2 = zeros([hidden], { requiresGrad: true });
const w3 = randn([hidden, 2]).mul(0.25).detach();
w3.requiresGrad = true;
const params = [w1, b1, w2, b2, w3];
const optimizer = new Adam(params, { lr: 0.02 });

function forward(x: Tensor): Tensor {
  const h1 = x.matmul(w1).add(b1).tanh();
  const h2 = h1.matmul(w2).add(b2).relu();
  return h2.matmul(w3);
}

export function train() {
  let accuracy = 0;
  for (let epoch = 0; epoch < 300; epoch++) {
    optimizer.zeroGrad();
    const logits = forward(data.x);
    const loss = crossEntropy(logits, data.labels);
    loss.backward();
    optimizer.step();
    const predicted = logits.toArray() as number[][];
    accuracy = predicted.filter((row, i) => (row[1] > row[0] ? 1 : 0) === data.labels[i]).length / data.labels.length;
  }
  console.log(`training accuracy: ${(accuracy * 100).toFixed(1)}%`);
}
