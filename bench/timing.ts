// Timing: warm up, pick an iteration count so one repetition lasts long enough to time, then take the median
// of several repetitions. Milliseconds per iteration throughout.
import { performance } from 'node:perf_hooks';

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

export function measure(run: () => void, options: TimingOptions = {}): Timing {
  const { warmupMs = 300, repetitionMs = 150, repetitions = 7 } = options;
  let warm = 0;
  const start = performance.now();
  do {
    run();
    warm++;
  } while (warm < 2 || performance.now() - start < warmupMs);
  const rough = (performance.now() - start) / warm;
  const iterations = Math.max(1, Math.round(repetitionMs / rough));

  const samples: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) run();
    samples.push((performance.now() - t0) / iterations);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0], max: samples[samples.length - 1], iterations, repetitions };
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
    const t0 = performance.now();
    run(state);
    if (r >= warmup) samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], min: samples[0], max: samples[samples.length - 1], iterations: 1, repetitions };
}
