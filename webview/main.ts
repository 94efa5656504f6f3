// The webview's entry: builds the page, connects to the host (VS Code, or none in the standalone report),
// validates every message, and wires the controls and the keyboard.
import type { NodeCollection, NodeSingular } from 'cytoscape';
import { formatSite } from '../engine/format';
import { isHostMessage, Metric, siteToReveal, Trace } from '../engine/trace';
import { GraphView } from './app';
import { connectHost } from './host';
import { el } from './panel';
import { adoptSystemTheme, watchTheme } from './theme';

function buildPage(root: HTMLElement) {
  const search = el('input', 'search');
  search.type = 'search';
  search.placeholder = 'Search op, function or line (/)';
  search.setAttribute('aria-label', 'Search nodes');
  const metric = el('select', 'metric');
  metric.setAttribute('aria-label', 'Colour by');
  for (const [value, label] of [['grad', 'Gradient norm'], ['ratio', 'Gradient / value'], ['value', 'Value norm']]) {
    metric.appendChild(Object.assign(el('option', '', label), { value }));
  }
  const diff = el('input');
  diff.type = 'checkbox';
  const diffLabel = el('label', 'diff', ' change from previous step');
  diffLabel.prepend(diff);
  const buttons = Object.fromEntries(['Fit', 'PNG', 'SVG'].map((t) => [t, el('button', '', t)]));
  buttons.PNG.title = 'Export as PNG';
  buttons.SVG.title = 'Export as SVG';
  const status = el('span', 'status');
  const toolbar = el('header', 'toolbar');
  toolbar.append(search, metric, diffLabel, buttons.Fit, buttons.PNG, buttons.SVG, status);

  const graph = el('div', 'graph');
  graph.tabIndex = 0;
  graph.setAttribute('aria-label', 'Computation graph');
  const legend = el('section', 'legend');
  const details = el('section', 'details');
  const findings = el('section', 'findings-panel');
  const side = el('aside', 'side');
  side.append(legend, details, findings);
  const main = el('main', 'body');
  main.append(graph, side);

  const step = el('input', 'step');
  step.type = 'range';
  step.setAttribute('aria-label', 'Step');
  const stepLabel = el('span', 'step-label');
  const lossCurve = el('div', 'loss-curve');
  lossCurve.title = 'loss by step (log scale); click to go to a step';
  const timeline = el('footer', 'timeline');
  timeline.append(step, stepLabel, lossCurve);
  root.append(toolbar, main, timeline);
  return { graph, details, findings, legend, status, search, metric, diff, step, stepLabel, lossCurve, buttons };
}

// Cytoscape adds a one-rule stylesheet to the page; under our CSP a style element needs the page's nonce, so
// we add it ourselves, with the nonce this script was given, and Cytoscape finds it already there.
const cyStyle = document.createElement('style');
cyStyle.id = '__________cytoscape_stylesheet';
cyStyle.nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
cyStyle.textContent = '.__________cytoscape_container { position: relative; }';
document.head.prepend(cyStyle);

adoptSystemTheme();
const dom = buildPage(document.getElementById('root') ?? document.body);
const host = connectHost((message) => {
  const site = siteToReveal(view.trace ?? undefined, message);
  if (site !== undefined) view.status(formatSite(site), 'site');
});
const view = new GraphView(host, dom);
(window as unknown as { __gradscope: GraphView }).__gradscope = view;

dom.search.addEventListener('input', () => view.setSearch(dom.search.value));
dom.search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    const found = view.matches();
    if (found.length === 0) return;
    const at = found.findIndex((n) => n.id === view.state.selected);
    view.select(found[(at + 1) % found.length].id);
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
dom.step.addEventListener('input', () => view.setStep(Number(dom.step.value)));
dom.lossCurve.addEventListener('click', (e) => {
  const steps = view.trace?.steps.length ?? 0;
  const box = dom.lossCurve.getBoundingClientRect();
  if (steps > 1) view.setStep(Math.round(((e.clientX - box.left) / box.width) * (steps - 1)));
});
dom.buttons.Fit.addEventListener('click', () => view.cy.fit(undefined, 30));
dom.buttons.PNG.addEventListener('click', () => view.exportImage('png'));
dom.buttons.SVG.addEventListener('click', () => view.exportImage('svg'));
watchTheme(() => view.restyle());

// Keyboard: arrows walk the graph (up: an input of the selected tensor, down: a tensor computed from it,
// left/right: neighbours in its row), Enter shows the source, / searches, f fits, +/- zoom.
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  const cy = view.cy;
  const selected = cy.nodes(':selected').first();
  const go = (candidates: NodeCollection | NodeSingular) => {
    const next = candidates.filter((n) => n.data('node') >= 0).first();
    if (next.nonempty()) view.select(next.data('node') as number);
  };
  const row = (): NodeSingular[] =>
    (cy.nodes().toArray() as NodeSingular[]).filter((n) => Math.abs(n.position('y') - selected.position('y')) < 1).sort((a, b) => a.position('x') - b.position('x'));
  switch (e.key) {
    case 'ArrowUp':
      if (selected.nonempty()) go(selected.incomers('node'));
      break;
    case 'ArrowDown':
      if (selected.nonempty()) go(selected.outgoers('node'));
      break;
    case 'ArrowLeft':
    case 'ArrowRight': {
      if (selected.empty()) break;
      const r = row();
      const i = r.findIndex((n) => n.same(selected));
      const next = r[e.key === 'ArrowLeft' ? i - 1 : i + 1];
      if (next !== undefined) go(next);
      break;
    }
    case 'Enter': {
      const node = view.trace?.graph.nodes.find((n) => n.id === view.state.selected);
      if (node) view.reveal(node);
      break;
    }
    case '/':
      dom.search.focus();
      break;
    case 'f':
      cy.fit(undefined, 30);
      break;
    case '+':
    case '=':
      cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      break;
    case '-':
      cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      break;
    default:
      if (!e.key.startsWith('Arrow')) return;
  }
  e.preventDefault();
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case 'trace':
      void view.show(message.trace, message.state);
      break;
    case 'highlightLine':
      view.highlightLine(message.file, message.line);
      break;
    case 'select':
      view.select(message.node);
      break;
    case 'status':
      view.status(message.text, message.kind);
      break;
    default: {
      const never: never = message;
      void never;
    }
  }
});

// The standalone report carries its trace in the page.
const embedded = document.getElementById('gradscope-trace');
if (embedded?.textContent) void view.show(JSON.parse(embedded.textContent) as Trace);
else host.post({ type: 'ready' });
