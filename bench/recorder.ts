// A minimal recorder that does cheaply what a real one does: it keeps every tensor's call-site capture (without
// resolving it) and computes the L2 norm of every gradient that flows along an edge.
import { setRecorder } from '../engine/recorder';
import type { Recorder } from '../engine/recorder';
import type { Tensor } from '../engine';

export class BenchRecorder implements Recorder {
  sites: unknown[] = [];
  edges = 0;
  normSum = 0;

  onTensor(tensor: Tensor): void {
    this.sites.push(tensor.site);
  }

  onEdgeGrad(_to: Tensor, _from: Tensor, grad: Float64Array): void {
    let s = 0;
    for (let i = 0; i < grad.length; i++) s += grad[i] * grad[i];
    this.normSum += Math.sqrt(s);
    this.edges++;
  }

  /** Drops what one run recorded (a real recorder would have written its trace by now). */
  clear(): void {
    this.sites = [];
    this.edges = 0;
  }
}

/** `run` with `recorder` set for its duration, cleared after: one recorded run per call. */
export function recorded<T>(recorder: BenchRecorder, run: () => T): () => T {
  return () => {
    setRecorder(recorder);
    try {
      return run();
    } finally {
      setRecorder(null);
      recorder.clear();
    }
  };
}

/** What one run records: tensors announced and gradient edges reported. */
export function recordedCounts(run: () => unknown): { tensors: number; edges: number } {
  const recorder = new BenchRecorder();
  setRecorder(recorder);
  recordingOnce(run);
  return { tensors: recorder.sites.length, edges: recorder.edges };
}

/** `run` under the recorder already set, which is then cleared (what that recorder holds goes with it). */
export function recordingOnce<T>(run: () => T): T {
  try {
    return run();
  } finally {
    setRecorder(null);
  }
}
