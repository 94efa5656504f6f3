// The Web Worker that lays out the graph off the webview's main thread: one request in, one result out.
// Typed without the DOM library (tsconfig has ES2022 only): `self` is declared as the little of a worker's
// global scope that is used here.
import { layeredLayout } from './layout';
import type { LayoutEdge, LayoutNode, LayoutOptions, LayoutResult } from './layout';

export interface LayoutRequest {
  /** Echoed in the response, so a caller can match it to its request and drop stale ones. */
  id?: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  options?: LayoutOptions;
}

export type LayoutResponse =
  | ({ id?: number; ok: true } & LayoutResult)
  | { id?: number; ok: false; error: string };

interface WorkerScope {
  onmessage: ((event: { data: LayoutRequest }) => void) | null;
  postMessage(message: LayoutResponse): void;
}

declare const self: WorkerScope;

/** What the worker answers to `request` (exported so it can be tested without a worker). */
export function respond(request: LayoutRequest): LayoutResponse {
  const id = request.id;
  try {
    return { id, ok: true, ...layeredLayout(request.nodes, request.edges, request.options) };
  } catch (err) {
    return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

// Only in a worker: not in Node (no `self`), nor in a page that imports `respond` (a window has postMessage too,
// but also a document).
if (typeof self !== 'undefined' && typeof self.postMessage === 'function' && !('document' in globalThis)) {
  self.onmessage = (event) => self.postMessage(respond(event.data));
}
