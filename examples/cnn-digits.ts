// A small CNN reading real handwritten digits (8×8, see data/README.md): conv → relu → pool, twice, then a
// linear layer. Run it with `npx gradscope run examples/cnn-digits.ts`; the graph names every layer's weights.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Adam, crossEntropy, manualSeed, nn, noGrad, tensor, Tensor } from "gradscope";

manualSeed(0);
const rows = gunzipSync(readFileSync(join(__dirname, "data", "digits.csv.gz")))
  .toString()
  .trim()
  .split("\n")
  .map((line) => line.split(",").map(Number));
const images = (part: number[][]) => tensor(part.flatMap((r) => r.slice(0, 64).map((v) => v / 16)), { shape: [part.length, 1, 8, 8] });
const labelsOf = (part: number[][]) => part.map((r) => r[64]);
const training = rows.slice(0, 1500);
const test = rows.slice(1500);
const testImages = images(test);

class DigitNet extends nn.Module {
  readonly conv1 = new nn.Conv2d(1, 8, 3, { padding: 1 });
  readonly conv2 = new nn.Conv2d(8, 16, 3, { padding: 1 });
  readonly pool = new nn.MaxPool2d(2);
  readonly fc = new nn.Linear(16 * 2 * 2, 10);

  forward(x: Tensor): Tensor {
    const h1 = this.pool.forward(this.conv1.forward(x).relu()); // [N, 8, 4, 4]
    const h2 = this.pool.forward(this.conv2.forward(h1).relu()); // [N, 16, 2, 2]
    return this.fc.forward(h2.flatten(1));
  }
}

const model = new DigitNet();
const optimizer = new Adam(model.parameters(), { lr: 0.01 });

function accuracy(): number {
  const predicted = noGrad(() => model.forward(testImages).argmax(1)).data;
  return labelsOf(test).filter((label, i) => predicted[i] === label).length / test.length;
}

export function train() {
  const batch = 64;
  for (let step = 0; step < 400; step++) {
    const start = (step * batch) % (training.length - batch);
    const part = training.slice(start, start + batch);
    optimizer.zeroGrad();
    const loss = crossEntropy(model.forward(images(part)), labelsOf(part));
    loss.backward(); // each backward() is one recorded step
    optimizer.step();
  }
  console.log(`test accuracy: ${(100 * accuracy()).toFixed(1)}% on ${test.length} digits`);
}
