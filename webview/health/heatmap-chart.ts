// Parameters × steps: each cell the parameter's mean |gradient| (or update ratio) at that step on a log colour
// scale, so a layer that dies or blows up over training shows as a row turning dark or bright from some step on.
// The scrubber's step is marked with a line and the selected parameter's row outlined. The cells are one image
// (heatmap-cells.ts); the series keep their data, so the colour scale, tests and conversions read them as before.
import type { Theme } from '../theme';
import { baseOption, axisColours, namesAxis, ROW_PX, titled } from './chart-style';
import type { HealthModel, HeatmapData, HeatmapMetric } from './data';
import { formatMagnitude } from '../../engine/format';
import { HEATMAP_VIRIDIS, paintCells } from './heatmap-cells';
import type { CellAt, PlotRect } from './pointer';

export const heatmapHeight = (model: HealthModel) => Math.max(220, ROW_PX * model.params.length + 110);

/** The id of the series that draws the cells' image. */
export const HEATMAP_CELLS = 'heatmap-cells';

/** The id of the series that carries the step line and the selected row, so those update without redrawing the cells. */
export const HEATMAP_MARKS = 'heatmap-marks';

/** Where the last drawing put the plot (the pointer finds its cell there), written as the chart renders. */
export interface HeatmapPlot {
  rect: PlotRect | null;
}

/** A cell's tooltip: its parameter, its step(s) and its value. */
export function heatmapTip(model: HealthModel, data: HeatmapData, metric: HeatmapMetric, cell: CellAt): string {
  const what = metric === 'grad' ? 'mean |gradient|' : 'update ratio';
  const c = cell.column;
  const steps = data.every === 1 ? `step ${c + 1}` : `steps ${c * data.every + 1}–${Math.min((c + 1) * data.every, model.steps)}`;
  const value = cell.value === 'nan' ? 'NaN or Inf' : cell.value === null ? 'not recorded' : `${formatMagnitude(10 ** cell.value)}${data.every > 1 ? ' (geometric mean)' : ''}`;
  return `${model.params[cell.row]?.label ?? ''}\n${steps}: ${what} ${value}`;
}

export function heatmapOption(
  theme: Theme,
  model: HealthModel,
  data: HeatmapData,
  metric: HeatmapMetric,
  step: number,
  selected: number,
  plot: HeatmapPlot,
): Record<string, unknown> {
  const what = metric === 'grad' ? 'mean |gradient|' : 'update ratio';
  // A column's label is its first step (1-based, as the scrubber counts).
  const steps = Array.from({ length: data.columns }, (_, c) => String(c * data.every + 1));
  const hi = data.hi > data.lo ? data.hi : data.lo + 1;
  // The image is painted once per plot size (a step or selection change redraws the marks, not the cells).
  let painted: { key: string; canvas: HTMLCanvasElement } | null = null;
  const cellsImage = (params: { coordSys: PlotRect }) => {
    const rect = { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height };
    plot.rect = rect;
    const scale = window.devicePixelRatio || 1;
    const key = `${rect.width}x${rect.height}@${scale}`;
    if (painted?.key !== key) painted = { key, canvas: paintCells({ ...data, hi }, model.params.length, rect, scale) };
    return { type: 'image', silent: true, style: { image: painted.canvas, ...rect } };
  };
  // One item, drawn as the image of every cell: as many items as cells cost ECharts ~100 ms of per-item work.
  const cells = { id: HEATMAP_CELLS, name: what, type: 'custom', data: [[0, 0, data.lo]], encode: { x: 0, y: 1 }, renderItem: cellsImage, silent: true, animation: false, z: 1 }; // under the step line and the selected row's outline
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
      inRange: { color: HEATMAP_VIRIDIS },
    },
    // The cells' tooltip is shown by the view from the pointer's cell (heatmapTip): the image has no items to hover.
    // (triggerOn 'none': ECharts' own hover handling would hide it again, finding no item under the pointer.)
    tooltip: { ...(baseOption(theme).tooltip as object), trigger: 'item', triggerOn: 'none' },
    series: [
      cells,
      heatmapMarks(theme, model, data, step, selected),
    ],
  };
}

/**
 * The step line (through its column) and the selected row's outline (around the whole row: a mark area between
 * two category centres was a line through the row's middle), drawn over the cells by a one-item series.
 */
export function heatmapMarks(theme: Theme, model: HealthModel, data: Pick<HeatmapData, 'every' | 'columns'>, step: number, selected: number): Record<string, unknown> {
  const rows = Math.max(1, model.params.length);
  const columns = Math.max(1, data.columns);
  const renderItem = (params: { coordSys: PlotRect }) => {
    const plot = params.coordSys;
    const x = plot.x + ((Math.floor(step / data.every) + 0.5) * plot.width) / columns;
    const children: Record<string, unknown>[] = [{ type: 'line', shape: { x1: x, y1: plot.y, x2: x, y2: plot.y + plot.height }, style: { stroke: theme.focus, lineWidth: 2 } }];
    if (selected >= 0) {
      const height = plot.height / rows;
      children.push({ type: 'rect', shape: { x: plot.x + 1, y: plot.y + selected * height + 1, width: plot.width - 2, height: height - 2 }, style: { fill: 'transparent', stroke: theme.focus, lineWidth: 2 } });
    }
    return { type: 'group', silent: true, children };
  };
  return { id: HEATMAP_MARKS, type: 'custom', data: [[0, 0]], encode: { x: 0, y: 1 }, renderItem, silent: true, animation: false, z: 3 };
}
