// The drawing as the view laid it out, kept apart from Cytoscape: each box's place and size, and which boxes each
// edge joins. A big drawing goes into Cytoscape a part at a time (fill.ts), so what needs all of it (the fits, the
// overview, choosing what the first frame holds) reads it from here. Reading it is also cheaper than asking
// Cytoscape, whose own measures style every element.
import type { Elements } from './elements';

/** A drawn box in model coordinates: its centre and the size the view gave it. */
export interface DrawnBox {
  id: string;
  /** The trace node's id, or -1 for a closed fold. */
  node: number;
  /** A closed fold's trace nodes. */
  members?: readonly number[];
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Bounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Drawing {
  /** In the order of the elements' nodes. */
  boxes: DrawnBox[];
  /** A box's index by its element id. */
  index: Map<string, number>;
  /** Each edge's ends as box indices, in the order of the elements' edges. */
  ends: Int32Array;
}

export const EMPTY_DRAWING: Drawing = { boxes: [], index: new Map(), ends: new Int32Array(0) };

/** The drawing of `elements` placed at `positions` (boxes the layout did not place sit at the origin, as Cytoscape puts them). */
export function drawingOf(elements: Elements, positions: Readonly<Record<string, { x: number; y: number }>>): Drawing {
  const boxes = elements.nodes.map(({ data: d }): DrawnBox => {
    const p = positions[d.id] ?? { x: 0, y: 0 };
    const { w, h } = d as { w?: number; h?: number };
    return { id: d.id, node: d.node, ...(d.members === undefined ? {} : { members: d.members }), x: p.x, y: p.y, w: w ?? 0, h: h ?? 0 };
  });
  const index = new Map(boxes.map((b, i) => [b.id, i]));
  const ends = new Int32Array(2 * elements.edges.length);
  elements.edges.forEach(({ data: e }, i) => {
    ends[2 * i] = index.get(e.source) ?? -1;
    ends[2 * i + 1] = index.get(e.target) ?? -1;
  });
  return { boxes, index, ends };
}

/** The extent of some boxes, or null for none. */
export function boxesBounds(boxes: Iterable<DrawnBox>): Bounds | null {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    x1 = Math.min(x1, b.x - b.w / 2);
    x2 = Math.max(x2, b.x + b.w / 2);
    y1 = Math.min(y1, b.y - b.h / 2);
    y2 = Math.max(y2, b.y + b.h / 2);
  }
  return x2 < x1 ? null : { x1, y1, x2, y2 };
}

/** Whether a box overlaps an extent. */
export const overlaps = (b: DrawnBox, e: Bounds): boolean => b.x + b.w / 2 >= e.x1 && b.x - b.w / 2 <= e.x2 && b.y + b.h / 2 >= e.y1 && b.y - b.h / 2 <= e.y2;

/** The box of the loss: the last box no edge leaves. */
export function lossBox(drawing: Drawing): DrawnBox | undefined {
  const sources = new Set<number>();
  for (let i = 0; i < drawing.ends.length; i += 2) sources.add(drawing.ends[i]);
  for (let i = drawing.boxes.length - 1; i >= 0; i--) if (!sources.has(i)) return drawing.boxes[i];
  return drawing.boxes[drawing.boxes.length - 1];
}
