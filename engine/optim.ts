// Optimizers update parameters in place, outside the graph: they read `grad` and write `data`, and mark each
// parameter they change (so a backward() through ops that used the old values refuses to run). They are recorded
// entry points, so that mark carries the user's line.
import { changed } from './in-place';
import { allocate } from './memory';
import { api } from './recorder';
import type { Tensor } from './tensor';

/** One plain gradient-descent update, in place: p -= lr * p.grad (parameters without a gradient are left alone). */
export const sgd = api(function sgd(params: readonly Tensor[], lr: number): void {
  for (const p of params) {
    if (p.grad === null) continue;
    const d = p.data;
    const g = p.grad.data;
    for (let i = 0; i < d.length; i++) d[i] -= lr * g[i];
    changed(p, 'sgd');
  }
});

/** What every optimizer offers. */
export abstract class Optimizer {
  constructor(readonly params: readonly Tensor[]) {}
  abstract step(): void;
  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

/** Stochastic gradient descent with optional momentum and weight decay (PyTorch's update rule). */
export class SGD extends Optimizer {
  private readonly velocity: Map<Tensor, Float64Array> = new Map();
  constructor(params: readonly Tensor[], readonly options: SGDOptions) {
    super(params);
  }

  step(): void {
    const { lr, momentum = 0, weightDecay = 0 } = this.options;
    for (const p of this.params) {
      if (p.grad === null) continue;
      const d = p.data;
      const g = p.grad.data;
      let v = this.velocity.get(p);
      if (momentum !== 0 && v === undefined) this.velocity.set(p, (v = allocate(d.length)));
      for (let i = 0; i < d.length; i++) {
        let gi = g[i] + weightDecay * d[i];
        if (v !== undefined) gi = v[i] = momentum * v[i] + gi;
        d[i] -= lr * gi;
      }
      changed(p, 'SGD.step');
    }
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam (Kingma & Ba), with bias correction; weight decay is added to the gradient as in PyTorch's Adam. */
export class Adam extends Optimizer {
  private readonly moments: Map<Tensor, { m: Float64Array; v: Float64Array }> = new Map();
  private t = 0;
  constructor(params: readonly Tensor[], readonly options: AdamOptions = {}) {
    super(params);
  }

  step(): void {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 } = this.options;
    const [b1, b2] = betas;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    for (const p of this.params) {
      if (p.grad === null) continue;
      const d = p.data;
      const g = p.grad.data;
      let s = this.moments.get(p);
      if (s === undefined) this.moments.set(p, (s = { m: allocate(d.length), v: allocate(d.length) }));
      const { m, v } = s;
      for (let i = 0; i < d.length; i++) {
        const gi = g[i] + weightDecay * d[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        d[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
      changed(p, 'Adam.step');
    }
  }
}

for (const optimizer of [SGD, Adam]) optimizer.prototype.step = api(optimizer.prototype.step);
