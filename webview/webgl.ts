// Cytoscape's WebGL renderer (3.31+, experimental) for big drawings, its canvas renderer for the rest, on one
// Cytoscape instance. WebGL draws node bodies, edges and label textures in a few batched calls and picks what is
// under the mouse from an offscreen picture rather than by testing every element; the canvas renderer draws
// small graphs best (crisp text at any zoom, arrowheads blended with the real background). Where WebGL2 is
// unavailable (a webview with the GPU off and no software GL), every drawing uses the canvas renderer.
import type { Core, CytoscapeOptions } from 'cytoscape';
import { BIG_GRAPH_ELEMENTS } from './limits';

/** Drawings of at least this many elements (nodes and edges) use WebGL: the ones the cheaper stylesheet draws too. */
export const WEBGL_ELEMENTS = BIG_GRAPH_ELEMENTS;

/** Whether this page can make a WebGL2 context (what Cytoscape's WebGL renderer needs). Asked once. */
let available: boolean | undefined;
export function webglAvailable(): boolean {
  if (available === undefined) {
    const gl = document.createElement('canvas').getContext('webgl2');
    available = gl !== null;
    // Browsers keep only a few contexts alive: this one is given back at once.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return available;
}

/** Renderer options for the Cytoscape instance: its WebGL layer is made only where WebGL2 works. */
export function rendererOptions(): Partial<CytoscapeOptions> {
  // Cytoscape's type declarations do not know the renderer's WebGL option yet.
  return { renderer: { name: 'canvas', webgl: webglAvailable() } } as Partial<CytoscapeOptions>;
}

/**
 * The parts of Cytoscape's renderer this switch touches. Cytoscape (3.34) decides canvas or WebGL once, when the
 * instance is made, by overriding the renderer's `render` and `findNearestElements` with WebGL versions, and
 * itself falls back to the canvas ones (the prototype's) when zoomed in past ~8x. Switching per drawing uses
 * that same fallback: the view keeps one instance, with its listeners, for every drawing.
 */
interface Renderer {
  render(options?: unknown): void;
  findNearestElements(...args: unknown[]): unknown;
  data: { contexts: unknown[] };
  WEBGL: number;
}
const webglParts = new WeakMap<Renderer, Pick<Renderer, 'render' | 'findNearestElements'>>();

/** Draws with WebGL (when the instance has it) or with the canvas renderer from now on. */
export function useWebgl(cy: Core, on: boolean): void {
  const r = (cy as unknown as { renderer(): Renderer }).renderer();
  const gl = r.data.contexts[r.WEBGL] as WebGL2RenderingContext | undefined;
  if (gl === undefined || gl === null) return;
  if (!webglParts.has(r)) webglParts.set(r, { render: r.render, findNearestElements: r.findNearestElements });
  const parts = webglParts.get(r)!;
  if (on) {
    Object.assign(r, parts);
    return;
  }
  const canvas = Object.getPrototypeOf(r) as Renderer;
  // The WebGL layer keeps its last picture until cleared: cleared once, as the canvas takes over.
  gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
  Object.assign(r, { render: canvas.render, findNearestElements: canvas.findNearestElements });
}

/** Whether the drawing is drawn with WebGL now (tests and the benchmark report it). */
export function drawsWithWebgl(cy: Core): boolean {
  const r = (cy as unknown as { renderer(): Renderer }).renderer();
  const parts = webglParts.get(r);
  return parts !== undefined && r.render === parts.render;
}
