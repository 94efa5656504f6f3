// What the engine's tensor memory limit measures in the worker: the ArrayBuffer bytes still live after a full
// garbage collection. The engine counts what it allocates and, only when that count would cross the limit, asks
// this probe; so a loop that lets its tensors go is never stopped for buffers the collector has not reached yet.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A `measureLive` for setTensorMemoryLimit: collects garbage, then reports the ArrayBuffer bytes made since it was created that are still live. */
export function liveArrayBufferProbe(): () => number {
  const collect = collector();
  const live = () => {
    // One collection may leave some of the buffers it freed for the next to release (V8 sweeps them concurrently).
    collect();
    collect();
    return process.memoryUsage().arrayBuffers;
  };
  // Measured live too: garbage left from before, counted in the baseline and then collected, would hide as much
  // of what is made later.
  const baseline = live();
  return () => Math.max(0, live() - baseline);
}

/** `gc()`: the global one when Node was started with --expose-gc, else one taken from a fresh context. */
function collector(): () => void {
  const global = globalThis as { gc?: () => void };
  if (typeof global.gc === 'function') return global.gc;
  // V8 installs `gc` in contexts created while the flag is set; set it for one context only.
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
