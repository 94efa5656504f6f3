// Steps are counted from 1 in messages (the `step` fields are 0-based indices into trace.steps).
// What is wrong with a run, in the user's terms, each pointing at the line that caused it: where NaN/Inf first
// appeared (forward and backward), a loss that stopped being finite, parameters that got no gradient,
// vanishing and exploding gradients, and dead ReLU units.
import type { Tensor } from '../engine/tensor';
import { formatShape } from '../engine/format';
import type { Finding, Site, Stats, StepSummary, Trace, TraceNode } from '../engine/trace';
import type { StepRecord } from './trace-recorder';

/** Where non-finite values first appeared: `tensor`, or (backward) the gradient `tensor` passed to `from`. */
export interface NanOrigin {
  tensor: Tensor;
  step: number;
  from?: Tensor;
  stats: Stats;
}

export interface FindingInput {
  trace: Trace;
  siteOf: (t: Tensor) => Site | null;
  keyOf: (t: Tensor) => string;
  nanForward: NanOrigin | null;
  nanBackward: NanOrigin | null;
  unused: readonly Tensor[];
  lastStep: StepRecord | undefined;
}

/**
 * A parameter's gradient vanishes when its RMS (norm per sqrt(element)) is this far below the largest among the
 * parameters: it learns that much slower than the rest. RMS, not gradient/value, because zero-initialised
 * biases would make every ratio to them meaningless.
 */
export const VANISHING_RATIO = 1e-3;
/** A parameter's gradient explodes when it is this many times the parameter's own norm (or 1, if larger)... */
export const EXPLODING_RELATIVE = 1e2;
/** ...or has grown this much since the first step while at least as large as the parameter. */
export const EXPLODING_GROWTH = 1e3;

const counts = (s: Stats) => [s.nan > 0 ? `${s.nan} NaN` : '', s.inf > 0 ? `${s.inf} Inf` : ''].filter(Boolean).join(', ');
const describe = (t: Tensor) => `${t.op} ${formatShape(t.shape)}`;

export function findings(input: FindingInput): Finding[] {
  const { trace, siteOf } = input;
  const byKey = new Map(trace.graph.nodes.map((n) => [n.key, n]));
  const out: Finding[] = [];
  // A finding seen in an earlier step points at the same tensor (same key) in the recorded graph.
  const about = (t: Tensor, f: Omit<Finding, 'site' | 'node'>): void => {
    const key = input.keyOf(t);
    const finding: Finding = { ...f, site: siteOf(t), key };
    const node = byKey.get(key);
    if (node !== undefined) finding.node = node.id;
    out.push(finding);
  };

  const badLoss = trace.steps.find((s) => s.loss === null ? false : !Number.isFinite(s.loss));
  const lastRoot = input.lastStep?.root;
  if (badLoss !== undefined && lastRoot !== undefined) {
    about(lastRoot, { kind: 'nan-loss', severity: 'error', step: badLoss.index, message: `loss became ${badLoss.loss} at step ${badLoss.index + 1} of ${trace.steps.length}` });
  }
  const nf = input.nanForward;
  if (nf !== null) {
    about(nf.tensor, {
      kind: 'nan-forward',
      severity: 'error',
      step: nf.step,
      message: nf.tensor.kind === 'op'
        ? `NaN/Inf starts here: ${describe(nf.tensor)} produced ${counts(nf.stats)} from finite inputs`
        : `NaN/Inf starts here: this ${nf.tensor.kind} ${formatShape(nf.tensor.shape)} holds ${counts(nf.stats)}`,
    });
  }
  const nb = input.nanBackward;
  if (nb !== null && nb.from !== undefined) {
    about(nb.tensor, {
      kind: 'nan-backward',
      severity: 'error',
      step: nb.step,
      message: `NaN/Inf starts in backward here: the gradient of ${describe(nb.tensor)} turned a finite gradient into ${counts(nb.stats)} for its input ${describe(nb.from)}`,
    });
  }
  for (const p of input.unused) {
    about(p, {
      kind: 'unused-param',
      severity: 'warning',
      message: `parameter ${formatShape(p.shape)} received no gradient: no loss that backward() ran on depends on it`,
    });
  }
  out.push(...gradientScale(input));
  if (input.lastStep !== undefined) out.push(...deadRelus(input, input.lastStep));
  return out;
}

/** Vanishing and exploding gradients of parameters, one finding per line of code that made them. */
function gradientScale(input: FindingInput): Finding[] {
  const { trace } = input;
  const first = trace.steps[0];
  const last = trace.steps[trace.steps.length - 1];
  if (last === undefined) return [];
  const params = trace.graph.nodes.filter((n) => n.kind === 'param' && last.gradNorms[n.key] !== undefined);
  if (params.length === 0) return [];
  // How far below the fastest-learning parameter each one is, at the first step (the architecture and its
  // initialisation) and at the last (where training got to); the worse of the two counts.
  const relative = (step: StepSummary) => {
    const rms = new Map(params.map((n) => [n, (step.gradNorms[n.key] ?? NaN) / Math.sqrt(Math.max(n.value.count, 1))]));
    const largest = Math.max(...[...rms.values()].filter(Number.isFinite));
    return (n: TraceNode) => (rms.get(n) ?? NaN) / largest;
  };
  const atFirst = relative(first);
  const atLast = relative(last);
  const vanishing: { node: TraceNode; ratio: number; step: number }[] = [];
  const exploding: { node: TraceNode; message: string }[] = [];
  for (const n of params) {
    const g = last.gradNorms[n.key];
    if (g === null) continue; // NaN/Inf: reported where it started
    const r = g / Math.max(last.paramNorms[n.key] ?? 0, 1);
    const growth = g / Math.max(first.gradNorms[n.key] ?? 0, 1e-300);
    if (r >= EXPLODING_RELATIVE || (trace.steps.length >= 3 && growth >= EXPLODING_GROWTH && r >= 1)) {
      const grown = growth >= EXPLODING_GROWTH ? `, ${growth.toExponential(1)}x its first step's` : '';
      exploding.push({ node: n, message: `gradient norm ${g.toPrecision(3)}, ${r.toPrecision(3)}x its own norm${grown}` });
      continue;
    }
    const [ratio, step] = atFirst(n) <= atLast(n) ? [atFirst(n), first.index] : [atLast(n), last.index];
    if (params.length > 1 && ratio < VANISHING_RATIO) vanishing.push({ node: n, ratio, step });
  }
  const out: Finding[] = [];
  for (const group of groupBySite(vanishing, (v) => v.node)) {
    const worst = group.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    const times = (r: number) => `${(1 / r).toExponential(1)}x`;
    const made = params.filter((n) => sameSite(n, worst.node)).length;
    const span = group.length === 1 ? times(worst.ratio) : `${times(Math.max(...group.map((v) => v.ratio)))} to ${times(worst.ratio)}`;
    const who = group.length === 1 ? `parameter ${formatShape(worst.node.shape)} gets an RMS gradient` : `${group.length} of the ${made} parameters made here get RMS gradients`;
    out.push({ ...about(worst.node, worst.step), kind: 'vanishing', message: `vanishing gradient: ${who} ${span} smaller than the fastest-learning parameter's (step ${worst.step + 1}): ${group.length === 1 ? 'it barely learns' : 'they barely learn'}` });
  }
  for (const group of groupBySite(exploding, (e) => e.node)) {
    const e = group[0];
    const more = group.length > 1 ? ` (and ${group.length - 1} more parameters made here)` : '';
    out.push({ ...about(e.node, last.index), kind: 'exploding', message: `exploding gradient: parameter ${formatShape(e.node.shape)} has ${e.message}${more}` });
  }
  return out;
}

const siteKey = (n: TraceNode) => n.key.slice(0, n.key.lastIndexOf('#'));
const sameSite = (a: TraceNode, b: TraceNode) => siteKey(a) === siteKey(b);
const about = (n: TraceNode, step: number) => ({ site: n.site, node: n.id, key: n.key, step, severity: 'warning' as const });

function groupBySite<T>(items: T[], node: (item: T) => TraceNode): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = siteKey(node(item));
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups.values()];
}

/** ReLU units (last axis) that are zero for every row of the batch in the recorded step. */
function deadRelus(input: FindingInput, step: StepRecord): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(step.created.map((c) => [c.id, c]));
  for (const node of input.trace.graph.nodes) {
    if (node.op !== 'relu' || node.shape.length < 2) continue;
    const t = byId.get(node.id);
    if (t === undefined) continue; // graph node ids are unique: each tensor is checked once
    const units = t.shape[t.shape.length - 1];
    const rows = t.size / units;
    let dead = 0;
    for (let u = 0; u < units; u++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) alive = t.data[r * units + u] !== 0;
      if (!alive) dead++;
    }
    if (dead > 0) {
      out.push({
        kind: 'dead-relu',
        severity: 'info',
        site: node.site,
        node: node.id,
        key: node.key,
        step: step.index,
        message: `dead ReLU: ${dead} of ${units} units are zero for the whole batch of ${rows} (they pass no gradient)`,
      });
    }
  }
  return out;
}
