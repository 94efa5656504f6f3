// What every Health chart shares: colours from the VS Code theme, no animation, tooltips drawn in the canvas
// (ECharts' HTML tooltips write style attributes, which the webview's CSP refuses), log-axis labels as powers of
// ten, and a colour per tensor by its depth so a layer keeps its colour from chart to chart.
import { interpolate } from '../colors';
import type { Theme } from '../theme';

const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** A tensor's colour: viridis from the input (dark) to the output (bright), kept off the end that vanishes on the background. */
export function depthColor(index: number, count: number, theme: Theme): string {
  const t = count < 2 ? 0.5 : index / (count - 1);
  // High contrast: the black background needs the bright part of the scale (its dark end all but vanished there).
  if (theme.kind === 'high-contrast') return interpolate(VIRIDIS, 0.4 + 0.6 * t);
  return theme.kind === 'light' ? interpolate(VIRIDIS, 0.85 * t) : interpolate(VIRIDIS, 0.22 + 0.78 * t);
}

/** Up to this many lines, a chart names each one on the plot; more would overlap, and their colours say where they are. */
export const NAMED_LINES = 8;

/** What depthColor's colours say, for a chart with more lines than it names. */
export const DEPTH_COLOURS = 'input dark, output bright';

/** `1e-7` for 1e-7: a log axis's ticks read as orders of magnitude. */
export function powerOfTen(v: number): string {
  const e = Math.round(Math.log10(v));
  return Math.abs(Math.log10(v) - e) < 1e-6 ? (e === 0 ? '1' : `1e${e}`) : '';
}

/** The options every chart starts from. */
export function baseOption(theme: Theme): Record<string, unknown> {
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: theme.foreground, fontFamily: theme.font, fontSize: 11 },
    tooltip: {
      renderMode: 'richText',
      confine: true,
      backgroundColor: theme.background,
      borderColor: theme.border,
      textStyle: { color: theme.foreground, fontFamily: theme.font, fontSize: 11 },
    },
  };
}

/** Title at the chart's top left: what the chart answers, in the theme's colours. */
export function titled(theme: Theme, text: string, subtext = ''): Record<string, unknown> {
  return {
    text,
    subtext,
    left: 8,
    top: 4,
    textStyle: { color: theme.foreground, fontSize: 12, fontWeight: 'bold' },
    subtextStyle: { color: theme.muted, fontSize: 11 },
    itemGap: 6,
  };
}

/** Axis line, labels and grid lines in the theme's colours. */
export function axisColours(theme: Theme): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: theme.border } },
    axisTick: { lineStyle: { color: theme.border } },
    axisLabel: { color: theme.muted, fontSize: 11 },
    splitLine: { lineStyle: { color: theme.border, opacity: 0.45 } },
    nameTextStyle: { color: theme.muted, fontSize: 11 },
  };
}

/** A category axis of tensor names, the selected one in bold and the focus colour; clicks on a name are events. */
export function namesAxis(theme: Theme, labels: string[], selected: number): Record<string, unknown> {
  const colours = axisColours(theme);
  return {
    type: 'category',
    data: labels,
    inverse: true, // the input at the top, as the code reads
    triggerEvent: true,
    ...colours,
    axisLabel: {
      ...(colours.axisLabel as object),
      interval: 0,
      width: 190,
      overflow: 'truncate',
      formatter: (label: string, i: number) => (i === selected ? `{sel|${label}}` : label),
      rich: { sel: { color: theme.focus, fontWeight: 'bold', fontSize: 11 } },
    },
    splitLine: { show: false },
  };
}

/** Pixels per row of a chart that lists every parameter: small enough to list fifty, big enough for 11 px text. */
export const ROW_PX = 15;

/** The label to put inside a chart that has nothing to show, centred. */
export function emptyNote(theme: Theme, text: string, top = '50%'): Record<string, unknown> {
  return { type: 'text', left: 'center', top, style: { text, fill: theme.muted, fontSize: 12, fontFamily: theme.font } };
}
