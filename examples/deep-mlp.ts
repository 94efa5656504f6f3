// Twenty layers deep, twice: a plain stack of tanh layers next to the same stack with residual connections
// (h + layer(h)), trained side by side on one regression. The plain stack's early layers get gradients
// thousands of times smaller than the rest: Gradscope flags them as vanishing. The residual stack's do not.
import { Adam, manualSeed, mse, nn, randn, Tensor } from "gradscope";

manualSeed(1);
const depth = 20;
const width = 16;

class Plain extends nn.Module {
  readonly layers = new nn.ModuleList(Array.from({ length: depth }, () => new nn.Linear(width, width)));
  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h).tanh();
    return h;
  }
}

class Residual extends nn.Module {
  readonly layers = new nn.ModuleList(Array.from({ length: depth }, () => new nn.Linear(width, width)));
  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) h = h.add(layer.forward(h).tanh());
    return h;
  }
}

class SideBySide extends nn.Module {
  readonly plain = new Plain();
  readonly residual = new Residual();
}

const x = randn([32, width]);
const y = randn([32, width]).mul(0.5);
const models = new SideBySide();
const optimizer = new Adam(models.parameters(), { lr: 1e-3 });

export function train() {
  for (let step = 0; step < 20; step++) {
    optimizer.zeroGrad();
    const loss = mse(models.plain.forward(x), y).add(mse(models.residual.forward(x), y));
    loss.backward();
    optimizer.step();
  }
}
