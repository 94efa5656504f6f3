// Which way the graph runs: top-down in a tall panel, left to right in a wide one when that shows the drawing
// bigger. In 'auto' both layouts are made (the layout is linear, and runs in the worker) and the one whose whole
// drawing fits the panel at the larger zoom wins; a tall panel always gets top-down.
import type { Orientation } from '../engine/view-messages';
import type { Elements } from './elements';
import type { LayoutEdge, LayoutNode, LayoutResult } from './layout';
import { layout } from './layout-client';
import { FIT_MARGIN, MAX_FIT_ZOOM } from './limits';

export type Direction = 'down' | 'right';

/** Above this many drawn nodes 'auto' lays out once, by the panel's shape alone. */
const BOTH_WAYS_NODES = 5_000;
/** Left to right must show the drawing at least this much bigger to be chosen (a tie stays top-down). */
const WIDE_GAIN = 1.05;

export interface Size { width: number; height: number }

/** A label's lines in a left-to-right drawing: broken at spaces, no line longer than its longest word or 16 characters. */
export function wrapLabel(label: string): string[] {
  const words = label.split(' ');
  const limit = Math.max(16, ...words.map((w) => w.length));
  const lines: string[] = [];
  for (const w of words) {
    if (lines.length > 0 && lines[lines.length - 1].length + 1 + w.length <= limit) lines[lines.length - 1] += ` ${w}`;
    else lines.push(w);
  }
  return lines;
}

/**
 * A node's box for its label (monospace: 11px text is about 6.6px a character, a group's 13px about 8px). Left to
 * right, where a layer's width is its widest box, a long label is set on two or more lines (`wrapped`).
 */
export function boxFor(label: string, group: boolean, direction: Direction): Size & { wrapped?: string } {
  const lines = direction === 'right' ? wrapLabel(label) : [label];
  const longest = Math.max(...lines.map((l) => l.length));
  const width = Math.max(44, longest * (group ? 8 : 6.6) + (group ? 30 : 18));
  const height = (group ? 44 : 26) + (lines.length - 1) * (group ? 16 : 14);
  return lines.length > 1 ? { width, height, wrapped: lines.join('\n') } : { width, height };
}

/** Width and height of a layout's drawing (node boxes included). */
export function extentOf(nodes: readonly LayoutNode[], placed: LayoutResult): Size {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const n of nodes) {
    const p = placed.positions[n.id];
    if (p === undefined) continue;
    x1 = Math.min(x1, p.x - n.width / 2);
    x2 = Math.max(x2, p.x + n.width / 2);
    y1 = Math.min(y1, p.y - n.height / 2);
    y2 = Math.max(y2, p.y + n.height / 2);
  }
  return x2 < x1 ? { width: 0, height: 0 } : { width: x2 - x1, height: y2 - y1 };
}

/** The zoom at which a whole drawing of `extent` fits `panel` (with the fit's margins), as a fit would cap it. */
export function fitZoom(extent: Size, panel: Size): number {
  const w = Math.max(panel.width - 2 * FIT_MARGIN, 1);
  const h = Math.max(panel.height - 2 * FIT_MARGIN, 1);
  return Math.min(MAX_FIT_ZOOM, w / Math.max(extent.width, 1), h / Math.max(extent.height, 1));
}

/** Left to right when the panel is wider than tall and that drawing fits at a clearly larger zoom. */
export function chooseDirection(down: Size, right: Size, panel: Size): Direction {
  if (panel.width <= panel.height) return 'down';
  return fitZoom(right, panel) > fitZoom(down, panel) * WIDE_GAIN ? 'right' : 'down';
}

/** Lays the graph out the way `orientation` says (for 'auto', the way that suits `panel`), with the boxes `nodes` gives for each way. */
export async function layOut(nodes: (d: Direction) => LayoutNode[], edges: LayoutEdge[], orientation: Orientation, panel: Size): Promise<Laid> {
  const one = async (direction: Direction): Promise<Laid> => ({ placed: await layout(nodes(direction), edges, { direction }), direction, extents: {} });
  if (orientation !== 'auto') return one(orientation);
  if (panel.width <= panel.height) return one('down');
  const [downNodes, rightNodes] = [nodes('down'), nodes('right')];
  if (downNodes.length > BOTH_WAYS_NODES) return one('right');
  const [down, right] = await Promise.all([layout(downNodes, edges, { direction: 'down' }), layout(rightNodes, edges, { direction: 'right' })]);
  const direction = chooseDirection(extentOf(downNodes, down), extentOf(rightNodes, right), panel);
  return { placed: direction === 'down' ? down : right, direction, extents: { down: extentOf(downNodes, down), right: extentOf(rightNodes, right) } };
}

/** Lays out drawn elements (see layOut), each box sized for its label; `boxes` are the sizes of the way chosen. */
export async function layOutElements(els: Elements, orientation: Orientation, panel: Size): Promise<Laid & { boxes: (LayoutNode & { wrapped?: string })[] }> {
  const boxesFor = (d: Direction) => els.nodes.map((n) => ({ id: n.data.id, ...boxFor(n.data.label, n.data.kind === 'group', d) }));
  const laid = await layOut(boxesFor, els.edges.map((e) => ({ source: e.data.source, target: e.data.target })), orientation, panel);
  return { ...laid, boxes: boxesFor(laid.direction) };
}

/** A layout, the way it runs, and the drawing's size each way when both were made (to choose again on a resize). */
export interface Laid { placed: LayoutResult; direction: Direction; extents: Partial<Record<Direction, Size>> }

/** The way 'auto' would choose for a resized panel, or null when only laying out again can tell. */
export function chooseAgain(laid: Pick<Laid, 'direction' | 'extents'>, panel: Size): Direction | null {
  if (panel.width <= panel.height) return 'down';
  const { down, right } = laid.extents;
  if (down !== undefined && right !== undefined) return chooseDirection(down, right, panel);
  return laid.direction === 'right' ? 'right' : null;
}
