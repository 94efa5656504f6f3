// The overview: a small picture of the whole drawing in the graph's corner (boxes in their colours, faint edges,
// and the part in view outlined), shown while the drawing is too big to read whole and not all in view. A click
// or a drag in it moves the view there. Drawn on a canvas of its own, at most once a frame.
import type { Core } from 'cytoscape';
import { Drawing, EMPTY_DRAWING } from './drawing';
import { READABLE_ZOOM, FIT_MARGIN } from './limits';
import type { Theme } from './theme';

/** Its width in a panel at least 700 px wide, and in a narrower one; it is 4:3. */
const WIDE = 160;
const NARROW = 112;
const PAD = 4;
/** It is left out where even the narrow one would take more than this share of the graph's area. */
const MAX_SHARE = 0.12;
/** Space between it and the graph's edges. */
const INSET = 8;

interface Box { x: number; y: number; w: number; h: number; color: string }

export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private frame = 0;
  /** Node boxes and edge ends in model coordinates, as of the last refresh (viewport changes only redraw). */
  private boxes: Box[] = [];
  private lines: number[] = [];
  private drawing: Drawing = EMPTY_DRAWING;
  private fills: readonly string[] = [];
  private bounds = { x1: 0, y1: 0, x2: 1, y2: 1 };
  /** Model to minimap: m = (p - origin) * scale + offset. */
  private scale = 1;
  private offset = { x: 0, y: 0 };
  private width = WIDE;
  private height = (WIDE * 3) / 4;

  constructor(private readonly cy: Core, container: HTMLElement, private readonly theme: () => Theme, private readonly onPan: () => void) {
    const canvas = document.createElement('canvas');
    canvas.className = 'minimap';
    canvas.setAttribute('aria-label', 'Overview of the whole graph: click or drag to move the view');
    canvas.hidden = true;
    container.appendChild(canvas);
    this.canvas = canvas;
    // The minimap's own: Cytoscape (listening on the container) neither pans nor selects for these.
    // (The wheel over it is stopped before Cytoscape sees it, by the view's wheel handler.)
    for (const type of ['mousedown', 'touchstart', 'click', 'dblclick']) canvas.addEventListener(type, (e) => e.stopPropagation());
    let dragging = false;
    canvas.addEventListener('pointerdown', (e) => {
      dragging = true;
      canvas.setPointerCapture(e.pointerId);
      this.panTo(e);
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', (e) => dragging && this.panTo(e));
    const stop = () => (dragging = false);
    canvas.addEventListener('pointerup', stop);
    canvas.addEventListener('pointercancel', stop);
    cy.on('viewport resize', () => this.schedule());
  }

  /**
   * Re-reads the drawing (after a layout or a recolour: the boxes' fills, in their order) and redraws. From the view's
   * own boxes, not Cytoscape's: a big drawing is in Cytoscape a part at a time (fill.ts), and n.width() would style
   * each node.
   */
  refresh(drawing: Drawing = this.drawing, fills: readonly string[] = this.fills): void {
    this.drawing = drawing;
    this.fills = fills;
    this.boxes = drawing.boxes.map((b, i) => ({ x: b.x, y: b.y, w: b.w, h: b.h, color: fills[i] ?? '#8a8a8a' }));
    this.lines = [];
    const { ends, boxes } = drawing;
    for (let i = 0; i < ends.length; i += 2) {
      const [s, t] = [boxes[ends[i]], boxes[ends[i + 1]]];
      if (s !== undefined && t !== undefined) this.lines.push(s.x, s.y, t.x, t.y);
    }
    let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const b of this.boxes) {
      x1 = Math.min(x1, b.x - b.w / 2);
      x2 = Math.max(x2, b.x + b.w / 2);
      y1 = Math.min(y1, b.y - b.h / 2);
      y2 = Math.max(y2, b.y + b.h / 2);
    }
    this.bounds = x2 < x1 ? { x1: 0, y1: 0, x2: 1, y2: 1 } : { x1, y1, x2, y2 };
    const [bw, bh] = [this.bounds.x2 - this.bounds.x1, this.bounds.y2 - this.bounds.y1];
    this.fitPanel();
    this.scale = Math.min((this.width - 2 * PAD) / Math.max(bw, 1), (this.height - 2 * PAD) / Math.max(bh, 1));
    this.offset = { x: (this.width - bw * this.scale) / 2, y: (this.height - bh * this.scale) / 2 };
    this.schedule();
  }

  /**
   * Puts it in the corner of the graph where it hides least of the drawing as it is now (called after a fit, so
   * it does not jump about while the user pans): top right unless another corner is clearly emptier.
   */
  placeCorner(): void {
    this.fitPanel();
    const [w, h] = [this.cy.width(), this.cy.height()];
    const corners = [
      { top: true, left: false },
      { top: false, left: false },
      { top: true, left: true },
      { top: false, left: true },
    ].map((c) => ({ ...c, x1: c.left ? INSET : w - INSET - this.width, y1: c.top ? INSET : h - INSET - this.height, hidden: 0 }));
    // The boxes as of the last refresh, on screen now (renderedBoundingBox would measure every label).
    const [zoom, pan] = [this.cy.zoom(), this.cy.pan()];
    this.boxes.forEach((box) => {
      const b = { x1: (box.x - box.w / 2) * zoom + pan.x, x2: (box.x + box.w / 2) * zoom + pan.x, y1: (box.y - box.h / 2) * zoom + pan.y, y2: (box.y + box.h / 2) * zoom + pan.y };
      if (b.x2 < 0 || b.y2 < 0 || b.x1 > w || b.y1 > h) return;
      for (const c of corners) {
        const dx = Math.min(b.x2, c.x1 + this.width) - Math.max(b.x1, c.x1);
        const dy = Math.min(b.y2, c.y1 + this.height) - Math.max(b.y1, c.y1);
        if (dx > 0 && dy > 0) c.hidden += dx * dy;
      }
    });
    const best = corners.reduce((a, c) => (c.hidden < a.hidden - 100 ? c : a));
    const at = (near: boolean) => (near ? `${INSET}px` : 'auto');
    Object.assign(this.canvas.style, { top: at(best.top), bottom: at(!best.top), left: at(best.left), right: at(!best.left) });
    this.schedule();
  }

  /** Its size for the panel's width. */
  private fitPanel(): void {
    this.width = this.cy.width() >= 700 ? WIDE : NARROW;
    this.height = (this.width * 3) / 4;
    Object.assign(this.canvas.style, { width: `${this.width}px`, height: `${this.height}px` });
  }

  /**
   * Whether it is shown: the drawing does not fit the panel at the readable zoom, and is not all in view now; and
   * the graph has room for it (in a tiny panel it would hide too much of what it is a map of).
   */
  get needed(): boolean {
    if (this.cy.width() * this.cy.height() * MAX_SHARE < NARROW * NARROW * 0.75) return false;
    const [bw, bh] = [this.bounds.x2 - this.bounds.x1, this.bounds.y2 - this.bounds.y1];
    const w = this.cy.width() - 2 * FIT_MARGIN;
    const h = this.cy.height() - 2 * FIT_MARGIN;
    if (this.boxes.length === 0 || (bw * READABLE_ZOOM <= w && bh * READABLE_ZOOM <= h)) return false;
    const ex = this.cy.extent();
    const b = this.bounds;
    return !(b.x1 >= ex.x1 - 1 && b.y1 >= ex.y1 - 1 && b.x2 <= ex.x2 + 1 && b.y2 <= ex.y2 + 1);
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws now (the scheduled draw, or a test that cannot wait for a frame). */
  draw(): void {
    const canvas = this.canvas;
    canvas.hidden = !this.needed;
    if (canvas.hidden) return;
    const ratio = window.devicePixelRatio || 1;
    const [WIDTH, HEIGHT] = [this.width, this.height];
    if (canvas.width !== Math.round(WIDTH * ratio) || canvas.height !== Math.round(HEIGHT * ratio)) {
      canvas.width = Math.round(WIDTH * ratio);
      canvas.height = Math.round(HEIGHT * ratio);
    }
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    const theme = this.theme();
    const { x1, y1 } = this.bounds;
    const s = this.scale;
    const mx = (x: number) => (x - x1) * s + this.offset.x;
    const my = (y: number) => (y - y1) * s + this.offset.y;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = theme.muted;
    ctx.lineWidth = 0.5;
    ctx.beginPath();
    for (let i = 0; i < this.lines.length; i += 4) {
      ctx.moveTo(mx(this.lines[i]), my(this.lines[i + 1]));
      ctx.lineTo(mx(this.lines[i + 2]), my(this.lines[i + 3]));
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
    for (const b of this.boxes) {
      ctx.fillStyle = b.color;
      ctx.fillRect(mx(b.x - b.w / 2), my(b.y - b.h / 2), Math.max(b.w * s, 1.5), Math.max(b.h * s, 1.5));
    }
    // The part in view, clipped to the minimap.
    const ex = this.cy.extent();
    const [vx1, vy1] = [Math.max(mx(ex.x1), 1), Math.max(my(ex.y1), 1)];
    const [vx2, vy2] = [Math.min(mx(ex.x2), WIDTH - 1), Math.min(my(ex.y2), HEIGHT - 1)];
    ctx.strokeStyle = theme.focus;
    ctx.lineWidth = 1.5;
    if (vx2 > vx1 && vy2 > vy1) ctx.strokeRect(vx1, vy1, vx2 - vx1, vy2 - vy1);
  }

  /** Centres the view on the model point under the pointer. */
  private panTo(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const x = (e.clientX - r.left - this.offset.x) / this.scale + this.bounds.x1;
    const y = (e.clientY - r.top - this.offset.y) / this.scale + this.bounds.y1;
    const zoom = this.cy.zoom();
    this.cy.stop(true);
    this.cy.pan({ x: this.cy.width() / 2 - x * zoom, y: this.cy.height() / 2 - y * zoom });
    this.onPan();
  }
}
