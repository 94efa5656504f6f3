// The two fits: all of the drawing in the panel however small it gets, and the readable fit, which never zooms
// out so far that labels drop below a readable size and shows the part around the loss of a graph too big for that.
import type { Core } from 'cytoscape';
import { normOrNaN, TraceNode } from '../engine/trace';
import { FIT_MARGIN, MAX_FIT_ZOOM, READABLE_ZOOM } from './limits';
import { Bounds, boxesBounds, DrawnBox, Drawing, lossBox } from './drawing';
import type { Direction } from './orientation';

/** The whole drawing in view, never blown up past MAX_FIT_ZOOM (labels too small to read are not drawn). */
export function fitAll(cy: Core, drawing: Drawing): void {
  // A selection's centring may still be animating towards where the old size put the node: the fit wins.
  cy.stop(true);
  const b = boxesBounds(drawing.boxes);
  if (b === null) return;
  const [w, h] = [Math.max(b.x2 - b.x1, 1), Math.max(b.y2 - b.y1, 1)];
  const fitted = Math.min((cy.width() - 2 * FIT_MARGIN) / w, (cy.height() - 2 * FIT_MARGIN) / h);
  const zoom = Math.min(Math.max(fitted, cy.minZoom()), cy.maxZoom(), MAX_FIT_ZOOM);
  cy.viewport({ zoom, pan: { x: cy.width() / 2 - ((b.x1 + b.x2) / 2) * zoom, y: cy.height() / 2 - ((b.y1 + b.y2) / 2) * zoom } });
}

/** Some boxes' extent on screen, at the zoom and pan there are. */
function onScreen(cy: Core, boxes: Iterable<DrawnBox>): Bounds & { w: number; h: number } {
  const b = boxesBounds(boxes) ?? { x1: 0, y1: 0, x2: 0, y2: 0 };
  const [zoom, pan] = [cy.zoom(), cy.pan()];
  const r = { x1: b.x1 * zoom + pan.x, y1: b.y1 * zoom + pan.y, x2: b.x2 * zoom + pan.x, y2: b.y2 * zoom + pan.y };
  return { ...r, w: r.x2 - r.x1, h: r.y2 - r.y1 };
}

/**
 * The whole drawing if it is readable so; else at READABLE_ZOOM, centred on the selected box (its element id), or
 * with the loss where the data flows to: the bottom middle of a top-down drawing, the right middle of one left to
 * right. `worst` (the element of the parameter with the worst gradient) is brought into view beside the loss when
 * both fit. The boxes are the view's own (drawing.ts): a big drawing is not all in Cytoscape yet.
 */
export function fitReadable(cy: Core, drawing: Drawing, direction: Direction, selected?: string, worst?: string): void {
  fitAll(cy, drawing);
  if (cy.zoom() >= READABLE_ZOOM) return;
  cy.zoom(READABLE_ZOOM);
  const box = (id: string | undefined) => (id === undefined ? undefined : drawing.boxes[drawing.index.get(id) ?? -1]);
  const centre = (b: DrawnBox) => cy.pan({ x: cy.width() / 2 - b.x * READABLE_ZOOM, y: cy.height() / 2 - b.y * READABLE_ZOOM });
  const focus = box(selected);
  if (focus !== undefined) {
    centre(focus);
    return;
  }
  const loss = lossBox(drawing);
  if (loss === undefined) return;
  // The loss centred across the flow; along it, the edge of the loss's layer (a bigger box beside it shows whole too).
  const own = onScreen(cy, [loss]);
  const across = direction === 'right';
  const at = across ? loss.x : loss.y;
  const layer = onScreen(cy, drawing.boxes.filter((b) => Math.abs((across ? b.x : b.y) - at) < 1));
  if (across) cy.panBy({ x: cy.width() - FIT_MARGIN - layer.x2, y: cy.height() / 2 - (own.y1 + own.y2) / 2 });
  else cy.panBy({ x: cy.width() / 2 - (own.x1 + own.x2) / 2, y: cy.height() - FIT_MARGIN - layer.y2 });
  const other = box(worst);
  if (other === undefined || other === loss) return;
  // Both in view when they fit together: the loss and the parameter a user most needs to see.
  const both = onScreen(cy, [loss, other]);
  if (both.w > cy.width() - 2 * FIT_MARGIN || both.h > cy.height() - 2 * FIT_MARGIN) return;
  const inside = both.x1 >= FIT_MARGIN && both.y1 >= FIT_MARGIN && both.x2 <= cy.width() - FIT_MARGIN && both.y2 <= cy.height() - FIT_MARGIN;
  if (!inside) cy.panBy({ x: cy.width() / 2 - (both.x1 + both.x2) / 2, y: cy.height() / 2 - (both.y1 + both.y2) / 2 });
}

/**
 * Pans, at the zoom there is, to what a box just opened drew (the nodes and closed boxes of `members`, trace node
 * ids): centred along each axis it fits in, else from its start (its top, its left). The fit after a redraw shows
 * the loss; a box opened far from it would otherwise open out of view. Nothing moves (false) when it is all in view.
 */
export function bringIntoView(cy: Core, drawing: Drawing, members: ReadonlySet<number>): boolean {
  const drawn = drawing.boxes.filter((n) => (n.node >= 0 ? members.has(n.node) : (n.members ?? []).some((m) => members.has(m))));
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
