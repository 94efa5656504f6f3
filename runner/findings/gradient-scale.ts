// What the vanishing and exploding detectors share: the parameters whose gradients they compare, and grouping
// findings by the line of code that made their nodes (a layer made in a loop is one finding; dead-relu uses it too).
import type { StepSummary, Trace, TraceNode } from '../../engine/trace';

export interface ParamGradients {
  first: StepSummary;
  last: StepSummary;
  /** The parameters in the recorded graph that the last step's backward reached. */
  params: TraceNode[];
}

/** The parameters to compare, with the first and last steps; null when there are none. */
export function paramGradients(trace: Trace): ParamGradients | null {
  const first = trace.steps[0];
  const last = trace.steps[trace.steps.length - 1];
  if (last === undefined) return null;
  const params = trace.graph.nodes.filter((n) => n.kind === 'param' && last.gradNorms[n.key] !== undefined);
  return params.length === 0 ? null : { first, last, params };
}

/** The file, line and column that made a node (its key without the occurrence count). */
const siteKey = (n: { key: string }) => n.key.slice(0, n.key.lastIndexOf('#'));
export const sameSite = (a: TraceNode, b: TraceNode) => siteKey(a) === siteKey(b);

/** `items` grouped by the site of their node, groups in order of first appearance. */
export function groupBySite<T>(items: T[], node: (item: T) => { key: string }): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = siteKey(node(item));
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups.values()];
}
