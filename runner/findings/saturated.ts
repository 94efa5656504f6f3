// Saturated tanh and sigmoid layers: most of their outputs sit where the curve is flat (|tanh| > 0.97, sigmoid
// within 0.03 of 0 or 1), so they pass back a small fraction of the gradient and the layers before them barely
// learn. Read from every step's training health; a layer made in a loop (an RNN's time steps) is one finding.
import { namesText, tensorText } from '../../engine/format';
import type { Finding } from '../../engine/trace';
import { SIGMOID_SATURATED, TANH_SATURATED } from '../health';
import { Detector, finding, RunView } from './detector';
import { groupBySite } from './gradient-scale';
import { healthSeries, percent, stepRange } from './health-series';

/** A step is saturated when more than this fraction of the layer's outputs are. */
export const SATURATED_FRACTION = 0.5;
/** A layer is flagged when at least this share of its steps are saturated (and 3 of them, or all in a shorter run). */
export const SATURATED_STEPS = 0.5;

interface Saturated {
  key: string;
  /** The steps (0-based) where most outputs were saturated, and the fraction at each. */
  steps: number[];
  fractions: number[];
  recorded: number;
}

export function saturated(): Detector {
  return { findings: saturatedLayers };
}

function saturatedLayers(run: RunView): Finding[] {
  const found: Saturated[] = [];
  for (const [key, series] of healthSeries(run.trace, (h) => Object.fromEntries(Object.entries(h.activations).map(([k, a]) => [k, a.saturated])))) {
    const hits = series.filter(([, f]) => f > SATURATED_FRACTION);
    const needed = Math.max(Math.ceil(series.length * SATURATED_STEPS), Math.min(series.length, 3));
    if (hits.length > 0 && hits.length >= needed) found.push({ key, steps: hits.map(([s]) => s), fractions: hits.map(([, f]) => f), recorded: series.length });
  }
  const out: Finding[] = [];
  for (const group of groupBySite(found, (s) => s)) {
    const worst = group.reduce((a, b) => (b.steps.length > a.steps.length ? b : a));
    const tensor = run.healthTensors.get(worst.key);
    const about = run.trace.health?.tensors[worst.key];
    if (tensor === undefined || about === undefined) continue;
    const beyond = about.op === 'tanh' ? `beyond ±${TANH_SATURATED}` : `within ${SIGMOID_SATURATED} of 0 or 1`;
    const lo = Math.min(...worst.fractions);
    const hi = Math.max(...worst.fractions);
    const share = lo === hi ? percent(lo) : `${percent(lo)} to ${percent(hi)}`;
    const others = namesText(group.filter((g) => g !== worst).map((g) => run.trace.health?.tensors[g.key]?.name));
    const more = group.length > 1 ? ` (and ${group.length - 1} more made here${others === undefined ? '' : `: ${others}`})` : '';
    const message =
      `saturated ${about.op} ${tensorText(about.name, about.shape)}: ${share} of its outputs are ${beyond} in ${worst.steps.length} of ${worst.recorded} steps ` +
      `(${stepRange(worst.steps)})${more}: it passes back little gradient; scale its input down (smaller initial weights, or normalise it)`;
    out.push(finding(run, tensor, { kind: 'saturated', severity: 'warning', step: worst.steps[0], message }));
  }
  return out;
}
