// The graph view's contract: messages between the extension host (or the standalone report) and the webview, the
// view state the webview keeps, and the guards each side checks what it receives with. The trace itself, which
// these messages carry, is engine/trace.ts.
import type { Site, Trace } from './trace';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** Host -> webview. */
export type HostMessage =
  /**
   * Draw this trace (replacing any other), as traceToJson wrote it: the message crosses JSON, which has no NaN.
   * `state` restores a view the user had (after a reload).
   */
  | { type: 'trace'; json: string; state?: ViewState }
  /** The editor's cursor is on this line: highlight the nodes made there (line 0: none). */
  | { type: 'highlightLine'; file: string; line: number }
  /** Select and centre this node (the hover's "show in graph"). */
  | { type: 'select'; node: number }
  /** What the host is doing: shown in the view's status bar. */
  | { type: 'status'; kind: 'running' | 'stale' | 'error' | 'idle'; text: string };

/**
 * Webview -> host. The webview is untrusted: the host validates every one of these with isViewMessage, and
 * they only ever name what the host sent (a node id, a finding's index), never a file or a place.
 */
export type ViewMessage =
  | { type: 'ready' }
  /** The user picked a node of the trace: show the call that made it. */
  | { type: 'reveal'; node: number }
  /** The user picked a finding (its index in `trace.findings`): show where it points. */
  | { type: 'revealFinding'; index: number }
  /** The user asked to save the picture: PNG as a data URL, SVG as text. */
  | { type: 'export'; format: 'png' | 'svg'; data: string };

export type Metric = 'grad' | 'ratio' | 'value';

/** What the user set up in the view, kept across hide/show and reloads (the webview's getState/setState). */
export interface ViewState {
  metric: Metric;
  /** Step shown, or -1 for the recorded step. */
  step: number;
  /** Colour by the change from the previous step rather than the value. */
  diff: boolean;
  selected: number | null;
  /** The folds (module calls, composite ops, repetitions) open in the graph, by their stable ids. */
  expanded: string[];
  search: string;
  /** The model file the view showed (so a panel restored after a reload knows what to run). */
  file?: string;
  /** Where the user zoomed and panned to by hand (absent: the view fits the drawing itself). */
  viewport?: { zoom: number; x: number; y: number };
  /** Which way the graph is laid out: chosen for the panel ('auto', the default), top-down or left-to-right. */
  orientation?: Orientation;
  /** What the panel shows beside the side column: the graph (the default) or the training health charts. */
  view?: PanelView;
}

export type PanelView = 'graph' | 'health';

export type Orientation = 'auto' | 'down' | 'right';

export const DEFAULT_VIEW_STATE: ViewState = { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '' };


export function isViewState(x: unknown): x is ViewState {
  return (
    isObject(x) &&
    (x.metric === 'grad' || x.metric === 'ratio' || x.metric === 'value') &&
    isInt(x.step) &&
    typeof x.diff === 'boolean' &&
    (x.selected === null || isInt(x.selected)) &&
    Array.isArray(x.expanded) &&
    x.expanded.every((e) => typeof e === 'string') &&
    typeof x.search === 'string' &&
    (x.file === undefined || typeof x.file === 'string') &&
    (x.viewport === undefined || isViewport(x.viewport)) &&
    (x.orientation === undefined || x.orientation === 'auto' || x.orientation === 'down' || x.orientation === 'right') &&
    (x.view === undefined || x.view === 'graph' || x.view === 'health')
  );
}

function isViewport(x: unknown): x is ViewState['viewport'] {
  return isObject(x) && typeof x.zoom === 'number' && x.zoom > 0 && Number.isFinite(x.zoom) && Number.isFinite(x.x) && Number.isFinite(x.y);
}

/** Largest picture the view may send for export. */
const MAX_EXPORT_CHARS = 64 * 2 ** 20;

/** True when `x` has exactly these keys (a message with anything more is not one we sent for). */
const hasOnlyKeys = (x: Record<string, unknown>, keys: readonly string[]): boolean => Object.keys(x).every((k) => keys.includes(k));

/** Checks a message from the webview before the host acts on it: the exact shape, or it is dropped. */
export function isViewMessage(x: unknown): x is ViewMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'ready':
      return hasOnlyKeys(x, ['type']);
    case 'reveal':
      return hasOnlyKeys(x, ['type', 'node']) && isInt(x.node) && x.node >= 0;
    case 'revealFinding':
      return hasOnlyKeys(x, ['type', 'index']) && isInt(x.index) && x.index >= 0;
    case 'export':
      return hasOnlyKeys(x, ['type', 'format', 'data']) && (x.format === 'png' || x.format === 'svg') && typeof x.data === 'string' && x.data.length < MAX_EXPORT_CHARS;
    default:
      return false;
  }
}

/** The source place a view message asks to show, looked up in the trace the host sent; undefined for ids it never sent. */
export function siteToReveal(trace: Trace | undefined, message: Extract<ViewMessage, { type: 'reveal' | 'revealFinding' }>): Site | undefined {
  if (trace === undefined) return undefined;
  if (message.type === 'revealFinding') return trace.findings[message.index]?.site ?? undefined;
  for (const graph of [trace.graph, ...(trace.history ?? [])]) {
    const node = graph.nodes.find((n) => n.id === message.node);
    if (node !== undefined) return node.site ?? undefined;
  }
  return undefined;
}

/** Checks a message from the host before the view acts on it (cheap: the trace itself is trusted JSON). */
export function isHostMessage(x: unknown): x is HostMessage {
  if (!isObject(x)) return false;
  switch (x.type) {
    case 'trace':
      return typeof x.json === 'string' && (x.state === undefined || isViewState(x.state));
    case 'highlightLine':
      return typeof x.file === 'string' && isInt(x.line);
    case 'select':
      return isInt(x.node);
    case 'status':
      return (x.kind === 'running' || x.kind === 'stale' || x.kind === 'error' || x.kind === 'idle') && typeof x.text === 'string';
    default:
      return false;
  }
}
