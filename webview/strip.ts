// The strip inside a folded repetition ("h ×30"): one cell per repetition, coloured like a node by its gradient,
// so a gradient that dies out or blows up over the time steps (or the layers) shows without opening the box.
import { colorFor, Scale } from './colors';

/** At most this many cells: repetitions beyond it share cells (each cell shows the strongest of its share). */
export const STRIP_CELLS = 60;

/** What one drawn element shows for the values it stands for: NaN if any was NaN/Inf, else the largest (undefined: none). */
export function strongest(values: readonly (number | undefined)[]): number | undefined {
  let max: number | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (!Number.isFinite(v)) return NaN;
    if (max === undefined || v > max) max = v;
  }
  return max;
}

/** What each cell shows for the repetitions it covers (see strongest): undefined when no gradient reached them. */
export function stripCells(values: readonly (number | undefined)[], cells = STRIP_CELLS): (number | undefined)[] {
  const n = Math.min(values.length, cells);
  const out: (number | undefined)[] = [];
  for (let c = 0; c < n; c++) out.push(strongest(values.slice(Math.floor((c * values.length) / n), Math.floor(((c + 1) * values.length) / n))));
  return out;
}

/** The strip as an SVG data URI (the webview's CSP allows data: images), for a node's background image. */
export function stripImage(values: readonly (number | undefined)[], scale: Scale): string {
  const cells = stripCells(values);
  const rects = cells.map((v, i) => `<rect x="${i}" y="0" width="1" height="1" fill="${colorFor(v, scale)}"/>`).join('');
  // Framed, so that a strip as bright as its box still shows where it is.
  const frame = `<rect x="0" y="0" width="${cells.length}" height="1" fill="none" stroke="#000000" stroke-opacity="0.7" stroke-width="1.5" vector-effect="non-scaling-stroke"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${cells.length} 1" preserveAspectRatio="none" width="${cells.length * 4}" height="6">${rects}${frame}</svg>`;
  return `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
}
