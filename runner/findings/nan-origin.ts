// Where NaN/Inf started, in the user's terms: a loss that stopped being finite (pointed at the loss), the first
// tensor that went non-finite from finite inputs in the forward pass, and the gradient rule that turned a
// finite gradient into NaN/Inf in the backward pass. NaN that came from the forward pass just flows on through
// backward and is reported where it started.
import { formatShape } from '../../engine/format';
import type { Tensor } from '../../engine/tensor';
import type { Finding, Stats } from '../../engine/trace';
import type { StepRecord } from '../graph';
import { hasNonFinite, statsOf } from '../stats';
import { Detector, finding, RunView } from './detector';

/** Where non-finite values first appeared: `tensor`, or (backward) the gradient `tensor` passed to `from`. */
export interface NanOrigin {
  tensor: Tensor;
  step: number;
  from?: Tensor;
  stats: Stats;
}

const counts = (s: Stats) => [s.nan > 0 ? `${s.nan} NaN` : '', s.inf > 0 ? `${s.inf} Inf` : ''].filter(Boolean).join(', ');
const describe = (t: Tensor) => `${t.op} ${formatShape(t.shape)}`;

export function nanOrigin(): Detector {
  let forward: NanOrigin | null = null;
  let backward: NanOrigin | null = null;
  return {
    onEdgeGrad(step, to, from, stats) {
      // A gradient rule that makes NaN/Inf from a finite gradient and finite values (sqrt at 0, say) is where
      // backward broke. The gradient array is gone once backward moves on: this is the only time to look.
      if (backward !== null || !hasNonFinite(stats)) return;
      const incoming = step.nodeGrads.get(to);
      const finiteValues = allFinite(to.data) && to.dependencies.every((d) => allFinite(d.tensor.data));
      if (incoming !== undefined && !hasNonFinite(incoming) && finiteValues) backward = { tensor: to, step: step.index, from, stats };
    },
    onStepEnd(step, summary) {
      // The step's tensors are gone after it unless it is kept: find the forward origin now.
      if (forward === null && (isNonFinite(summary.loss) || anyNonFinite(step))) forward = firstNonFiniteOp(step.created, step.index);
    },
    onForwardOnly(created) {
      if (forward === null) forward = firstNonFiniteOp(created, -1);
    },
    mustKeep: () => [forward?.tensor, backward?.tensor, backward?.from].filter((t) => t !== undefined),
    findings(run: RunView): Finding[] {
      const out: Finding[] = [];
      const { steps } = run.trace;
      const badLoss = steps.find((s) => isNonFinite(s.loss));
      const lastRoot = run.lastKept?.root;
      if (badLoss !== undefined && lastRoot !== undefined) {
        out.push(finding(run, lastRoot, { kind: 'nan-loss', severity: 'error', step: badLoss.index, message: `loss became ${badLoss.loss} at step ${badLoss.index + 1} of ${steps.length}` }));
      }
      if (forward !== null) {
        const t = forward.tensor;
        out.push(finding(run, t, {
          kind: 'nan-forward',
          severity: 'error',
          step: forward.step,
          message: t.kind === 'op'
            ? `NaN/Inf starts here: ${describe(t)} produced ${counts(forward.stats)} from finite inputs`
            : `NaN/Inf starts here: this ${t.kind} ${formatShape(t.shape)} holds ${counts(forward.stats)}`,
        }));
      }
      if (backward !== null && backward.from !== undefined) {
        out.push(finding(run, backward.tensor, {
          kind: 'nan-backward',
          severity: 'error',
          step: backward.step,
          message: `NaN/Inf starts in backward here: the gradient of ${describe(backward.tensor)} turned a finite gradient into ${counts(backward.stats)} for its input ${describe(backward.from)}`,
        }));
      }
      return out;
    },
  };
}

const isNonFinite = (loss: number | null) => loss !== null && !Number.isFinite(loss);

function anyNonFinite(step: StepRecord): boolean {
  for (const stats of step.nodeGrads.values()) if (hasNonFinite(stats)) return true;
  return false;
}

function allFinite(data: Float64Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}

/** The first tensor, in creation order, that has NaN or Inf while none of its inputs has (data made that way counts). */
export function firstNonFiniteOp(created: readonly Tensor[], step: number): NanOrigin | null {
  const bad = new Map<Tensor, boolean>();
  const nonFinite = (t: Tensor): boolean => {
    let b = bad.get(t);
    if (b === undefined) bad.set(t, (b = !allFinite(t.data)));
    return b;
  };
  for (const t of created) {
    if (nonFinite(t) && t.dependencies.every((d) => !nonFinite(d.tensor))) {
      return { tensor: t, step, stats: statsOf(t.data) };
    }
  }
  return null;
}
