// The colours of a drawing for a metric, step and mode: each drawn node's fill, text colour, value and strip,
// each edge's colour and width. Computed apart from Cytoscape, so a new drawing is added with its colours in one
// pass (styling 40,000 elements twice, neutral then coloured, was a second or more of a big graph's first draw),
// and a recolour sets them on the drawn elements.
import type { Core } from 'cytoscape';
import { normOrNaN, Trace, TraceNode } from '../engine/trace';
import type { ViewState } from '../engine/view-messages';
import { colorFor, diffScale, logScale, NAN_COLOR, Scale } from './colors';
import { changeOf, Elements, metricOf, stepIndex } from './elements';
import { stripImage, strongest } from './strip';

export interface NodePaint { color: string; text: string; value: number | undefined; strip?: string; nan: boolean }
export interface EdgePaint { color: string; width: number; nan: boolean }
/** Paints in the order of the elements' nodes and edges, and the node scale (for the legend). */
export interface Paint { nodes: NodePaint[]; edges: EdgePaint[]; scale: Scale }

/** Text colour that reads on a fill (relative luminance). */
export function textOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 ? '#000000' : '#ffffff';
}

/** What a paint depends on besides the trace and the drawing: equal keys, equal paints. */
export const paintKey = ({ metric, diff, step }: Pick<ViewState, 'metric' | 'diff' | 'step'>): string => `${metric} ${diff} ${step}`;

export function paintElements(trace: Trace, nodes: ReadonlyMap<number, TraceNode>, elements: Elements, state: Pick<ViewState, 'metric' | 'diff' | 'step'>): Paint {
  const { metric, diff, step } = state;
  const value = (n: TraceNode) => (diff ? changeOf(trace, n, metric, step) : metricOf(trace, n, metric, step));
  const values = new Map(trace.graph.nodes.map((n) => [n.id, value(n)]));
  const scale: Scale = diff ? diffScale(values.values() as Iterable<number>) : logScale(values.values() as Iterable<number>);
  // Edges: the gradient that flowed along them at the recorded step; at another step, their dependency's.
  const recorded = stepIndex(trace, step) === trace.graph.step;
  const edgeValue = (i: number): number | undefined => {
    const e = trace.graph.edges[i];
    if (recorded && !diff) return e.grad === undefined ? undefined : normOrNaN(e.grad);
    const from = nodes.get(e.from);
    return from && metricOf(trace, from, 'grad', step);
  };
  const edgeValues = elements.edges.map((e) => e.data.members.map(edgeValue));
  const spread = logScale(edgeValues.flat().filter((v): v is number => v !== undefined));
  // The darkest end of viridis vanishes on a dark background: edges start a little way up the scale.
  const edgeScale = { ...spread, lo: spread.lo - 0.18 * (spread.hi - spread.lo) };
  const nodePaints = elements.nodes.map(({ data: d }): NodePaint => {
    const v = strongest((d.members ?? [d.node]).map((id) => values.get(id)));
    const color = colorFor(v, scale);
    const strip = d.parts === undefined ? undefined : stripImage(d.parts.map((part) => strongest(part.map((id) => values.get(id)))), scale);
    return { color, text: textOn(color), value: v, ...(strip === undefined ? {} : { strip }), nan: Number.isNaN(v) };
  });
  const edgePaints = edgeValues.map((members): EdgePaint => {
    const v = strongest(members);
    const nan = Number.isNaN(v);
    const t = v === undefined || !(v > 0) ? 0 : (Math.log10(v) - spread.lo) / (spread.hi - spread.lo);
    return { color: nan ? NAN_COLOR : colorFor(v, edgeScale), width: v === undefined ? 1 : 1 + 5 * Math.min(Math.max(t, 0), 1), nan };
  });
  return { nodes: nodePaints, edges: edgePaints, scale };
}

/** An element's data with its paint merged in, and its classes: for adding it with its colours, or recolouring it. */
export function withPaint<D extends object>(data: D, { nan, ...paint }: NodePaint | EdgePaint): { data: D & Omit<NodePaint | EdgePaint, 'nan'>; classes: string } {
  return { data: { ...data, ...paint }, classes: nan ? 'nan' : '' };
}

/** Sets a paint on the drawn elements (the drawing `elements` describes). */
export function applyPaint(cy: Core, elements: Elements, paint: Paint): void {
  cy.batch(() => {
    const all = [...elements.nodes.map((n, i) => [n.data.id, paint.nodes[i]] as const), ...elements.edges.map((e, i) => [e.data.id, paint.edges[i]] as const)];
    for (const [id, p] of all) {
      const ele = cy.getElementById(id);
      const { data, classes } = withPaint({}, p);
      ele.data(data);
      ele.toggleClass('nan', classes !== '');
    }
  });
}
