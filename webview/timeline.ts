// Small SVG charts: the loss curve under the scrubber and the gradient-norm sparkline in the details panel.
// Built as markup from numbers only (no user text), on a log scale because losses and gradients span decades.

export interface Chart {
  width: number;
  height: number;
  /** Index of the step to mark, or -1. */
  mark: number;
  /** Class of the polyline (colours come from the stylesheet). */
  className: string;
}

/** Points of a log-scale polyline over `values`; gaps where a value is missing, non-positive or not finite. */
export function chartPoints(values: readonly (number | null)[], width: number, height: number): string[] {
  const logs = values.map((v) => (v !== null && v > 0 && Number.isFinite(v) ? Math.log10(v) : null));
  const known = logs.filter((l): l is number => l !== null);
  if (known.length === 0) return [];
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const span = hi - lo || 1;
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const segments: string[] = [];
  let current: string[] = [];
  logs.forEach((l, i) => {
    if (l === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(i).toFixed(1)},${(height - 2 - ((l - lo) / span) * (height - 4)).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  return segments;
}

export function chartSvg(values: readonly (number | null)[], chart: Chart): string {
  const { width, height, mark, className } = chart;
  const lines = chartPoints(values, width, height).map((p) => `<polyline class="${className}" points="${p}"/>`);
  // NaN/Inf steps get a red tick at the bottom, so a blow-up is visible even though it cannot be plotted.
  const bad = values.map((v, i) => (v !== null && !Number.isFinite(v) ? i : -1)).filter((i) => i >= 0);
  const x = (i: number) => (values.length <= 1 ? width / 2 : (i / (values.length - 1)) * width);
  const ticks = bad.map((i) => `<line class="nan-tick" x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${height - 6}" y2="${height}"/>`);
  const marker = mark >= 0 && values.length > 0 ? `<line class="step-mark" x1="${x(mark).toFixed(1)}" x2="${x(mark).toFixed(1)}" y1="0" y2="${height}"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${lines.join('')}${ticks.join('')}${marker}</svg>`;
}
