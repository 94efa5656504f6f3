// What the Health view draws, shaped from a trace's training health (engine/trace.ts StepHealth): pure functions
// over the trace, no DOM and no chart library, so they are tested in Node and the chart builders only lay out.
import { GRAD_HISTOGRAM, Histogram, Trace, TraceNode } from '../../engine/trace';
import { runsLabel, runsOfALine, sumHistograms } from './repeats';

/** A parameter or nonlinearity output as the charts list it: its health key, its label and its node in the drawn graph. */
export interface HealthTensor {
  key: string;
  label: string;
  /** The node of the graph the view draws (`trace.graph`) with this key; absent when that step left it out. */
  node?: number;
  /** For a parameter no backward reached, the index of the finding that says so (it points at its line). */
  finding?: number;
  /**
   * A nonlinearity whose line of code ran several times a step with the same weights (a loop over time steps):
   * the key and graph node of every run, drawn as one line; `key` and `node` are the first run's. Absent for one tensor.
   */
  runs?: { keys: string[]; nodes: number[] };
}

export interface HealthModel {
  /** Parameters in depth order, input to output. */
  params: HealthTensor[];
  /** Nonlinearity outputs in depth order. */
  activations: HealthTensor[];
  /** How many steps the run had. */
  steps: number;
}

/**
 * The tensors a trace's health names, in depth order: by the first op of the drawn graph that consumes each one
 * (node ids grow as the forward pass runs), so an MLP's first layer comes first whatever order its parameters
 * were made in. Tensors the drawn graph left out follow, in the order the recorder met them. Null without health.
 */
export function healthModel(trace: Trace): HealthModel | null {
  const health = trace.health;
  if (health === undefined || trace.steps.every((s) => s.health === undefined)) return null;
  const byKey = new Map<string, TraceNode>(trace.graph.nodes.map((n) => [n.key, n]));
  const firstUse = new Map<number, number>();
  for (const e of trace.graph.edges) firstUse.set(e.from, Math.min(firstUse.get(e.from) ?? Infinity, e.to));
  const depth = (key: string, order: number): number => {
    const node = byKey.get(key);
    if (node === undefined) return Number.MAX_SAFE_INTEGER / 2 + order;
    return node.kind === 'param' ? firstUse.get(node.id) ?? node.id : node.id;
  };
  const scopes = new Map((trace.graph.scopes ?? []).map((s) => [s.id, s]));
  const listed = (kind: 'param' | 'activation'): HealthTensor[] => {
    const entries = Object.entries(health.tensors).filter(([, t]) => t.kind === kind).map(([key, t], order) => ({ key, t, d: depth(key, order) }));
    entries.sort((a, b) => a.d - b.d);
    const tensors = entries.map(({ key, t }) => {
      const node = byKey.get(key);
      // A nonlinearity is better known by the module it ran in than by its source text, which repeats in a loop.
      const scope = node?.scope === undefined ? undefined : scopes.get(node.scope);
      const label = kind === 'param' ? t.name ?? key : `${scope?.kind === 'module' ? scope.name : t.name ?? key} · ${t.op}`;
      return { key, label, site: t.site, ...(node === undefined ? {} : { node: node.id }) };
    });
    if (kind === 'param') return numberRepeats(tensors.map(({ site: _, ...t }) => t));
    return numberRepeats(runsOfALine(trace, tensors).map((runs) => {
      const { site, ...first } = runs[0];
      if (runs.length === 1 || site === null) return first;
      const nodes = runs.flatMap((r) => (r.node === undefined ? [] : [r.node]));
      return { ...first, label: runsLabel(first.label, runs.length, site), runs: { keys: runs.map((r) => r.key), nodes } };
    }));
  };
  return { params: [...listed('param'), ...neverReached(trace)], activations: listed('activation'), steps: trace.steps.length };
}

/**
 * Parameters no backward pass reached are not in the health record: those in the drawn graph (made and used, but
 * cut off from the loss) and those an unused-param finding names (never used at all), to mark as "no gradient".
 */
function neverReached(trace: Trace): HealthTensor[] {
  const recorded = trace.health?.tensors ?? {};
  const out: HealthTensor[] = [];
  const seen = new Set<string>();
  for (const n of trace.graph.nodes) {
    if (n.kind !== 'param' || n.key in recorded) continue;
    seen.add(n.key);
    out.push({ key: n.key, label: n.name ?? n.key, node: n.id });
  }
  trace.findings.forEach((f, index) => {
    if (f.kind !== 'unused-param' || f.key === undefined || f.key in recorded || seen.has(f.key)) return;
    seen.add(f.key);
    // The finding names the parameter as `name` [shape] (engine/format.ts tensorText), or by its shape alone.
    const name = /`([^`]+)`/.exec(f.message)?.[1] ?? `unused parameter${f.site ? ` (line ${f.site.line})` : ''}`;
    out.push({ key: f.key, label: name, ...(f.node === undefined ? {} : { node: f.node }), finding: index });
  });
  return numberRepeats(out);
}

/** Labels that repeat (the layers of a loop) get their rank among their namesakes: `plain · tanh 3`. */
function numberRepeats(tensors: HealthTensor[]): HealthTensor[] {
  const total = new Map<string, number>();
  for (const t of tensors) total.set(t.label, (total.get(t.label) ?? 0) + 1);
  const seen = new Map<string, number>();
  return tensors.map((t) => {
    if (total.get(t.label)! < 2) return t;
    const k = (seen.get(t.label) ?? 0) + 1;
    seen.set(t.label, k);
    return { ...t, label: `${t.label} ${k}` };
  });
}

/** One step of the gradient-flow chart: per parameter, in the model's order. */
export interface FlowAt {
  /** Mean and largest |gradient|; null where no gradient reached the parameter or it was all zero. */
  mean: (number | null)[];
  max: (number | null)[];
  /** True where the parameter got no gradient this step (none reached it, or only zeros). */
  none: boolean[];
  /** True where its gradient held NaN or Inf (the recorder's mean |g| is then NaN or Inf). */
  nan: boolean[];
}

export function flowAt(trace: Trace, model: HealthModel, step: number): FlowAt {
  const params = trace.steps[step]?.health?.params ?? {};
  const out: FlowAt = { mean: [], max: [], none: [], nan: [] };
  for (const p of model.params) {
    const h = params[p.key];
    const nan = h !== undefined && !(Number.isFinite(h.gradMeanAbs) && Number.isFinite(h.gradMaxAbs));
    const none = nan || h === undefined || !(h.gradMaxAbs > 0);
    out.nan.push(nan);
    out.none.push(none && !nan);
    if (nan) {
      out.mean.push(null);
      out.max.push(null);
      continue;
    }
    out.mean.push(none || !(h.gradMeanAbs > 0) ? null : h.gradMeanAbs);
    out.max.push(none ? null : h.gradMaxAbs);
  }
  return out;
}

export type HeatmapMetric = 'grad' | 'ratio';

/**
 * The parameters × steps heatmap, in at most `columns` columns of `every` consecutive steps each (a long run is
 * drawn at about the resolution the panel has, not one cell per step: 1,000 steps × 50 parameters would be 50,000
 * shapes to draw): cells `[column, param, log10 value]` where the value (mean |gradient| or update ratio) is the
 * geometric mean of the column's positive values, the cells holding a NaN or Inf, and the range of the logs.
 */
export function heatmapCells(trace: Trace, model: HealthModel, metric: HeatmapMetric, columns = Infinity): HeatmapData {
  const every = Math.max(1, Math.ceil(trace.steps.length / Math.max(1, Math.floor(columns))));
  const cells: [number, number, number][] = [];
  const nan: [number, number][] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let column = 0; column * every < trace.steps.length; column++) {
    const steps = trace.steps.slice(column * every, (column + 1) * every);
    model.params.forEach((p, i) => {
      let sum = 0;
      let count = 0;
      let bad = false;
      for (const s of steps) {
        const h = s.health?.params[p.key];
        const v = h === undefined ? null : metric === 'grad' ? h.gradMeanAbs : h.updateRatio;
        if (v !== null && (Number.isNaN(v) || v === Infinity)) bad = true;
        if (v === null || !(v > 0) || !Number.isFinite(v)) continue;
        sum += Math.log10(v);
        count++;
      }
      if (bad) nan.push([column, i]);
      if (count === 0) return;
      const l = sum / count;
      cells.push([column, i, l]);
      if (l < lo) lo = l;
      if (l > hi) hi = l;
    });
  }
  return { cells, nan, every, columns: Math.ceil(trace.steps.length / every), lo: Number.isFinite(lo) ? lo : -3, hi: Number.isFinite(hi) ? hi : -3 };
}

export interface HeatmapData {
  /** `[column, parameter, log10 value]` for each column with a positive finite value. */
  cells: [number, number, number][];
  /** `[column, parameter]` where a value was NaN or Inf. */
  nan: [number, number][];
  /** Steps per column (column c holds steps c·every to (c+1)·every - 1), and how many columns. */
  every: number;
  columns: number;
  lo: number;
  hi: number;
}

/**
 * Each parameter's update ratio by step, in the model's order, as `[step, ratio]` points (1-based steps; null: no
 * update). A run longer than `points` steps is drawn at that resolution: each point the geometric mean of
 * `every` consecutive steps, at their middle (50 lines of 1,000 points are more than a panel's pixels).
 */
export function ratioSeries(trace: Trace, model: HealthModel, points = Infinity): [number, number | null][][] {
  const every = Math.max(1, Math.ceil(trace.steps.length / Math.max(1, Math.floor(points))));
  return model.params.map((p) => {
    const line: [number, number | null][] = [];
    for (let start = 0; start < trace.steps.length; start += every) {
      const steps = trace.steps.slice(start, start + every);
      let sum = 0;
      let count = 0;
      for (const s of steps) {
        const r = s.health?.params[p.key]?.updateRatio ?? null;
        if (r === null || !(r > 0) || !Number.isFinite(r)) continue;
        sum += Math.log10(r);
        count++;
      }
      line.push([start + 1 + (steps.length - 1) / 2, count === 0 ? null : 10 ** (sum / count)]);
    }
    return line;
  });
}

/** The step with histograms nearest to `step` (the earlier on a tie), or undefined when no step has them. */
export function nearestHistogramStep(trace: Trace, step: number): number | undefined {
  let best: number | undefined;
  for (const s of trace.health?.histogramSteps ?? []) {
    if (best === undefined || Math.abs(s - step) < Math.abs(best - step)) best = s;
  }
  return best;
}

/** A histogram as a line: `[x, share of the values]` at each bin's centre; `index` is the tensor's place in its list. */
export interface HistogramLine {
  index: number;
  points: [number, number][];
}

/** The outputs of each nonlinearity at a histogram step, as shares of its values per bin (layers of any size compare). */
export function activationHistograms(trace: Trace, model: HealthModel, step: number): HistogramLine[] {
  const acts = trace.steps[step]?.health?.activations ?? {};
  const lines: HistogramLine[] = [];
  model.activations.forEach((a, index) => {
    // A line's runs are summed before taking shares: the line's outputs over the whole step.
    const runs = (a.runs?.keys ?? [a.key]).map((key) => acts[key]?.histogram).filter((x): x is Histogram => x !== undefined);
    if (runs.length === 0) return;
    const h = runs.length === 1 ? runs[0] : sumHistograms(runs);
    const total = h.counts.reduce((x, y) => x + y, 0);
    if (total === 0) return;
    const width = (h.hi - h.lo) / h.counts.length;
    lines.push({ index, points: h.counts.map((c, i) => [h.lo + (i + 0.5) * width, c / total]) });
  });
  return lines;
}

/** Each parameter's |gradient| at a histogram step: x is log10|g| at the bin's centre (GRAD_HISTOGRAM's fixed bins). */
export function gradientHistograms(trace: Trace, model: HealthModel, step: number): HistogramLine[] {
  const params = trace.steps[step]?.health?.params ?? {};
  const width = (GRAD_HISTOGRAM.log10Max - GRAD_HISTOGRAM.log10Min) / GRAD_HISTOGRAM.bins;
  const lines: HistogramLine[] = [];
  model.params.forEach((p, index) => {
    const counts = params[p.key]?.gradHistogram;
    if (counts === undefined) return;
    const total = counts.reduce((x, y) => x + y, 0);
    if (total === 0) return;
    lines.push({ index, points: counts.map((c, i) => [GRAD_HISTOGRAM.log10Min + (i + 0.5) * width, c / total]) });
  });
  return lines;
}

/** The index in `tensors` of the one drawn as graph node `node` (or with it among its runs), or -1. */
export function indexOfNode(tensors: HealthTensor[], node: number | null): number {
  return node === null ? -1 : tensors.findIndex((t) => t.node === node || t.runs?.nodes.includes(node));
}
