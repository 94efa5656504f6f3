// Putting a drawing into Cytoscape. Before a frame Cytoscape styles, measures and sorts every element it holds,
// whether on screen or not: most of the first draw of a 20,000-node drawing (about 50,000 elements, 2 s and more).
// So a big drawing's first frame holds what is in view and around it, and the rest follows in chunks between
// frames, nearest the view first (1-3 s for 20,000 nodes, the view answering between chunks). A part that
// comes into view before its turn (a pan, a zoom, the overview, a selection) goes in before that frame draws.
// An edge goes in with its second end; one that crosses the view goes in with both ends at once.
import type { Collection, Core, ElementDefinition } from 'cytoscape';
import { Bounds, Drawing, overlaps } from './drawing';
import type { Elements } from './elements';
import { addElements } from './fresh-drawing';
import { Paint, withPaint } from './paint';

/** Nodes a chunk adds, with the edges they complete: each chunk took 50-100 ms here (20,000 nodes: 40 chunks). */
const CHUNK_NODES = 500;
/** What goes in around the view: this share of the view's size more on every side, so a short pan finds it there. */
const MARGIN = 0.5;

export class DrawingFill {
  private readonly nodeIn: Uint8Array;
  private readonly edgeIn: Uint8Array;
  /** Each box's edges, by index. */
  private readonly edgesOf: number[][];
  private nodesLeft: number;
  private scheduled = false;
  private following = false;
  /** A follow waits for the task that moved the view to end. */
  private settling = false;
  private stopped = false;
  private finished!: () => void;
  /** Resolves when every element is in Cytoscape (or the drawing was replaced). */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  /**
   * `paint`: the colours to add elements with (a recolour may come before a chunk); `added`: what the view marks on
   * new elements (search, the editor's line).
   */
  constructor(
    private readonly cy: Core,
    private readonly elements: Elements,
    private readonly drawing: Drawing,
    private readonly paint: () => Paint,
    private readonly added: (elements: Collection) => void,
  ) {
    this.nodeIn = new Uint8Array(drawing.boxes.length);
    this.edgeIn = new Uint8Array(elements.edges.length);
    this.edgesOf = drawing.boxes.map(() => []);
    for (let e = 0; e < elements.edges.length; e++) {
      this.edgesOf[drawing.ends[2 * e]]?.push(e);
      if (drawing.ends[2 * e + 1] !== drawing.ends[2 * e]) this.edgesOf[drawing.ends[2 * e + 1]]?.push(e);
    }
    this.nodesLeft = drawing.boxes.length;
    if (this.nodesLeft === 0) this.finished();
  }

  get complete(): boolean {
    return this.nodesLeft === 0;
  }

  /** Adds everything still out, now. */
  finish(): void {
    const rest: number[] = [];
    for (let i = 0; i < this.nodeIn.length; i++) if (this.nodeIn[i] === 0) rest.push(i);
    this.add(rest);
  }

  /** Adds what is in or near `view` (model coordinates), and from then on what the view moves to. */
  start(view: Bounds): void {
    this.around(view);
    this.following = true;
    this.schedule();
  }

  /**
   * The view moved or resized: what it shows goes in before the frame draws. Where it ends up, once the task that
   * moved it is done: a readable fit passes through the whole drawing on its way to the part it shows.
   */
  follow(): void {
    if (!this.following || this.complete || this.settling) return;
    this.settling = true;
    queueMicrotask(() => {
      this.settling = false;
      if (!this.complete) this.around(this.cy.extent());
    });
  }

  /** Adds a box (by element id) if it is not in yet, with the edges it completes. */
  ensure(id: string): void {
    const i = this.drawing.index.get(id);
    if (i !== undefined && this.nodeIn[i] === 0) this.add([i]);
  }

  /**
   * Adds what walking with the keys from a box (by element id) reads: the boxes it is joined to, and the boxes of
   * its layer (those level with it along `flow`, the axis the data flows along).
   */
  ensureWalk(id: string, flow: 'x' | 'y'): void {
    const i = this.drawing.index.get(id);
    if (i === undefined || this.complete) return;
    const { boxes, ends } = this.drawing;
    const wanted: number[] = [];
    for (const e of this.edgesOf[i]) wanted.push(ends[2 * e] === i ? ends[2 * e + 1] : ends[2 * e]);
    for (let j = 0; j < boxes.length; j++) if (Math.abs(boxes[j][flow] - boxes[i][flow]) < 1) wanted.push(j);
    this.add(wanted.filter((j) => this.nodeIn[j] === 0));
  }

  /** The drawing was replaced: nothing more goes in. */
  stop(): void {
    this.stopped = true;
    this.finished();
  }

  private around(view: Bounds): void {
    const [mx, my] = [(view.x2 - view.x1) * MARGIN, (view.y2 - view.y1) * MARGIN];
    const near = { x1: view.x1 - mx, y1: view.y1 - my, x2: view.x2 + mx, y2: view.y2 + my };
    const { boxes, ends } = this.drawing;
    const wanted = new Set<number>();
    for (let i = 0; i < boxes.length; i++) if (this.nodeIn[i] === 0 && overlaps(boxes[i], near)) wanted.add(i);
    // An edge across the view (its ends both off it) is drawn there too: it goes in with its ends.
    for (let e = 0; e < this.edgeIn.length; e++) {
      if (this.edgeIn[e] === 1) continue;
      const [s, t] = [boxes[ends[2 * e]], boxes[ends[2 * e + 1]]];
      if (s === undefined || t === undefined || !crosses(s, t, near)) continue;
      if (this.nodeIn[ends[2 * e]] === 0) wanted.add(ends[2 * e]);
      if (this.nodeIn[ends[2 * e + 1]] === 0) wanted.add(ends[2 * e + 1]);
    }
    if (wanted.size > 0) this.add([...wanted]);
  }

  /** Adds boxes (indices) not in yet, with every edge whose other end is already in, in one batch; measures them. */
  private add(nodes: number[]): void {
    if (this.stopped || nodes.length === 0) return;
    const paint = this.paint();
    const { boxes } = this.drawing;
    const definitions: ElementDefinition[] = [];
    for (const i of nodes) {
      if (this.nodeIn[i] === 1) continue;
      this.nodeIn[i] = 1;
      this.nodesLeft--;
      definitions.push({ group: 'nodes', ...withPaint(this.elements.nodes[i].data, paint.nodes[i]), position: { x: boxes[i].x, y: boxes[i].y } });
    }
    // Edges after every node (an edge needs both ends in Cytoscape), in the elements' order.
    const edges: number[] = [];
    for (const i of nodes) {
      for (const e of this.edgesOf[i]) {
        if (this.edgeIn[e] === 1 || this.nodeIn[this.drawing.ends[2 * e]] === 0 || this.nodeIn[this.drawing.ends[2 * e + 1]] === 0) continue;
        this.edgeIn[e] = 1;
        edges.push(e);
      }
    }
    edges.sort((a, b) => a - b);
    for (const e of edges) definitions.push({ group: 'edges', ...withPaint(this.elements.edges[e].data, paint.edges[e]) });
    let added: Collection | undefined;
    this.cy.batch(() => (added = addElements(this.cy, definitions)));
    if (added === undefined) return;
    this.added(added);
    // Styled and measured now, as one collection (the first frame after would otherwise do it element by element).
    added.boundingBox();
    if (this.complete) this.finished();
  }

  /** The next chunk after the next frame has drawn (the browser handles input between chunks). */
  private schedule(): void {
    if (this.scheduled || this.complete || this.stopped) return;
    this.scheduled = true;
    requestAnimationFrame(() =>
      setTimeout(() => {
        this.scheduled = false;
        this.chunk();
        this.schedule();
      }, 0),
    );
  }

  /** Adds the CHUNK_NODES boxes nearest the middle of the view, off screen: see addOffScreen. */
  private chunk(): void {
    if (this.stopped || this.complete) return;
    const ex = this.cy.extent();
    const [cx, cy] = [(ex.x1 + ex.x2) / 2, (ex.y1 + ex.y2) / 2];
    const { boxes } = this.drawing;
    const out: number[] = [];
    for (let i = 0; i < boxes.length; i++) if (this.nodeIn[i] === 0) out.push(i);
    const distance = (i: number) => (boxes[i].x - cx) ** 2 + (boxes[i].y - cy) ** 2;
    const by = new Float64Array(boxes.length);
    for (const i of out) by[i] = distance(i);
    out.sort((a, b) => by[a] - by[b]);
    // The last chunk with a frame after it: that frame sorts the whole drawing in while the user is likely still
    // reading, rather than their next pan or zoom.
    if (out.length <= CHUNK_NODES) this.add(out);
    else addOffScreen(this.cy, () => this.add(out.slice(0, CHUNK_NODES)));
  }
}

/**
 * Whether the straight line between two points (a big drawing's edges are straight) passes through an extent:
 * the line clipped to the extent one side at a time (Liang-Barsky) leaves something.
 */
function crosses(from: { x: number; y: number }, to: { x: number; y: number }, e: Bounds): boolean {
  const [dx, dy] = [to.x - from.x, to.y - from.y];
  let [t0, t1] = [0, 1];
  const sides: [number, number][] = [
    [-dx, from.x - e.x1],
    [dx, e.x2 - from.x],
    [-dy, from.y - e.y1],
    [dy, e.y2 - from.y],
  ];
  for (const [p, q] of sides) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

/** What addOffScreen reads of Cytoscape's renderer (internal to 3.34; without them it adds as usual). */
interface Renderer {
  notify(event: string, elements?: unknown): void;
  invalidateCachedZSortedEles?(): void;
  flushRenderedStyleQueue?(): void;
}

/**
 * Adds elements that are off screen without a frame for them. Cytoscape draws a frame after every addition, and a
 * frame of a big drawing costs for every element it holds, in view or not (it sorts them all and checks each
 * against the view): a frame per chunk was most of the fill's time, and the view stuttered meanwhile. What Cytoscape
 * works out for a frame about the new elements (their styles, label and edge geometry) is worked out here instead,
 * and the next frame (the next pan or zoom) sorts them in.
 */
function addOffScreen(cy: Core, add: () => void): void {
  const r = (cy as unknown as { renderer(): Renderer | undefined }).renderer();
  if (r === undefined || r.invalidateCachedZSortedEles === undefined || r.flushRenderedStyleQueue === undefined) return add();
  const notify = r.notify;
  r.notify = (event) => {
    if (event === 'add') r.invalidateCachedZSortedEles?.();
  };
  try {
    add();
    r.flushRenderedStyleQueue();
  } finally {
    r.notify = notify;
  }
}
