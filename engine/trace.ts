// The trace: what a run records. The runner writes it, the command line prints it, the webview draws it and the
// extension reads it for hovers and diagnostics. Plain JSON (written and read with traceToJson / traceFromJson, so
// NaN and Infinity survive); bump TRACE_VERSION on any incompatible change.

export const TRACE_VERSION = 2;

/** A place in the user's original source: 1-based line and column of the call that made a tensor. */
export interface Site {
  file: string;
  line: number;
  column: number;
  /** The user function the call was made in ('' at the top level of a module). */
  function: string;
}

/** Summary statistics of a tensor's values or gradient. NaN and Inf are counted, and left out of the others. */
export interface Stats {
  count: number;
  norm: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  zeros: number;
  nan: number;
  inf: number;
}

export type NodeKind = 'param' | 'input' | 'const' | 'op';

export interface TraceNode {
  /** Unique within the trace. */
  id: number;
  /**
   * The same for "the same tensor" in every step: its site and occurrence, `line:column#k` (the k-th tensor made
   * at that place in the model file since the last step), `n/line:column#k` in the n-th other file tensors were
   * made in (an imported helper), or `?#k` without a site. Opaque otherwise: read the site from `site`.
   */
  key: string;
  /**
   * What the user calls it: a module tensor's path (`blocks.0.proj.weight`), the name the source binds it to
   * (`w1`), or the source text of the call that made it (`x.matmul(w1)`); absent when none is known.
   */
  name?: string;
  op: string;
  shape: number[];
  kind: NodeKind;
  site: Site | null;
  /**
   * The innermost call this tensor was made in (an id in `StepGraph.scopes`): the module call or composite op
   * whose box holds it. A module's parameter is in the call of its module when that module ran once in the step
   * (else in the innermost module around it that did). Absent at the top level.
   */
  scope?: number;
  value: Stats;
  /** The gradient this tensor received in the recorded step; absent when none reached it. */
  grad?: Stats;
}

export interface TraceEdge {
  /** The dependency. */
  from: number;
  /** The tensor computed from it. */
  to: number;
  /** The gradient that flowed back along this edge (what `to`'s gradient function returned for `from`). */
  grad?: Stats;
}

/**
 * A call that made some of a step's tensors, to show them as one box that opens: a module's forward, or a composite
 * op (one call into the engine, like `crossEntropy` or `layerNorm`, that made more than one op). Scopes nest through
 * `parent`; a node's chain, outermost first, is its module path and then the op call it was made inside.
 */
export interface TraceScope {
  /** Unique within the step's graph; a parent's id is below its children's. */
  id: number;
  /** The scope this call ran inside; absent at the top level. */
  parent?: number;
  kind: 'module' | 'call';
  /** A module's path (`blocks.0.attn`; the class name for the model itself) or the op's name (`crossEntropy`). */
  name: string;
  /** The module's class (`Linear`, `Block`), or the op's name. */
  op: string;
  /**
   * The same call in every step: `module:<name>#k` (the k-th call of that module in the step) or `call:<key>`
   * (the key of the first tensor the call made). Opaque otherwise.
   */
  key: string;
  /** The user's line that made the call. */
  site: Site | null;
}

export interface StepGraph {
  step: number;
  nodes: TraceNode[];
  edges: TraceEdge[];
  /** The calls the nodes were made in (see TraceScope), parents first; absent when there are none. */
  scopes?: TraceScope[];
  /** Set when the graph was larger than the node limit and part of it was left out. */
  omitted?: { nodes: number; edges: number; reason: string };
}

export interface StepSummary {
  index: number;
  /** The value of the tensor backward() started from, when it was a scalar. */
  loss: number | null;
  /**
   * Gradient norm of every tensor the backward pass reached, by node key: NaN where the gradient held NaN,
   * Infinity where it held Inf (and no NaN). Like every number in a trace, written to JSON by traceToJson.
   */
  gradNorms: Record<string, number>;
  /** Value norm of every parameter, by node key. */
  paramNorms: Record<string, number>;
}

export type FindingKind = 'nan-forward' | 'nan-backward' | 'nan-loss' | 'unused-param' | 'vanishing' | 'exploding' | 'dead-relu';
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  message: string;
  site: Site | null;
  /** The node in `graph` this finding is about, when it is in the recorded graph. */
  node?: number;
  key?: string;
  step?: number;
}

export interface Trace {
  version: typeof TRACE_VERSION;
  /** Absolute path of the model file that was run. */
  file: string;
  steps: StepSummary[];
  /** The graph of the recorded step (the last one unless asked otherwise). */
  graph: StepGraph;
  /**
   * Graphs of earlier steps, oldest first, when more than one step was asked for (`--steps all`). A long run keeps
   * at most 50 graphs in all (runner/kept-steps.ts): then `sampled` is set and each graph's `step` says which it is.
   */
  history?: StepGraph[];
  /** Set when `--steps all` kept only some steps' graphs: the first, each `every`-th step after it, and the last. */
  sampled?: { every: number; reason: string };
  /** What the user should know about how the run was recorded (a `--steps` index past the end of the run, say). */
  warnings?: string[];
  /**
   * Set when the run failed: this is what it recorded before the error. The graph is the failing pass up to the
   * error (the ops made since the last backward), or the last step when the error came after it.
   */
  incomplete?: true;
  findings: Finding[];
  durationMs: number;
}

/** The norm, or NaN when the values held NaN or Inf: one number for colouring and plotting. */
export function normOrNaN(s: Stats): number {
  return s.nan + s.inf > 0 ? NaN : s.norm;
}

// JSON has no NaN or Infinity: JSON.stringify writes them as null, which in a trace means "absent" (a loss of null:
// backward did not start from a scalar). So wherever a trace crosses JSON (the command line's --json, the HTML
// report, the message to the webview), a non-finite number is written as the string "NaN", "Infinity" or
// "-Infinity", in any numeric field; traceFromJson turns them back into numbers.

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);
/** The fields of a trace that hold text; a string anywhere else is an encoded number. */
const TEXT_FIELDS = new Set(['file', 'key', 'name', 'op', 'kind', 'function', 'message', 'reason', 'severity']);

/** The trace as JSON text, non-finite numbers written as strings. */
export function traceToJson(trace: Trace): string {
  return JSON.stringify(trace, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** A trace from JSON text written by traceToJson; undefined when the text is not a trace of this version. */
export function traceFromJson(text: string): Trace | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, v: unknown) => (typeof v === 'string' && NON_FINITE.has(v) && !TEXT_FIELDS.has(key) ? Number(v) : v));
  } catch {
    return undefined;
  }
  return isObject(parsed) && parsed.version === TRACE_VERSION && isObject(parsed.graph) ? (parsed as unknown as Trace) : undefined;
}

/**
 * Why a run produced no trace. Every error in the user's code carries the site it happened at. `build`: the
 * model could not be bundled for another reason than its syntax (an import that finds nothing, a top-level
 * await); `internal`: without a site, the run could not start (no such file); with one, the worker died.
 */
export type RunErrorKind = 'syntax' | 'build' | 'exception' | 'timeout' | 'memory' | 'no-model' | 'cancelled' | 'internal';

export interface RunError {
  kind: RunErrorKind;
  message: string;
  site: Site | null;
  /** The user's stack, mapped to original positions, when there is one. */
  stack?: string;
}

/** A run that failed may still carry what it recorded up to the error (`partial.incomplete` is set). */
export type RunResult = { kind: 'ok'; trace: Trace } | { kind: 'error'; error: RunError; partial?: Trace };

/** Messages from the worker that runs a model to the runner that started it. */
export type WorkerMessage =
  | { type: 'console'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'progress'; steps: number }
  /** A source file the worker will refer to by `index` in the shared last-site slot. */
  | { type: 'file'; index: number; file: string }
  | { type: 'done'; result: RunResult };

// ---- The graph view: messages between the extension host (or the standalone report) and the webview. ----

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
  /** Groups (user functions) the user expanded, in a big graph. */
  expanded: string[];
  search: string;
  /** The model file the view showed (so a panel restored after a reload knows what to run). */
  file?: string;
  /** Which way the graph is laid out: chosen for the panel ('auto', the default), top-down or left-to-right. */
  orientation?: Orientation;
}

export type Orientation = 'auto' | 'down' | 'right';

export const DEFAULT_VIEW_STATE: ViewState = { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '' };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

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
    (x.orientation === undefined || x.orientation === 'auto' || x.orientation === 'down' || x.orientation === 'right')
  );
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
