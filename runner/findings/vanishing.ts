// Vanishing gradients: parameters that learn orders of magnitude slower than the fastest-learning one. One
// finding per line of code that made such parameters, at the step (first or last) where it is worse.
import { namesText, tensorText } from '../../engine/format';
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

interface Vanishing {
  node: TraceNode;
  /** RMS gradient over the largest parameter's: 0 when the gradient is exactly zero. */
  ratio: number;
  step: number;
}

/** The message for the vanishing parameters made on one line (`made` parameters in all), `worst` the slowest. */
function describe(group: Vanishing[], worst: Vanishing, made: number): string {
  const one = group.length === 1;
  const names = namesText(group.map((v) => v.node.name));
  const who = one
    ? `parameter ${tensorText(worst.node.name, worst.node.shape)}`
    : `${group.length} of the ${made} parameters made here${names === undefined ? '' : ` (${names})`}`;
  const small = group.filter((v) => v.ratio > 0);
  // An exactly-zero gradient is not "infinitely smaller": it is none at all.
  if (small.length === 0) return `vanishing gradient: ${who} ${one ? 'gets' : 'get'} no gradient at step ${worst.step + 1} (exactly zero): ${one ? 'it does not learn' : 'they do not learn'}`;
  const times = (r: number) => `${(1 / r).toExponential(1)}x`;
  const least = Math.min(...small.map((v) => v.ratio));
  const most = Math.max(...small.map((v) => v.ratio));
  const span = small.length === 1 ? times(least) : `${times(most)} to ${times(least)}`;
  const zero = group.length - small.length;
  const get = (n: number) => (n === 1 ? 'gets' : 'get');
  const step = `(step ${worst.step + 1})`;
  if (zero > 0) {
    const some = `${small.length} ${get(small.length)} RMS gradients ${span} smaller than the fastest-learning parameter's`;
    return `vanishing gradient: ${who} barely learn: ${some}, ${zero} ${get(zero)} no gradient at all ${step}`;
  }
  const rms = one ? 'gets an RMS gradient' : 'get RMS gradients';
  return `vanishing gradient: ${who} ${rms} ${span} smaller than the fastest-learning parameter's ${step}: ${one ? 'it barely learns' : 'they barely learn'}`;
}

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
      const vanishing: Vanishing[] = [];
      for (const n of params) {
        // NaN/Inf is reported where it started; an exploding gradient is reported as that.
        if (!Number.isFinite(last.gradNorms[n.key] ?? 0) || explosion(run.trace, n) !== null) continue;
        const [ratio, step] = atFirst(n) <= atLast(n) ? [atFirst(n), first.index] : [atLast(n), last.index];
        if (params.length > 1 && ratio < VANISHING_RATIO) vanishing.push({ node: n, ratio, step });
      }
      const out: Finding[] = [];
      for (const group of groupBySite(vanishing, (v) => v.node)) {
        const worst = group.reduce((a, b) => (b.ratio < a.ratio ? b : a));
        const made = params.filter((n) => sameSite(n, worst.node)).length;
        out.push(finding(run, worst.node, { kind: 'vanishing', severity: 'warning', step: worst.step, message: describe(group, worst, made) }));
      }
      return out;
    },
  };
}
