// Histograms at the scrubber's step, one line per layer overlaid as practitioners plot them: above, the outputs of
// each nonlinearity (a tanh piling up at ±1 is saturated, a relu at 0 is dead); below, each parameter's |gradient|
// on a log axis (a layer whose gradients sit decades left of the others barely learns). Steps without histograms
// show the nearest step that has them, and say so. A few lines are each named at their peak; many, by colour.
import type { Theme } from '../theme';
import { axisColours, baseOption, DEPTH_COLOURS, depthColor, emptyNote, NAMED_LINES, titled } from './chart-style';
import { peakLabels, shareAxis, withPeakLabel } from './peak-labels';
import type { HealthModel, HistogramLine } from './data';
import { formatMagnitude } from '../../engine/format';

export const HISTOGRAM_HEIGHT = 440;
/** Where the two plots are, in pixels of the chart (the names over their peaks are placed in them): the lower ends 26 px above the bottom, for its axis. */
const PLOTS = [{ top: 52, height: 132 }, { top: 282, height: HISTOGRAM_HEIGHT - 282 - 26 }];

export interface HistogramData {
  /** The step the histograms are from, and the step the scrubber is at. */
  shown: number | undefined;
  step: number;
  activations: HistogramLine[];
  gradients: HistogramLine[];
}

export function histogramOption(theme: Theme, model: HealthModel, data: HistogramData, selected: { activation: number; param: number }): Record<string, unknown> {
  const when = data.shown === undefined ? 'no step recorded histograms' : data.shown === data.step ? `step ${data.shown + 1}` : `step ${data.shown + 1} (nearest with histograms)`;
  const named = (lines: HistogramLine[]) => lines.length <= NAMED_LINES;
  // An empty plot has no share axis to draw (its note says why).
  const axes = [data.activations, data.gradients].map((lines) => (lines.length === 0 ? undefined : shareAxis(Math.max(...lines.flatMap((l) => l.points.map(([, y]) => y))), named(lines))));
  const linesOf = (lines: HistogramLine[], count: number, labels: string[], chosen: number, index: number) => {
    const axis = axes[index];
    const peaks = axis !== undefined && named(lines) ? peakLabels(lines, axis, PLOTS[index]) : [];
    const xs = lines.flatMap((l) => l.points.map(([x]) => x));
    return lines.map((l, i) => {
      const color = depthColor(l.index, count, theme);
      return {
        name: labels[l.index],
        type: 'line',
        xAxisIndex: index,
        yAxisIndex: index,
        data: peaks.length > 0 ? withPeakLabel(l.points, peaks[i], [Math.min(...xs), Math.max(...xs)], color, theme, chosen >= 0 && l.index !== chosen) : l.points,
        // Only a named line's peak has a symbol: ECharts draws a point's label with its symbol.
        showSymbol: peaks.length > 0,
        symbol: 'none',
        triggerLineEvent: true,
        color,
        lineStyle: { width: l.index === chosen ? 3 : 1.3, opacity: chosen < 0 || l.index === chosen ? 1 : 0.3 },
        z: l.index === chosen ? 4 : 2,
        emphasis: { disabled: true },
      };
    });
  };
  const colours = axisColours(theme);
  const share = { type: 'value', ...colours, axisLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), formatter: (v: number) => `${Math.round(v * 1000) / 10}%` } };
  const notes = [];
  if (data.activations.length === 0) notes.push(emptyNote(theme, model.activations.length === 0 ? 'no tanh, sigmoid or relu-like layer in this model' : 'no activation histogram at this step', '27%'));
  if (data.gradients.length === 0) notes.push(emptyNote(theme, 'no gradient histogram at this step', '77%'));
  return {
    ...baseOption(theme),
    title: [
      // Many lines are too many to name: their colours say where each is.
      titled(theme, `Activations · ${when}`, `share of each layer's outputs by value${named(data.activations) ? '' : `; ${DEPTH_COLOURS}`}`),
      { ...titled(theme, `|Gradient| · ${when}`, `share of each parameter's entries by |g|${named(data.gradients) ? '' : `; ${DEPTH_COLOURS}`}`), top: '52%' },
    ],
    grid: PLOTS.map(({ top, height }) => ({ left: 8, right: 20, top, height, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' })),
    xAxis: [
      { type: 'value', gridIndex: 0, scale: true, ...colours, splitLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), hideOverlap: true } },
      { type: 'value', gridIndex: 1, min: -10, max: 2, interval: 2, ...colours, splitLine: { show: false }, axisLabel: { ...(colours.axisLabel as object), formatter: (v: number) => (v === 0 ? '1' : `1e${v}`) } },
    ],
    yAxis: axes.map((axis, gridIndex) => ({ ...share, gridIndex, ...(axis === undefined ? {} : { min: 0, ...axis }) })),
    tooltip: {
      ...(baseOption(theme).tooltip as object),
      trigger: 'item',
      formatter: (p: { seriesName: string; value: [number, number]; seriesIndex: number }) => {
        const activation = p.seriesIndex < data.activations.length ? model.activations[data.activations[p.seriesIndex].index] : undefined;
        const runs = activation?.runs === undefined ? '' : `\n${activation.runs.keys.length} tensors (one per run of the line), summed`;
        return `${p.seriesName}${runs}\n${activation !== undefined ? `value ${formatMagnitude(p.value[0])}` : `|g| ≈ ${formatMagnitude(10 ** p.value[0])}`}: ${Math.round(p.value[1] * 1000) / 10}%`;
      },
    },
    graphic: notes,
    series: [
      ...linesOf(data.activations, model.activations.length, model.activations.map((a) => a.label), selected.activation, 0),
      ...linesOf(data.gradients, model.params.length, model.params.map((p) => p.label), selected.param, 1),
    ],
  };
}
