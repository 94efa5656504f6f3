// TensorFlow.js's WebAssembly backend (@tensorflow/tfjs-backend-wasm: float32, 128-bit SIMD, one thread) as a
// second peer for the training steps. The same tfjs workloads as the tfjs-cpu rows, built while the wasm backend
// is active so their tensors live in its memory, each timed in alternation with gradscope's step. A workload whose
// ops the wasm backend lacks (a kernel "not registered for backend 'wasm'") is reported as such, not timed.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { measurePair, Timing, TimingOptions } from './timing';

export interface WasmPeerRow { name: string; ours?: Timing; theirs?: Timing; missing?: string }
export interface WasmPeerWorkload { name: string; ours: () => unknown; theirs: () => { step: () => number; dispose: () => void }; options?: TimingOptions }

/** The target of the issue: gradscope's step at most a third of tfjs-wasm's. */
export const TFJS_WASM_TARGET = 0.33;

/** Switches tfjs to its wasm backend (SIMD build, threads off); false, with why printed, if it does not start. */
async function startWasmBackend(): Promise<boolean> {
  // The .wasm files sit in the package's dist/ (the bench runs from the repository's root, as npm runs it).
  setWasmPaths(join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + '/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  try {
    return await tf.setBackend('wasm');
  } catch (err) {
    console.warn(`tfjs-wasm did not start: ${String(err).split('\n')[0]}`);
    return false;
  }
}

/** Each workload against tfjs-wasm; leaves tfjs on the backend it found. */
export async function tfjsWasmComparisons(workloads: WasmPeerWorkload[]): Promise<WasmPeerRow[]> {
  const before = tf.getBackend();
  if (!(await startWasmBackend())) return workloads.map((w) => ({ name: w.name, missing: 'tfjs-wasm did not start' }));
  const rows: WasmPeerRow[] = [];
  for (const w of workloads) {
    let peer: ReturnType<WasmPeerWorkload['theirs']> | undefined;
    try {
      peer = w.theirs();
      peer.step(); // a missing kernel throws here, before any timing
      const [ours, theirs] = measurePair(w.ours, peer.step, w.options);
      console.log(`${w.name}\n  gradscope ${ours.median.toFixed(2)} ms\n  tfjs-wasm ${theirs.median.toFixed(2)} ms\n  ratio     ${(ours.median / theirs.median).toFixed(2)} (target ≤ ${TFJS_WASM_TARGET})`);
      rows.push({ name: w.name, ours, theirs });
    } catch (err) {
      const missing = String(err).split('\n')[0].slice(0, 120);
      console.log(`${w.name}\n  tfjs-wasm cannot run it: ${missing}`);
      rows.push({ name: w.name, missing });
    } finally {
      peer?.dispose();
    }
  }
  await tf.setBackend(before);
  return rows;
}
