// Finite-difference gradient checking: the reference every op's gradient rule is held to.
import * as assert from 'node:assert/strict';
import { manualSeed, noGrad, rand, randn, Tensor, tensor } from '../../engine';
import type { Shape } from '../../engine';

/** How an input's values are drawn: `any` normal values, `positive` in [0.5, 2), `distinct` well-separated. */
export type Domain = 'any' | 'positive' | 'distinct';

export interface InputSpec {
  shape: Shape;
  domain?: Domain;
}

export function makeInput(spec: InputSpec): Tensor {
  const { shape, domain = 'any' } = spec;
  const base = noGrad(() => (domain === 'positive' ? rand(shape) : randn(shape)));
  const values = Float64Array.from(base.data, (v, i) =>
    domain === 'positive' ? 0.5 + 1.5 * v : domain === 'distinct' ? i * 0.37 - 1 + 0.1 * v : v,
  );
  if (domain === 'distinct') {
    // Shuffle deterministically so maxima are not always at the end.
    for (let i = values.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
  }
  return tensor(values, { shape, requiresGrad: true });
}

/**
 * Checks d(sum(f(inputs) * w))/d(input) from backward() against central differences, for every input, where w
 * are fixed random weights (so every output element carries a different upstream gradient).
 */
export function gradcheck(f: (...inputs: Tensor[]) => Tensor, specs: InputSpec[], seed = 1): void {
  manualSeed(seed);
  const inputs = specs.map(makeInput);
  const probe = noGrad(() => f(...inputs));
  const weights = noGrad(() => randn(probe.shape));
  const objective = (): number => noGrad(() => f(...inputs).mul(weights).sum().item());

  for (const x of inputs) x.zeroGrad();
  f(...inputs).mul(weights).sum().backward();

  const eps = 1e-6;
  inputs.forEach((x, k) => {
    assert.ok(x.grad, `input ${k} received no gradient`);
    for (let i = 0; i < x.size; i++) {
      const saved = x.data[i];
      x.data[i] = saved + eps;
      const up = objective();
      x.data[i] = saved - eps;
      const down = objective();
      x.data[i] = saved;
      const numeric = (up - down) / (2 * eps);
      const analytic = x.grad.data[i];
      const tolerance = 1e-6 + 1e-5 * Math.max(Math.abs(numeric), Math.abs(analytic));
      assert.ok(
        Math.abs(numeric - analytic) <= tolerance,
        `input ${k} element ${i}: backward gives ${analytic}, finite differences ${numeric}`,
      );
    }
  });
}
