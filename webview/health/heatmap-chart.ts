// Parameters × steps: each cell the parameter's mean |gradient| (or update ratio) at that step on a log colour
// scale, so a layer that dies or blows up over training shows as a row turning dark or bright from some step on.
// The scrubber's step is marked with a line and the selected parameter's row outlined.
import type { Theme } from '../theme';
import { baseOption, axisColours, namesAxis, ROW_PX, titled } from './chart-style';
import type { HealthModel, HeatmapData, HeatmapMetric } from './data';
import { NAN_COLOR } from '../colors';
import { formatMagnitude } from '../../engine/format';

const VIRIDIS = ['#440154', '#3e4989', '#26828e', '#35b779', '#b5de2b', '#fde725'];

export const heatmapHeight = (model: HealthModel) => Math.max(220, ROW_PX * model.params.length + 110);

/** The id of the series that carries the step line and the selected row, so those update without redrawing the cells. */
export const HEATMAP_MARKS = 'heatmap-marks';

export function heatmapOption(
  theme: Theme,
  model: HealthModel,
  data: HeatmapData,
  metric: HeatmapMetric,
  step: number,
  selected: number,
): Record<string, unknown> {
  const what = metric === 'grad' ? 'mean |gradient|' : 'update ratio';
  // A column's label is its first step (1-based, as the scrubber counts).
  const steps = Array.from({ length: data.columns }, (_, c) => String(c * data.every + 1));
  const stepsOf = (c: number) => (data.every === 1 ? `step ${c + 1}` : `steps ${c * data.every + 1}–${Math.min((c + 1) * data.every, model.steps)}`);
  const hi = data.hi > data.lo ? data.hi : data.lo + 1;
  return {
    ...baseOption(theme),
    title: titled(theme, `${metric === 'grad' ? 'Mean |gradient|' : 'Update ratio'} by step`, data.cells.length === 0 ? `no ${what} recorded${data.nan.length > 0 ? ': NaN or Inf (red)' : ''}` : `log colour${data.every > 1 ? `, ${data.every} steps a column` : ''}${data.nan.length > 0 ? ', NaN/Inf red' : ''}; click: parameter, step`),
    grid: { left: 8, right: 16, top: 74, bottom: 44, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: { type: 'category', data: steps, name: 'step', nameLocation: 'middle', nameGap: 22, ...axisColours(theme), splitLine: { show: false }, axisLabel: { ...(axisColours(theme).axisLabel as object), hideOverlap: true } },
    yAxis: namesAxis(theme, model.params.map((p) => p.label), selected),
    visualMap: {
      show: data.cells.length > 0,
      type: 'continuous',
      min: data.lo,
      max: hi,
      dimension: 2,
      seriesIndex: 0,
      calculable: false,
      orient: 'horizontal',
      left: 8,
      top: 44,
      itemWidth: 10,
      itemHeight: 120,
      text: [formatMagnitude(10 ** hi, 2), formatMagnitude(10 ** data.lo, 2)],
      textStyle: { color: theme.muted, fontSize: 11 },
      inRange: { color: VIRIDIS },
    },
    tooltip: {
      ...(baseOption(theme).tooltip as object),
      trigger: 'item',
      formatter: (p: { seriesIndex: number; value: [number, number, number] }) => {
        if (p.seriesIndex > 1) return '';
        const [s, i, l] = p.value;
        return `${model.params[i]?.label ?? ''}\n${stepsOf(s)}: ${what} ${p.seriesIndex === 1 ? 'NaN or Inf' : formatMagnitude(10 ** l)}${data.every > 1 && p.seriesIndex === 0 ? ' (geometric mean)' : ''}`;
      },
    },
    series: [
      // Drawn in one pass (not progressively over frames): 50,000 cells take a few tens of ms on canvas.
      { type: 'heatmap', data: data.cells, progressive: 0, emphasis: { disabled: true } },
      { name: 'NaN or Inf', type: 'heatmap', data: data.nan.map(([s, i]) => [s, i, 0]), itemStyle: { color: NAN_COLOR }, progressive: 0, emphasis: { disabled: true } },
      heatmapMarks(theme, model, data, step, selected),
    ],
  };
}

/** The step line and the selected row's outline, as an otherwise empty series. */
export function heatmapMarks(theme: Theme, model: HealthModel, data: Pick<HeatmapData, 'every' | 'columns'>, step: number, selected: number): Record<string, unknown> {
  const column = (c: number) => String(c * data.every + 1);
  const last = column(data.columns - 1);
  return {
    id: HEATMAP_MARKS,
    type: 'line',
    data: [],
    silent: true,
    markLine: { silent: true, symbol: 'none', animation: false, label: { show: false }, lineStyle: { color: theme.focus, width: 2, type: 'solid' }, data: [{ xAxis: column(Math.floor(step / data.every)) }] },
    markArea: {
      silent: true,
      itemStyle: { color: 'transparent', borderColor: theme.focus, borderWidth: selected < 0 ? 0 : 2 },
      data: selected < 0 ? [] : [[{ xAxis: column(0), yAxis: model.params[selected].label }, { xAxis: last, yAxis: model.params[selected].label }]],
    },
  };
}
