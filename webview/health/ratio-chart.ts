// Update-to-data ratio by step, one line per parameter (coloured by depth, input dark to output bright), on a log
// axis with the healthy band shaded: lines far above it rewrite their weights each step (lower the learning
// rate), far below barely move (raise it). The scrubber's step is marked; the selected parameter's line stands out.
import { HEALTHY_UPDATE_RATIO } from '../../engine/trace';
import type { Theme } from '../theme';
import { axisColours, baseOption, DEPTH_COLOURS, depthColor, emptyNote, NAMED_LINES, powerOfTen, titled } from './chart-style';
import type { HealthModel } from './data';

export const RATIO_HEIGHT = 300;
export const RATIO_MARKS = 'ratio-marks';

export function ratioOption(theme: Theme, model: HealthModel, series: [number, number | null][][], step: number, selected: number): Record<string, unknown> {
  const known = series.flatMap((line) => line.map(([, v]) => v)).filter((v): v is number => v !== null);
  const lo = Math.floor(Math.log10(Math.min(HEALTHY_UPDATE_RATIO.lo, ...known)));
  const hi = Math.ceil(Math.log10(Math.max(HEALTHY_UPDATE_RATIO.hi, ...known)));
  const named = model.params.length <= NAMED_LINES; // each line named at its end
  const band = `healthy ${powerOfTen(HEALTHY_UPDATE_RATIO.lo)} to ${powerOfTen(HEALTHY_UPDATE_RATIO.hi)} shaded`;
  return {
    ...baseOption(theme),
    title: titled(theme, 'Update / data ratio by step', named ? `step's change / spread; ${band}` : `${band}; ${DEPTH_COLOURS}; point at a line`),
    grid: { left: 8, right: named ? 8 + 7 * Math.max(...model.params.map((p) => p.label.length)) : 20, top: 56, bottom: 34, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    xAxis: { type: 'value', min: 1, max: Math.max(model.steps, 2), name: 'step', nameLocation: 'middle', nameGap: 22, minInterval: 1, ...axisColours(theme), splitLine: { show: false } },
    yAxis: { type: 'log', min: 10 ** lo, max: 10 ** hi, ...axisColours(theme), axisLabel: { ...(axisColours(theme).axisLabel as object), formatter: powerOfTen } },
    // Shown by the view from the line nearest the pointer (ratioTip): a line without symbols has no item to hover,
    // and ECharts' own hover would hide that tip again.
    tooltip: { ...(baseOption(theme).tooltip as object), trigger: 'item', triggerOn: 'none' },
    graphic: known.length === 0 ? [emptyNote(theme, 'no update recorded yet: the optimizer has not changed any parameter')] : [],
    series: [
      ...series.map((values, i) => ({
        name: model.params[i].label,
        type: 'line',
        data: values,
        showSymbol: model.steps <= 30,
        symbolSize: 4,
        connectNulls: false,
        triggerLineEvent: true,
        progressive: 0,
        color: depthColor(i, model.params.length, theme),
        endLabel: { show: named, formatter: '{a}', fontSize: 10, color: theme.muted },
        lineStyle: { width: i === selected ? 3 : 1.2, opacity: selected < 0 || i === selected ? 1 : 0.3 },
        itemStyle: { opacity: selected < 0 || i === selected ? 1 : 0.3 },
        z: i === selected ? 4 : 2,
        emphasis: { disabled: true },
      })),
      ratioMarks(theme, step),
    ],
  };
}

/** The healthy band, the ~1e-3 line and the scrubber's step, as an otherwise empty series. */
export function ratioMarks(theme: Theme, step: number): Record<string, unknown> {
  return {
    id: RATIO_MARKS,
    type: 'line',
    data: [],
    silent: true,
    markArea: { silent: true, itemStyle: { color: theme.kind === 'light' ? 'rgba(53, 183, 121, 0.14)' : 'rgba(53, 183, 121, 0.18)' }, data: [[{ yAxis: HEALTHY_UPDATE_RATIO.lo }, { yAxis: HEALTHY_UPDATE_RATIO.hi }]] },
    markLine: {
      silent: true,
      symbol: 'none',
      animation: false,
      data: [
        { yAxis: 1e-3, lineStyle: { color: '#35b779', type: 'dashed', width: 1 }, label: { formatter: '1e-3', color: theme.muted, fontSize: 10, position: 'insideEndTop' } },
        { xAxis: step + 1, lineStyle: { color: theme.focus, width: 2, type: 'solid' }, label: { show: false } },
      ],
    },
  };
}
