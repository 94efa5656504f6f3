// The graph view's core: the Cytoscape instance, drawing a trace (layout, box sizes, NaN origins), colouring it
// by gradient, and the view state. The legend, timeline, side panel, search and selection are parts it calls.
import cytoscape, { Collection, Core, NodeSingular } from 'cytoscape';
import { Finding, Trace, TraceNode } from '../engine/trace';
import { DEFAULT_VIEW_STATE, isViewState, Orientation, ViewState } from '../engine/view-messages';
import { Elements, foldsAround, markNanOrigins, NodeData, nodeElementId, traceToElements } from './elements';
import { Drawing, drawingOf, EMPTY_DRAWING } from './drawing';
import { DrawingFill } from './fill';
import { firstViewFolds } from './first-view';
import { FoldTree, foldTree, foldsToOpen } from './folding';
import type { ViewHost } from './host';
import { renderLegend } from './legend';
import { bringIntoView, fitAll, fitReadable, worstParam } from './fit';
import { FILL_IN_PARTS_ELEMENTS, isBigDrawing, SCREEN_AREA_PER_BOX } from './limits';
import { Minimap } from './minimap';
import { chooseAgain, Direction, Laid, layOutElements } from './orientation';
import type { Dom } from './page';
import { markSearch, searchMatches } from './search';
import { EditorLine, markLinkedLine, selectElement } from './selection';
import { renderDetails, renderFindings } from './side-panel';
import { StepScrubber } from './step-scrubber';
import { applyPaint, Paint, paintElements, paintKey } from './paint';
import { clearStyleCachesCheaply } from './style-cache';
import { stylesheet } from './style';
import { currentTheme } from './theme';
import { bindWheelZoom, keepContainerMeasured, OVERVIEW_PAN, ViewportKeeper } from './viewport';
import { drawsWithWebgl, rendererOptions, useWebgl } from './webgl';

export class GraphView {
  readonly cy: Core;
  trace: Trace | null = null;
  state: ViewState = { ...DEFAULT_VIEW_STATE };
  private nodes = new Map<number, TraceNode>();
  private folds: FoldTree = foldTree({ step: 0, nodes: [], edges: [] });
  private elements: Elements = { nodes: [], edges: [], grouped: false, drawnId: new Map() };
  /** The drawing's boxes as laid out: all of them, while a big drawing is still going into Cytoscape (tests read it). */
  drawing: Drawing = EMPTY_DRAWING;
  /** Puts the drawing into Cytoscape: a big one a part at a time (null before the first drawing). */
  private fill: DrawingFill | null = null;
  /** The colours the drawing has now (what a fill adds elements with). */
  private paintNow: Paint | null = null;
  private linkedLine: EditorLine | null = null;
  private readonly scrubber: StepScrubber;
  private readonly viewport: ViewportKeeper;
  private readonly minimap: Minimap;
  /** Which way the drawing runs now (the state's orientation, or what 'auto' chose for the panel). */
  direction: Direction = 'down';
  /** The drawing's size each way, when 'auto' laid it out both ways (a resize may choose again). */
  private extents: Laid['extents'] = {};
  /** The fit the user last asked for: resizes and redraws fit the same way. */
  private fitMode: 'readable' | 'all' = 'readable';
  /** Resolves when the current trace is drawn (tests and the benchmark wait on it). */
  drawn: Promise<void> = Promise.resolve();
  /** Resolves when all of the current drawing is in Cytoscape (the same for tests and the benchmark). */
  filled: Promise<void> = Promise.resolve();

  constructor(private readonly host: ViewHost, private readonly dom: Dom) {
    this.cy = cytoscape({ container: dom.graph, style: stylesheet(currentTheme(), false), minZoom: 0.001, maxZoom: 4, boxSelectionEnabled: false, ...rendererOptions() });
    clearStyleCachesCheaply(this.cy);
    // Cytoscape cancels the mousedown (no text selection while dragging), which also keeps the browser from moving
    // focus here: the view takes it itself, so its keys (arrows, Enter, /) work after a click and never go on to
    // whatever had focus before (in VS Code, the user's code).
    dom.graph.addEventListener('pointerdown', () => dom.graph.focus({ preventScroll: true }), true);
    this.cy.on('tap', 'node', (e) => this.onTapNode(e.target as NodeSingular));
    this.cy.on('tap', (e) => e.target === this.cy && this.select(null));
    keepContainerMeasured(this.cy, dom.graph);
    bindWheelZoom(this.cy, dom.graph);
    // What a pan, a zoom or a resize brings into view goes into Cytoscape before the frame draws (fill.ts).
    this.cy.on('viewport resize', () => this.fill?.follow());
    this.viewport = new ViewportKeeper(
      this.cy,
      () => this.onPanelResized(),
      (viewport) => {
        if (viewport === undefined) delete this.state.viewport;
        else this.state.viewport = viewport;
        this.host.setState(this.state);
      },
    );
    this.minimap = new Minimap(this.cy, dom.graph, currentTheme, () => this.cy.emit(OVERVIEW_PAN));
    this.scrubber = new StepScrubber(dom, (step) => this.setStep(step));
  }

  /** Draws a trace, restoring a saved view state when there is one. */
  show(trace: Trace, state?: ViewState): Promise<void> {
    this.showFailure(null);
    this.trace = trace;
    this.nodes = new Map(trace.graph.nodes.map((n) => [n.id, n]));
    this.folds = foldTree(trace.graph);
    const saved = state ?? this.host.getState();
    this.state = isViewState(saved) ? { ...saved } : { ...DEFAULT_VIEW_STATE };
    // A saved state from another model's graph keeps its settings but not its selection or groups.
    if (this.state.file !== undefined && this.state.file !== trace.file) {
      Object.assign(this.state, { selected: null, expanded: [], step: -1 });
      delete this.state.viewport;
    }
    this.state.file = trace.file;
    // A first view opens as many folds as fit the panel readably; later ones keep what the user opened.
    const firstView = this.state.expanded.length === 0;
    if (this.state.selected !== null && !this.nodes.has(this.state.selected)) this.state.selected = null;
    this.dom.metric.value = this.state.metric;
    this.dom.diff.checked = this.state.diff;
    this.dom.search.value = this.state.search;
    this.dom.orientation.value = this.state.orientation ?? 'auto';
    this.scrubber.show(trace, this.state.step);
    renderFindings(this.dom.findings, trace.findings, (f, i) => this.pickFinding(f, i));
    const viewport = this.state.viewport;
    const panel = { width: this.cy.width(), height: this.cy.height() };
    const opened = firstView ? firstViewFolds(trace.graph, this.folds, this.boxBudget(), this.state.orientation ?? 'auto', panel) : Promise.resolve(this.state.expanded);
    this.drawn = opened.then((open) => {
      if (this.trace !== trace) return;
      this.state.expanded = open;
      return this.redraw();
    }).then(() => {
      if (viewport !== undefined) this.viewport.restore(viewport);
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
    const els = traceToElements(trace.graph, new Set(this.state.expanded), this.folds);
    markNanOrigins(els, trace.findings);
    // Box sizes from the label, for each way the graph may run; the data gets those of the way chosen.
    const panel = { width: this.cy.width(), height: this.cy.height() };
    const laying = layOutElements(els, this.state.orientation ?? 'auto', panel);
    // The colours do not depend on where the boxes go: they are worked out while the worker lays the boxes out
    // (and again if the metric, step or mode changed meanwhile).
    const colouring = (): [string, Paint] => [paintKey(this.state), paintElements(trace, this.nodes, els, this.state)];
    let [paintedFor, paint] = colouring();
    const { placed, direction, extents, boxes: sizes } = await laying;
    for (const [i, { width, height, wrapped }] of sizes.entries()) Object.assign(els.nodes[i].data, { w: width, h: height }, wrapped === undefined ? {} : { wrapped });
    if (this.trace !== trace) return;
    this.elements = els;
    this.direction = direction;
    this.extents = extents;
    this.drawing = drawingOf(els, placed.positions);
    // The old drawing out and the stylesheet in first, then the elements added with their colours: each is styled
    // once, as it is added.
    this.fill?.stop();
    this.cy.elements().remove();
    const big = isBigDrawing(els.nodes.length + els.edges.length);
    useWebgl(this.cy, big);
    this.restyle();
    if (paintKey(this.state) !== paintedFor) [paintedFor, paint] = colouring();
    this.paintNow = paint;
    // The overview and the fit read the drawing's own boxes: the view is placed before anything is added, so a big
    // drawing's first frame holds only what is in view and around it (fill.ts).
    this.painted(paint);
    this.refit();
    this.fill = new DrawingFill(this.cy, els, this.drawing, () => this.paintNow ?? paint, (added) => this.marked(added));
    this.filled = this.fill.done;
    if (els.nodes.length + els.edges.length > FILL_IN_PARTS_ELEMENTS) this.fill.start(this.cy.extent());
    else this.fill.finish();
    // Every box measured at once, as one collection: the first frame otherwise measures them one by one as it culls,
    // each measurement building collections of its own (a few percent of a 20,000-node drawing's first draw).
    if (big) this.cy.elements().boundingBox();
    const boxes = els.nodes.filter((n) => n.data.kind === 'group').length;
    this.status(`${trace.graph.nodes.length} tensors, ${trace.graph.edges.length} edges${boxes > 0 ? ` · ${els.nodes.length} shown, ${boxes} folded (click a box to open it)` : ''}${trace.graph.omitted ? ` · ${trace.graph.omitted.nodes} left out` : ''}`, 'drawing');
  }

  /** Marks elements just added to Cytoscape as the rest of the drawing is: search matches, the editor's line. */
  private marked(added: Collection): void {
    if (this.state.search.trim() !== '') markSearch(this.cy, this.matches(), true, this.elements.drawnId, added);
    if (this.linkedLine !== null) markLinkedLine(this.cy, this.trace?.graph.nodes ?? [], this.linkedLine);
  }

  /** Puts what is left of a big drawing into Cytoscape now (an export shows all of it). */
  completeDrawing(): void {
    this.fill?.finish();
  }

  /** Puts what walking with the keys from the selected node reads into Cytoscape (keyboard.ts). */
  prepareWalk(): void {
    if (this.state.selected !== null) this.fill?.ensureWalk(nodeElementId(this.state.selected), this.direction === 'right' ? 'x' : 'y');
  }

  /** Colours nodes and edges for the current metric, step and mode, and redraws the legend. */
  recolor(): void {
    const paint = this.paint();
    if (paint === null) return;
    this.paintNow = paint;
    applyPaint(this.cy, this.elements, paint);
    this.painted(paint);
  }

  private paint(): Paint | null {
    return this.trace === null ? null : paintElements(this.trace, this.nodes, this.elements, this.state);
  }

  /** What follows new colours: the overview, the legend, the saved state. */
  private painted(paint: Paint): void {
    this.minimap.refresh(this.drawing, paint.nodes.map((p) => p.color));
    renderLegend(this.dom.legend, paint.scale, this.state.metric, this.state.diff);
    this.host.setState(this.state);
  }

  setStep(step: number): void {
    this.state.step = step;
    this.scrubber.update(step);
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
      // The box opens, and what is inside it opens as far as the panel holds readable boxes.
      this.state.expanded = foldsToOpen(this.folds, this.openBudget(), new Set([...this.state.expanded, d.group]), d.group);
      const members = new Set(this.folds.folds.get(d.group)?.members ?? []);
      this.drawn = this.redraw().then(() => {
        // Where the box's contents went is where the user asked to look: a resize keeps it, as a pan of theirs.
        if (bringIntoView(this.cy, this.drawing, members)) this.viewport.keep();
      });
      return;
    }
    this.select(d.node);
    const node = this.nodes.get(d.node);
    if (node) this.reveal(node);
  }

  /** Selects a trace node (null: nothing), centring it when asked; opens its group if it is collapsed. */
  select(node: number | null, center = true): void {
    this.state.selected = node;
    const t = node === null ? undefined : this.nodes.get(node);
    if (node !== null && t && !this.drawing.index.has(nodeElementId(node)) && foldsAround(this.folds, node).length > 0) {
      this.state.expanded = [...new Set([...this.state.expanded, ...foldsAround(this.folds, node)])];
      this.drawn = this.redraw().then(() => {
        if (this.drawing.index.has(nodeElementId(node))) this.select(node, center);
      });
      return;
    }
    // A big drawing may not have put it into Cytoscape yet.
    if (node !== null) this.fill?.ensure(nodeElementId(node));
    selectElement(this.cy, node, center);
    this.renderDetails();
    this.host.setState(this.state);
  }

  /** Which renderer draws the drawing now (see webgl.ts): tests and the benchmark report it. */
  renderer(): 'webgl' | 'canvas' {
    return drawsWithWebgl(this.cy) ? 'webgl' : 'canvas';
  }

  /** The selected trace node, if any. */
  selectedNode(): TraceNode | null {
    return this.state.selected === null ? null : this.nodes.get(this.state.selected) ?? null;
  }

  reveal(node: TraceNode): void {
    if (node.site) this.host.post({ type: 'reveal', node: node.id });
  }

  private renderDetails(): void {
    const trace = this.trace;
    if (trace === null) return;
    const node = this.selectedNode();
    const around = node === null ? [] : foldsAround(this.folds, node.id);
    const inner = around.length > 0 ? this.folds.folds.get(around[around.length - 1]) : undefined;
    const group = inner === undefined ? null : { id: inner.id, label: inner.label };
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
    // A finding is about a step (where NaN started, where a gradient was worst): show that step.
    const at = f.step === undefined ? -1 : (this.trace?.steps.findIndex((s) => s.index === f.step) ?? -1);
    if (at >= 0 && at !== this.state.step) this.setStep(at);
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
    return this.trace === null ? [] : searchMatches(this.trace.graph.nodes, this.state.search);
  }

  private applySearch(): void {
    markSearch(this.cy, this.matches(), this.state.search.trim() !== '', this.elements.drawnId);
  }

  /** Highlights the nodes made on an editor line (the host sends the cursor's line). */
  highlightLine(file: string, line: number): void {
    this.linkedLine = line > 0 ? { file, line } : null;
    markLinkedLine(this.cy, this.trace?.graph.nodes ?? [], this.linkedLine);
  }

  status(text: string, kind = 'idle'): void {
    this.dom.status.textContent = text;
    this.dom.status.dataset.kind = kind;
  }

  /** What the host says it is doing. A failed run also gets the banner, and the graph it leaves is marked out of date. */
  hostStatus(text: string, kind: 'running' | 'stale' | 'error' | 'idle'): void {
    this.status(text, kind);
    this.showFailure(kind === 'error' ? text : null);
  }

  private showFailure(text: string | null): void {
    this.dom.failure.hidden = text === null;
    // The graph under the banner is what the failed run recorded up to the error, or else the previous run's.
    const upToError = this.trace?.incomplete === true;
    const below = this.trace === null ? '' : upToError ? '\nThe graph below is what ran before the error.' : '\nThe graph below is from the previous run.';
    this.dom.failure.textContent = text === null ? '' : `✖ The run failed: ${text}${below}`;
    this.dom.graph.classList.toggle('outdated', text !== null && this.trace !== null && !upToError);
  }

  /** Lays the graph out top-down, left to right, or the way that suits the panel ('auto'), and keeps the choice. */
  setOrientation(orientation: Orientation): void {
    this.state.orientation = orientation;
    this.host.setState(this.state);
    this.drawn = this.redraw().then(() => this.reselect());
  }

  /** Selects again what was selected before a redraw (the drawing's elements are new), bringing it into view. */
  private reselect(): void {
    if (this.state.selected !== null && this.drawing.index.has(nodeElementId(this.state.selected))) this.select(this.state.selected, true);
  }

  /** The panel changed size (and the user has not zoomed or panned since the last fit): fit again, and in 'auto' lay out again if the other way now suits the panel better. */
  private onPanelResized(): void {
    this.refit();
    if ((this.state.orientation ?? 'auto') !== 'auto' || this.trace === null) return;
    const panel = { width: this.cy.width(), height: this.cy.height() };
    if (chooseAgain({ direction: this.direction, extents: this.extents }, panel) !== this.direction) this.drawn = this.redraw().then(() => this.reselect());
  }

  /** Fits again the way the user last asked to (readable, or all of it). */
  private refit(): void {
    if (this.fitMode === 'all') this.fitAll();
    else this.fit();
  }

  /** Fits the whole drawing in the panel, however small its labels get (below a few pixels they are not drawn). */
  fitAll(): void {
    fitAll(this.cy, this.drawing);
    this.fitMode = 'all';
    this.viewport.fitted();
    this.minimap.placeCorner();
  }

  /**
   * Fits the drawing to the panel, never so far out that labels drop below a readable size: a graph too big for
   * that shows the part around the loss and the parameter with the worst gradient, to pan from. Never blown up
   * past MAX_FIT_ZOOM.
   * Until the user zooms or pans again, resizes fit it again.
   */
  fit(): void {
    const worst = this.trace === null ? undefined : worstParam(this.trace.graph.nodes);
    const selected = this.cy.$('node:selected');
    fitReadable(this.cy, this.drawing, this.direction, selected.nonempty() ? selected.id() : undefined, worst === undefined ? undefined : this.elements.drawnId.get(worst.id));
    this.fitMode = 'readable';
    this.viewport.fitted();
    this.minimap.placeCorner();
  }

  /**
   * How many boxes may show once the user opens a box: twice a first view's, since they asked to see inside (the
   * fit then shows the part they opened, with the overview, if it no longer fits whole).
   */
  openBudget(): number {
    return 2 * this.boxBudget();
  }

  /** How many boxes a first view may show: what fits the panel at a readable size (cut further by first-view.ts). */
  boxBudget(): number {
    const area = Math.max(this.dom.graph.clientWidth, 300) * Math.max(this.dom.graph.clientHeight, 300);
    return Math.min(60, Math.max(10, Math.round(area / SCREEN_AREA_PER_BOX)));
  }

  /** Applies the stylesheet for the current theme, the cheaper one for a big graph. */
  restyle(): void {
    this.cy.style(stylesheet(currentTheme(), isBigDrawing(this.elements.nodes.length + this.elements.edges.length)));
    // The overview takes its background and outline from the theme too.
    this.minimap.refresh();
  }
}
