// Colour scales for gradients: magnitudes span many orders, so they are mapped on a log scale onto viridis
// (perceptually uniform, readable by colour-blind users); changes between steps onto a diverging map.
import { formatMagnitude } from '../engine/format';

const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
// Blue (shrank) through grey (unchanged) to red (grew), symmetric in lightness.
const DIVERGING = ['#2166ac', '#4393c3', '#92c5de', '#d1d1d1', '#f4a582', '#d6604d', '#b2182b'];

export const NAN_COLOR = '#e51400';
export const NO_GRAD_COLOR = '#8a8a8a';

function hex(c: string): [number, number, number] {
  return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
}

/** The colour at t in [0, 1] along the stops (linear in RGB between neighbours). */
export function interpolate(stops: readonly string[], t: number): string {
  const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const [a, b] = [hex(stops[i]), hex(stops[i + 1])];
  const mix = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `#${mix.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** A log-scale mapping of positive magnitudes onto viridis, spanning the finite positive values it was built from. */
export interface LogScale {
  kind: 'log';
  /** log10 of the smallest and largest value. */
  lo: number;
  hi: number;
}

/** A symmetric scale of log10 ratios (change from the previous step) onto the diverging map. */
export interface DiffScale {
  kind: 'diff';
  /** Largest |log10 ratio| shown at full colour. */
  span: number;
}

export type Scale = LogScale | DiffScale;

export function logScale(values: Iterable<number>): LogScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const l = Math.log10(v);
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  if (lo === Infinity) return { kind: 'log', lo: 0, hi: 1 };
  if (hi - lo < 1e-9) return { kind: 'log', lo: lo - 0.5, hi: hi + 0.5 };
  return { kind: 'log', lo, hi };
}

export function diffScale(ratios: Iterable<number>): DiffScale {
  let span = 0;
  for (const r of ratios) if (r > 0 && Number.isFinite(r)) span = Math.max(span, Math.abs(Math.log10(r)));
  return { kind: 'diff', span: Math.max(span, 0.01) };
}

/**
 * Colour of a value on a scale: NaN and infinities in red, absent or zero magnitudes (no gradient) in grey.
 * For a diff scale the value is the ratio to the previous step.
 */
export function colorFor(value: number | undefined, scale: Scale): string {
  if (value === undefined) return NO_GRAD_COLOR;
  if (Number.isNaN(value) || value === Infinity || value === -Infinity) return NAN_COLOR;
  if (scale.kind === 'log') {
    if (value <= 0) return NO_GRAD_COLOR;
    return interpolate(VIRIDIS, (Math.log10(value) - scale.lo) / (scale.hi - scale.lo));
  }
  if (value <= 0) return NO_GRAD_COLOR;
  return interpolate(DIVERGING, 0.5 + Math.log10(value) / (2 * scale.span));
}

/** CSS gradient of a scale, for the legend. */
export function legendGradient(scale: Scale): string {
  const stops = scale.kind === 'log' ? VIRIDIS : DIVERGING;
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Legend labels at the two ends of a scale. */
export function legendEnds(scale: Scale): [string, string] {
  if (scale.kind === 'log') return [formatMagnitude(10 ** scale.lo), formatMagnitude(10 ** scale.hi)];
  const r = 10 ** scale.span;
  return [`÷${formatMagnitude(r)}`, `×${formatMagnitude(r)}`];
}
