// The legend: what the colours mean for the current metric and mode, the ends of the scale, and the keys for
// NaN/Inf, no gradient and edge width.
import type { Metric } from '../engine/view-messages';
import { legendEnds, legendGradient, Scale } from './colors';
import { el } from './dom';

const METRIC_NAMES: Record<Metric, string> = { grad: 'gradient norm', ratio: 'gradient / value', value: 'value norm' };

/** Fills `root` with the legend of `scale`; `diff`: colours show the change from the previous step. */
export function renderLegend(root: HTMLElement, scale: Scale, metric: Metric, diff: boolean): void {
  const [lo, hi] = legendEnds(scale);
  const title = diff ? `change of ${METRIC_NAMES[metric]} from the previous step` : `${METRIC_NAMES[metric]} (log scale)`;
  const bar = el('div', 'bar');
  bar.style.background = legendGradient(scale);
  const ends = el('div', 'ends');
  ends.append(el('span', '', lo), el('span', '', hi));
  const keys = el('div', 'keys');
  keys.innerHTML = '<span class="swatch nan"></span>NaN/Inf <span class="swatch none"></span>no gradient · edge width: gradient along it';
  root.replaceChildren(el('div', 'title', title), bar, ends, keys);
}
