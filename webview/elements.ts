// From a trace to what Cytoscape draws, and the numbers the colours come from. Pure functions over the trace
// (no DOM), so they are tested in Node and reused by the standalone report.
import type { Finding, StepGraph, Trace, TraceNode } from '../engine/trace';
import type { Metric } from '../engine/view-messages';
import { nodeTitle, shapeText } from '../engine/format';
import { normOrNaN } from '../engine/trace';
import { FoldKind, foldTree, FoldTree, isFold, visibleItems } from './folding';

export interface NodeData {
  id: string;
  label: string;
  kind: TraceNode['kind'] | 'group';
  /** The trace node's id (members), or -1 for a group. */
  node: number;
  /** A trace node: the innermost open fold it is drawn in ('' for none). A closed fold: its own id. */
  group: string;
  /** For a closed fold: what kind it is, how many tensors it stands for, and their trace ids. */
  fold?: FoldKind;
  count?: number;
  members?: number[];
  /** For a fold of repeated structure: the trace ids of each repetition, in order (what its strip shows). */
  parts?: number[][];
  /** The strip's image, filled in by the view when it colours. */
  strip?: string;
  /** Filled in by the view when it colours. */
  color?: string;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  /** Indices into the graph's edges of the trace edges this drawn edge stands for (several between groups). */
  members: number[];
  /** Filled in by the view when it colours. */
  color?: string;
  width?: number;
}

export interface Elements {
  nodes: { data: NodeData }[];
  edges: { data: EdgeData }[];
  /** True when the graph has folds (module calls, composite ops, repeats) to open and close. */
  grouped: boolean;
  /** The drawn element each trace node is in: its own, or its closed fold's. */
  drawnId: Map<number, string>;
}

export const nodeElementId = (node: number) => `n${node}`;
export const groupElementId = (fold: string) => `g:${fold}`;

/** The folds to open so that a node is drawn: every fold around it, outermost first. */
export function foldsAround(tree: FoldTree, node: number): string[] {
  return tree.path.get(node) ?? [];
}

/**
 * The elements of a step's graph with the folds in `open` opened (see folding.ts): each closed fold is drawn as
 * one node, and the edges into, out of and between closed folds are merged.
 */
export function traceToElements(graph: StepGraph, open: ReadonlySet<string> = new Set(), tree: FoldTree = foldTree(graph)): Elements {
  const nodesById = new Map(graph.nodes.map((n) => [n.id, n]));
  const visibleId = new Map<number, string>();
  const nodes: { data: NodeData }[] = [];
  for (const item of visibleItems(tree, open)) {
    if (isFold(item)) {
      const id = groupElementId(item.id);
      const data: NodeData = { id, label: item.label, kind: 'group', node: -1, group: item.id, fold: item.kind, count: item.members.length, members: item.members };
      if (item.repeats !== undefined) data.parts = item.children.map((c) => (isFold(c) ? c.members : [c]));
      nodes.push({ data });
      for (const m of item.members) visibleId.set(m, id);
    } else {
      const n = nodesById.get(item)!;
      const id = nodeElementId(n.id);
      const around = foldsAround(tree, n.id);
      // Leaves are all op 'tensor': their kind says more (param, input, const).
      nodes.push({ data: { id, label: `${nodeTitle(n)} ${shapeText(n.shape)}`, kind: n.kind, node: n.id, group: around[around.length - 1] ?? '' } });
      visibleId.set(n.id, id);
    }
  }
  const edges = new Map<string, EdgeData>();
  graph.edges.forEach((e, i) => {
    const source = visibleId.get(e.from);
    const target = visibleId.get(e.to);
    if (source === undefined || target === undefined || source === target) return;
    // Into, out of and between closed folds, parallel edges merge into one; between tensors every dependency is drawn.
    const merged = source.startsWith('g:') || target.startsWith('g:');
    const id = merged ? `e:${source}>${target}` : `e${i}`;
    const existing = edges.get(id);
    if (existing) existing.members.push(i);
    else edges.set(id, { id, source, target, members: [i] });
  });
  return { nodes, edges: [...edges.values()].map((data) => ({ data })), grouped: tree.folds.size > 0, drawnId: visibleId };
}

/**
 * Where NaN/Inf started gets a marker of its own: every node downstream of it is red too. Its label says what
 * started there, as the finding does ("Inf starts here", "NaN starts in backward here").
 */
export function markNanOrigins(elements: Elements, findings: readonly Finding[]): void {
  const origins = new Map(findings.filter((f) => (f.kind === 'nan-forward' || f.kind === 'nan-backward') && f.node !== undefined).map((f) => [f.node, f.message.slice(0, f.message.indexOf(' here') + 5)]));
  for (const n of elements.nodes) {
    const what = origins.get(n.data.node);
    if (what !== undefined) Object.assign(n.data, { label: `⚠ ${what}: ${n.data.label}`, origin: true });
  }
}

/** The step a view state points at (the recorded step for -1), clamped to what the trace has. */
export function stepIndex(trace: Trace, step: number): number {
  if (trace.steps.length === 0) return -1;
  return step < 0 ? (trace.graph.step >= 0 ? trace.graph.step : trace.steps.length - 1) : Math.min(step, trace.steps.length - 1);
}

/**
 * The number a node is coloured by, for a metric at a step: a magnitude (undefined: no gradient reached it, NaN:
 * it held NaN or Inf). At the recorded step it comes from the node's statistics; at other steps from the
 * per-step norms, which every step keeps by node key.
 */
export function metricOf(trace: Trace, node: TraceNode, metric: Metric, step: number): number | undefined {
  const s = stepIndex(trace, step);
  const recorded = s === trace.graph.step || s < 0;
  const summary = s >= 0 ? trace.steps[s] : undefined;
  const valueNorm = (): number => {
    const atStep = node.kind === 'param' ? summary?.paramNorms[node.key] : undefined;
    if (atStep !== undefined && !recorded) return atStep;
    return normOrNaN(node.value);
  };
  const gradNorm = (): number | undefined => {
    if (recorded) return node.grad === undefined ? undefined : normOrNaN(node.grad);
    return summary?.gradNorms[node.key];
  };
  switch (metric) {
    case 'value':
      return valueNorm();
    case 'grad':
      return gradNorm();
    case 'ratio': {
      const g = gradNorm();
      return g === undefined ? undefined : g / Math.max(valueNorm(), 1e-300);
    }
  }
}

/** Ratio of a node's metric at `step` to the step before (undefined where either is missing). */
export function changeOf(trace: Trace, node: TraceNode, metric: Metric, step: number): number | undefined {
  const s = stepIndex(trace, step);
  if (s <= 0) return undefined;
  const now = metricOf(trace, node, metric, s);
  const before = metricOf(trace, node, metric, s - 1);
  if (now === undefined || before === undefined) return undefined;
  return before === 0 ? (now === 0 ? 1 : Infinity) : now / before;
}

/** Gradient norms over every step for one node key (null where none reached it, NaN or Infinity where it held them). */
export function gradHistory(trace: Trace, key: string): (number | null)[] {
  return trace.steps.map((s) => s.gradNorms[key] ?? null);
}
