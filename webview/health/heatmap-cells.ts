// The heatmap's cells as ONE image: 1,000 steps × 50 parameters at the panel's resolution is about 10,000 cells,
// and ECharts' heatmap series makes, lays out and paints a shape for each (about 150 ms of the switch to Health).
// Here they are filled into an offscreen canvas at the plot's device pixels and drawn as a single image inside the
// grid; ECharts still draws the axes, the colour scale, the step line and the selected row. Hover and click find
// their cell from the pointer's pixel (pointer.ts CellIndex), as the image has no shapes to hit.
import { interpolate, NAN_COLOR } from '../colors';
import type { HeatmapData } from './data';
import type { PlotRect } from './pointer';

export const HEATMAP_VIRIDIS = ['#440154', '#3e4989', '#26828e', '#35b779', '#b5de2b', '#fde725'];

/** A colour as the 32-bit RGBA pixel a little-endian Uint32Array view of ImageData holds (bytes R, G, B, A). */
function pixel(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  return ((0xff << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}

/** 256 colours from the low to the high end of the scale: a cell's colour is a table look-up, not a string mix. */
const PALETTE = Uint32Array.from({ length: 256 }, (_, i) => pixel(interpolate(HEATMAP_VIRIDIS, i / 255)));

/**
 * The cells of `data` (rows: `rows` parameters, the first at the top) as pixels of a canvas of the plot's size at
 * `scale` device pixels per CSS pixel: one pass over the pixels, each looking up its cell's colour (filling
 * 10,000 rectangles one by one took the canvas far longer). Cells without a value stay transparent.
 */
export function paintCells(data: HeatmapData, rows: number, plot: PlotRect, scale: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const width = (canvas.width = Math.max(1, Math.round(plot.width * scale)));
  const height = (canvas.height = Math.max(1, Math.round(plot.height * scale)));
  const columns = Math.max(1, data.columns);
  const colours = new Uint32Array(columns * rows); // by row, then column
  const span = data.hi > data.lo ? data.hi - data.lo : 1;
  for (const [column, row, l] of data.cells) colours[row * columns + column] = PALETTE[Math.round(Math.min(Math.max((l - data.lo) / span, 0), 1) * 255)];
  const nan = pixel(NAN_COLOR);
  for (const [column, row] of data.nan) colours[row * columns + column] = nan;
  const columnOf = Uint32Array.from({ length: width }, (_, x) => Math.min(columns - 1, Math.floor((x * columns) / width)));
  const image = new ImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer);
  for (let y = 0; y < height; y++) {
    const rowStart = Math.min(rows - 1, Math.floor((y * rows) / height)) * columns;
    const line = y * width;
    for (let x = 0; x < width; x++) pixels[line + x] = colours[rowStart + columnOf[x]];
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas;
}
