// Training runs for the Health view's tests and benchmark: a deep tanh MLP trained with SGD under the real
// TraceRecorder, so every step carries the training health the view draws (gradients, update ratios,
// histograms). Not a test file itself.
import { crossEntropy, manualSeed, nn, randn, sgd, Tensor, zeros } from '../../engine';
import type { Trace } from '../../engine/trace';
import { recordTrace } from './make-trace';

/**
 * `steps` SGD steps of an MLP of `layers` Linear layers (2 × layers parameters, named `layers.k.weight` and
 * `layers.k.bias`) with tanh between them; `unused` adds a parameter the loss never reaches (no gradient).
 */
export function healthTrainingTrace(steps: number, layers: number, options: { width?: number; batch?: number; unused?: boolean } = {}): Trace {
  const { width = 8, batch = 8, unused = false } = options;
  manualSeed(3);
  class Mlp extends nn.Module {
    readonly layers = new nn.ModuleList(Array.from({ length: layers }, (_, k) => new nn.Linear(k === 0 ? 3 : width, k === layers - 1 ? 3 : width)));
    readonly spare = unused ? new nn.Linear(width, width) : undefined;
    forward(x: Tensor): Tensor {
      let h = x;
      for (let k = 0; k < layers; k++) {
        h = this.layers.at(k).forward(h);
        if (k < layers - 1) h = h.tanh();
      }
      return h;
    }
  }
  const x = randn([batch, 3]);
  const labels = Array.from({ length: batch }, (_, i) => i % 3);
  return recordTrace(() => {
    // Made while recording, so its parameters are named by their paths.
    const model = new Mlp();
    for (let s = 0; s < steps; s++) {
      model.zeroGrad();
      crossEntropy(model.forward(x), labels).backward();
      sgd(model.parameters(), 0.05);
    }
  });
}

/**
 * `steps` SGD steps of a tanh RNN unrolled over `timeSteps`: one line of code makes every hidden state, with the
 * same two weights each time (parameters `wx`, `wh`, `wo`).
 */
export function recurrentTrainingTrace(steps: number, timeSteps: number): Trace {
  manualSeed(4);
  const inputs = randn([timeSteps, 4, 2]);
  const targets = randn([4, 1]);
  return recordTrace(() => {
    const wx = randn([2, 6]).mul(0.5).detach();
    const wh = randn([6, 6]).mul(0.3).detach();
    const wo = randn([6, 1]).mul(0.3).detach();
    for (const p of [wx, wh, wo]) p.requiresGrad = true;
    for (let s = 0; s < steps; s++) {
      for (const p of [wx, wh, wo]) p.zeroGrad();
      let h = zeros([4, 6]);
      for (let t = 0; t < timeSteps; t++) h = inputs.index(t).matmul(wx).add(h.matmul(wh)).tanh();
      h.matmul(wo).sub(targets).pow(2).mean().backward();
      sgd([wx, wh, wo], 0.05);
    }
  });
}
