// A diverging run: the loss, or the total gradient norm of the parameters, grows by orders of magnitude from its
// lowest point and never comes back. Reported at the step the growth started, which is usually well before the
// loss becomes Inf or NaN (nan-loss reports that), while the learning rate can still be blamed.
import { formatMagnitude } from '../../engine/format';
import type { Finding, StepSummary } from '../../engine/trace';
import { Detector, finding, RunView } from './detector';

/** Diverging: grown this many times over its lowest value so far... */
export const DIVERGING_GROWTH = 1e2;
/** ...to at least this many times its first value, and never back below this many times its lowest. */
export const DIVERGING_ABOVE_FIRST = 10;

export interface Divergence {
  /** The step (0-based) after the lowest value, where the growth started; and where it reached DIVERGING_GROWTH. */
  start: number;
  grown: number;
  low: number;
  high: number;
  /** The first step whose value is NaN or Inf, if any. */
  broke?: number;
}

/**
 * Where `values` (one per step, null where there is none) diverged: the first time a finite value is
 * DIVERGING_GROWTH times the lowest before it and DIVERGING_ABOVE_FIRST times the first, when no later finite value
 * comes back below DIVERGING_ABOVE_FIRST times that lowest. A spike the run recovers from is not a divergence.
 */
export function divergence(values: readonly (number | null)[]): Divergence | null {
  let low = Infinity;
  let lowAt = -1;
  let first: number | undefined;
  const broke = values.findIndex((v) => v !== null && !Number.isFinite(v));
  const end = broke < 0 ? values.length : broke;
  for (let j = 0; j < end; j++) {
    const v = values[j];
    if (v === null) continue;
    first ??= v;
    if (v < low) {
      low = v;
      lowAt = j;
      continue;
    }
    if (!(low > 0) || v < DIVERGING_GROWTH * low || v < DIVERGING_ABOVE_FIRST * first) continue;
    if (values.slice(j + 1, end).some((later) => later !== null && later < DIVERGING_ABOVE_FIRST * low)) continue;
    const found: Divergence = { start: lowAt + 1, grown: j, low, high: v };
    if (broke >= 0) found.broke = broke;
    return found;
  }
  return null;
}

/** Each step's total parameter gradient norm (null where no parameter got a gradient; NaN/Inf where one is). */
function gradNorm(step: StepSummary): number | null {
  let sumSq = 0;
  let any = false;
  for (const key of Object.keys(step.paramNorms)) {
    const g = step.gradNorms[key];
    if (g === undefined) continue;
    sumSq += g * g;
    any = true;
  }
  return any ? Math.sqrt(sumSq) : null;
}

export function diverging(): Detector {
  return {
    findings(run: RunView): Finding[] {
      const { steps } = run.trace;
      const root = run.lastKept?.root;
      if (root === undefined) return [];
      const loss = divergence(steps.map((s) => (s.loss === null ? null : Math.abs(s.loss))));
      const grad = divergence(steps.map(gradNorm));
      const [what, d] = loss !== null && (grad === null || loss.start <= grad.start) ? ['loss', loss] : ['gradient norm', grad];
      if (d === null) return [];
      const at = (i: number) => steps[i].index + 1;
      const then = d.broke === undefined ? '' : `; from step ${at(d.broke)} it is NaN or Inf`;
      const message =
        `diverging: the ${what} grows from step ${at(d.start)}: ${formatMagnitude(d.low)} at step ${at(d.start - 1)}, ` +
        `${formatMagnitude(d.high)} (${formatMagnitude(d.high / d.low)}x) at step ${at(d.grown)}${then}: lower the learning rate, or clip the gradients`;
      return [finding(run, root, { kind: 'diverging', severity: 'warning', step: steps[d.start].index, message })];
    },
  };
}
