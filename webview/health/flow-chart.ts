// The gradient-flow chart: for each parameter, input to output, its mean and largest |gradient| at the scrubber's
// step on a log axis, so a layer that stops learning shows as bars orders of magnitude shorter than the rest.
// A log axis cannot show 0: a parameter that got no gradient gets a marker at the axis' start, "no gradient".
import { NAN_COLOR } from '../colors';
import type { Theme } from '../theme';
import { axisColours, baseOption, namesAxis, powerOfTen, ROW_PX, titled } from './chart-style';
import type { FlowAt, HealthModel } from './data';
import { formatMagnitude } from '../../engine/format';

/** The chart's height for a model: a row per parameter plus the title and axis. */
export const flowHeight = (model: HealthModel) => Math.max(220, ROW_PX * model.params.length + 90);

export function flowOption(theme: Theme, model: HealthModel, flow: FlowAt, step: number, selected: number): Record<string, unknown> {
  const values = [...flow.mean, ...flow.max].filter((v): v is number => v !== null);
  const lo = values.length === 0 ? -6 : Math.floor(Math.log10(Math.min(...values)));
  const hi = values.length === 0 ? 0 : Math.ceil(Math.log10(Math.max(...values)));
  // One decade below the smallest value: the shortest bar still shows, and the no-gradient markers sit there.
  const base = lo - 1;
  // ECharts grows log-axis bars from 1, not from the axis' start: so the axis is drawn in decades above `base`
  // (a value axis from 0), labelled as the powers of ten they stand for, and every bar starts at the left.
  const decades = (v: number | null) => (v === null ? null : Math.log10(v) - base);
  const bar = (name: string, data: (number | null)[], color: string) => ({
    name,
    type: 'bar',
    itemStyle: { color },
    data: data.map((v, i) => ({ value: decades(v), real: v, ...(i === selected ? { itemStyle: { borderColor: theme.focus, borderWidth: 2 } } : {}) })),
    barGap: '0%',
    barCategoryGap: '25%',
  });
  const none = flow.none.some((n) => n);
  const nan = flow.nan.some((n) => n);
  const marker = (name: string, rows: boolean[], colour: string) => ({
    name,
    type: 'scatter',
    symbol: 'path://M0,0L10,10M10,0L0,10', // ✕
    symbolSize: 9,
    itemStyle: { color: 'transparent', borderColor: colour, borderWidth: 2 },
    data: rows.flatMap((n, i) => (n ? [[0, i]] : [])),
    label: { show: true, position: 'right', formatter: name, color: colour, fontSize: 11 },
    z: 5,
  });
  return {
    ...baseOption(theme),
    title: titled(theme, `Gradient flow · step ${step + 1}`, `mean, max |grad| per parameter; input at top${none ? ' · ✕ none' : ''}${nan ? ' · ✕ NaN' : ''}`),
    legend: { top: 40, left: 4, textStyle: { color: theme.muted, fontSize: 11 }, itemWidth: 12, itemHeight: 8, data: ['mean |grad|', 'max |grad|'] },
    grid: { left: 8, right: 16, top: 62, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: { type: 'value', min: 0, max: hi - base, interval: 1, position: 'top', ...axisColours(theme), axisLabel: { ...(axisColours(theme).axisLabel as object), formatter: (d: number) => powerOfTen(10 ** (d + base)), hideOverlap: true } },
    yAxis: namesAxis(theme, model.params.map((p) => p.label), selected),
    tooltip: { ...(baseOption(theme).tooltip as object), trigger: 'item', formatter: (p: { name: string; seriesName: string; seriesType: string; data: { real?: number | null } | [number, number] }) =>
        Array.isArray(p.data) ? `${model.params[p.data[1]]?.label ?? ''}\n${p.seriesName}` : `${p.name}\n${p.seriesName}: ${p.data?.real == null ? 'none' : formatMagnitude(p.data.real)}` },
    series: [
      bar('mean |grad|', flow.mean, theme.kind === 'light' ? '#31688e' : '#35b779'),
      bar('max |grad|', flow.max, theme.kind === 'light' ? '#b5de2b' : '#fde725'),
      marker('no gradient', flow.none, theme.muted),
      marker('NaN or Inf', flow.nan, NAN_COLOR),
    ],
  };
}
