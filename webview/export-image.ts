// Exporting the drawn graph as a picture: a PNG from Cytoscape, or an SVG of vector shapes for papers and slides
// where a PNG blurs. The SVG draws what the view draws, read from Cytoscape's computed style: each node's shape,
// fill, border and label, each edge along the path Cytoscape routed, with an arrowhead of the size it draws.
import type { Core, EdgeSingular, NodeSingular, Position } from 'cytoscape';
import { escapeHtml } from '../engine/format';
import type { ViewMessage } from '../engine/view-messages';

export type ImageFormat = Extract<ViewMessage, { type: 'export' }>['format'];

/**
 * A PNG's largest side and area, within what Chromium's canvas draws (32,767 px a side, 2^28 px in all): past them
 * it gives an empty image, not an error, and a wide drawing (a box of 1,000 repeats opened) saved an empty file.
 */
const PNG_MAX_SIDE = 16_384;
const PNG_MAX_AREA = 2 ** 27;

/** The scale of a PNG of a drawing `width` × `height`: twice its size, or less, to fit the limits above. */
export function pngScale(width: number, height: number): number {
  return Math.min(2, PNG_MAX_SIDE / width, PNG_MAX_SIDE / height, Math.sqrt(PNG_MAX_AREA / Math.max(1, width * height)));
}

/**
 * The whole graph as a picture on `background`: a PNG data URL at twice the size (less for a huge drawing: `scale`
 * says), or SVG markup.
 */
export function imageData(cy: Core, format: ImageFormat, background: string): { data: string; scale: number } {
  if (format === 'svg') return { data: exportSvg(cy, background), scale: 1 };
  const box = cy.elements().boundingBox();
  const scale = pngScale(box.w, box.h);
  return { data: cy.png({ full: true, scale, bg: background }), scale };
}

/** Cytoscape's polygon shapes that the stylesheet uses, as corners in a box from -1 to 1 (others fall back to a rectangle). */
const POLYGONS: Record<string, readonly number[]> = {
  hexagon: [-0.5, -1, -1, 0, -0.5, 1, 0.5, 1, 1, 0, 0.5, -1],
  rhomboid: [-1, -1, 0.333, -1, 1, 1, -0.333, 1],
};

const num = (v: number) => v.toFixed(1);
const points = (ps: readonly Position[]) => ps.map((p) => `${num(p.x)},${num(p.y)}`).join(' ');

/** Computed colours come as rgb(); hex is shorter and what the view's data holds. */
function hex(color: string): string {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(color.trim());
  return m ? '#' + m.slice(1, 4).map((c) => Number(c).toString(16).padStart(2, '0')).join('') : color;
}
const attr = (v: unknown) => escapeHtml(hex(String(v)));

/** The outline of a node's shape centred on `p`, `grow` pixels out on every side (for the underlay). */
function outline(shape: string, p: Position, w: number, h: number, grow: number, attrs: string): string {
  const [hw, hh] = [w / 2 + grow, h / 2 + grow];
  if (shape === 'ellipse') return `<ellipse ${attrs} cx="${num(p.x)}" cy="${num(p.y)}" rx="${num(hw)}" ry="${num(hh)}"/>`;
  const corners = POLYGONS[shape];
  if (corners) {
    const at = [];
    for (let i = 0; i < corners.length; i += 2) at.push({ x: p.x + corners[i] * hw, y: p.y + corners[i + 1] * hh });
    return `<polygon ${attrs} points="${points(at)}"/>`;
  }
  if (shape === 'cut-rectangle' || shape === 'cutrectangle') {
    const c = 8; // Cytoscape's corner length
    const [l, r, t, b] = [p.x - hw, p.x + hw, p.y - hh, p.y + hh];
    const at = [{ x: l + c, y: t }, { x: r - c, y: t }, { x: r, y: t + c }, { x: r, y: b - c }, { x: r - c, y: b }, { x: l + c, y: b }, { x: l, y: b - c }, { x: l, y: t + c }];
    return `<polygon ${attrs} points="${points(at)}"/>`;
  }
  // Rectangles; Cytoscape rounds round-rectangle corners by a quarter of the smaller side, at most 8.
  const rx = shape.startsWith('round') ? Math.min(w / 4, h / 4, 8) + grow : 0;
  return `<rect ${attrs} x="${num(p.x - hw)}" y="${num(p.y - hh)}" width="${num(2 * hw)}" height="${num(2 * hh)}" rx="${num(rx)}"/>`;
}

function nodeSvg(n: NodeSingular): string[] {
  const p = n.position();
  const [w, h] = [n.width(), n.height()];
  const shape = String(n.style('shape'));
  const opacity = Number(n.style('opacity'));
  const parts: string[] = [];
  const underlay = Number(n.numericStyle('underlay-opacity'));
  if (underlay > 0) {
    parts.push(outline(shape, p, w, h, Number(n.numericStyle('underlay-padding')), `class="underlay" fill="${attr(n.style('underlay-color'))}" fill-opacity="${underlay}"`));
  }
  const border = Number(n.numericStyle('border-width'));
  const style = String(n.style('border-style'));
  const dash = style === 'dashed' ? ` stroke-dasharray="${num(border * 1.5)}"` : style === 'dotted' ? ` stroke-dasharray="${num(border)}"` : '';
  const kind = escapeHtml(String(n.data('kind') ?? ''));
  parts.push(outline(shape, p, w, h, 0, `class="node ${kind}" fill="${attr(n.style('background-color'))}" stroke="${attr(n.style('border-color'))}" stroke-width="${num(border)}"${dash}`));
  // A double border: a thin line inside the outer one, as Cytoscape draws it.
  if (style === 'double' && border >= 3) parts.push(outline(shape, p, w - border * 1.4, h - border * 1.4, 0, `fill="none" stroke="${attr(n.style('border-color'))}" stroke-width="${num(border / 3)}"`));
  const label = String(n.style('label') ?? '');
  if (label !== '') {
    const font = `font-family="${escapeHtml(String(n.style('font-family')))}" font-size="${num(Number(n.numericStyle('font-size')))}" font-weight="${attr(n.style('font-weight'))}"`;
    // A label on several lines (a left-to-right drawing wraps long ones): a line each, centred on the node as a block.
    const lines = label.split('\n');
    const step = Number(n.numericStyle('font-size')) * 1.2;
    const text = lines.length === 1 ? escapeHtml(label) : lines.map((l, i) => `<tspan x="${num(p.x)}" y="${num(p.y + (i - (lines.length - 1) / 2) * step)}">${escapeHtml(l)}</tspan>`).join('');
    parts.push(`<text x="${num(p.x)}" y="${num(p.y)}" text-anchor="middle" dominant-baseline="central" ${font} fill="${attr(n.style('color'))}">${text}</text>`);
  }
  return opacity < 1 ? [`<g opacity="${opacity}">`, ...parts, '</g>'] : parts;
}

function edgeSvg(e: EdgeSingular): string[] {
  const from = e.sourceEndpoint();
  const tip = e.targetEndpoint();
  const width = Number(e.numericStyle('width'));
  const color = attr(e.style('line-color'));
  const control = e.controlPoints() ?? [];
  // The direction the edge arrives from: its last control point, or its start.
  const before = control.length > 0 ? control[control.length - 1] : from;
  const len = Math.hypot(tip.x - before.x, tip.y - before.y) || 1;
  const [ux, uy] = [(tip.x - before.x) / len, (tip.y - before.y) / len];
  const arrowed = e.style('target-arrow-shape') !== 'none';
  // Cytoscape's arrow size for this edge width: a triangle 0.3 of it long and wide.
  const size = arrowed ? Math.max(Math.pow(width * 13.37, 0.9), 29) * Number(e.numericStyle('arrow-scale')) * 0.3 : 0;
  // The line stops at the arrowhead's base, so a thick line does not poke out beside its tip.
  const end = { x: tip.x - ux * size, y: tip.y - uy * size };
  let d = `M${num(from.x)},${num(from.y)}`;
  // Cytoscape draws a bezier through several control points as quadratic pieces joined at their midpoints.
  control.forEach((c, i) => {
    const next = i + 1 < control.length ? { x: (c.x + control[i + 1].x) / 2, y: (c.y + control[i + 1].y) / 2 } : end;
    d += ` Q${num(c.x)},${num(c.y)} ${num(next.x)},${num(next.y)}`;
  });
  if (control.length === 0) d += ` L${num(end.x)},${num(end.y)}`;
  const dash = e.style('line-style') === 'dashed' ? ` stroke-dasharray="${num(width * 3)}"` : '';
  const parts = [`<path class="edge" d="${d}" fill="none" stroke="${color}" stroke-width="${num(width)}"${dash}/>`];
  if (arrowed) {
    const half = size / 2;
    const corners = [tip, { x: end.x - uy * half, y: end.y + ux * half }, { x: end.x + uy * half, y: end.y - ux * half }];
    parts.push(`<polygon class="arrow" points="${points(corners)}" fill="${attr(e.style('target-arrow-color'))}"/>`);
  }
  const opacity = Number(e.style('opacity'));
  return opacity < 1 ? [`<g opacity="${opacity}">`, ...parts, '</g>'] : parts;
}

export function exportSvg(cy: Core, background: string): string {
  const box = cy.elements().boundingBox({});
  const pad = 20;
  // Edges first, so the nodes sit on top of their ends, as in the view.
  const parts = [...cy.edges().map(edgeSvg).flat(), ...cy.nodes().map(nodeSvg).flat()];
  const [x, y, w, h] = [box.x1 - pad, box.y1 - pad, box.w + 2 * pad, box.h + 2 * pad].map(num);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x} ${y} ${w} ${h}" width="${w}" height="${h}">`,
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${escapeHtml(background)}"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
