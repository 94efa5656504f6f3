// What is wrong with a run, in the user's terms, each pointing at the line that caused it: where NaN/Inf first
// appeared (forward and backward), a loss that stopped being finite, parameters that got no gradient,
// vanishing and exploding gradients, and dead ReLU units.
import type { Tensor } from '../engine/tensor';
import { Finding, formatShapeList, Site, Stats, Trace } from '../engine/trace';
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
  nanForward: NanOrigin | null;
  nanBackward: NanOrigin | null;
  unused: readonly Tensor[];
  lastStep: StepRecord | undefined;
}

/** A parameter learns too slowly when its relative gradient is this much below the fastest parameter's. */
export const VANISHING_RATIO = 1e-4;
/** A parameter's gradient explodes when it is this many times its own size... */
export const EXPLODING_RELATIVE = 1e2;
/** ...or has grown this much since the first step while at least as large as the parameter. */
export const EXPLODING_GROWTH = 1e3;

const counts = (s: Stats) => [s.nan > 0 ? `${s.nan} NaN` : '', s.inf > 0 ? `${s.inf} Inf` : ''].filter(Boolean).join(', ');
const describe = (t: Tensor) => `${t.op} ${formatShapeList(t.shape)}`;

export function findings(input: FindingInput): Finding[] {
  const { trace, siteOf } = input;
  const inGraph = new Set(trace.graph.nodes.map((n) => n.id));
  const out: Finding[] = [];
  const about = (t: Tensor, f: Omit<Finding, 'site' | 'node'>): void => {
    const finding: Finding = { ...f, site: siteOf(t) };
    if (inGraph.has(t.id)) finding.node = t.id;
    const node = trace.graph.nodes.find((n) => n.id === t.id);
    if (node) finding.key = node.key;
    out.push(finding);
  };

  const badLoss = trace.steps.find((s) => s.loss === null ? false : !Number.isFinite(s.loss));
  const lastRoot = input.lastStep?.root;
  if (badLoss !== undefined && lastRoot !== undefined) {
    about(lastRoot, { kind: 'nan-loss', severity: 'error', step: badLoss.index, message: `loss became ${badLoss.loss} at step ${badLoss.index}` });
  }
  const nf = input.nanForward;
  if (nf !== null) {
    about(nf.tensor, {
      kind: 'nan-forward',
      severity: 'error',
      step: nf.step,
      message: nf.tensor.kind === 'op'
        ? `NaN/Inf starts here: ${describe(nf.tensor)} produced ${counts(nf.stats)} from finite inputs`
        : `NaN/Inf starts here: this ${nf.tensor.kind} ${formatShapeList(nf.tensor.shape)} holds ${counts(nf.stats)}`,
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
      message: `parameter ${formatShapeList(p.shape)} received no gradient: no loss that backward() ran on depends on it`,
    });
  }
  out.push(...gradientScale(input));
  if (input.lastStep !== undefined) out.push(...deadRelus(input, input.lastStep));
  return out;
}

/** Vanishing and exploding gradients of parameters, from the gradient-to-value ratio and its growth. */
function gradientScale(input: FindingInput): Finding[] {
  const { trace } = input;
  const last = trace.steps[trace.steps.length - 1];
  const first = trace.steps[0];
  if (last === undefined) return [];
  const params = trace.graph.nodes.filter((n) => n.kind === 'param' && last.gradNorms[n.key] !== undefined);
  const ratio = (key: string) => last.gradNorms[key] / Math.max(last.paramNorms[key] ?? 0, 1e-12);
  const fastest = Math.max(...params.map((n) => ratio(n.key)).filter(Number.isFinite));
  const out: Finding[] = [];
  for (const n of params) {
    const r = ratio(n.key);
    const g = last.gradNorms[n.key];
    const growth = g / Math.max(first.gradNorms[n.key] ?? 0, 1e-300);
    const base = { site: n.site, node: n.id, key: n.key, step: last.index, severity: 'warning' as const };
    if (r >= EXPLODING_RELATIVE || (trace.steps.length >= 3 && growth >= EXPLODING_GROWTH && r >= 1)) {
      out.push({ ...base, kind: 'exploding', message: `exploding gradient: parameter ${formatShapeList(n.shape)} has gradient norm ${g.toPrecision(3)}, ${r.toPrecision(3)}x its own norm${growth >= EXPLODING_GROWTH ? `, ${growth.toExponential(1)}x its first step's` : ''}` });
    } else if (params.length > 1 && r < VANISHING_RATIO * fastest) {
      out.push({ ...base, kind: 'vanishing', message: `vanishing gradient: parameter ${formatShapeList(n.shape)} gets gradient/value ${r.toExponential(2)}, ${(fastest / r).toExponential(1)}x less than the fastest-learning parameter: it barely learns` });
    }
  }
  return out;
}

/** ReLU units (last axis) that are zero for every row of the batch in the recorded step. */
function deadRelus(input: FindingInput, step: StepRecord): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<Tensor>();
  for (const node of input.trace.graph.nodes) {
    if (node.op !== 'relu' || node.shape.length < 2) continue;
    const t = step.created.find((c) => c.id === node.id);
    if (t === undefined || seen.has(t)) continue;
    seen.add(t);
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
