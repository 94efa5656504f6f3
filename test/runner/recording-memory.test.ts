// What a recording holds on to: the window of recent tensors (runner/recent-tensors.ts), and, on a real model,
// no more than about twice the tensor data its training step makes (the step being made, and the last one kept).
// Tensor data is measured as what is really live: ArrayBuffer bytes after a garbage collection.
import * as assert from 'node:assert/strict';
import { tensor, Tensor } from '../../engine';
import { setRecorder } from '../../engine/recorder';
import { RecentTensors } from '../../runner/recent-tensors';
import { liveArrayBufferProbe } from '../../runner/live-memory';
import { gptStep } from '../../bench/model-workloads';
import { traceRecorder } from '../webview/make-trace';

describe('what a recording holds', () => {
  it('keeps the latest tensors, oldest first, bounded in count and in bytes, and says which it drops in order', () => {
    const dropped: number[] = [];
    const recent = new RecentTensors(100, (t) => dropped.push(t.id), 8 * 30);
    const made = Array.from({ length: 250 }, (_, i) => tensor([i]));
    for (const t of made) recent.push(t);
    // 30 one-value tensors fit the 240 bytes: the latest 30, the 220 before them dropped in creation order.
    assert.deepEqual(recent.list().map((t) => t.id), made.slice(-30).map((t) => t.id));
    assert.deepEqual(dropped, made.slice(0, 220).map((t) => t.id));
    const big = tensor(new Array<number>(100).fill(1));
    recent.push(big); // over the bytes alone: it is still held, as the latest tensor always is
    assert.deepEqual(recent.list(), [big]);
    recent.clear();
    assert.deepEqual(recent.list(), []);
    const byCount = new RecentTensors(3, () => {});
    for (const t of made) byCount.push(t);
    assert.deepEqual(byCount.list(), made.slice(-3));
  });

  it('holds a chain of ops in one slot, through its newest op, counting every tensor it holds so against the bounds', () => {
    const dropped: Tensor[] = [];
    const recent = new RecentTensors(50, (t) => dropped.push(t));
    const x = tensor([1, 2, 3], { requiresGrad: true });
    recent.push(x);
    const made: Tensor[] = [x];
    // Each op makes its promoted number, then its output: both then held through the output, not beside it.
    for (let i = 0; i < 10; i++) {
      const y = made[made.length - 1].mul(2);
      recent.push(y.dependencies[1].tensor);
      recent.push(y);
      made.push(y);
    }
    assert.deepEqual(recent.list(), [made[10]]);
    assert.equal(dropped.length, 20, 'x, the ten constants and nine outputs gave their slots up');
    // 21 tensors held through one slot, against a bound of 50: 40 leaves more do not drop it (without it, the window
    // would hold 40, short of the bound), 50 do, and its 21 tensors count.
    const leaves = Array.from({ length: 50 }, (_, i) => tensor([i]));
    for (const t of leaves.slice(0, 40)) recent.push(t);
    assert.deepEqual(recent.list(), [made[10], ...leaves.slice(0, 40)]);
    for (const t of leaves.slice(40)) recent.push(t);
    assert.deepEqual(recent.list(), leaves, 'the chain was dropped whole');
    assert.equal(dropped[dropped.length - 1], made[10]);
  });

  it('keeps a small tensor kept past its step (a detached loss history) out of the shared buffers of small tensors', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true }).mul(2);
    const kept = a.detach();
    assert.equal(kept.data.buffer.byteLength, kept.data.byteLength, 'a detached tensor owns its whole buffer');
    assert.deepEqual([...kept.data], [2, 4, 6]);
  });

  it('recording the char GPT holds at most twice the tensor data of one of its training steps', () => {
    const probe = liveArrayBufferProbe();
    /** The most tensor data live during `steps` runs of a fresh GPT step (above what was live before), in bytes. */
    const peakOf = (steps: number, recording: boolean): number => {
      const step = gptStep();
      const before = probe();
      let peak = 0;
      const backward = Tensor.prototype.backward;
      // Around backward() is when a step holds the most: its whole graph, then every gradient too.
      Tensor.prototype.backward = function (this: Tensor, grad?: Parameters<Tensor['backward']>[0]) {
        peak = Math.max(peak, probe());
        backward.call(this, grad);
        peak = Math.max(peak, probe());
      };
      if (recording) setRecorder(traceRecorder());
      try {
        for (let i = 0; i < steps; i++) step();
      } finally {
        setRecorder(null);
        Tensor.prototype.backward = backward;
      }
      return peak - before;
    };
    const alone = peakOf(3, false);
    const recorded = peakOf(3, true);
    assert.ok(alone > 2 ** 20, `the step makes ${alone} bytes of tensor data`);
    assert.ok(recorded <= 2 * alone, `recorded: ${(recorded / 2 ** 20).toFixed(1)} MB at most, the step alone: ${(alone / 2 ** 20).toFixed(1)} MB`);
  });
});
