// Runs the layered layout off the UI thread: a Web Worker made from the layout code the build inlines into this
// bundle (a webview cannot start a worker from its resource URL, and the report has no URL at all). Where no
// worker can be made or it fails, the same layout runs here.
import { layeredLayout, LayoutEdge, LayoutNode, LayoutOptions, LayoutResult } from './layout';
import type { LayoutResponse } from './layout-worker';

declare const __LAYOUT_WORKER_SOURCE__: string;

let worker: Worker | null | undefined;
let nextId = 0;
const pending = new Map<number, (response: LayoutResponse | null) => void>();

function startWorker(): Worker | null {
  try {
    const url = URL.createObjectURL(new Blob([__LAYOUT_WORKER_SOURCE__], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onmessage = (e: MessageEvent<LayoutResponse>) => {
      const id = e.data.id ?? -1;
      pending.get(id)?.(e.data);
      pending.delete(id);
    };
    w.onerror = () => {
      // A worker that cannot run (a CSP without blob:, say): this and every later layout runs here.
      worker = null;
      for (const resolve of pending.values()) resolve(null);
      pending.clear();
    };
    return w;
  } catch {
    return null;
  }
}

/** Starts the layout worker ahead of the first layout, so its start-up overlaps the wait for a trace. */
export function startLayoutWorker(): void {
  if (worker === undefined) worker = startWorker();
}

/** Where the nodes go (worked out in the worker when there is one). */
export async function layout(nodes: LayoutNode[], edges: LayoutEdge[], options?: LayoutOptions): Promise<LayoutResult> {
  startLayoutWorker();
  const w = worker ?? null;
  if (w !== null) {
    const id = nextId++;
    const response = await new Promise<LayoutResponse | null>((resolve) => {
      pending.set(id, resolve);
      w.postMessage({ id, nodes, edges, options });
    });
    if (response?.ok) return { positions: response.positions, layers: response.layers };
  }
  return layeredLayout(nodes, edges, options);
}
