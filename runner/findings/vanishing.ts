// Vanishing gradients: parameters that learn orders of magnitude slower than the fastest-learning one. One
// finding per line of code that made such parameters, at the step (first or last) where it is worse.
import { formatShape } from '../../engine/format';
import type { Finding, StepSummary, TraceNode } from '../../engine/trace';
import { Detector, finding } from './detector';
import { explosion } from './exploding';
import { groupBySite, paramGradients, sameSite } from './gradient-scale';

/**
 * A parameter's gradient vanishes when its RMS (norm per sqrt(element)) is this far below the largest among the
 * parameters: it learns that much slower than the rest. RMS, not gradient/value, because zero-initialised
 * biases would make every ratio to them meaningless.
 */
export const VANISHING_RATIO = 1e-3;

export function vanishing(): Detector {
  return {
    findings(run) {
      const scale = paramGradients(run.trace);
      if (scale === null) return [];
      const { first, last, params } = scale;
      // How far below the fastest-learning parameter each one is, at the first step (the architecture and its
      // initialisation) and at the last (where training got to); the worse of the two counts.
      const relative = (step: StepSummary) => {
        const rms = new Map(params.map((n) => [n, (step.gradNorms[n.key] ?? NaN) / Math.sqrt(Math.max(n.value.count, 1))]));
        const largest = Math.max(...[...rms.values()].filter(Number.isFinite));
        return (n: TraceNode) => (rms.get(n) ?? NaN) / largest;
      };
      const atFirst = relative(first);
      const atLast = relative(last);
      const vanishing: { node: TraceNode; ratio: number; step: number }[] = [];
      for (const n of params) {
        // NaN/Inf is reported where it started; an exploding gradient is reported as that.
        if (last.gradNorms[n.key] === null || explosion(run.trace, n) !== null) continue;
        const [ratio, step] = atFirst(n) <= atLast(n) ? [atFirst(n), first.index] : [atLast(n), last.index];
        if (params.length > 1 && ratio < VANISHING_RATIO) vanishing.push({ node: n, ratio, step });
      }
      const out: Finding[] = [];
      for (const group of groupBySite(vanishing, (v) => v.node)) {
        const worst = group.reduce((a, b) => (b.ratio < a.ratio ? b : a));
        const times = (r: number) => `${(1 / r).toExponential(1)}x`;
        const made = params.filter((n) => sameSite(n, worst.node)).length;
        const span = group.length === 1 ? times(worst.ratio) : `${times(Math.max(...group.map((v) => v.ratio)))} to ${times(worst.ratio)}`;
        const who = group.length === 1 ? `parameter ${formatShape(worst.node.shape)} gets an RMS gradient` : `${group.length} of the ${made} parameters made here get RMS gradients`;
        const message = `vanishing gradient: ${who} ${span} smaller than the fastest-learning parameter's (step ${worst.step + 1}): ${group.length === 1 ? 'it barely learns' : 'they barely learn'}`;
        out.push(finding(run, worst.node, { kind: 'vanishing', severity: 'warning', step: worst.step, message }));
      }
      return out;
    },
  };
}
