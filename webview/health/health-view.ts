// The Health view: four charts of the run's training health (health/data.ts shapes them, a builder per chart lays
// them out) in a scrolling pane over the graph's area. It follows the view's step and selection (sync) and picks
// them back: a click on a parameter or a layer selects its node in the graph (which reveals its line in the
// editor); a heatmap cell also moves the scrubber to its step. Charts draw only while the pane is shown, and only
// those in view (a long model's charts are taller than the panel): the rest as the pane scrolls to them.
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Trace } from '../../engine/trace';
import { el } from '../dom';
import { stepIndex } from '../elements';
import { currentTheme } from '../theme';
import { activationHistograms, flowAt, gradientHistograms, healthModel, HealthModel, HealthTensor, heatmapCells, HeatmapData, HeatmapMetric, indexOfNode, nearestHistogramStep, ratioSeries } from './data';
import { flowHeight, flowOption } from './flow-chart';
import { heatmapHeight, heatmapMarks, heatmapOption, HeatmapPlot, heatmapTip } from './heatmap-chart';
import { CellIndex, nearestLine, ratioTip } from './pointer';
import { HISTOGRAM_HEIGHT, histogramOption } from './histogram-chart';
import { RATIO_HEIGHT, ratioMarks, ratioOption } from './ratio-chart';

echarts.use([BarChart, CustomChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent, GraphicComponent, CanvasRenderer]);

export type ChartName = 'flow' | 'heatmap' | 'ratios' | 'histograms';
const CHARTS: readonly ChartName[] = ['flow', 'heatmap', 'ratios', 'histograms'];

/** What the Health view asks of the rest of the page. */
export interface HealthLinks {
  /** Select a graph node (and reveal its line in the editor). */
  select(node: number): void;
  setStep(step: number): void;
  /** Show where a finding points (a parameter no backward reached is not in the graph: its finding names its line). */
  revealFinding(index: number): void;
}

/** Charts draw once any part of them is in the pane's visible part (no sooner: switching to Health draws only what shows). */
const NEAR_PX = 0;

/** Mouse events that must stop at the pane: the graph under it would take them as clicks, drags and zooms. */
const KEPT_EVENTS = ['mousedown', 'mouseup', 'click', 'dblclick', 'contextmenu', 'wheel', 'touchstart', 'touchmove', 'touchend'];

export class HealthView {
  readonly pane: HTMLElement;
  private readonly boxes = new Map<ChartName, HTMLElement>();
  /** The ECharts instance of each chart, made the first time the pane shows (tests read their options). */
  readonly charts = new Map<ChartName, echarts.ECharts>();
  private readonly note: HTMLElement;
  private trace: Trace | null = null;
  private model: HealthModel | null = null;
  private metric: HeatmapMetric = 'grad';
  /** The heatmap's cells as last drawn (its step line is placed in its columns; tests read the cells here). */
  heatmap: HeatmapData | null = null;
  /** Where its plot was drawn, and its cells by column and row: the pointer's cell for hover and click. */
  private readonly heatmapPlot: HeatmapPlot = { rect: null };
  private heatmapIndex: CellIndex | null = null;
  /** The update-ratio lines as last drawn: the pointer's line for the tooltip. */
  private ratios: [number, number | null][][] = [];
  private step = -1;
  private selected: number | null = null;
  /** What each chart last drew, so a step or selection change redraws only the charts it changes. */
  private drawnKey = new Map<ChartName, string>();
  visible = false;
  /** Resolves when the charts have drawn what they were last given (tests and the benchmark wait on it). */
  drawn: Promise<void> = Promise.resolve();

  constructor(parent: HTMLElement, private readonly links: HealthLinks) {
    this.pane = el('div', 'health');
    this.pane.hidden = true;
    this.pane.setAttribute('aria-label', 'Training health charts');
    for (const type of KEPT_EVENTS) this.pane.addEventListener(type, (e) => e.stopPropagation());
    this.note = el('p', 'health-note');
    this.pane.append(this.note);
    for (const name of CHARTS) {
      const card = el('section', `card card-${name}`);
      const box = el('div', 'chart');
      box.dataset.chart = name;
      card.append(box);
      this.boxes.set(name, box);
      this.pane.append(card);
    }
    const metric = el('select', 'heatmap-metric');
    metric.setAttribute('aria-label', 'Heatmap shows');
    for (const [value, label] of [['grad', 'Heatmap: mean |gradient|'], ['ratio', 'Heatmap: update ratio']]) metric.appendChild(Object.assign(el('option', '', label), { value }));
    metric.addEventListener('change', () => {
      this.metric = metric.value as HeatmapMetric;
      this.draw();
    });
    this.boxes.get('heatmap')!.before(metric); // in the heatmap's card, above the chart
    parent.append(this.pane);
    // Showing the pane resizes it too: only charts whose box changed size lay out again (a resize redraws all of it).
    new ResizeObserver(() => {
      for (const [name, chart] of this.charts) fitBox(chart, this.boxes.get(name)!);
      this.drawSoon();
    }).observe(this.pane);
    this.pane.addEventListener('scroll', () => this.drawSoon(), { passive: true });
  }

  private pendingFrame = 0;

  /** Draws what came into view, once per frame however many scroll events there were. */
  private drawSoon(): void {
    if (!this.visible || this.pendingFrame !== 0) return;
    this.pendingFrame = requestAnimationFrame(() => {
      this.pendingFrame = 0;
      if (this.visible) this.draw();
    });
  }

  /** Shows or hides the pane; a shown pane draws what changed while it was hidden. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.pane.hidden = !visible;
    if (visible) this.draw();
  }

  /** Follows the view: its trace, the scrubber's step (-1: the recorded one) and the selected node. */
  sync(trace: Trace | null, step: number, selected: number | null): void {
    if (trace !== this.trace) {
      this.trace = trace;
      this.model = trace === null ? null : healthModel(trace);
      this.drawnKey.clear();
    }
    this.step = trace === null ? -1 : stepIndex(trace, step);
    this.selected = selected;
    if (this.visible) this.draw();
  }

  /** The theme changed: every chart is drawn again in its colours. */
  restyle(): void {
    this.drawnKey.clear();
    if (this.visible) this.draw();
  }

  private draw(): void {
    const trace = this.trace;
    const model = this.model;
    this.note.hidden = model !== null;
    for (const box of this.boxes.values()) box.parentElement!.hidden = model === null;
    if (trace === null || model === null) {
      this.note.textContent = trace === null ? 'No run yet.' : 'This run recorded no training health (a trace from before health was recorded, or no backward pass): run the model again to see these charts.';
      return;
    }
    const theme = currentTheme();
    const step = Math.max(this.step, 0);
    const param = indexOfNode(model.params, this.selected);
    const activation = indexOfNode(model.activations, this.selected);
    const shown = nearestHistogramStep(trace, step);
    // A long run is drawn at about the panel's resolution: a heatmap column or a ratio point every 4 pixels of the
    // plot (the names take about 200 of the chart's width).
    const columns = Math.max(20, Math.floor((this.boxes.get('heatmap')!.clientWidth - 200) / 4));
    // Each chart: what it depends on (drawn again only when that changes), and how to draw it.
    const plan: [ChartName, string, number, () => Record<string, unknown>, (() => Record<string, unknown>)?, string?][] = [
      ['flow', `${step}/${param}`, flowHeight(model), () => flowOption(theme, model, flowAt(trace, model, step), step, param)],
      ['heatmap', `${this.metric}/${param}/${columns}`, heatmapHeight(model), () => this.heatmapOption(trace, model, columns, step, param), () => ({ series: [heatmapMarks(theme, model, this.heatmap!, step, param)] }), `${step}`],
      ['ratios', `${param}/${columns}`, RATIO_HEIGHT, () => ratioOption(theme, model, (this.ratios = ratioSeries(trace, model, columns)), step, param), () => ({ series: [ratioMarks(theme, step)] }), `${step}`],
      ['histograms', `${shown}/${step}/${param}/${activation}`, HISTOGRAM_HEIGHT, () => histogramOption(theme, model, {
        shown,
        step,
        activations: shown === undefined ? [] : activationHistograms(trace, model, shown),
        gradients: shown === undefined ? [] : gradientHistograms(trace, model, shown),
      }, { activation, param })],
    ];
    // Every card takes its height first, so the pane scrolls as it will when all are drawn; then only the
    // charts on screen (or nearly) draw. Scrolling draws the others as they come into view.
    for (const [name, , height] of plan) {
      const box = this.boxes.get(name)!;
      if (box.clientHeight !== height) box.style.height = `${height}px`;
    }
    const view = this.pane.getBoundingClientRect();
    for (const [name, key, , full, marks, marksKey] of plan) {
      const box = this.boxes.get(name)!.getBoundingClientRect();
      if (box.bottom < view.top - NEAR_PX || box.top > view.bottom + NEAR_PX) continue;
      const chart = this.chart(name);
      const drawnKey = this.drawnKey.get(name);
      const allKey = `${key}|${marksKey ?? ''}`;
      if (drawnKey === allKey) continue;
      if (drawnKey !== undefined && drawnKey.startsWith(`${key}|`) && marks !== undefined) chart.setOption(marks(), { lazyUpdate: false });
      else chart.setOption(full(), { notMerge: true });
      this.drawnKey.set(name, allKey);
    }
    // ECharts lays the charts out as their options are set (nothing is progressive here) and paints them in the
    // next animation frame: they are drawn once that frame has run.
    this.drawn = new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
  }

  private heatmapOption(trace: Trace, model: HealthModel, columns: number, step: number, param: number): Record<string, unknown> {
    this.heatmap = heatmapCells(trace, model, this.metric, columns);
    this.heatmapIndex = new CellIndex(this.heatmap, model.params.length);
    return heatmapOption(currentTheme(), model, this.heatmap, this.metric, step, param, this.heatmapPlot);
  }

  /** The heatmap cell under a pointer event of its chart (offsetX/Y: the chart's own pixels), or null. */
  private heatmapCell(e: { offsetX: number; offsetY: number }) {
    const rect = this.heatmapPlot.rect;
    return rect === null || this.heatmapIndex === null ? null : this.heatmapIndex.cellAt(rect, e.offsetX, e.offsetY);
  }

  /** The tooltip of the update-ratio line nearest the pointer (a line has no item under the pointer to show one). */
  private ratioTipAt(chart: echarts.ECharts, x: number, y: number): string | null {
    const model = this.model;
    if (model === null || !chart.containPixel({ gridIndex: 0 }, [x, y])) return null;
    const near = nearestLine(this.ratios, [x, y], (value) => chart.convertToPixel({ gridIndex: 0 }, value) as number[]);
    return near === null ? null : ratioTip(model.params[near.line].label, this.ratios[near.line], near.index);
  }

  /** Shows `tipAt`'s text at the pointer as it moves over the chart (nothing: no tooltip). */
  private hoverTips(chart: echarts.ECharts, tipAt: (x: number, y: number) => string | null): void {
    const zr = chart.getZr();
    zr.on('mousemove', (e) => {
      const tip = tipAt(e.offsetX, e.offsetY);
      chart.dispatchAction(tip === null ? { type: 'hideTip' } : { type: 'showTip', x: e.offsetX, y: e.offsetY, tooltip: tip });
    });
    zr.on('globalout', () => chart.dispatchAction({ type: 'hideTip' }));
  }

  /** The heatmap's cells are one image: its hover tooltip and its click find their cell from the pointer. */
  private listenToCells(chart: echarts.ECharts): void {
    this.hoverTips(chart, (x, y) => {
      const cell = this.heatmapCell({ offsetX: x, offsetY: y });
      return cell === null || this.model === null || this.heatmap === null ? null : heatmapTip(this.model, this.heatmap, this.metric, cell);
    });
    chart.getZr().on('click', (e) => {
      const cell = this.heatmapCell(e);
      const tensor = cell === null ? undefined : this.model?.params[cell.row];
      if (cell === null || tensor === undefined) return;
      this.links.setStep(cell.column * (this.heatmap?.every ?? 1)); // a column's first step
      this.pick(tensor);
    });
  }

  /** The chart in its box, made the first time (its box is then laid out, so ECharts measures a real size). */
  private chart(name: ChartName): echarts.ECharts {
    const box = this.boxes.get(name)!;
    let chart = this.charts.get(name);
    if (chart !== undefined) {
      fitBox(chart, box);
      return chart;
    }
    const made = echarts.init(box, null, { renderer: 'canvas' });
    this.charts.set(name, made);
    made.on('click', (e) => this.onClick(name, e as unknown as ClickEvent));
    if (name === 'heatmap') this.listenToCells(made);
    if (name === 'ratios') this.hoverTips(made, (x, y) => this.ratioTipAt(made, x, y));
    return made;
  }

  private onClick(name: ChartName, e: ClickEvent): void {
    const model = this.model;
    if (model === null) return;
    let tensor = undefined;
    if (e.componentType === 'yAxis') tensor = model.params.find((p) => p.label === e.value);
    else if (e.componentType === 'series') {
      // A bar's index is its parameter's; a no-gradient marker's value is [0, parameter].
      if (name === 'flow') tensor = Array.isArray(e.value) ? model.params[e.value[1] as number] : model.params[e.dataIndex ?? -1];
      else tensor = [...model.params, ...model.activations].find((t) => t.label === e.seriesName);
    }
    if (tensor !== undefined) this.pick(tensor);
  }

  /** Selects a tensor's node, or for a parameter outside the graph shows the finding that names it. */
  private pick(tensor: HealthTensor): void {
    if (tensor.node !== undefined) this.links.select(tensor.node);
    else if (tensor.finding !== undefined) this.links.revealFinding(tensor.finding);
  }
}

/** Resizes a chart to its box, if the box's size changed. */
function fitBox(chart: echarts.ECharts, box: HTMLElement): void {
  if (chart.getWidth() !== box.clientWidth || chart.getHeight() !== box.clientHeight) chart.resize();
}

interface ClickEvent {
  componentType: string;
  seriesName?: string;
  dataIndex?: number;
  value?: unknown;
}
