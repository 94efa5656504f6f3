// From a trace to what Cytoscape draws, and the numbers the colours come from. Pure functions over the trace
// (no DOM), so they are tested in Node and reused by the standalone report.
import type { Metric, StepGraph, Trace, TraceNode } from '../engine/trace';
import { baseName, nodeTitle, shapeText } from '../engine/format';
import { normOrNaN } from '../engine/trace';
import { GROUP_THRESHOLD } from './limits';

export interface NodeData {
  id: string;
  label: string;
  kind: TraceNode['kind'] | 'group';
  /** The trace node's id (members), or -1 for a group. */
  node: number;
  /** The user function a node was made in (its group in a big graph). */
  group: string;
  /** For a collapsed group: how many tensors it stands for, and their trace ids. */
  count?: number;
  members?: number[];
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
  /** True when the graph was big enough to be grouped by function. */
  grouped: boolean;
}

export const nodeElementId = (node: number) => `n${node}`;
export const groupElementId = (group: string) => `g:${group}`;

/** Which user function made a node: the group it belongs to in a big graph. */
export function groupOf(node: TraceNode): string {
  if (node.site === null) return '(engine)';
  return `${baseName(node.site.file)}: ${node.site.function || '(top level)'}`;
}

/** Inside a function too big to draw whole: the call that made a node (a loop makes many at one call). */
export function siteGroupOf(node: TraceNode): string {
  return node.site === null ? groupOf(node) : `${groupOf(node)}:${node.site.line}:${node.site.column}`;
}

/**
 * The elements of a step's graph. Above `threshold` nodes, nodes are grouped by the user function that made
 * them and every group not in `expanded` is drawn as one node, its edges merged.
 */
export function traceToElements(graph: StepGraph, expanded: ReadonlySet<string> = new Set(), threshold = GROUP_THRESHOLD): Elements {
  const grouped = graph.nodes.length > threshold;
  const sizes = new Map<string, number>();
  for (const n of graph.nodes) sizes.set(groupOf(n), (sizes.get(groupOf(n)) ?? 0) + 1);
  // A collapsed function, or inside an opened function that is still too big to draw, a collapsed call site.
  const collapsedGroup = (n: TraceNode): string | null => {
    if (!grouped) return null;
    const fn = groupOf(n);
    if (!expanded.has(fn)) return fn;
    const site = siteGroupOf(n);
    return (sizes.get(fn) ?? 0) > threshold && !expanded.has(site) ? site : null;
  };
  // A call site's tensors share the name the source gives them (`h` in a loop); module tensors made at one call
  // (`new nn.Linear`) do not, and their group is labelled by its op instead (null: no one name).
  const siteNames = new Map<string, string | null>();
  if (grouped) {
    for (const n of graph.nodes) {
      const site = siteGroupOf(n);
      const name = n.name ?? null;
      siteNames.set(site, siteNames.has(site) && siteNames.get(site) !== name ? null : name);
    }
  }
  const visibleId = new Map<number, string>();
  const nodes: { data: NodeData }[] = [];
  const groups = new Map<string, NodeData>();
  for (const n of graph.nodes) {
    const group = collapsedGroup(n);
    if (group !== null) {
      let g = groups.get(group);
      if (g === undefined) {
        // A function's group is labelled by its name, a call site's by its tensors' name (else op) and line.
        const label = group === groupOf(n) ? group : `${siteNames.get(group) ?? (n.kind === 'op' ? n.op : n.kind)} · line ${n.site?.line}`;
        g = { id: groupElementId(group), label, kind: 'group', node: -1, group, count: 0, members: [] };
        groups.set(group, g);
        nodes.push({ data: g });
      }
      g.members!.push(n.id);
      g.count = g.members!.length;
      visibleId.set(n.id, g.id);
    } else {
      const id = nodeElementId(n.id);
      // Leaves are all op 'tensor': their kind says more (param, input, const).
      nodes.push({ data: { id, label: `${nodeTitle(n)} ${shapeText(n.shape)}`, kind: n.kind, node: n.id, group: groupOf(n) } });
      visibleId.set(n.id, id);
    }
  }
  for (const g of groups.values()) g.label = `${g.label} · ${g.count} tensors`;
  const edges = new Map<string, EdgeData>();
  graph.edges.forEach((e, i) => {
    const source = visibleId.get(e.from);
    const target = visibleId.get(e.to);
    if (source === undefined || target === undefined || source === target) return;
    // Between collapsed groups, parallel edges merge into one; between tensors every dependency is drawn.
    const merged = source.startsWith('g:') || target.startsWith('g:');
    const id = merged ? `e:${source}>${target}` : `e${i}`;
    const existing = edges.get(id);
    if (existing) existing.members.push(i);
    else edges.set(id, { id, source, target, members: [i] });
  });
  return { nodes, edges: [...edges.values()].map((data) => ({ data })), grouped };
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
