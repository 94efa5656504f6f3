// Vanishing gradients: parameters that learn orders of magnitude slower than the fastest-learning one, step after
// step. One finding per line of code that made such parameters, at the step where it is worst, with the steps it
// lasted (a deep sigmoid stack's first layers may wake up once the last ones have fitted).
import { namesText, tensorText } from '../../engine/format';
import type { Finding, TraceNode } from '../../engine/trace';
import { Detector, finding } from './detector';
import { explosion } from './exploding';
import { groupBySite, paramGradients, sameSite } from './gradient-scale';
import { stepRange } from './health-series';

/**
 * A parameter's gradient vanishes when its RMS (norm per sqrt(element)) is this far below the largest among the
 * parameters: it learns that much slower than the rest. RMS, not gradient/value, because zero-initialised
 * biases would make every ratio to them meaningless.
 */
export const VANISHING_RATIO = 1e-3;

/**
 * ...for at least this many steps (or every step of a shorter run): a gradient that is tiny for a step or two, as
 * when one parameter's loss term happens to be flat, is not a layer that cannot learn.
 */
export const VANISHING_MIN_STEPS = 3;

interface Vanishing {
  node: TraceNode;
  /** RMS gradient over the largest parameter's, at its worst step: 0 when the gradient is exactly zero. */
  ratio: number;
  step: number;
  /** The steps (0-based indices) where it was below VANISHING_RATIO. */
  steps: number[];
  /** The steps whose backward reached it. */
  reached: number;
}

/** "; in 18 of 50 steps, steps 1–18", or nothing for a run of one step. */
function when(v: Vanishing): string {
  return v.reached > 1 ? `; in ${v.steps.length} of ${v.reached} steps, ${stepRange(v.steps)}` : '';
}

/** The message for the vanishing parameters made on one line (`made` parameters in all), `worst` the slowest. */
function describe(group: Vanishing[], worst: Vanishing, made: number): string {
  const one = group.length === 1;
  const names = namesText(group.map((v) => v.node.name));
  const who = one
    ? `parameter ${tensorText(worst.node.name, worst.node.shape)}`
    : `${group.length} of the ${made} parameters made here${names === undefined ? '' : ` (${names})`}`;
  const small = group.filter((v) => v.ratio > 0);
  const longest = group.reduce((a, b) => (b.steps.length > a.steps.length ? b : a));
  // An exactly-zero gradient is not "infinitely smaller": it is none at all.
  if (small.length === 0) {
    const steps = longest.reached > 1 ? `in ${longest.steps.length} of ${longest.reached} steps, ${stepRange(longest.steps)}` : `at step ${worst.step + 1}`;
    return `vanishing gradient: ${who} ${one ? 'gets' : 'get'} no gradient (exactly zero) ${steps}: ${one ? 'it does not learn' : 'they do not learn'}`;
  }
  const times = (r: number) => `${(1 / r).toExponential(1)}x`;
  const least = Math.min(...small.map((v) => v.ratio));
  const most = Math.max(...small.map((v) => v.ratio));
  const span = small.length === 1 ? times(least) : `${times(most)} to ${times(least)}`;
  const zero = group.length - small.length;
  const get = (n: number) => (n === 1 ? 'gets' : 'get');
  const step = `(worst at step ${worst.step + 1}${when(longest)})`;
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
      if (scale === null || scale.params.length < 2) return [];
      const { params } = scale;
      // At every step, how far below that step's fastest-learning parameter each one is. A parameter vanishes
      // when it stays that far below for several steps; the finding is at its worst step.
      const below = new Map(params.map((n) => [n, { ratios: [] as [number, number][], reached: 0 }]));
      for (const step of run.trace.steps) {
        const rms = params.map((n) => (step.gradNorms[n.key] ?? NaN) / Math.sqrt(Math.max(n.value.count, 1)));
        const largest = Math.max(...rms.filter(Number.isFinite));
        if (!(largest > 0)) continue;
        params.forEach((n, i) => {
          if (!Number.isFinite(rms[i])) return;
          const b = below.get(n)!;
          b.reached++;
          if (rms[i] / largest < VANISHING_RATIO) b.ratios.push([step.index, rms[i] / largest]);
        });
      }
      const vanishing: Vanishing[] = [];
      for (const n of params) {
        // NaN/Inf is reported where it started; an exploding gradient is reported as that.
        if (!Number.isFinite(scale.last.gradNorms[n.key] ?? 0) || explosion(run.trace, n) !== null) continue;
        const { ratios, reached } = below.get(n)!;
        if (ratios.length === 0 || ratios.length < Math.min(VANISHING_MIN_STEPS, reached)) continue;
        const [step, ratio] = ratios.reduce((a, b) => (b[1] < a[1] ? b : a));
        vanishing.push({ node: n, ratio, step, steps: ratios.map(([s]) => s), reached });
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
