// The side panel: details of the selected node and the list of findings. DOM built with textContent only:
// op names, file paths and messages come from the user's code and are never parsed as HTML.
import type { Finding, Stats, Trace, TraceNode } from '../engine/trace';
import { baseName, formatMagnitude, nodeTitle, shapeText, shortSite } from '../engine/format';
import { gradHistory, stepIndex } from './elements';
import { el } from './dom';
import { chartSvg } from './timeline';

const siteText = (n: TraceNode) => (n.site ? shortSite(n.site) : 'no source location');

function statsTable(title: string, s: Stats): HTMLElement {
  const table = el('table', 'stats');
  const caption = el('caption', '', title);
  table.appendChild(caption);
  const rows: [string, string][] = [
    ['norm', formatMagnitude(s.norm)],
    ['mean', formatMagnitude(s.mean)],
    ['std', formatMagnitude(s.std)],
    ['min', formatMagnitude(s.min)],
    ['max', formatMagnitude(s.max)],
    ['zeros', `${s.zeros} of ${s.count}`],
  ];
  if (s.nan > 0) rows.push(['NaN', String(s.nan)]);
  if (s.inf > 0) rows.push(['Inf', String(s.inf)]);
  for (const [k, v] of rows) {
    const tr = el('tr', k === 'NaN' || k === 'Inf' ? 'bad' : '');
    tr.append(el('th', '', k), el('td', '', v));
    table.appendChild(tr);
  }
  return table;
}

/** The calls a node was made inside, outermost first (`blocks.0 › blocks.0.attn › softmax`). */
export function scopeChain(trace: Trace, node: TraceNode): string[] {
  const graphs = [trace.graph, ...(trace.history ?? [])];
  const graph = graphs.find((g) => g.nodes.includes(node)) ?? trace.graph;
  const byId = new Map((graph.scopes ?? []).map((s) => [s.id, s]));
  const chain: string[] = [];
  for (let id = node.scope; id !== undefined; id = byId.get(id)?.parent) {
    const scope = byId.get(id);
    if (scope === undefined) break;
    chain.unshift(scope.name);
  }
  return chain;
}

export interface DetailsActions {
  reveal(node: TraceNode): void;
  /** Closes the fold (by id) the selected node is drawn in. */
  collapse(fold: string): void;
}

/** Fills `root` with what there is to know about one node. */
export function renderDetails(root: HTMLElement, trace: Trace, node: TraceNode | null, step: number, openFold: { id: string; label: string } | null, actions: DetailsActions): void {
  root.replaceChildren();
  if (node === null) {
    root.appendChild(el('p', 'hint', 'Select a node to see its values and gradient. Arrow keys walk the graph; / searches.'));
    return;
  }
  root.appendChild(el('h2', '', `${nodeTitle(node)} ${shapeText(node.shape)}`));
  root.appendChild(el('span', `badge kind-${node.kind}`, node.kind));
  if (node.kind === 'op') root.appendChild(el('span', 'badge', node.op));
  const where = el('a', 'site', siteText(node));
  where.href = '#';
  where.title = node.site ? `${node.site.file}:${node.site.line}:${node.site.column}` : '';
  where.addEventListener('click', (e) => {
    e.preventDefault();
    actions.reveal(node);
  });
  root.appendChild(where);
  if (node.site?.function) root.appendChild(el('div', 'function', `in ${node.site.function}()`));
  const scopes = scopeChain(trace, node);
  if (scopes.length > 0) root.appendChild(el('div', 'scope', `inside ${scopes.join(' › ')}`));
  root.appendChild(statsTable('value', node.value));
  if (node.grad) root.appendChild(statsTable(`gradient (step ${trace.graph.step + 1}, recorded)`, node.grad));
  else root.appendChild(el('p', 'no-grad', 'No gradient reached this tensor.'));
  const history = gradHistory(trace, node.key);
  if (history.some((v) => v !== null)) {
    const spark = el('div', 'sparkline');
    spark.title = 'gradient norm over the steps (log scale)';
    spark.innerHTML = chartSvg(history, { width: 220, height: 40, mark: stepIndex(trace, step), className: 'grad-line' });
    root.append(el('div', 'caption', 'gradient norm by step'), spark);
  }
  if (openFold !== null) {
    const collapse = el('button', '', `Fold ${openFold.label}`);
    collapse.title = 'Close the box this tensor is drawn in';
    collapse.addEventListener('click', () => actions.collapse(openFold.id));
    root.appendChild(collapse);
  }
}

const ICON: Record<Finding['severity'], string> = { error: '✖', warning: '⚠', info: 'ℹ' };

/** The findings list; picking one selects its node. */
export function renderFindings(root: HTMLElement, findings: readonly Finding[], pick: (f: Finding, index: number) => void): void {
  root.replaceChildren(el('h2', '', findings.length === 0 ? 'No findings' : `Findings (${findings.length})`));
  const list = el('ul', 'findings');
  findings.forEach((f, index) => {
    const item = el('li', `finding ${f.severity}`);
    item.tabIndex = 0;
    item.append(el('span', 'icon', ICON[f.severity]), el('span', 'message', f.message));
    if (f.site) item.appendChild(el('span', 'where', `${baseName(f.site.file)}:${f.site.line}`));
    item.addEventListener('click', () => pick(f, index));
    item.addEventListener('keydown', (e) => e.key === 'Enter' && pick(f, index));
    list.appendChild(item);
  });
  root.appendChild(list);
}
