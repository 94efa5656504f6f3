// Turns the engine's recorder calls into a trace: per-step losses and gradient norms for every step, and the
// full graph (values, gradients, the gradient along each edge) of the step the user asked to keep. Runs in the
// worker beside the model; knows nothing about Node or source maps (sites come from `locate`), nor about what
// makes a finding: it shows the detectors (runner/findings/) what it records and lists what they find.
import type { Recorder } from '../engine/recorder';
import { isUserCall, UserCall } from '../engine/recorder';
import type { Tensor } from '../engine/tensor';
import { Site, Stats, StepSummary, Trace, TRACE_VERSION } from '../engine/trace';
import { normOf, statsOf } from './stats';
import { createDetectors, Detector, findingsOf } from './findings';
import { buildGraph, GraphSource, inCreationOrder, StepRecord } from './graph';
import { formatMagnitude } from '../engine/format';
import { moduleNames } from '../engine/nn/module';
import { scopesOf } from './scopes';
import { KeptSteps } from './kept-steps';
import { nameFromSource } from './names';
import type { StepsOption } from './options';
import { RecentTensors } from './recent-tensors';
import { HealthRecorder } from './health';
import { TensorKeys } from './tensor-keys';

/** A call spread over more lines than this is named by its first line and its callee. */
const CALL_LINES = 20;

export interface RecordOptions {
  steps: StepsOption;
  nodeLimit: number;
  /** The lines of a source file, to name tensors by the code that made them (none: nodes go unnamed but for modules). */
  readSource?: (file: string) => readonly string[] | undefined;
  /** Record training health (StepSummary.health; default on: only the benchmark turns it off, to time it). */
  health?: boolean;
}

/** Maps a user's call to its original source position (null when it is not the user's code). */
export type Locate = (capture: UserCall) => Site | null;

/** Follows a run as it goes, for limits that kill the worker and for progress reports. */
export interface RunObserver {
  /** The user's call that made the latest tensor (cheap: called for every tensor). */
  onSite(site: Site | null): void;
  /** `steps` backward passes have finished (called at most ten times a second). */
  onSteps(steps: number): void;
}

export class TraceRecorder implements Recorder {
  readonly steps: StepSummary[] = [];
  private readonly kept: KeptSteps<StepRecord>;
  /** Every parameter, as soon as it is one (made with requiresGrad, or a leaf given `requiresGrad = true` later). */
  private readonly params = new Set<Tensor>();
  private readonly reachedParams = new Set<Tensor>();
  /** The latest tensors made since the last backward (see recent-tensors.ts): never all of them. */
  private readonly recent: RecentTensors;
  private current: StepRecord | null = null;
  private readonly health: HealthRecorder | null;
  private readonly sites = new WeakMap<UserCall, Site | null>();
  /** What users' calls into the engine returned that this recording did not stamp (the others are marked on the tensor). */
  private readonly callResults = new WeakSet<object>();

  onCallResult(value: unknown): void {
    if (typeof value === 'object' && value !== null && !this.keys.markReturned(value)) this.callResults.add(value);
  }
  private readonly start = Date.now();

  constructor(
    private readonly file: string,
    private readonly locate: Locate,
    private readonly options: RecordOptions,
    private readonly observer?: RunObserver,
    private readonly detectors: readonly Detector[] = createDetectors(),
  ) {
    this.edgeWatchers = detectors.filter((d) => d.onEdgeGrad !== undefined);
    this.dropWatchers = detectors.filter((d) => d.onDropped !== undefined);
    this.kept = new KeptSteps(options.steps);
    this.health = options.health === false ? null : new HealthRecorder();
    this.recent = new RecentTensors(options.nodeLimit, (t) => this.dropped(t));
    this.keys = new TensorKeys(file);
  }

  /** The detectors that look at each tensor the recorder stops holding before any backward ran. */
  private readonly dropWatchers: readonly Detector[];

  /** `t` leaves the window of recent tensors: the last chance to see it a parameter, or (no step yet) to look at it. */
  private dropped(t: Tensor): void {
    if (t.kind === 'param') this.params.add(t);
    if (this.steps.length === 0) for (const d of this.dropWatchers) d.onDropped!(t);
  }

  /**
   * Leaves among the recent tensors that became parameters after they were made (`w.requiresGrad = true`). Only the
   * window's own (it runs at every backward): walking what they hold would walk every earlier step's graph through a
   * running average (`avg = avg.mul(0.99).add(loss)`), and a leaf an op took is seen when it gave its slot up.
   */
  private collectParams(): void {
    for (const t of this.recent.list()) if (t.kind === 'param') this.params.add(t);
  }

  /** The detectors that watch every gradient along an edge (most do not). */
  private readonly edgeWatchers: readonly Detector[];

  private lastProgress = -Infinity;

  /** Each tensor's key (see tensor-keys.ts). */
  private readonly keys: TensorKeys;
  /** The latest capture located, and where: the tensors of one call into the engine come one after another. */
  private lastCapture: unknown = undefined;
  private lastSite: Site | null = null;
  /** The site the observer heard of last (it keeps the latest one; it hears of each change). */
  private reportedSite: Site | null | undefined = undefined;

  onTensor(t: Tensor): void {
    this.recent.push(t);
    if (t.kind === 'param') this.params.add(t);
    const capture = t.site;
    if (capture !== this.lastCapture) {
      this.lastCapture = capture;
      this.lastSite = isUserCall(capture) ? this.locate(capture) : null;
    }
    const site = this.lastSite;
    this.keys.stamp(t, site);
    if (site !== this.reportedSite) {
      this.reportedSite = site;
      this.observer?.onSite(site);
    }
  }

  keyOf(t: Tensor): string {
    return this.keys.keyOf(t);
  }

  /** The user's source position of the call that made `t` (resolved once per engine entry). */
  siteOf(t: Tensor): Site | null {
    const stamped = this.keys.siteOf(t);
    return stamped !== undefined ? stamped : this.siteOfCapture(t.site);
  }

  private siteOfCapture(capture: unknown): Site | null {
    if (!isUserCall(capture)) return null;
    let site = this.sites.get(capture);
    if (site === undefined) this.sites.set(capture, (site = this.locate(capture)));
    return site;
  }

  onBackwardStart(root: Tensor): void {
    this.current = { index: this.steps.length, root, roots: [root], nodeGrads: new Map(), edgeGrads: new Map() };
    this.health?.settle(); // the optimizer has run: the last step's updates are known
    // The step's graph is walked from its loss: what else was made since the last step need not be held.
    this.collectParams();
    this.recent.clear();
  }

  // Gradient arrays are often shared: a gradient that passes through an op unchanged is the same array on
  // both sides, and a tensor with one consumer gets that edge's array as its own. Their statistics are
  // computed once.
  /** The gradient array of the tensor whose dependencies are being walked now, and its statistics. */
  private nodeArray: Float64Array | null = null;
  private nodeStats: Stats | null = null;
  /** For each tensor reached in this step: the first gradient array that arrived, its statistics, how many arrived. */
  private arrivals = new Map<Tensor, { array: Float64Array; stats: Stats; count: number }>();

  onNodeGrad(t: Tensor, grad: Float64Array): void {
    const step = this.current;
    if (step === null) return;
    const arrived = this.arrivals.get(t);
    const stats = arrived !== undefined && arrived.count === 1 && arrived.array === grad ? arrived.stats : statsOf(grad);
    this.nodeArray = grad;
    this.nodeStats = stats;
    step.nodeGrads.set(t, stats);
  }

  onEdgeGrad(to: Tensor, from: Tensor, grad: Float64Array): void {
    const step = this.current;
    if (step === null) return;
    const stats = grad === this.nodeArray && this.nodeStats !== null ? this.nodeStats : statsOf(grad);
    const arrived = this.arrivals.get(from);
    if (arrived === undefined) this.arrivals.set(from, { array: grad, stats, count: 1 });
    else arrived.count++;
    let list = step.edgeGrads.get(to);
    if (list === undefined) step.edgeGrads.set(to, (list = []));
    list.push(stats);
    // Gradient arrays do not outlive backward: detectors that need them look now.
    for (const d of this.edgeWatchers) d.onEdgeGrad!(step, to, from, stats);
  }

  onBackwardEnd(root: Tensor): void {
    const step = this.current;
    if (step === null) return;
    this.current = null;
    this.keys.stepEnded();
    this.arrivals = new Map();
    this.nodeArray = this.nodeStats = null;
    const gradNorms: Record<string, number> = {};
    const paramNorms: Record<string, number> = {};
    const health = this.health?.record(step.index, step.nodeGrads, (t) => this.keyOf(t));
    for (const [t, stats] of step.nodeGrads) {
      gradNorms[this.keyOf(t)] = stats.nan > 0 ? NaN : stats.inf > 0 ? Infinity : stats.norm;
      if (t.kind === 'param') {
        this.reachedParams.add(t);
        paramNorms[this.keyOf(t)] = this.health?.valueNorm(t) ?? normOf(t.data);
      }
    }
    const loss = root.size === 1 ? root.data[0] : null;
    const summary: StepSummary = { index: step.index, loss, gradNorms, paramNorms };
    if (health !== undefined) summary.health = health;
    this.steps.push(summary);
    for (const d of this.detectors) d.onStepEnd?.(step, summary);
    this.kept.add(step);
    const now = Date.now();
    if (this.observer !== undefined && now - this.lastProgress >= 100) {
      this.lastProgress = now;
      this.observer.onSteps(this.steps.length);
    }
  }

  /**
   * The finished trace. `result` is what the model's function returned (drawn when no backward ran). After a
   * failure (`failed`), the graph is the pass that failed, up to the error, when it made any tensors.
   */
  finish(result?: unknown, failed = false): Trace {
    const siteOf = (t: Tensor) => this.siteOf(t);
    this.collectParams();
    const kept = this.kept.list();
    let forwardOnly: GraphSource | null = null;
    if (kept.length === 0 || (failed && this.recent.list().length > 0)) {
      // No backward ran: draw what the run computed (forward only), from the returned tensor when there is one,
      // else from the latest tensors made. Detectors see it first, so the graph keeps what they will point at.
      const recent = this.recent.list();
      const returned = result instanceof Object && this.keys.has(result as Tensor) ? (result as Tensor) : null;
      forwardOnly = { roots: returned !== null ? [returned] : recent, nodeGrads: new Map(), edgeGrads: new Map() };
      const drawnFrom = inCreationOrder(returned !== null ? [...recent, returned] : recent);
      for (const d of this.detectors) d.onForwardOnly?.(drawnFrom);
    }
    const mustKeep = this.detectors.flatMap((d) => d.mustKeep?.() ?? []);
    const names = moduleNames();
    const { readSource } = this.options;
    // Named by the source only what a user's call returned: the tensors a composite call (crossEntropy) makes
    // on the way are its parts, not what the line names. A promoted number is named by its value.
    const nameOf = (t: Tensor, site: Site | null): string | undefined => {
      const path = names.tensors.get(t);
      if (path !== undefined) return path;
      if (t.isConst && t.size === 1) return formatMagnitude(t.data[0]);
      if (!(this.keys.returned(t) || this.callResults.has(t)) || site === null) return undefined;
      // The call's line and the lines after it, for a call spread over them.
      return nameFromSource(readSource?.(site.file)?.slice(site.line - 1, site.line + CALL_LINES).join('\n'), site);
    };
    const scopeNaming = { names, siteOfCapture: (c: UserCall | null) => this.siteOfCapture(c), keyOf: (t: Tensor) => this.keyOf(t) };
    const build = (source: GraphSource, index: number) =>
      buildGraph({ source, step: index, siteOf, keyOf: (t) => this.keyOf(t), nameOf, scopesOf: (made) => scopesOf(made, scopeNaming), nodeLimit: this.options.nodeLimit, mustKeep });
    const graphs = forwardOnly !== null ? [build(forwardOnly, -1)] : kept.map((step) => build(step, step.index));
    const graph = graphs[graphs.length - 1];
    const trace: Trace = {
      version: TRACE_VERSION,
      file: this.file,
      steps: this.steps,
      graph,
      findings: [],
      durationMs: Date.now() - this.start,
    };
    if (graphs.length > 1 && forwardOnly === null) trace.history = graphs.slice(0, -1);
    if (failed) trace.incomplete = true;
    const sampled = this.kept.sampling();
    if (sampled !== undefined) trace.sampled = sampled;
    const warning = failed ? undefined : this.kept.warning(graph.step);
    if (warning !== undefined) trace.warnings = [warning];
    if (this.health !== null && this.steps.length > 0) trace.health = this.health.finish(siteOf, (t) => nameOf(t, siteOf(t)));
    trace.findings = findingsOf(this.detectors, {
      trace,
      params: [...this.params].sort((a, b) => a.id - b.id),
      reachedParams: this.reachedParams,
      lastKept: kept[kept.length - 1],
      siteOf,
      keyOf: (t) => this.keyOf(t),
      nameOf: (t) => nameOf(t, siteOf(t)),
      healthTensors: this.health?.tensorsByKey() ?? new Map(),
    });
    return trace;
  }
}
