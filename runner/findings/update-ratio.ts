// Learning rates far off: a weight whose update ratio (std of the optimizer's change over std of its values,
// StepHealth in engine/trace.ts) stays far outside the healthy band around 1e-3 for most steps. Far above, each
// step rewrites a large part of the weight (the run is noisy or diverges); far below, it barely moves. Only
// weights with two or more axes are judged: biases start at zero, and their ratio means little until they grow.
import { formatMagnitude, namesText, tensorText } from '../../engine/format';
import type { Finding } from '../../engine/trace';
import { Detector, finding, RunView } from './detector';
import { groupBySite } from './gradient-scale';
import { healthSeries, median, stepRange } from './health-series';

/** Healthy update ratios sit around 1e-3 a step (Karpathy's rule of thumb); these are a hundred times off it. */
export const UPDATE_RATIO_HIGH = 1e-1;
export const UPDATE_RATIO_LOW = 1e-5;
/** Flagged when this share of the steps with an update are outside the band on the same side... */
export const UPDATE_RATIO_STEPS = 0.8;
/** ...and there are at least this many such steps. */
export const UPDATE_RATIO_MIN_STEPS = 5;

interface OffBand {
  key: string;
  high: boolean;
  median: number;
  steps: number[];
  recorded: number;
}

export function updateRatio(): Detector {
  return { findings: offBand };
}

function offBand(run: RunView): Finding[] {
  const tensors = run.trace.health?.tensors ?? {};
  const found: OffBand[] = [];
  const ratios = healthSeries(run.trace, (h) => Object.fromEntries(Object.entries(h.params).map(([k, p]) => [k, p.updateRatio])));
  for (const [key, series] of ratios) {
    if ((tensors[key]?.shape.length ?? 0) < 2 || series.length < UPDATE_RATIO_MIN_STEPS) continue;
    const needed = Math.max(UPDATE_RATIO_MIN_STEPS, Math.ceil(series.length * UPDATE_RATIO_STEPS));
    for (const high of [true, false]) {
      const off = series.filter(([, r]) => (high ? r > UPDATE_RATIO_HIGH : r < UPDATE_RATIO_LOW));
      if (off.length >= needed) found.push({ key, high, median: median(series.map(([, r]) => r)), steps: off.map(([s]) => s), recorded: series.length });
    }
  }
  const out: Finding[] = [];
  for (const group of groupBySite(found, (f) => ({ key: `${f.high}/${f.key}` }))) {
    // The one furthest from the band speaks for the group.
    const worst = group.reduce((a, b) => (Math.abs(Math.log10(b.median) + 3) > Math.abs(Math.log10(a.median) + 3) ? b : a));
    const tensor = run.healthTensors.get(worst.key);
    const about = tensors[worst.key];
    if (tensor === undefined || about === undefined) continue;
    const others = namesText(group.filter((g) => g !== worst).map((g) => tensors[g.key]?.name));
    const more = group.length > 1 ? ` (and ${group.length - 1} more parameters made here${others === undefined ? '' : `: ${others}`})` : '';
    const bound = worst.high ? `above ${formatMagnitude(UPDATE_RATIO_HIGH)}` : `below ${formatMagnitude(UPDATE_RATIO_LOW)}`;
    const advice = worst.high ? 'each step rewrites much of it: lower the learning rate' : 'it barely moves: raise the learning rate';
    const message =
      `update ratio too ${worst.high ? 'high' : 'low'}: parameter ${tensorText(about.name, about.shape)} changes by ${formatMagnitude(worst.median)} of its spread per step ` +
      `(median; ${bound} in ${worst.steps.length} of ${worst.recorded} steps, ${stepRange(worst.steps)}; healthy is around 1e-3)${more}: ${advice}`;
    out.push(finding(run, tensor, { kind: 'update-ratio', severity: 'warning', step: worst.steps[0], message }));
  }
  return out;
}
