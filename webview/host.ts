// Who the view talks to: the VS Code extension (through acquireVsCodeApi), or nobody, in the standalone HTML
// report, where a node shows its file:line instead of jumping and exports download in the browser.
import type { ViewMessage, ViewState } from '../engine/view-messages';

export interface ViewHost {
  readonly standalone: boolean;
  post(message: ViewMessage): void;
  getState(): unknown;
  setState(state: ViewState): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** `onStandaloneReveal` shows, in the report, what a reveal message asks for (there is no editor to open). */
export function connectHost(onStandaloneReveal: (message: Extract<ViewMessage, { type: 'reveal' | 'revealFinding' }>) => void): ViewHost {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      standalone: false,
      post: (m) => api.postMessage(m),
      getState: () => api.getState(),
      setState: (s) => api.setState(s),
    };
  }
  let state: unknown;
  return {
    standalone: true,
    post(m) {
      if (m.type === 'reveal' || m.type === 'revealFinding') onStandaloneReveal(m);
      if (m.type === 'export') download(m.format, m.data);
    },
    getState: () => state,
    setState: (s) => (state = s),
  };
}

function download(format: 'png' | 'svg', data: string): void {
  const a = document.createElement('a');
  a.href = format === 'png' ? data : URL.createObjectURL(new Blob([data], { type: 'image/svg+xml' }));
  a.download = `gradscope-graph.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
