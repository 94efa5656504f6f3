// What the training-health detectors (saturated, update-ratio) share: a number per step for each key of the
// steps' `health`, and the words for a set of steps.
import type { StepHealth, Trace } from '../../engine/trace';

/** One key's number at each step that recorded it: [step index, value] in step order. */
export type Series = [step: number, value: number][];

/** For every key `pick` gives a number at some step, that key's series (keys in order of first appearance). */
export function healthSeries(trace: Readonly<Trace>, pick: (health: StepHealth) => Record<string, number | null | undefined>): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const step of trace.steps) {
    if (step.health === undefined) continue;
    for (const [key, value] of Object.entries(pick(step.health))) {
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      let series = out.get(key);
      if (series === undefined) out.set(key, (series = []));
      series.push([step.index, value]);
    }
  }
  return out;
}

/** "steps 3–40" or "step 3", counted from 1 as messages count them, for the first and last of `steps` (0-based). */
export function stepRange(steps: readonly number[]): string {
  const first = steps[0] + 1;
  const last = steps[steps.length - 1] + 1;
  return first === last ? `step ${first}` : `steps ${first}–${last}`;
}

/** `x` as a percentage with no decimals. */
export const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** The middle value of `xs` (not empty). */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
