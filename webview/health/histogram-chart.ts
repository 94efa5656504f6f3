// Histograms at the scrubber's step, one line per layer overlaid as practitioners plot them: above, the outputs of
// each nonlinearity (a tanh piling up at ±1 is saturated, a relu at 0 is dead); below, each parameter's |gradient|
// on a log axis (a layer whose gradients sit decades left of the others barely learns). Steps without histograms
// show the nearest step that has them, and say so.
import type { Theme } from '../theme';
import { axisColours, baseOption, depthColor, emptyNote, titled } from './chart-style';
import type { HealthModel, HistogramLine } from './data';
import { formatMagnitude } from '../../engine/format';

export const HISTOGRAM_HEIGHT = 440;

export interface HistogramData {
  /** The step the histograms are from, and the step the scrubber is at. */
  shown: number | undefined;
  step: number;
  activations: HistogramLine[];
  gradients: HistogramLine[];
}

export function histogramOption(theme: Theme, model: HealthModel, data: HistogramData, selected: { activation: number; param: number }): Record<string, unknown> {
  const when = data.shown === undefined ? 'no step recorded histograms' : data.shown === data.step ? `step ${data.shown + 1}` : `step ${data.shown + 1} (nearest with histograms)`;
  const line = (l: HistogramLine, count: number, label: string, chosen: number, grid: number) => ({
    name: label,
    type: 'line',
    xAxisIndex: grid,
    yAxisIndex: grid,
    data: l.points,
    showSymbol: false,
    triggerLineEvent: true,
    color: depthColor(l.index, count, theme),
    lineStyle: { width: l.index === chosen ? 3 : 1.3, opacity: chosen < 0 || l.index === chosen ? 1 : 0.3 },
    z: l.index === chosen ? 4 : 2,
    emphasis: { disabled: true },
  });
  const colours = axisColours(theme);
  const share = { type: 'value', ...colours, axisLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), formatter: (v: number) => `${Math.round(v * 100)}%` }, splitNumber: 3 };
  const notes = [];
  if (data.activations.length === 0) notes.push(emptyNote(theme, model.activations.length === 0 ? 'no tanh, sigmoid or relu-like layer in this model' : 'no activation histogram at this step', '27%'));
  if (data.gradients.length === 0) notes.push(emptyNote(theme, 'no gradient histogram at this step', '77%'));
  return {
    ...baseOption(theme),
    title: [
      titled(theme, `Activations · ${when}`, 'share of each layer\'s outputs by value'),
      { ...titled(theme, `|Gradient| · ${when}`, 'share of each parameter\'s entries by |g|'), top: '52%' },
    ],
    grid: [
      { left: 8, right: 20, top: 52, height: '30%', outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      { left: 8, right: 20, top: '64%', bottom: 26, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    ],
    xAxis: [
      { type: 'value', gridIndex: 0, scale: true, ...colours, splitLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), hideOverlap: true } },
      { type: 'value', gridIndex: 1, min: -10, max: 2, interval: 2, ...colours, splitLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), formatter: (v: number) => (v === 0 ? '1' : `1e${v}`) } },
    ],
    yAxis: [{ ...share, gridIndex: 0 }, { ...share, gridIndex: 1 }],
    tooltip: {
      ...(baseOption(theme).tooltip as object),
      trigger: 'item',
      formatter: (p: { seriesName: string; value: [number, number]; seriesIndex: number }) =>
        `${p.seriesName}\n${p.seriesIndex < data.activations.length ? `value ${formatMagnitude(p.value[0])}` : `|g| ≈ ${formatMagnitude(10 ** p.value[0])}`}: ${Math.round(p.value[1] * 1000) / 10}%`,
    },
    graphic: notes,
    series: [
      ...data.activations.map((l) => line(l, model.activations.length, model.activations[l.index].label, selected.activation, 0)),
      ...data.gradients.map((l) => line(l, model.params.length, model.params[l.index].label, selected.param, 1)),
    ],
  };
}
