// The graph view: draws a trace with Cytoscape, colours it by gradient, and keeps the panels, the step
// scrubber and the editor link in step with the selection.
import cytoscape, { Core, NodeSingular } from 'cytoscape';
import { DEFAULT_VIEW_STATE, Finding, isViewState, normOrNaN, Site, Trace, TraceNode, ViewState } from '../engine/trace';
import { baseName, formatMagnitude } from '../engine/format';
import { colorFor, diffScale, legendEnds, legendGradient, logScale, NAN_COLOR, NO_GRAD_COLOR, Scale } from './colors';
import { changeOf, Elements, groupOf, siteGroupOf, NodeData, metricOf, nodeElementId, stepIndex, traceToElements } from './elements';
import { exportSvg } from './export-svg';
import type { ViewHost } from './host';
import { layout } from './layout-client';
import { renderDetails, renderFindings } from './panel';
import { stylesheet } from './style';
import { currentTheme } from './theme';
import { chartSvg } from './timeline';

export interface Dom {
  graph: HTMLElement;
  details: HTMLElement;
  findings: HTMLElement;
  legend: HTMLElement;
  status: HTMLElement;
  search: HTMLInputElement;
  metric: HTMLSelectElement;
  diff: HTMLInputElement;
  step: HTMLInputElement;
  stepLabel: HTMLElement;
  lossCurve: HTMLElement;
}

const METRIC_NAMES = { grad: 'gradient norm', ratio: 'gradient / value', value: 'value norm' };

/** Text colour that reads on a fill (relative luminance). */
function textOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? '#000000' : '#ffffff';
}

/** What one drawn element shows for the trace elements it stands for: NaN if any was NaN/Inf, else the largest. */
function strongest(values: readonly (number | undefined)[]): number | undefined {
  let max: number | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) return NaN;
    if (max === undefined || v > max) max = v;
  }
  return max;
}

export class GraphView {
  readonly cy: Core;
  trace: Trace | null = null;
  state: ViewState = { ...DEFAULT_VIEW_STATE };
  private nodes = new Map<number, TraceNode>();
  private elements: Elements = { nodes: [], edges: [], grouped: false };
  private linkedLine: { file: string; line: number } | null = null;
  /** Resolves when the current trace is drawn (tests and the benchmark wait on it). */
  drawn: Promise<void> = Promise.resolve();

  constructor(private readonly host: ViewHost, private readonly dom: Dom) {
    this.cy = cytoscape({ container: dom.graph, style: stylesheet(currentTheme(), false), minZoom: 0.02, maxZoom: 4, boxSelectionEnabled: false });
    this.cy.on('tap', 'node', (e) => this.onTapNode(e.target as NodeSingular));
    this.cy.on('tap', (e) => e.target === this.cy && this.select(null));
    // Cytoscape measures its container (size and place on the page) once and on window resizes. The container
    // also moves and resizes when the toolbar wraps or the side panel reflows in a narrow panel: clicks would
    // land off by that much. So it is told whenever the graph or anything laid out around it changes size.
    const observer = new ResizeObserver(() => this.cy.resize());
    for (const e of [dom.graph, ...Array.from(dom.graph.closest('#root')?.children ?? [])]) observer.observe(e);
  }

  /** Draws a trace, restoring a saved view state when there is one. */
  show(trace: Trace, state?: ViewState): Promise<void> {
    this.trace = trace;
    this.nodes = new Map(trace.graph.nodes.map((n) => [n.id, n]));
    const saved = state ?? this.host.getState();
    this.state = isViewState(saved) ? { ...saved } : { ...DEFAULT_VIEW_STATE };
    // A saved state from another model's graph keeps its settings but not its selection or groups.
    if (this.state.file !== undefined && this.state.file !== trace.file) Object.assign(this.state, { selected: null, expanded: [], step: -1 });
    this.state.file = trace.file;
    if (this.state.selected !== null && !this.nodes.has(this.state.selected)) this.state.selected = null;
    this.dom.metric.value = this.state.metric;
    this.dom.diff.checked = this.state.diff;
    this.dom.search.value = this.state.search;
    this.setupTimeline();
    renderFindings(this.dom.findings, trace.findings, (f, i) => this.pickFinding(f, i));
    this.drawn = this.redraw().then(() => {
      if (this.state.selected !== null) this.select(this.state.selected, false);
      else this.renderDetails();
    });
    return this.drawn;
  }

  /** Rebuilds the elements (after a group opened or closed) and lays them out. */
  private async redraw(): Promise<void> {
    const trace = this.trace;
    if (trace === null) return;
    this.status(`laying out ${trace.graph.nodes.length} tensors…`);
    const els = traceToElements(trace.graph, new Set(this.state.expanded));
    // Where NaN/Inf started gets a marker of its own: every node downstream of it is red too.
    const origins = new Set(trace.findings.filter((f) => f.kind === 'nan-forward' || f.kind === 'nan-backward').map((f) => f.node));
    for (const n of els.nodes) if (origins.has(n.data.node)) Object.assign(n.data, { label: `⚠ NaN starts here: ${n.data.label}`, origin: true });
    // Box sizes from the label (monospace: 11px text is about 6.6px a character, a group's 13px about 8px).
    for (const n of els.nodes) {
      const group = n.data.kind === 'group';
      Object.assign(n.data, { w: Math.max(44, n.data.label.length * (group ? 8 : 6.6) + (group ? 30 : 18)), h: group ? 44 : 26 });
    }
    const sized = els.nodes.map((n) => ({ id: n.data.id, width: (n.data as unknown as { w: number }).w, height: (n.data as unknown as { h: number }).h }));
    const placed = await layout(sized, els.edges.map((e) => ({ source: e.data.source, target: e.data.target })));
    if (this.trace !== trace) return;
    this.elements = els;
    const big = els.nodes.length + els.edges.length > 4000;
    // The stylesheet first, so the elements are styled once, as they are added.
    this.cy.style(stylesheet(currentTheme(), big));
    // Colours are filled in by recolor(); until then every element has neutral ones (the style maps them).
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(els.nodes.map((n) => ({ group: 'nodes' as const, data: { color: NO_GRAD_COLOR, text: '#000000', ...n.data }, position: placed.positions[n.data.id] ?? { x: 0, y: 0 } })));
      this.cy.add(els.edges.map((e) => ({ group: 'edges' as const, data: { color: NO_GRAD_COLOR, width: 1, ...e.data } })));
    });
    this.cy.fit(undefined, 30);
    this.recolor();
    this.applySearch();
    this.applyLinkedLine();
    this.status(`${trace.graph.nodes.length} tensors, ${trace.graph.edges.length} edges${els.grouped ? `, grouped by function (${els.nodes.length} shown)` : ''}${trace.graph.omitted ? ` · ${trace.graph.omitted.nodes} left out` : ''}`);
  }

  /** Colours nodes and edges for the current metric, step and mode, and redraws the legend. */
  recolor(): void {
    const trace = this.trace;
    if (trace === null) return;
    const { metric, diff, step } = this.state;
    const value = (n: TraceNode) => (diff ? changeOf(trace, n, metric, step) : metricOf(trace, n, metric, step));
    const values = new Map(trace.graph.nodes.map((n) => [n.id, value(n)]));
    const scale: Scale = diff ? diffScale(values.values() as Iterable<number>) : logScale(values.values() as Iterable<number>);
    // Edges: the gradient that flowed along them at the recorded step; at another step, their dependency's.
    const recorded = stepIndex(trace, step) === trace.graph.step;
    const edgeValue = (i: number): number | undefined => {
      const e = trace.graph.edges[i];
      if (recorded && !diff) return e.grad === undefined ? undefined : normOrNaN(e.grad);
      const from = this.nodes.get(e.from);
      return from && metricOf(trace, from, 'grad', step);
    };
    const edgeValues = this.elements.edges.map((e) => e.data.members.map(edgeValue));
    const spread = logScale(edgeValues.flat().filter((v): v is number => v !== undefined));
    // The darkest end of viridis vanishes on a dark background: edges start a little way up the scale.
    const edgeScale = { ...spread, lo: spread.lo - 0.18 * (spread.hi - spread.lo) };
    this.cy.batch(() => {
      for (const n of this.elements.nodes) {
        const d = n.data;
        const v = strongest((d.members ?? [d.node]).map((id) => values.get(id)));
        const nan = Number.isNaN(v);
        const color = colorFor(v, scale);
        const ele = this.cy.getElementById(d.id);
        ele.data({ color, text: textOn(color), value: v });
        ele.toggleClass('nan', nan);
      }
      this.elements.edges.forEach((e, k) => {
        const v = strongest(edgeValues[k]);
        const nan = Number.isNaN(v);
        const t = v === undefined || !(v > 0) ? 0 : (Math.log10(v) - spread.lo) / (spread.hi - spread.lo);
        const ele = this.cy.getElementById(e.data.id);
        ele.data({ color: nan ? NAN_COLOR : colorFor(v, edgeScale), width: v === undefined ? 1 : 1 + 5 * Math.min(Math.max(t, 0), 1) });
        ele.toggleClass('nan', nan);
      });
    });
    this.renderLegend(scale);
    this.host.setState(this.state);
  }

  private renderLegend(scale: Scale): void {
    const [lo, hi] = legendEnds(scale);
    const title = this.state.diff ? `change of ${METRIC_NAMES[this.state.metric]} from the previous step` : `${METRIC_NAMES[this.state.metric]} (log scale)`;
    const legend = this.dom.legend;
    legend.replaceChildren();
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.background = legendGradient(scale);
    const ends = document.createElement('div');
    ends.className = 'ends';
    ends.append(Object.assign(document.createElement('span'), { textContent: lo }), Object.assign(document.createElement('span'), { textContent: hi }));
    const keys = document.createElement('div');
    keys.className = 'keys';
    keys.innerHTML = '<span class="swatch nan"></span>NaN/Inf <span class="swatch none"></span>no gradient · edge width: gradient along it';
    legend.append(Object.assign(document.createElement('div'), { className: 'title', textContent: title }), bar, ends, keys);
  }

  private setupTimeline(): void {
    const trace = this.trace!;
    const n = trace.steps.length;
    this.dom.step.min = '0';
    this.dom.step.max = String(Math.max(n - 1, 0));
    this.dom.step.disabled = n <= 1;
    this.updateTimeline();
  }

  private updateTimeline(): void {
    const trace = this.trace!;
    const s = stepIndex(trace, this.state.step);
    this.dom.step.value = String(Math.max(s, 0));
    const loss = s >= 0 ? trace.steps[s].loss : null;
    this.dom.stepLabel.textContent = s < 0 ? 'no backward pass: forward graph only' : `step ${s + 1} of ${trace.steps.length}${loss === null ? '' : ` · loss ${formatMagnitude(loss)}`}${s === trace.graph.step ? ' (recorded)' : ''}`;
    this.dom.lossCurve.innerHTML = chartSvg(trace.steps.map((st) => st.loss), { width: 240, height: 36, mark: s, className: 'loss-line' });
  }

  setStep(step: number): void {
    this.state.step = step;
    this.updateTimeline();
    this.recolor();
    this.renderDetails();
  }

  setMetric(metric: ViewState['metric'], diff: boolean): void {
    this.state.metric = metric;
    this.state.diff = diff;
    this.recolor();
  }

  private onTapNode(ele: NodeSingular): void {
    const d = ele.data() as NodeData;
    if (d.kind === 'group') {
      this.state.expanded = [...this.state.expanded, d.group];
      this.drawn = this.redraw();
      return;
    }
    this.select(d.node);
    const node = this.nodes.get(d.node);
    if (node) this.reveal(node);
  }

  /** Selects a trace node (null: nothing), centring it when asked; opens its group if it is collapsed. */
  select(node: number | null, center = true): void {
    this.state.selected = node;
    if (node !== null) {
      const t = this.nodes.get(node);
      const ele = this.cy.getElementById(nodeElementId(node));
      if (t && ele.empty() && this.elements.grouped) {
        // Hidden in a collapsed group: open its function (and its line, in a function too big to draw whole).
        this.state.expanded = [...new Set([...this.state.expanded, groupOf(t), siteGroupOf(t)])];
        this.drawn = this.redraw().then(() => {
          if (this.cy.getElementById(nodeElementId(node)).nonempty()) this.select(node, center);
        });
        return;
      }
      this.cy.batch(() => {
        this.cy.$(':selected').unselect();
        ele.select();
      });
      // Bring it into view only if it is out of view: a node the user just clicked stays under the mouse.
      const box = ele.nonempty() ? ele.boundingBox({}) : null;
      const view = this.cy.extent();
      const visible = box !== null && box.x1 >= view.x1 && box.x2 <= view.x2 && box.y1 >= view.y1 && box.y2 <= view.y2;
      if (center && box !== null && !visible) this.cy.animate({ center: { eles: ele }, duration: 150 });
    } else {
      this.cy.$(':selected').unselect();
    }
    this.renderDetails();
    this.host.setState(this.state);
  }

  reveal(node: TraceNode): void {
    if (node.site) this.host.post({ type: 'reveal', node: node.id });
  }

  private renderDetails(): void {
    const trace = this.trace;
    if (trace === null) return;
    const node = this.state.selected === null ? null : this.nodes.get(this.state.selected) ?? null;
    const group = node && this.elements.grouped ? groupOf(node) : null;
    renderDetails(this.dom.details, trace, node, this.state.step, group, {
      reveal: (n) => this.reveal(n),
      collapse: (g) => {
        this.state.expanded = this.state.expanded.filter((e) => e !== g);
        this.state.selected = null;
        this.drawn = this.redraw().then(() => this.renderDetails());
      },
    });
  }

  private pickFinding(f: Finding, index: number): void {
    if (f.node !== undefined) this.select(f.node);
    if (f.site) this.host.post({ type: 'revealFinding', index });
  }

  /** Dims what does not match the search (op, function, file:line or line). */
  setSearch(query: string): void {
    this.state.search = query;
    this.applySearch();
    this.host.setState(this.state);
  }

  matches(): TraceNode[] {
    const q = this.state.search.trim().toLowerCase();
    if (q === '' || this.trace === null) return [];
    return this.trace.graph.nodes.filter((n) => {
      const site = n.site;
      const text = `${n.op} ${site?.function ?? ''} ${site ? `${baseName(site.file)}:${site.line}` : ''}`.toLowerCase();
      return /^\d+$/.test(q) ? site?.line === Number(q) : text.includes(q);
    });
  }

  private applySearch(): void {
    const found = new Set(this.matches().map((n) => nodeElementId(n.id)));
    const searching = this.state.search.trim() !== '';
    if (!searching && this.cy.$('.match, .dimmed').empty()) return;
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        n.toggleClass('match', found.has(n.id()));
        n.toggleClass('dimmed', searching && !found.has(n.id()));
      });
      this.cy.edges().toggleClass('dimmed', searching);
    });
  }

  /** Highlights the nodes made on an editor line (the host sends the cursor's line). */
  highlightLine(file: string, line: number): void {
    this.linkedLine = line > 0 ? { file, line } : null;
    this.applyLinkedLine();
  }

  private applyLinkedLine(): void {
    const at = this.linkedLine;
    const on = (s: Site | null) => at !== null && s !== null && s.line === at.line && s.file === at.file;
    this.cy.batch(() => {
      this.cy.nodes().removeClass('linked');
      if (at !== null) for (const n of this.trace?.graph.nodes ?? []) if (on(n.site)) this.cy.getElementById(nodeElementId(n.id)).addClass('linked');
    });
  }

  status(text: string, kind = 'idle'): void {
    this.dom.status.textContent = text;
    this.dom.status.dataset.kind = kind;
  }

  exportImage(format: 'png' | 'svg'): void {
    const background = currentTheme().background;
    const data = format === 'png' ? this.cy.png({ full: true, scale: 2, bg: background }) : exportSvg(this.cy, background);
    this.host.post({ type: 'export', format, data });
  }

  restyle(): void {
    this.cy.style(stylesheet(currentTheme(), this.elements.nodes.length + this.elements.edges.length > 4000));
  }
}
