// Builds the graph of one step for the trace: every tensor reachable from the step's roots through its
// dependencies, with value and gradient statistics, and the gradient along every edge. Bounded by a node
// limit that never drops parameters or the tensors findings point at.
import type { Tensor } from '../engine/tensor';
import type { Site, Stats, StepGraph, TraceEdge, TraceNode, TraceScope } from '../engine/trace';
import { statsOf } from './stats';

/** What a step recorded, enough to draw it. */
export interface GraphSource {
  /** Where the graph is walked from: the loss of a step, or what a forward-only run made. */
  roots: readonly Tensor[];
  /** The gradient each tensor received in this step. */
  nodeGrads: Map<Tensor, Stats>;
  /** For each tensor, the gradient each of its gradient-carrying dependencies received, in dependency order. */
  edgeGrads: Map<Tensor, Stats[]>;
}

/** What one backward pass saw, kept until the run ends if the user asked for this step's graph. */
export interface StepRecord extends GraphSource {
  index: number;
  root: Tensor;
}

export interface GraphRequest {
  source: GraphSource;
  step: number;
  siteOf: (t: Tensor) => Site | null;
  keyOf: (t: Tensor) => string;
  /** What the user calls a tensor (see TraceNode.name), when known. */
  nameOf?: (t: Tensor, site: Site | null) => string | undefined;
  /** The calls the kept tensors (in creation order) were made in, and each one's innermost (runner/scopes.ts). */
  scopesOf?: (tensors: readonly Tensor[]) => { scopes: TraceScope[]; scopeOf: Map<Tensor, number> };
  nodeLimit: number;
  /** Tensors that stay in the graph whatever the limit (the ones findings point at). */
  mustKeep: readonly Tensor[];
}

/** Every tensor reachable from `roots`, breadth first (nearest the loss first). */
export function reachable(roots: readonly Tensor[]): Tensor[] {
  const seen = new Set<Tensor>(roots);
  const order = [...roots];
  for (let i = 0; i < order.length; i++) {
    const t = order[i];
    for (let k = 0; k < t.inputCount; k++) {
      const input = t.input(k);
      if (!seen.has(input)) {
        seen.add(input);
        order.push(input);
      }
    }
  }
  return order;
}

/** Every tensor reachable from `roots`, in creation order (inputs made before a step included). */
export function inCreationOrder(roots: readonly Tensor[]): Tensor[] {
  return reachable(roots).sort((a, b) => a.id - b.id);
}

export function buildGraph(req: GraphRequest): StepGraph {
  const { source, nodeLimit } = req;
  const all = reachable(source.roots);
  let kept = all;
  if (all.length > nodeLimit) {
    const chosen = new Set<Tensor>(all.filter((t) => t.kind === 'param'));
    for (const t of req.mustKeep) if (all.includes(t)) chosen.add(t);
    for (const t of all) {
      if (chosen.size >= nodeLimit) break;
      chosen.add(t);
    }
    kept = all.filter((t) => chosen.has(t));
  }
  const inGraph = new Set(kept);
  const ordered = [...kept].sort((a, b) => a.id - b.id);
  const scoped = req.scopesOf?.(ordered);
  const nodes: TraceNode[] = ordered.map((t) => {
    const node: TraceNode = {
      id: t.id,
      key: req.keyOf(t),
      op: t.op,
      shape: [...t.shape],
      kind: t.kind,
      site: req.siteOf(t),
      // Parameters show their values as the run left them (after the last optimizer step).
      value: statsOf(t.data),
    };
    const name = req.nameOf?.(t, node.site);
    if (name !== undefined) node.name = name;
    const scope = scoped?.scopeOf.get(t);
    if (scope !== undefined) node.scope = scope;
    const grad = source.nodeGrads.get(t);
    if (grad !== undefined) node.grad = grad;
    return node;
  });
  const edges: TraceEdge[] = [];
  let allEdges = 0;
  for (const to of all) {
    const flowed = source.edgeGrads.get(to) ?? [];
    let k = 0;
    for (let i = 0; i < to.inputCount; i++) {
      const from = to.input(i);
      allEdges++;
      const grad = to.gradFnOf(i) !== null ? flowed[k++] : undefined;
      if (!inGraph.has(to) || !inGraph.has(from)) continue;
      const edge: TraceEdge = { from: from.id, to: to.id };
      if (grad !== undefined) edge.grad = grad;
      edges.push(edge);
    }
  }
  const graph: StepGraph = { step: req.step, nodes, edges };
  if (scoped !== undefined && scoped.scopes.length > 0) graph.scopes = scoped.scopes;
  if (kept.length < all.length) {
    graph.omitted = {
      nodes: all.length - kept.length,
      edges: allEdges - edges.length,
      reason: `the graph has ${all.length} nodes, above the node limit of ${nodeLimit}: kept every parameter, the nodes findings point at, and the nodes nearest the loss`,
    };
  }
  return graph;
}
