// Training health (StepHealth in engine/trace.ts): at the end of every backward pass, each reached parameter's
// gradient and each nonlinearity's output, in one pass over each array, and histograms of both at a spread of
// steps. A parameter's update ratio needs its values after the optimizer ran: its values are copied when
// backward ends and compared with what they became when the next backward starts (or the run ends).
import type { Tensor } from '../engine/tensor';
import { deadUnits } from './stats';
import { ActivationHealth, GRAD_HISTOGRAM, HEALTH_OPS, Histogram, ParamHealth, Site, StepHealth, Stats, TrainingHealth } from '../engine/trace';

/** A run of any length keeps histograms for at most this many steps. */
export const MAX_HISTOGRAM_STEPS = 128;
/** At most this many nonlinearity outputs a step (an RNN unrolled over 1,000 time steps makes 1,000 tanh a step). */
export const MAX_ACTIVATIONS = 256;
/** |tanh| above this is saturated: its slope 1 - y² is under 6% of its largest. */
export const TANH_SATURATED = 0.97;
/** A sigmoid output within this of 0 or 1 is saturated: its slope y(1 - y) is under 12% of its largest. */
export const SIGMOID_SATURATED = 0.03;
const BINS = GRAD_HISTOGRAM.bins;
const OPS = new Set(HEALTH_OPS);

/** `x` to 4 significant digits (as StepHealth stores its numbers). */
export function round4(x: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(4));
}

/** Standard deviation from a count, sum and sum of squares. */
const stdOf = (n: number, sum: number, sumSq: number): number => (n > 0 ? Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)) : 0);

/** A parameter whose update is not known yet: its values when its step's backward ended. */
interface Pending {
  param: Tensor;
  before: Float64Array;
  std: number;
  version: number;
  health: ParamHealth;
}

export class HealthRecorder {
  /** One reusable copy of each parameter's values. */
  private readonly copies = new Map<Tensor, Float64Array>();
  private pending: Pending[] = [];
  /** The latest tensor recorded under each key (parameters first seen first). */
  private readonly tensors = new Map<string, Tensor>();
  /** Histograms are taken at the multiples of this, doubled whenever more than MAX_HISTOGRAM_STEPS would have them. */
  private every = 1;
  private withHistograms: { index: number; health: StepHealth }[] = [];
  private omitted = 0;
  /** The norm of each parameter's values at the end of the latest backward (the trace's paramNorms: one pass less). */
  private readonly norms = new Map<Tensor, number>();

  /** Backward pass `index` ended: the health of what it reached (`reached`: each tensor's gradient statistics). */
  record(index: number, reached: ReadonlyMap<Tensor, Stats>, keyOf: (t: Tensor) => string): StepHealth {
    this.settle();
    this.norms.clear();
    const histograms = index % this.every === 0;
    const health: StepHealth = { params: {}, activations: {} };
    let activations = 0;
    for (const [t, grad] of reached) {
      if (t.kind === 'param') {
        const key = keyOf(t);
        health.params[key] = this.param(t, grad, histograms);
        this.tensors.set(key, t);
      } else if (OPS.has(t.op)) {
        if (activations++ >= MAX_ACTIVATIONS) {
          this.omitted++;
          continue;
        }
        const key = keyOf(t);
        health.activations[key] = activationHealth(t, histograms);
        this.tensors.set(key, t);
      }
    }
    if (histograms) this.keepHistograms(index, health);
    return health;
  }

  private param(p: Tensor, grad: Stats, histograms: boolean): ParamHealth {
    const g = p.grad?.data;
    let sumAbs = 0;
    const counts = histograms ? new Array<number>(BINS).fill(0) : undefined;
    if (g !== undefined && counts !== undefined) sumAbs = gradHistogram(g, counts);
    else if (g !== undefined) for (let i = 0; i < g.length; i++) sumAbs += Math.abs(g[i]);
    const data = p.data;
    let before = this.copies.get(p);
    if (before === undefined || before.length !== data.length) this.copies.set(p, (before = new Float64Array(data.length)));
    before.set(data);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < data.length; i++) {
      sum += data[i];
      sumSq += data[i] * data[i];
    }
    const std = stdOf(data.length, sum, sumSq);
    this.norms.set(p, Math.sqrt(sumSq));
    const health: ParamHealth = {
      gradMeanAbs: round4(g !== undefined && g.length > 0 ? sumAbs / g.length : 0),
      gradMaxAbs: round4(Math.max(Math.abs(grad.min), Math.abs(grad.max))),
      gradStd: round4(grad.std),
      valueStd: round4(std),
      updateRatio: null,
    };
    if (counts !== undefined) health.gradHistogram = counts;
    this.pending.push({ param: p, before, std, version: p.version, health });
    return health;
  }

  /** The norm of `p`'s values when the latest backward ended, if it reached `p`. */
  valueNorm(p: Tensor): number | undefined {
    return this.norms.get(p);
  }

  /** Each pending parameter's update ratio, from what its values became since its step's backward ended. */
  settle(): void {
    for (const { param, before, std, version, health } of this.pending) {
      const data = param.data;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < data.length; i++) {
        const d = data[i] - before[i];
        sum += d;
        sumSq += d * d;
      }
      const changed = param.version !== version || sumSq !== 0;
      health.updateRatio = changed && std > 0 ? round4(stdOf(data.length, sum, sumSq) / std) : null;
    }
    this.pending = [];
  }

  private keepHistograms(index: number, health: StepHealth): void {
    this.withHistograms.push({ index, health });
    while (this.withHistograms.length > MAX_HISTOGRAM_STEPS) {
      this.every *= 2;
      this.withHistograms = this.withHistograms.filter(({ index: i, health: h }) => {
        if (i % this.every === 0) return true;
        for (const p of Object.values(h.params)) delete p.gradHistogram;
        for (const a of Object.values(h.activations)) delete a.histogram;
        return false;
      });
    }
  }

  /** What the run's health keys name (for Trace.health), after the last update is settled. */
  finish(siteOf: (t: Tensor) => Site | null, nameOf: (t: Tensor) => string | undefined): TrainingHealth {
    this.settle();
    const tensors: TrainingHealth['tensors'] = {};
    for (const [key, t] of this.tensors) {
      const entry: TrainingHealth['tensors'][string] = { kind: t.kind === 'param' ? 'param' : 'activation', op: t.op, shape: [...t.shape], site: siteOf(t) };
      const name = nameOf(t);
      if (name !== undefined) entry.name = name;
      tensors[key] = entry;
    }
    const out: TrainingHealth = { tensors, histogramSteps: this.withHistograms.map((h) => h.index), every: this.every };
    if (this.omitted > 0) out.omitted = `${this.omitted} nonlinearity outputs were left out: a step records at most ${MAX_ACTIVATIONS}, the first its backward reached`;
    return out;
  }

  /** The tensor recorded under each key (the latest), for findings to point at. */
  tensorsByKey(): ReadonlyMap<string, Tensor> {
    return this.tensors;
  }
}

// |g|'s bin from its bits rather than a logarithm (a logarithm per gradient entry was most of the cost): the
// exponent and the top 8 bits of the mantissa pick a cell of width 2^-8 in log2, far narrower than a bin (1.25 in
// log2), so the cell's bin is right but for the one bin edge a cell may hold, which one comparison settles.
const LOG10_MIN = GRAD_HISTOGRAM.log10Min;
const BIN_WIDTH = (GRAD_HISTOGRAM.log10Max - LOG10_MIN) / BINS;
/** The lower edge of each bin, and one past the last. */
const EDGES = Float64Array.from({ length: BINS + 1 }, (_, i) => 10 ** (LOG10_MIN + i * BIN_WIDTH));
/** Biased exponents below this are below the first edge; from LAST_EXPONENT on, above the last. */
const FIRST_EXPONENT = 1023 + Math.floor(Math.log2(EDGES[0]));
const LAST_EXPONENT = 1023 + Math.ceil(Math.log2(EDGES[BINS]));
/** For each cell (biased exponent - FIRST_EXPONENT, top 8 mantissa bits): the bin of the cell's lowest value. */
const CELL_BIN = (() => {
  const table = new Uint8Array((LAST_EXPONENT - FIRST_EXPONENT) << 8);
  for (let cell = 0; cell < table.length; cell++) {
    const low = 2 ** ((cell >> 8) + FIRST_EXPONENT - 1023) * (1 + (cell & 255) / 256);
    table[cell] = binOf(low);
  }
  return table;
})();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bin of a finite |g| by its logarithm, clamped: the reference the table is built from. */
function binOf(a: number): number {
  let bin = Math.floor((Math.log10(a) - LOG10_MIN) / BIN_WIDTH); // -Infinity for 0
  if (bin < 0) return 0;
  if (bin >= BINS) return BINS - 1;
  if (a < EDGES[bin]) bin--; // rounding in the logarithm
  else if (a >= EDGES[bin + 1]) bin++;
  return Math.min(Math.max(bin, 0), BINS - 1);
}

/** Adds each finite |g| to its GRAD_HISTOGRAM bin (a zero in the first); returns the sum of |g| over the finite ones. */
function gradHistogram(g: Float64Array, counts: number[]): number {
  let sumAbs = 0;
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]);
      if (a < Infinity) counts[binOf(a)]++;
      sumAbs += a;
    }
    return sumAbs;
  }
  const words = new Int32Array(g.buffer, g.byteOffset, g.length * 2);
  for (let i = 0; i < g.length; i++) {
    const a = Math.abs(g[i]);
    sumAbs += a;
    const high = words[2 * i + 1];
    const exponent = (high >>> 20) & 0x7ff;
    if (exponent < FIRST_EXPONENT) counts[0]++;
    else if (exponent >= LAST_EXPONENT) {
      if (exponent !== 0x7ff) counts[BINS - 1]++; // NaN and Inf are not counted
    } else {
      let bin = CELL_BIN[((exponent - FIRST_EXPONENT) << 8) | ((high >>> 12) & 255)];
      if (bin < BINS - 1 && a >= EDGES[bin + 1]) bin++;
      counts[bin]++;
    }
  }
  return sumAbs;
}

/** One nonlinearity output's health: one pass over its values (and one more for a histogram). */
export function activationHealth(t: Tensor, histograms: boolean): ActivationHealth {
  const v = t.data;
  const n = v.length;
  const { op } = t;
  let sum = 0;
  let sumSq = 0;
  let saturated = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    sum += x;
    sumSq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (op === 'tanh') for (let i = 0; i < n; i++) saturated += Math.abs(v[i]) > TANH_SATURATED ? 1 : 0;
  else if (op === 'sigmoid') for (let i = 0; i < n; i++) saturated += v[i] < SIGMOID_SATURATED || v[i] > 1 - SIGMOID_SATURATED ? 1 : 0;
  const health: ActivationHealth = { mean: round4(n > 0 ? sum / n : 0), std: round4(stdOf(n, sum, sumSq)) };
  if ((op === 'tanh' || op === 'sigmoid') && n > 0) health.saturated = round4(saturated / n);
  if (op === 'relu' && t.shape.length >= 2 && n > 0) {
    const units = t.shape[t.shape.length - 1];
    health.dead = round4(units === 0 ? 0 : deadUnits(v, units) / units);
  }
  if (histograms) {
    const [lo, hi] = op === 'tanh' ? [-1, 1] : op === 'sigmoid' ? [0, 1] : [min, max];
    health.histogram = linearHistogram(v, Number.isFinite(lo) ? lo : 0, Number.isFinite(hi) ? hi : 0);
  }
  return health;
}

/** `v` in BINS equal bins from `lo` to `hi` (outside values in the end bins; NaN and Inf not counted). */
function linearHistogram(v: Float64Array, lo: number, hi: number): Histogram {
  const counts = new Array<number>(BINS).fill(0);
  const scale = hi > lo ? BINS / (hi - lo) : 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    const bin = Math.floor((x - lo) * scale);
    counts[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]++;
  }
  return { lo: round4(lo), hi: round4(hi), counts };
}
