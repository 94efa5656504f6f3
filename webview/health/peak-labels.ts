// The histograms name a few lines on the plot, each at its peak: where the eye goes first, and where lines part.
// Peaks close in height would put their names over each other, so the names are stacked a line apart (placed
// here, in pixels of the chart's known height, so a test can check it), and the share axis leaves room above.
import type { Theme } from '../theme';
import type { HistogramLine } from './data';

/** Height of a line of label text, in pixels (10 px text), and the gap between a peak's dot and its name. */
const LABEL_PX = 13;
const DOT_GAP_PX = 7;

/** A share axis: its top and its tick interval, both round numbers (30%, not 34%). */
export interface ShareAxis { max: number; interval: number }

/** The axis for lines whose highest share is `peak`: three or four ticks, the top a fifth above it for the names. */
export function shareAxis(peak: number, named: boolean): ShareAxis {
  const top = Math.max(peak, 1e-3) * (named ? 1.2 : 1.02);
  const step = 10 ** Math.floor(Math.log10(top / 4));
  const interval = [1, 2, 2.5, 5, 10].map((m) => m * step).find((i) => i * 4 >= top)!;
  const round = (x: number) => Math.round(x * 1e6) / 1e6; // 0.15, not 0.15000000000000002
  return { max: round(Math.min(1, Math.ceil(top / interval - 1e-9) * interval)), interval: round(interval) };
}

/** Where a line's name goes: the point it names and how far below its natural place (above the point) it moves. */
export interface PeakLabel { point: number; shift: number }

/**
 * Each line's highest point, and how far its name moves down so that no two names share a row: names are taken
 * from the highest peak down, each at least a row below the one before (whatever their x: the chart's width is
 * not known here), then all moved up together if the last would fall below the plot.
 */
export function peakLabels(lines: HistogramLine[], axis: ShareAxis, plot: { top: number; height: number }): PeakLabel[] {
  const placed = lines.map((l) => {
    let point = 0;
    l.points.forEach(([, y], i) => (point = y > l.points[point][1] ? i : point));
    return { point, natural: plot.top + plot.height * (1 - l.points[point][1] / axis.max) - DOT_GAP_PX, at: 0 };
  });
  let below = -Infinity;
  for (const p of [...placed].sort((a, b) => a.natural - b.natural)) {
    p.at = Math.max(p.natural, below + LABEL_PX);
    below = p.at;
  }
  const overflow = Math.max(0, below - (plot.top + plot.height));
  return placed.map((p) => ({ point: p.point, shift: p.at - overflow - p.natural }));
}

/**
 * The line's points, the named one an item with a dot and its label: a mark in the line's colour, then the name
 * in the theme's text colour (it reads on any background, the dark end of the scale does not), aligned to stay
 * inside the chart.
 */
export function withPeakLabel(points: [number, number][], label: PeakLabel, [lo, hi]: [number, number], color: string, theme: Theme, dimmed: boolean): unknown[] {
  const at = hi > lo ? (points[label.point][0] - lo) / (hi - lo) : 0.5;
  const align = at < 0.2 ? 'left' : at > 0.8 ? 'right' : 'center';
  return points.map((p, i) => (i !== label.point ? p : {
    value: p,
    symbol: 'circle',
    symbolSize: 4,
    label: {
      show: true,
      opacity: dimmed ? 0.5 : 1, // another line is selected: its name stands out, as its line does
      position: 'top',
      offset: [0, label.shift],
      formatter: '{mark|■} {a}',
      align,
      color: theme.foreground,
      fontSize: 10,
      textBorderColor: theme.background,
      textBorderWidth: 3,
      rich: { mark: { color, fontSize: 10 } },
    },
  }));
}
