// The two fits: all of the drawing in the panel however small it gets, and the readable fit, which never zooms
// out so far that labels drop below a readable size and shows the part around the loss of a graph too big for that.
import type { Core, NodeCollection, NodeSingular } from 'cytoscape';
import { normOrNaN, TraceNode } from '../engine/trace';
import { FIT_MARGIN, MAX_FIT_ZOOM, READABLE_ZOOM } from './limits';
import type { Direction } from './orientation';

/** The whole drawing in view, never blown up past MAX_FIT_ZOOM (labels too small to read are not drawn). */
export function fitAll(cy: Core): void {
  // A selection's centring may still be animating towards where the old size put the node: the fit wins.
  cy.stop(true);
  const b = drawingBounds(cy);
  if (b === null) return;
  const [w, h] = [Math.max(b.x2 - b.x1, 1), Math.max(b.y2 - b.y1, 1)];
  const fitted = Math.min((cy.width() - 2 * FIT_MARGIN) / w, (cy.height() - 2 * FIT_MARGIN) / h);
  const zoom = Math.min(Math.max(fitted, cy.minZoom()), cy.maxZoom(), MAX_FIT_ZOOM);
  cy.viewport({ zoom, pan: { x: cy.width() / 2 - ((b.x1 + b.x2) / 2) * zoom, y: cy.height() / 2 - ((b.y1 + b.y2) / 2) * zoom } });
}

/**
 * The drawing's extent in model coordinates: its node boxes, from their positions and the sizes the view gave
 * them (labels sit inside their boxes, edges run between them). Cytoscape's own bounding box measures every
 * label's text and every edge's curve: seconds on a 20,000-node drawing.
 */
export function drawingBounds(cy: Core): { x1: number; y1: number; x2: number; y2: number } | null {
  return boxesBounds(cy.nodes());
}

/** The extent of some drawn nodes in model coordinates, from their positions and sizes (see drawingBounds). */
function boxesBounds(nodes: NodeCollection): { x1: number; y1: number; x2: number; y2: number } | null {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  nodes.forEach((n) => {
    const p = n.position();
    // The border's outer half (a selected or NaN node's is thicker) is inside the fit's margin.
    const w = (n.data('w') as number | undefined) ?? n.width();
    const h = (n.data('h') as number | undefined) ?? n.height();
    x1 = Math.min(x1, p.x - w / 2);
    x2 = Math.max(x2, p.x + w / 2);
    y1 = Math.min(y1, p.y - h / 2);
    y2 = Math.max(y2, p.y + h / 2);
  });
  return x2 < x1 ? null : { x1, y1, x2, y2 };
}

/**
 * The whole drawing if it is readable so; else at READABLE_ZOOM, centred on the selected node, or with the loss
 * where the data flows to: the bottom middle of a top-down drawing, the right middle of one left to right. `worst`
 * (the element of the parameter with the worst gradient) is brought into view beside the loss when both fit.
 */
export function fitReadable(cy: Core, direction: Direction, worst?: string): void {
  fitAll(cy);
  if (cy.zoom() >= READABLE_ZOOM) return;
  cy.zoom(READABLE_ZOOM);
  const selected = cy.$('node:selected');
  if (selected.nonempty()) {
    cy.center(selected);
    return;
  }
  const loss = lossElement(cy);
  if (loss === undefined) {
    cy.center();
    return;
  }
  // The loss centred across the flow; along it, the edge of the loss's layer (a bigger box beside it shows whole too).
  const own = loss.renderedBoundingBox({});
  const across = direction === 'right';
  const at = loss.position(across ? 'x' : 'y');
  const layer = cy.nodes().filter((n) => Math.abs(n.position(across ? 'x' : 'y') - at) < 1).renderedBoundingBox({});
  if (across) cy.panBy({ x: cy.width() - FIT_MARGIN - layer.x2, y: cy.height() / 2 - (own.y1 + own.y2) / 2 });
  else cy.panBy({ x: cy.width() / 2 - (own.x1 + own.x2) / 2, y: cy.height() - FIT_MARGIN - layer.y2 });
  const other = worst === undefined ? cy.collection() : cy.getElementById(worst);
  if (other.empty() || other.same(loss)) return;
  // Both in view when they fit together: the loss and the parameter a user most needs to see.
  const both = loss.union(other).renderedBoundingBox({});
  if (both.w > cy.width() - 2 * FIT_MARGIN || both.h > cy.height() - 2 * FIT_MARGIN) return;
  const inside = both.x1 >= FIT_MARGIN && both.y1 >= FIT_MARGIN && both.x2 <= cy.width() - FIT_MARGIN && both.y2 <= cy.height() - FIT_MARGIN;
  if (!inside) cy.panBy({ x: cy.width() / 2 - (both.x1 + both.x2) / 2, y: cy.height() / 2 - (both.y1 + both.y2) / 2 });
}

/**
 * Pans, at the zoom there is, to what a box just opened drew (the nodes and closed boxes of `members`, trace node
 * ids): centred along each axis it fits in, else from its start (its top, its left). The fit after a redraw shows
 * the loss; a box opened far from it would otherwise open out of view. Nothing moves (false) when it is all in view.
 */
export function bringIntoView(cy: Core, members: ReadonlySet<number>): boolean {
  const drawn = cy.nodes().filter((n) => {
    const node = n.data('node') as number;
    return node >= 0 ? members.has(node) : ((n.data('members') as number[] | undefined) ?? []).some((m) => members.has(m));
  });
  const b = boxesBounds(drawn);
  if (b === null) return false;
  const zoom = cy.zoom();
  const [w, h] = [cy.width(), cy.height()];
  const { x, y } = cy.pan();
  if (b.x1 * zoom + x >= 0 && b.y1 * zoom + y >= 0 && b.x2 * zoom + x <= w && b.y2 * zoom + y <= h) return false;
  const place = (lo: number, hi: number, size: number) => ((hi - lo) * zoom > size - 2 * FIT_MARGIN ? FIT_MARGIN - lo * zoom : size / 2 - ((lo + hi) / 2) * zoom);
  cy.stop(true);
  cy.pan({ x: place(b.x1, b.x2, w), y: place(b.y1, b.y2, h) });
  return true;
}

/**
 * The parameter whose gradient a user most needs to see: one that holds NaN/Inf, else the smallest gradient norm
 * that reached one (the vanishing end). Undefined when no parameter got a gradient.
 */
export function worstParam(nodes: readonly TraceNode[]): TraceNode | undefined {
  let worst: TraceNode | undefined;
  let worstNorm = Infinity;
  for (const n of nodes) {
    if (n.kind !== 'param' || n.grad === undefined) continue;
    const g = normOrNaN(n.grad);
    if (Number.isNaN(g)) return n;
    if (g < worstNorm) [worst, worstNorm] = [n, g];
  }
  return worst;
}

/** The drawn element of the loss (the node no edge leaves), or the last node. */
function lossElement(cy: Core): NodeSingular | undefined {
  // From the edges' data: asking each node for its outgoers makes a collection per node (most of a second at 20,000).
  const sources = new Set(cy.edges().map((e) => e.data('source') as string));
  const sinks = cy.nodes().filter((n) => !sources.has(n.id()));
  const last = sinks.length > 0 ? sinks[sinks.length - 1] : cy.nodes().last();
  return last.nonempty() ? (last as NodeSingular) : undefined;
}
