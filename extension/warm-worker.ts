// One worker started ahead of the next run. Starting a thread and loading the engine took 0.3-0.7 s of a run measured
// in code-server, before the model could start; a worker started while the user reads the model is ready when they
// run it. It is started when a model file comes on screen (not after a run: starting it competed with the first clicks
// on the graph on a busy two-core machine), in a trusted workspace only, and holds no user code until a run hands it a
// model.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../runner/run';

export class WarmWorker {
  private waiting: { worker: Worker; heapMb: number | undefined; failed: boolean } | undefined;

  /** Starts a worker with this heap limit, unless one is waiting already. */
  prepare(heapMb: number | undefined): void {
    if (this.waiting !== undefined && !this.waiting.failed && this.waiting.heapMb === heapMb) return;
    this.dispose();
    const waiting = { worker: spawnWorker({ heapMb }), heapMb, failed: false };
    // One that fails or exits while waiting is not used: the run starts its own.
    waiting.worker.once('error', () => (waiting.failed = true));
    waiting.worker.once('exit', () => (waiting.failed = true));
    // A waiting worker never keeps the extension host from exiting.
    waiting.worker.unref();
    this.waiting = waiting;
  }

  /** The waiting worker, if it has this heap limit; the run owns it from here (and ends it). */
  take(heapMb: number | undefined): Worker | undefined {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting === undefined) return undefined;
    if (waiting.failed || waiting.heapMb !== heapMb) {
      void waiting.worker.terminate();
      return undefined;
    }
    waiting.worker.ref();
    return waiting.worker;
  }

  dispose(): void {
    void this.waiting?.worker.terminate();
    this.waiting = undefined;
  }
}
