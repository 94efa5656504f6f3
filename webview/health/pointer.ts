// What the pointer finds where the Health charts have no shapes to hit: the heatmap's cells are one image, and a
// ratio line drawn without symbols has no item under the pointer. Pure functions of pixels (tested in Node); the
// view converts between pixels and values with the chart.
import { formatMagnitude } from '../../engine/format';
import type { HeatmapData } from './data';

/** The plot's rectangle, in CSS pixels of the chart. */
export interface PlotRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the cell under a point of the plot holds: its log10 value, NaN/Inf, or nothing recorded. */
export interface CellAt {
  column: number;
  row: number;
  value: number | 'nan' | null;
}

/** Finds a cell by column and row in O(1): a hover looks one up on every mouse move. */
export class CellIndex {
  private readonly values = new Map<number, number>();
  private readonly nan = new Set<number>();

  constructor(private readonly data: HeatmapData, private readonly rows: number) {
    for (const [c, r, l] of data.cells) this.values.set(c * rows + r, l);
    for (const [c, r] of data.nan) this.nan.add(c * rows + r);
  }

  /** The cell at a pixel of the chart (CSS pixels), or null outside the plot. */
  cellAt(plot: PlotRect, x: number, y: number): CellAt | null {
    if (x < plot.x || y < plot.y || x >= plot.x + plot.width || y >= plot.y + plot.height) return null;
    const column = Math.min(this.data.columns - 1, Math.floor(((x - plot.x) / plot.width) * this.data.columns));
    const row = Math.min(this.rows - 1, Math.floor(((y - plot.y) / plot.height) * this.rows));
    const key = column * this.rows + row;
    return { column, row, value: this.nan.has(key) ? 'nan' : this.values.get(key) ?? null };
  }
}

/** A point's tooltip: its parameter, its step (or the steps a point of a long run stands for) and its ratio. */
export function ratioTip(label: string, line: [number, number | null][], index: number): string {
  const [middle, ratio] = line[index];
  const every = line.length > 1 ? line[1][0] - line[0][0] : 1;
  const first = middle - (every - 1) / 2;
  const steps = every <= 1 ? `step ${middle}` : `steps ${first}–${first + every - 1}`;
  return `${label}\n${steps}: ${ratio === null ? 'no update' : `update ratio ${formatMagnitude(ratio)}${every > 1 ? ' (geometric mean)' : ''}`}`;
}

/**
 * The line nearest a pixel of the chart, within `reach` pixels up or down, at the point nearest it along the steps:
 * `{ line, index }`, or null. `toPixel` is the chart's conversion from `[step, ratio]` to its pixels.
 */
export function nearestLine(series: [number, number | null][][], at: [number, number], toPixel: (value: [number, number]) => number[], reach = 8): { line: number; index: number } | null {
  const xs = series[0] ?? [];
  if (xs.length === 0) return null;
  let index = 0;
  for (let i = 1; i < xs.length; i++) if (Math.abs(toPixel([xs[i][0], 1])[0] - at[0]) < Math.abs(toPixel([xs[index][0], 1])[0] - at[0])) index = i;
  let best: { line: number; index: number } | null = null;
  let bestDistance = reach;
  series.forEach((points, line) => {
    const [x, ratio] = points[index] ?? [];
    if (x === undefined || ratio === null || ratio === undefined) return;
    const distance = Math.abs(toPixel([x, ratio])[1] - at[1]);
    if (distance <= bestDistance) [best, bestDistance] = [{ line, index }, distance];
  });
  return best;
}
