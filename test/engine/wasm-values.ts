// Inputs and the error measure shared by the tests of the WebAssembly kernels against the JavaScript ones.

/** Deterministic values in [-1, 1) (a linear congruential generator), so a failure repeats. */
export function values(length: number, seed: number): Float64Array {
  const out = new Float64Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Largest difference relative to the largest value of the reference. */
export function relativeError(got: Float64Array, want: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / (scale || 1);
}
