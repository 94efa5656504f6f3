// The page: toolbar, graph, side panel and timeline, built once. Its elements' type is what the builder returns,
// so the parts that take them cannot drift from it.
import { el } from './dom';

export type Dom = ReturnType<typeof buildPage>;

export function buildPage(root: HTMLElement) {
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
  // Which way the graph runs: 'auto' picks top-down or left to right for the panel's shape.
  const orientation = el('select', 'orientation');
  orientation.setAttribute('aria-label', 'Layout direction');
  orientation.title = 'Layout direction';
  for (const [value, label] of [['auto', 'Auto ⇅⇄'], ['down', 'Top-down ↓'], ['right', 'Left-right →']]) {
    orientation.appendChild(Object.assign(el('option', '', label), { value }));
  }
  const buttons = Object.fromEntries(['Fit', 'Fit readable', 'PNG', 'SVG'].map((t) => [t, el('button', '', t)]));
  buttons.Fit.title = 'Show the whole graph (Shift+F)';
  buttons['Fit readable'].title = 'Fit, keeping labels readable: a big graph shows the part around the loss (F)';
  buttons.PNG.title = 'Export as PNG';
  buttons.SVG.title = 'Export as SVG';
  // Graph or Health: what the big area of the panel shows (the side column stays).
  const views = el('span', 'views');
  views.setAttribute('role', 'group');
  views.setAttribute('aria-label', 'Show');
  const viewButtons = { graph: el('button', 'view-graph', 'Graph'), health: el('button', 'view-health', 'Health') };
  viewButtons.graph.title = 'Show the computation graph (H switches)';
  viewButtons.health.title = 'Show the training health charts: gradient flow, gradients by step, update ratios, histograms (H switches)';
  views.append(viewButtons.graph, viewButtons.health);
  const status = el('span', 'status');
  // The buttons wrap as one group in a narrow panel, so Fit is never left on a line apart from the exports.
  const actions = el('span', 'actions');
  actions.append(orientation, buttons.Fit, buttons['Fit readable'], buttons.PNG, buttons.SVG);
  const toolbar = el('header', 'toolbar');
  toolbar.append(views, search, metric, diffLabel, actions, status);

  // A failed run is said across the top, above the (now out of date) graph, not only in the status line.
  const failure = el('div', 'failure');
  failure.setAttribute('role', 'alert');
  failure.hidden = true;

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
  root.append(toolbar, failure, main, timeline);
  return { root, views: viewButtons, graph, failure, details, findings, legend, status, search, metric, diff, orientation, step, stepLabel, lossCurve, buttons };
}

/**
 * Cytoscape adds a one-rule stylesheet to the page; under our CSP a style element needs the page's nonce, so
 * it is added here, with the nonce this script was given, and Cytoscape finds it already there.
 */
export function addCytoscapeStylesheet(nonce: string): void {
  const cyStyle = document.createElement('style');
  cyStyle.id = '__________cytoscape_stylesheet';
  cyStyle.nonce = nonce;
  cyStyle.textContent = '.__________cytoscape_container { position: relative; }';
  document.head.prepend(cyStyle);
}
