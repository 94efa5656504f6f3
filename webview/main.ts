// The webview's entry: builds the page, connects to the host (VS Code, or none in the standalone report),
// validates every message, and wires the controls and the keyboard to the graph view.
import { formatSite } from '../engine/format';
import { traceFromJson } from '../engine/trace';
import { isHostMessage, Metric, Orientation, siteToReveal } from '../engine/view-messages';
import { ImageFormat, imageData } from './export-image';
import { GraphView } from './graph-view';
import type { HealthView } from './health/health-view';
import { observeState, PanelSwitch } from './health/panel-switch';
import { connectHost } from './host';
import { bindKeyboard } from './keyboard';
import { startLayoutWorker } from './layout-client';
import { addCytoscapeStylesheet, buildPage } from './page';
import { nextMatch } from './search';
import { adoptSystemTheme, currentTheme, watchTheme } from './theme';

addCytoscapeStylesheet((document.currentScript as HTMLScriptElement | null)?.nonce ?? '');
adoptSystemTheme();
const dom = buildPage(document.getElementById('root') ?? document.body);
// The Health charts follow every change of the view's state (made once the graph view exists).
let panels: PanelSwitch | undefined;
const host = observeState(
  connectHost((message) => {
    const site = siteToReveal(view.trace ?? undefined, message);
    if (site !== undefined) view.status(formatSite(site), 'site');
  }),
  () => panels?.follow(),
);
// In VS Code the view asks for its trace first thing: the host's answer travels while the rest of the view is built
// (the listener below handles it, once this script has run), and the layout worker starts up meanwhile.
if (!host.standalone) host.post({ type: 'ready' });
startLayoutWorker();
const view = new GraphView(host, dom);
panels = new PanelSwitch(view, dom, host);
// Tests and the benchmark drive the view (and its Health charts) through this handle.
// `health` is there once the Health charts' script has loaded (`await panels.healthView()` loads it).
const handle = Object.defineProperty(Object.assign(view, { panels }), 'health', { get: () => panels?.health }) as GraphView & { panels: PanelSwitch; readonly health: HealthView | undefined };
(window as unknown as { __gradscope: typeof handle }).__gradscope = handle;

dom.search.addEventListener('input', () => view.setSearch(dom.search.value));
dom.search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    const next = nextMatch(view.matches(), view.state.selected);
    if (next) view.select(next.id);
  }
  if (e.key === 'Escape') {
    dom.search.value = '';
    view.setSearch('');
    dom.graph.focus();
  }
});
const onMetric = () => view.setMetric(dom.metric.value as Metric, dom.diff.checked);
dom.metric.addEventListener('change', onMetric);
dom.diff.addEventListener('change', onMetric);
const exportAs = (format: ImageFormat) => {
  // The picture is of the whole drawing: a big one may still be going into Cytoscape.
  view.completeDrawing();
  const { data, scale } = imageData(view.cy, format, currentTheme().background);
  host.post({ type: 'export', format, data });
  if (scale < 1) view.status(`the PNG is at ${Math.round(scale * 100)}% of the drawing's size, the most a PNG holds here: SVG keeps every label sharp`);
};
dom.buttons.Fit.addEventListener('click', () => view.fitAll());
dom.buttons['Fit readable'].addEventListener('click', () => view.fit());
dom.orientation.addEventListener('change', () => view.setOrientation(dom.orientation.value as Orientation));
dom.buttons.PNG.addEventListener('click', () => exportAs('png'));
dom.buttons.SVG.addEventListener('click', () => exportAs('svg'));
watchTheme(() => {
  view.restyle();
  panels?.health?.restyle();
});
bindKeyboard(document, {
  cy: view.cy,
  prepareWalk: () => view.prepareWalk(),
  select: (node) => view.select(node),
  selectedNode: () => view.selectedNode(),
  reveal: (node) => view.reveal(node),
  focusSearch: () => dom.search.focus(),
  fit: () => view.fit(),
  fitAll: () => view.fitAll(),
  direction: () => view.direction,
  switchView: () => panels?.switchView(),
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case 'trace': {
      const trace = traceFromJson(message.json);
      if (trace) void view.show(trace, message.state);
      else view.hostStatus('this trace was written by another version of Gradscope: run the model again', 'error');
      break;
    }
    case 'highlightLine':
      view.highlightLine(message.file, message.line);
      break;
    case 'select':
      view.select(message.node);
      break;
    case 'status':
      view.hostStatus(message.text, message.kind);
      break;
    default: {
      const never: never = message;
      void never;
    }
  }
});

// The standalone report carries its trace in the page (and has no host to ask), and a failed run's error to show over it.
const embedded = document.getElementById('gradscope-trace');
const embeddedTrace = embedded?.textContent ? traceFromJson(embedded.textContent) : undefined;
const failure = document.getElementById('gradscope-failure')?.textContent;
if (embeddedTrace) {
  void view.show(embeddedTrace);
  if (failure) view.hostStatus(JSON.parse(failure) as string, 'error');
}
