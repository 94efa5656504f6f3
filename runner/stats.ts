// Summary statistics of tensor values and gradients, as the trace records them (see Stats in engine/trace.ts).
import type { Stats } from '../engine/trace';

/** Statistics of `data`: one pass when every value is finite (the usual case), a second one otherwise. */
export function statsOf(data: ArrayLike<number>): Stats {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  if (Number.isFinite(sumSq)) return summarize(data.length, 0, 0, sum, sumSq, min, max, zeros);
  // NaN or Inf somewhere (or squares that overflow): count them and leave them out of the rest.
  let nan = 0;
  let inf = 0;
  sum = sumSq = zeros = 0;
  min = Infinity;
  max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
    else {
      sum += v;
      sumSq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (v === 0) zeros++;
    }
  }
  return summarize(data.length, nan, inf, sum, sumSq, min, max, zeros);
}

function summarize(count: number, nan: number, inf: number, sum: number, sumSq: number, min: number, max: number, zeros: number): Stats {
  const finite = count - nan - inf;
  const mean = finite > 0 ? sum / finite : 0;
  return {
    count,
    norm: Math.sqrt(sumSq),
    mean,
    std: finite > 0 ? Math.sqrt(Math.max(0, sumSq / finite - mean * mean)) : 0,
    min: finite > 0 ? min : 0,
    max: finite > 0 ? max : 0,
    zeros,
    nan,
    inf,
  };
}

/** L2 norm of `data` (NaN if any value is NaN, Infinity if any is infinite). */
export function normOf(data: ArrayLike<number>): number {
  let sumSq = 0;
  for (let i = 0; i < data.length; i++) sumSq += data[i] * data[i];
  return Math.sqrt(sumSq);
}

/** True when the values held NaN or Inf (the other statistics leave them out). */
export function hasNonFinite(s: Stats): boolean {
  return s.nan + s.inf > 0;
}

/**
 * How many units of a ReLU-like output are dead: each sample holds `units` units, every unit `inner` values in a row
 * (1 along a last axis, an image's positions for a channel), and a unit is dead when it is 0 in every sample (it
 * passes no gradient back for this batch).
 */
export function deadUnits(data: ArrayLike<number>, units: number, inner = 1): number {
  if (units === 0) return 0;
  const alive = new Uint8Array(units);
  // Unit u holds `inner` values in a row (the positions of an image's channel), then the next unit's.
  for (let i = 0, u = 0, k = 0; i < data.length; i++) {
    if (data[i] !== 0) alive[u] = 1;
    if (++k === inner) {
      k = 0;
      if (++u === units) u = 0;
    }
  }
  let dead = 0;
  for (let u = 0; u < units; u++) dead += alive[u] === 0 ? 1 : 0;
  return dead;
}
