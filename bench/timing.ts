// Timing: warm up, pick an iteration count so one repetition lasts long enough to time, then take the median
// of several repetitions. Milliseconds per iteration throughout.
import { performance } from 'node:perf_hooks';

/**
 * The clock: the process's CPU time (user + system) by default. Both engines run on one thread, so on an idle
 * machine this equals wall time; on a shared one (a load of 10 on 2 CPUs here) wall time measured the scheduler,
 * with recorder-on/off ratios swinging from 0.4x to 2.7x between runs, while CPU time held within a few per cent.
 * It counts V8's garbage-collector threads too, which is work the run caused. BENCH_CLOCK=wall for wall time.
 */
export const CLOCK = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
const now =
  CLOCK === 'wall'
    ? () => performance.now()
    : () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      };

export interface Timing {
  /** Median over repetitions of the mean time of one iteration. */
  median: number;
  min: number;
  max: number;
  /** Iterations per repetition. */
  iterations: number;
  repetitions: number;
}

export interface TimingOptions {
  /** Warm-up time (at least two iterations run). */
  warmupMs?: number;
  /** A repetition runs enough iterations to last about this long (at least one). */
  repetitionMs?: number;
  repetitions?: number;
}

/** Warms `run` up, then how many iterations make one repetition last about `repetitionMs`. */
function warmIterations(run: () => void, warmupMs: number, repetitionMs: number): number {
  let warm = 0;
  const start = now();
  do {
    run();
    warm++;
  } while (warm < 2 || now() - start < warmupMs);
  return Math.max(1, Math.round(repetitionMs / ((now() - start) / warm)));
}

/** One repetition: ms per iteration. */
function repetition(run: () => void, iterations: number): number {
  const t0 = now();
  for (let i = 0; i < iterations; i++) run();
  return (now() - t0) / iterations;
}

function summary(samples: number[], iterations: number): Timing {
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0], max: samples[samples.length - 1], iterations, repetitions: samples.length };
}

export function measure(run: () => void, options: TimingOptions = {}): Timing {
  const { warmupMs = 300, repetitionMs = 150, repetitions = 7 } = options;
  const iterations = warmIterations(run, warmupMs, repetitionMs);
  return summary(Array.from({ length: repetitions }, () => repetition(run, iterations)), iterations);
}

/**
 * Two runs timed in alternating repetitions (a, b, a, b, ...), each with its own iteration count: on a shared
 * machine the load drifts over seconds, and alternating gives both the same drift, so their ratio holds still
 * where two separate measure() calls can be 20-50% apart from load alone.
 */
export function measurePair(a: () => void, b: () => void, options: TimingOptions = {}): [Timing, Timing] {
  const { warmupMs = 300, repetitionMs = 150, repetitions = 7 } = options;
  const [ia, ib] = [warmIterations(a, warmupMs, repetitionMs), warmIterations(b, warmupMs, repetitionMs)];
  const [sa, sb]: number[][] = [[], []];
  for (let r = 0; r < repetitions; r++) {
    sa.push(repetition(a, ia));
    sb.push(repetition(b, ib));
  }
  return [summary(sa, ia), summary(sb, ib)];
}

/** A millisecond figure with three significant digits (at least two decimals below 1). */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(2);
}

/**
 * For runs that need fresh state each time (a new graph to back-propagate through): every repetition calls
 * `setup` untimed, then times one `run` on what it returned.
 */
export function measureEach<S>(setup: () => S, run: (state: S) => void, options: { warmup?: number; repetitions?: number } = {}): Timing {
  const { warmup = 2, repetitions = 7 } = options;
  const samples: number[] = [];
  for (let r = 0; r < warmup + repetitions; r++) {
    const state = setup();
    const t0 = now();
    run(state);
    if (r >= warmup) samples.push(now() - t0);
  }
  return summary(samples, 1);
}
