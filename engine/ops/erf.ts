// The error function in double precision (about 1 ulp), for the exact GELU. Below 2.5 a series of positive terms
// (no cancellation): erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)); from 2.5 the continued fraction
// of erfc (also exported, for tails), erf = 1 - erfc (erfc < 4.1e-4 there, so its rounding barely reaches erf); from 6 on erf is 1 in doubles.
// AssemblyScript compiles this file too, for the WebAssembly GELU (kernels/elementwise.ts): `number` is its f64,
// so every counter is typed `number` (an inferred integer would divide as one there).

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/** erfc(x) for x >= 2.5: e^(-x²)/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail. */
function erfcTail(x: number): number {
  let t = x;
  for (let k: number = 120; k >= 1; k--) t = x + k / 2 / t;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / t;
}

/** erfc(x) = 1 - erf(x), without the cancellation for x >= 2.5 (relative accuracy in the far tail). `erfc(3)` -> 2.209e-5 */
export function erfc(x: number): number {
  return x >= 2.5 ? erfcTail(x) : 1 - erf(x);
}

/** erf(x) = 2/√π ∫₀ˣ e^(-t²) dt. `erf(1)` -> 0.8427007929497149 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 2.5) {
    let term = a;
    let s = a;
    for (let n: number = 0; n < 200; n++) {
      term *= (2 * a * a) / (2 * n + 3);
      s += term;
      if (term <= s * 1e-17) break;
    }
    r = TWO_OVER_SQRT_PI * Math.exp(-a * a) * s;
  } else {
    r = a < 6 ? 1 - erfcTail(a) : 1;
  }
  return x < 0 ? -r : r;
}
