// Tensor data lives in typed arrays, outside the JS heap that a worker's resourceLimits bound. So the engine
// counts the bytes of the tensor buffers it allocates, and refuses to go past a limit when one is set. The count
// only grows between measurements: when it would cross the limit, the engine asks the host what is really live
// (a probe that runs a garbage collection) and fails only if that, plus the request, is still over the limit.
// So that a loop whose live data stays near the limit does not collect garbage on every allocation, it measures
// again only once the count has grown by a sixteenth of the limit: it may stop that much early, never later.

/** Thrown when live tensor data would exceed the limit set with `setTensorMemoryLimit`. */
export class TensorMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorMemoryError';
  }
}

export interface MemoryProbe {
  /**
   * Bytes of typed-array data really live now, after a garbage collection (in Node, `gc()` then
   * `process.memoryUsage().arrayBuffers`). Without it, freed buffers are uncounted by a FinalizationRegistry,
   * which runs only when the event loop turns: a synchronous loop may then be stopped for buffers it let go.
   */
  measureLive?: () => number;
}

let limitBytes = Infinity;
/** Live bytes as last measured (or 0), plus every byte allocated since: never less than what is live. */
let liveBytes = 0;
/** The count at the last measurement; the next one waits until the count has grown by REMEASURE_AFTER * limit. */
let measuredAt = -Infinity;
const REMEASURE_AFTER = 1 / 16;
let measureLive: (() => number) | undefined;
/**
 * Bytes of WebAssembly kernel memory (engine/ops/wasm-module.ts), counted whether or not a limit is set: a probe
 * of typed-array bytes does not see it, so it is added to every count. It is a cache (operands are copied there
 * only during a kernel): when a tensor would cross the limit, the modules let their memory go (releasers) before
 * anything fails, so counting it never stops a run that fits without it.
 */
let kernelBytes = 0;
const releasers: (() => number)[] = [];
let registry: FinalizationRegistry<number> | null = null;

/**
 * Turns counting on (with a limit in bytes) or off (`Infinity`). With a probe, the count is checked against what
 * the probe measures before anything fails; without one, a finalizer per buffer uncounts what is collected.
 */
export function setTensorMemoryLimit(bytes: number, probe: MemoryProbe = {}): void {
  limitBytes = bytes;
  measureLive = Number.isFinite(bytes) ? probe.measureLive : undefined;
  registry = Number.isFinite(bytes) && measureLive === undefined ? new FinalizationRegistry((freed: number) => (liveBytes -= freed)) : null;
  liveBytes = kernelBytes;
  measuredAt = -Infinity;
  // The next small buffer starts a slab, counted from now on.
  slab = new ArrayBuffer(0);
  slabUsed = 0;
}

/**
 * Counts `bytes` about to be allocated, releasing the kernels' memory and then measuring what is live if the count
 * would cross the limit.
 */
function count(bytes: number): void {
  if (liveBytes + bytes > limitBytes && kernelBytes > 0) {
    for (const release of releasers) {
      const freed = release();
      kernelBytes -= freed;
      liveBytes -= freed;
    }
  }
  if (liveBytes + bytes > limitBytes && measureLive !== undefined && liveBytes - measuredAt >= limitBytes * REMEASURE_AFTER) {
    liveBytes = measuredAt = measureLive() + kernelBytes;
  }
  if (liveBytes + bytes > limitBytes) {
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
    throw new TensorMemoryError(
      `tensor memory limit exceeded: ${mb(liveBytes)} live, ${mb(bytes)} more requested, limit ${mb(limitBytes)}`,
    );
  }
  liveBytes += bytes;
}

/**
 * Counts WebAssembly memory the kernels are about to grow by `bytes` (negative: a growth that failed) against the
 * limit like tensor data. False, counting nothing, if it would cross the limit: the kernel then runs in
 * JavaScript, whose own tensors meet the limit as any do, so kernel memory never takes a run past it.
 */
export function countKernelMemory(bytes: number): boolean {
  // No measurement here: a growth refused runs in JavaScript, cheaper than a garbage collection to make room.
  if (limitBytes !== Infinity) {
    if (bytes > 0 && liveBytes + bytes > limitBytes) return false;
    liveBytes += bytes;
  }
  kernelBytes += bytes;
  return true;
}

/** Registers a kernel module's way to drop its memory under pressure; it returns the bytes it had counted. */
export function onKernelMemoryPressure(release: () => number): void {
  releasers.push(release);
}

/** Bytes of WebAssembly memory the kernels hold. */
export function kernelMemoryBytes(): number {
  return kernelBytes;
}

/**
 * Buffers of at most this many values are cut from a shared slab. A Float64Array of its own costs V8 three heap
 * objects (the view, an ArrayBuffer and the values), a view of a slab one; a long chain of small ops keeps every
 * buffer, and the garbage collector's time grows with the objects it keeps. 8 values is V8's own limit for values
 * kept on the JavaScript heap.
 */
const SLAB_VALUES = 8;
/**
 * A slab is freed only when every view of it is: a small tensor kept alive (a loss history) keeps its slab, at
 * most this many bytes, alive too. Small, so that the worst case stays about twice the tensor's own objects; what is
 * meant to outlive a step (`detach()`) gets a buffer of its own (`copyToKeep`). Views of a slab share its ArrayBuffer,
 * as small Node Buffers share a pool: copy `t.data` before transferring its buffer to another thread.
 */
const SLAB_BYTES = 512;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** `length` values (at most SLAB_VALUES) from the current slab, a new one (counted) when it is full; zeros. */
function fromSlab(length: number): Float64Array {
  const bytes = length * 8;
  if (slabUsed + bytes > slab.byteLength) {
    if (limitBytes !== Infinity) count(SLAB_BYTES);
    slab = new ArrayBuffer(SLAB_BYTES);
    registry?.register(slab, SLAB_BYTES);
    slabUsed = 0;
  }
  const data = new Float64Array(slab, slabUsed, length);
  slabUsed += bytes;
  return data;
}

/** Every tensor buffer the engine makes comes from here, filled with zeros. */
export function allocate(length: number): Float64Array {
  return length > 0 && length <= SLAB_VALUES ? fromSlab(length) : ownBuffer(length);
}

/** `length` zeros in a buffer of their own, counted. */
function ownBuffer(length: number): Float64Array {
  if (limitBytes === Infinity) return new Float64Array(length);
  count(length * 8);
  const data = new Float64Array(length);
  registry?.register(data, data.byteLength);
  return data;
}

/** A counted copy of `source` in a buffer of its own, never a slab: for values meant to outlive the step that made them. */
export function copyToKeep(source: Float64Array): Float64Array {
  const data = ownBuffer(source.length);
  data.set(source);
  return data;
}

/** A counted copy of `source`. */
export function copy(source: Float64Array): Float64Array {
  const data = allocate(source.length);
  data.set(source);
  return data;
}

/** Adopts a buffer made elsewhere (user data) into the count. */
export function adopt(data: Float64Array): Float64Array {
  if (limitBytes === Infinity) return data;
  count(data.byteLength);
  registry?.register(data, data.byteLength);
  return data;
}
