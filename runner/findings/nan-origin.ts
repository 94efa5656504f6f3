// Where NaN/Inf started, in the user's terms: a loss that stopped being finite (pointed at the loss), the first
// tensor that went non-finite from finite inputs in the forward pass (data made before the training loop
// included: the scan walks the step's graph), and the gradient rule that turned a finite gradient into NaN/Inf
// in the backward pass. NaN that came from the forward pass just flows on through backward and is reported where
// it started. Messages name what it was: NaN, Inf, or both.
import { formatShape, tensorText } from '../../engine/format';
import type { Tensor } from '../../engine/tensor';
import type { Finding, Stats } from '../../engine/trace';
import { inCreationOrder, StepRecord } from '../graph';
import { hasNonFinite, statsOf } from '../stats';
import { Detector, finding, RunView } from './detector';

/** Where non-finite values first appeared: `tensor`, or (backward) the gradient `tensor` passed to `from`. */
export interface NanOrigin {
  tensor: Tensor;
  step: number;
  from?: Tensor;
  stats: Stats;
}

/** "NaN", "Inf" or "NaN and Inf": what `s` holds. */
const which = (s: Stats) => (s.nan > 0 && s.inf > 0 ? 'NaN and Inf' : s.nan > 0 ? 'NaN' : 'Inf');
const starts = (s: Stats) => `${which(s)} ${s.nan > 0 && s.inf > 0 ? 'start' : 'starts'}`;
const lossText = (loss: number) => (Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'Inf' : '-Inf');
const counts = (s: Stats) => [s.nan > 0 ? `${s.nan} NaN` : '', s.inf > 0 ? `${s.inf} Inf` : ''].filter(Boolean).join(', ');

/**
 * An op's tensor by its op and name (`log \`err\` [3]`), only its name when that already shows the call
 * (`\`w.sqrt()\` [3]`) or it is a leaf; by op and shape when it has no name (`log [3]`).
 */
function describe(run: RunView, t: Tensor): string {
  const name = run.nameOf(t);
  if (name === undefined) return `${t.op} ${formatShape(t.shape)}`;
  return t.kind === 'op' && !name.includes(`${t.op}(`) ? `${t.op} ${tensorText(name, t.shape)}` : tensorText(name, t.shape);
}

export function nanOrigin(): Detector {
  let forward: NanOrigin | null = null;
  let backward: NanOrigin | null = null;
  /** Before any step: the first tensor the recorder stopped holding that made NaN/Inf from finite inputs. */
  let dropped: NanOrigin | null = null;
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
      dropped = null; // a step ran: forward-only tensors are not drawn
      // The step's tensors are gone after it unless it is kept: find the forward origin now, in everything the
      // loss came from (inputs made before the loop too). Once backward made NaN/Inf in an earlier step, the
      // optimizer spread it into the parameters: later steps' NaN is that one.
      const brokeBefore = backward !== null && backward.step !== step.index;
      if (forward === null && !brokeBefore && (isNonFinite(summary.loss) || anyNonFinite(step))) {
        forward = firstNonFiniteOp(inCreationOrder(step.roots), step.index);
      }
    },
    onDropped(t) {
      // The earliest wins: the window lets an op's inputs go as the op is made, before older tensors.
      if ((dropped === null || t.id < dropped.tensor.id) && !allFinite(t.data) && t.dependencies.every((d) => allFinite(d.tensor.data))) {
        dropped = { tensor: t, step: -1, stats: statsOf(t.data) };
      }
    },
    onForwardOnly(drawn) {
      // What was dropped was made before anything drawn, unless it is an input of what is drawn: the earlier wins.
      const found = firstNonFiniteOp(drawn, -1);
      if (forward === null) forward = dropped !== null && (found === null || dropped.tensor.id < found.tensor.id) ? dropped : found;
    },
    mustKeep: () => [forward?.tensor, backward?.tensor, backward?.from].filter((t) => t !== undefined),
    findings(run: RunView): Finding[] {
      const out: Finding[] = [];
      const { steps } = run.trace;
      const badLoss = steps.find((s) => isNonFinite(s.loss));
      const lastRoot = run.lastKept?.root;
      if (badLoss !== undefined && lastRoot !== undefined) {
        out.push(finding(run, lastRoot, { kind: 'nan-loss', severity: 'error', step: badLoss.index, message: `loss became ${lossText(badLoss.loss!)} at step ${badLoss.index + 1} of ${steps.length}` }));
      }
      if (forward !== null) {
        const t = forward.tensor;
        out.push(finding(run, t, {
          kind: 'nan-forward',
          severity: 'error',
          step: forward.step,
          message: t.kind === 'op'
            ? `${starts(forward.stats)} here: ${describe(run, t)} produced ${counts(forward.stats)} from finite inputs`
            : `${starts(forward.stats)} here: this ${t.kind} ${tensorText(run.nameOf(t), t.shape)} holds ${counts(forward.stats)}`,
        }));
      }
      if (backward !== null && backward.from !== undefined) {
        out.push(finding(run, backward.tensor, {
          kind: 'nan-backward',
          severity: 'error',
          step: backward.step,
          message: `${starts(backward.stats)} in backward here: the gradient of ${describe(run, backward.tensor)} turned a finite gradient into ${counts(backward.stats)} for its input ${describe(run, backward.from)}`,
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
export function firstNonFiniteOp(tensors: readonly Tensor[], step: number): NanOrigin | null {
  const bad = new Map<Tensor, boolean>();
  const nonFinite = (t: Tensor): boolean => {
    let b = bad.get(t);
    if (b === undefined) bad.set(t, (b = !allFinite(t.data)));
    return b;
  };
  for (const t of tensors) {
    if (nonFinite(t) && t.dependencies.every((d) => !nonFinite(d.tensor))) {
      return { tensor: t, step, stats: statsOf(t.data) };
    }
  }
  return null;
}
