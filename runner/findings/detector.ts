// What a detector is: something that may watch a run as the recorder sees it, may ask the graph to keep the
// tensors it will point at, and at the end says what is wrong with the run from a read-only view of it. And the
// one way to build a finding, from a live tensor or a recorded graph node.
import type { Tensor } from '../../engine/tensor';
import type { Finding, Site, Stats, StepSummary, Trace, TraceNode } from '../../engine/trace';
import type { StepRecord } from '../graph';

/** The finished run, as detectors see it. Nothing here is theirs to change. */
export interface RunView {
  /** The trace so far: every step's summary and the recorded graph(s); `findings` is still empty. */
  readonly trace: Readonly<Trace>;
  /** Every parameter the run made, in creation order. */
  readonly params: readonly Tensor[];
  /** The parameters some backward pass reached. */
  readonly reachedParams: ReadonlySet<Tensor>;
  /** The last step whose graph was kept (its tensors are still live), if any. */
  readonly lastKept: StepRecord | undefined;
  siteOf(t: Tensor): Site | null;
  keyOf(t: Tensor): string;
  /** What the user calls `t`, as the graph names its node (a module path, the source's name, the call's text). */
  nameOf(t: Tensor): string | undefined;
  /** The parameters and nonlinearity outputs named by keys in the steps' `health` (the latest tensor of each key). */
  readonly healthTensors: ReadonlyMap<string, Tensor>;
  /** The node of `trace.graph` with this key, if the graph has it. */
  nodeByKey(key: string): TraceNode | undefined;
}

/**
 * One kind of finding (or a few that share their evidence). The recorder makes a fresh detector for each run
 * and calls the optional hooks while it runs, because gradient arrays and the tensors of unkept steps do not
 * live until the end; `findings` is called once, after the graphs are built.
 */
export interface Detector {
  /** The gradient `stats` that `to`'s gradient rule passed to its input `from`, during backward of `step`. */
  onEdgeGrad?(step: StepRecord, to: Tensor, from: Tensor, stats: Stats): void;
  /** A backward pass ended: what it recorded (tensors made, gradients) and its summary. */
  onStepEnd?(step: StepRecord, summary: StepSummary): void;
  /**
   * Before any backward ran, the recorder stopped holding `t` (it keeps only the latest tensors for a forward-only
   * graph, runner/recent-tensors.ts): the only time to look at it, for a detector that must see every tensor.
   */
  onDropped?(t: Tensor): void;
  /** No backward ran: the trace draws from these tensors (the latest made and what they came from), in creation order. */
  onForwardOnly?(drawn: readonly Tensor[]): void;
  /** Tensors the recorded graph must keep whatever the node limit (the ones this detector will point at). */
  mustKeep?(): readonly Tensor[];
  /** What this detector found, in the order it should be listed. */
  findings(run: RunView): Finding[];
}

/** What a detector says; `finding` adds where it points. */
export type FindingFields = Pick<Finding, 'kind' | 'severity' | 'message' | 'step'>;

const isNode = (at: Tensor | TraceNode): at is TraceNode => !('dependencies' in at);

/**
 * A finding about a live tensor or a recorded graph node: its site, its key (the same tensor in every step has
 * the same key), and its node in the recorded graph when the graph has it.
 */
export function finding(run: RunView, at: Tensor | TraceNode, fields: FindingFields): Finding {
  const out: Finding = { ...fields, site: null };
  if (out.step === undefined) delete out.step;
  if (isNode(at)) {
    out.site = at.site;
    out.key = at.key;
    out.node = at.id;
  } else {
    out.site = run.siteOf(at);
    out.key = run.keyOf(at);
    const node = run.nodeByKey(out.key);
    if (node !== undefined) out.node = node.id;
  }
  return out;
}
