// Cytoscape's WebGL renderer (3.31+, experimental) for big drawings, its canvas renderer for the rest, on one
// Cytoscape instance. WebGL draws node bodies, edges and label textures in a few batched calls and picks what is
// under the mouse from an offscreen picture rather than by testing every element; the canvas renderer draws
// small graphs best (crisp text at any zoom, arrowheads blended with the real background). Where WebGL2 is
// unavailable, or only in software, every drawing uses the canvas renderer.
import type { Core, CytoscapeOptions } from 'cytoscape';

/**
 * Software WebGL (a CPU rasterizer standing in for a GPU): measured in headless Chromium on SwiftShader, a pan of a
 * 20,000-node drawing took 1.3-2.3 s a frame with WebGL and 0.2-0.8 s with the canvas renderer, so there the
 * canvas renderer draws big graphs too.
 */
const SOFTWARE_GL = /SwiftShader|llvmpipe|softpipe|Software Rasterizer|Basic Render/i;

/** How this page draws WebGL2: on a GPU, in software, or not at all. Asked once. */
let kind: 'hardware' | 'software' | 'none' | undefined;
export function webglKind(): 'hardware' | 'software' | 'none' {
  if (kind === undefined) {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const name = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    kind = gl === null ? 'none' : SOFTWARE_GL.test(name) ? 'software' : 'hardware';
    // Browsers keep only a few contexts alive: this one is given back at once.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
  }
  return kind;
}

/**
 * Whether big drawings use WebGL here: on a GPU; in software only when the page asks for it before the view
 * loads (the Chromium tests do, to check WebGL drawing, picking and the CSP on machines without a GPU).
 */
export function webglAvailable(): boolean {
  const forced = (globalThis as { __gradscopeWebglInSoftware?: boolean }).__gradscopeWebglInSoftware === true;
  return webglKind() === 'hardware' || (webglKind() === 'software' && forced);
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
