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
  /** How training looked in this step (see StepHealth); absent in traces recorded without it. */
  health?: StepHealth;
}

// ---- Training health: per-step numbers cheap enough to record every step, for charts over a run and findings. Numbers
// in StepHealth have 4 significant digits: they feed charts and thresholds, and a 10,000-step run writes 100,000s.

/** One step's health: each parameter and nonlinearity output that this step's backward reached, by node key. */
export interface StepHealth {
  params: Record<string, ParamHealth>;
  /** Outputs of the ops in HEALTH_OPS (at most 256 a step: `Trace.health.omitted` says when more were left out). */
  activations: Record<string, ActivationHealth>;
}

export interface ParamHealth {
  /** Mean |gradient|: the typical size of an entry's gradient, comparable across parameters of any size. */
  gradMeanAbs: number;
  /** Largest |gradient|: a few runaway entries show here before they move the mean. */
  gradMaxAbs: number; gradStd: number;
  valueStd: number; // of the values when backward ended, before the optimizer used this gradient
  /**
   * std(values after - values before) / std(values before): the update the optimizer (or any change to the data)
   * made after this backward, before the next backward or the end of the run, relative to the values it changed.
   * Around 1e-3 is healthy; far above it the learning rate is too high, far below too low (a rule of thumb of
   * Karpathy's). null when the values did not change, or had no spread to compare with (a zero-initialised bias).
   */
  updateRatio: number | null;
  /** At histogram steps: counts of |gradient| in GRAD_HISTOGRAM's log-spaced bins. */
  gradHistogram?: number[];
}

export interface ActivationHealth {
  /** Mean and standard deviation of the op's outputs over the whole batch. */
  mean: number; std: number;
  /**
   * tanh and sigmoid: the fraction of outputs saturated (|tanh| > 0.97; sigmoid within 0.03 of 0 or 1), where the
   * op passes back under 12% of its largest slope: a mostly saturated layer barely learns.
   */
  saturated?: number;
  /** relu with two or more axes: the fraction of units (last axis) that are 0 for every row of the batch (no gradient passes). */
  dead?: number;
  /** At histogram steps: the outputs in 32 equal bins from `lo` to `hi`. */
  histogram?: Histogram;
}

/**
 * Counts in equal bins from `lo` to `hi`; values outside go to the end bins, NaN and Inf are not counted. `lo`
 * and `hi` are the op's range for tanh (-1, 1) and sigmoid (0, 1), so steps compare; the step's min and max else.
 */
export interface Histogram { lo: number; hi: number; counts: number[] }

/**
 * Update ratios within this band are healthy: about 1e-3 a step, give or take ten times (Karpathy's rule of thumb).
 * The editor's hover judges a ratio against it and the Health view shades it.
 */
export const HEALTHY_UPDATE_RATIO = { lo: 1e-4, hi: 1e-2 } as const;

/** Which ops' outputs StepHealth.activations records. */
export const HEALTH_OPS: readonly string[] = ['tanh', 'sigmoid', 'relu', 'gelu', 'silu', 'leakyRelu', 'softplus'];

/**
 * Gradient histograms: `bins` bins of log10|g| equally spaced from `log10Min` to `log10Max` (bin i holds |g| in
 * [10^(min + i·w), 10^(min + (i+1)·w)), w = 0.375 decades). |g| below 1e-10, zero included, counts in the first
 * bin, above 1e2 in the last: a fixed scale from vanishing to exploding, the same at every step and parameter.
 */
export const GRAD_HISTOGRAM = { bins: 32, log10Min: -10, log10Max: 2 } as const;

/** What a run's StepHealth keys name, and which steps carry histograms. */
export interface TrainingHealth {
  /** Each key used in any step's health: a parameter or a nonlinearity output, where it was made and its name. */
  tensors: Record<string, { kind: 'param' | 'activation'; op: string; shape: number[]; site: Site | null; name?: string }>;
  /**
   * The indices of the steps with histograms: every step of a short run; of a long one the multiples of `every`
   * (doubled whenever more than 128 steps would have them), so a run of any length keeps at most 128.
   */
  histogramSteps: number[]; every: number;
  omitted?: string; // why some nonlinearity outputs were left out of some steps, if they were
}

export type FindingKind = 'nan-forward' | 'nan-backward' | 'nan-loss' | 'unused-param' | 'vanishing' | 'exploding' | 'dead-relu'
  | 'saturated' | 'update-ratio' | 'diverging';
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
  /** Training health: what the keys of each step's `health` name, and which steps have histograms. */
  health?: TrainingHealth;
  findings: Finding[];
  durationMs: number;
  /** Which kernels did the arithmetic: the WebAssembly SIMD ones, or the JavaScript ones where WebAssembly would not load. */
  kernels?: 'webassembly' | 'javascript';
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
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  // A reviver would call back for each of a big trace's million values (0.6 s at 20,000 nodes); most traces hold
  // no non-finite number at all, and those that do are mended in one walk.
  if (text.includes('"NaN"') || text.includes('Infinity"')) decodeNonFinite(parsed);
  return isObject(parsed) && parsed.version === TRACE_VERSION && isObject(parsed.graph) ? (parsed as unknown as Trace) : undefined;
}

/** Turns the strings "NaN", "Infinity" and "-Infinity" back into numbers, in place, outside TEXT_FIELDS. */
function decodeNonFinite(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const holder = stack.pop();
    if (typeof holder !== 'object' || holder === null) continue;
    const isArray = Array.isArray(holder);
    const record = holder as Record<string, unknown>;
    for (const key of isArray ? holder.keys() : Object.keys(holder)) {
      const v = record[key];
      if (typeof v === 'string') {
        if (NON_FINITE.has(v) && (isArray || !TEXT_FIELDS.has(key as string))) record[key] = Number(v);
      } else if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
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

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
