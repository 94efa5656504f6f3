// The workloads as `gradscope run` runs a model: bundled by the runner, which marks every call with its
// position (runner/instrument.ts), and evaluated against this thread's engine. A recorder then finds the user's
// line of each call into the engine as it does in the worker, without capturing stacks: the recorded rows time
// what a user gets.
import { join } from 'node:path';
import { bundleModel } from '../runner/bundle';
import { callLocator, loadBundle } from '../runner/load-bundle';
import { Locator } from '../runner/locate';
import type { Locate } from '../runner/trace-recorder';

export type Workloads = typeof import('./workloads-entry');

export async function markedWorkloads(): Promise<{ workloads: Workloads; locate: Locate }> {
  // The sources beside the benchmark's bundle (out/bench/run.js): bench/workloads-entry.ts.
  const bundled = await bundleModel(join(__dirname, '..', '..', 'bench', 'workloads-entry.ts'));
  if ('error' in bundled) throw new Error(`bench/workloads-entry.ts: ${bundled.error.message}`);
  if (bundled.bundle.marks === undefined) throw new Error('bench/workloads-entry.ts: the runner did not mark its calls');
  const workloads = loadBundle(bundled.bundle) as Workloads;
  return { workloads, locate: callLocator(new Locator(bundled.bundle)) };
}
