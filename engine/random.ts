// A small seedable generator (sfc32, seeded through splitmix32), so runs are reproducible: the same model file
// gives the same numbers, the same graph and the same gradients every run unless the user reseeds.

const DEFAULT_SEED = 0;
let state = new Uint32Array(4);
let spareNormal: number | null = null;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the generator behind randn, rand and randint. */
export function manualSeed(seed: number): void {
  const next = splitmix32(seed);
  state = new Uint32Array([next(), next(), next(), next()]);
  spareNormal = null;
  for (let i = 0; i < 12; i++) nextUint32();
}

function nextUint32(): number {
  const s = state;
  const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
  s[3] = (s[3] + 1) >>> 0;
  s[0] = s[1] ^ (s[1] >>> 9);
  s[1] = (s[2] + (s[2] << 3)) >>> 0;
  s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
  s[2] = (s[2] + t) >>> 0;
  return t;
}

/** Uniform in [0, 1) with 53 random bits. */
export function nextUniform(): number {
  return ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
}

/** Standard normal (Box-Muller, both values used). */
export function nextNormal(): number {
  if (spareNormal !== null) {
    const v = spareNormal;
    spareNormal = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = nextUniform();
  const r = Math.sqrt(-2 * Math.log(u));
  const theta = 2 * Math.PI * nextUniform();
  spareNormal = r * Math.sin(theta);
  return r * Math.cos(theta);
}

manualSeed(DEFAULT_SEED);
