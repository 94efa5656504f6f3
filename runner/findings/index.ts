// What is wrong with a run, in the user's terms, each finding pointing at the line that caused it. Every kind of
// finding is a detector (see detector.ts); this is the list, in the order findings are listed: where NaN/Inf
// started (forward and backward) and a loss that stopped being finite, parameters that got no gradient,
// a run whose loss or gradient diverges, vanishing and exploding gradients, learning rates whose update ratio is far
// off, saturated tanh/sigmoid layers, dead ReLU units. Steps are counted from 1 in messages (the `step` fields
// are 0-based indices into trace.steps).
import type { Finding } from '../../engine/trace';
import { deadRelu } from './dead-relu';
import { diverging } from './diverging';
import { saturated } from './saturated';
import { updateRatio } from './update-ratio';
import type { Detector, RunView } from './detector';
import { exploding } from './exploding';
import { nanOrigin } from './nan-origin';
import { unusedParam } from './unused-param';
import { vanishing } from './vanishing';

export type { Detector, RunView } from './detector';
export { EXPLODING_GROWTH, EXPLODING_RELATIVE } from './exploding';
export { VANISHING_RATIO } from './vanishing';

/** Every detector, in the order their findings are listed. Add a new one here. */
const detectors: readonly (() => Detector)[] = [nanOrigin, unusedParam, diverging, vanishing, exploding, updateRatio, saturated, deadRelu];

/** A fresh set of detectors for one run (they keep what they saw while it ran). */
export function createDetectors(): Detector[] {
  return detectors.map((make) => make());
}

/** The findings of every detector about the finished run, in detector order. */
export function findingsOf(detectors: readonly Detector[], run: Omit<RunView, 'nodeByKey'>): Finding[] {
  const byKey = new Map(run.trace.graph.nodes.map((n) => [n.key, n]));
  const view: RunView = { ...run, nodeByKey: (key) => byKey.get(key) };
  return detectors.flatMap((d) => d.findings(view));
}
