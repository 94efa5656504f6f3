// Exporting the drawn graph as a picture: a PNG from Cytoscape, or an SVG of vector shapes (nodes as their
// boxes, edges as straight lines with arrowheads), for papers and slides where a PNG blurs.
import type { Core } from 'cytoscape';
import { escapeHtml } from '../engine/format';
import type { ViewMessage } from '../engine/trace';

export type ImageFormat = Extract<ViewMessage, { type: 'export' }>['format'];

/** The whole graph as a picture on `background`: a PNG data URL at twice the size, or SVG markup. */
export function imageData(cy: Core, format: ImageFormat, background: string): string {
  return format === 'png' ? cy.png({ full: true, scale: 2, bg: background }) : exportSvg(cy, background);
}

export function exportSvg(cy: Core, background: string): string {
  const box = cy.elements().boundingBox({});
  const pad = 20;
  const parts: string[] = [];
  cy.edges().forEach((e) => {
    const s = e.source().position();
    const t = e.target().position();
    const th = e.target().height() / 2;
    parts.push(`<line x1="${s.x.toFixed(1)}" y1="${s.y.toFixed(1)}" x2="${t.x.toFixed(1)}" y2="${(t.y - th).toFixed(1)}" stroke="${escapeHtml(String(e.data('color') ?? '#888'))}" stroke-width="${Number(e.data('width') ?? 1).toFixed(1)}" marker-end="url(#arrow)"/>`);
  });
  cy.nodes().forEach((n) => {
    const p = n.position();
    const w = n.width();
    const h = n.height();
    const fill = escapeHtml(String(n.data('color') ?? '#888'));
    const rx = n.data('kind') === 'const' ? h / 2 : 4;
    const stroke = n.hasClass('nan') ? '#e51400' : '#555';
    parts.push(`<rect x="${(p.x - w / 2).toFixed(1)}" y="${(p.y - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" rx="${rx.toFixed(1)}" fill="${fill}" stroke="${stroke}"/>`);
    parts.push(`<text x="${p.x.toFixed(1)}" y="${(p.y + 4).toFixed(1)}" text-anchor="middle" font-family="monospace" font-size="11" fill="${escapeHtml(String(n.data('text') ?? '#000'))}">${escapeHtml(String(n.data('label') ?? ''))}</text>`);
  });
  const [x, y, w, h] = [box.x1 - pad, box.y1 - pad, box.w + 2 * pad, box.h + 2 * pad].map((v) => v.toFixed(1));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${x} ${y} ${w} ${h}" width="${w}" height="${h}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${escapeHtml(background)}"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
