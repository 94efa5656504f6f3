// Tensor data lives in typed arrays, outside the JS heap that a worker's resourceLimits bound. So the engine
// counts the bytes of the live tensor buffers it allocated, and refuses to go past a limit when one is set.

/** Thrown when live tensor data would exceed the limit set with `setTensorMemoryLimit`. */
export class TensorMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorMemoryError';
  }
}

let limitBytes = Infinity;
let liveBytes = 0;
let registry: FinalizationRegistry<number> | null = null;

/** Turns counting on (with a limit in bytes) or off (`Infinity`). Counting costs a finalizer per buffer. */
export function setTensorMemoryLimit(bytes: number): void {
  limitBytes = bytes;
  registry = Number.isFinite(bytes) ? new FinalizationRegistry((freed: number) => (liveBytes -= freed)) : null;
  liveBytes = 0;
}

/** Every tensor buffer the engine makes comes from here. */
export function allocate(length: number): Float64Array {
  if (registry === null) return new Float64Array(length);
  const bytes = length * 8;
  if (liveBytes + bytes > limitBytes) {
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
    throw new TensorMemoryError(
      `tensor memory limit exceeded: ${mb(liveBytes)} live, ${mb(bytes)} more requested, limit ${mb(limitBytes)}`,
    );
  }
  const data = new Float64Array(length);
  liveBytes += bytes;
  registry.register(data, bytes);
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
  if (registry !== null) {
    liveBytes += data.byteLength;
    registry.register(data, data.byteLength);
  }
  return data;
}
