// Float64 matrix product in WebAssembly with 128-bit SIMD (AssemblyScript; built by scripts/build.mjs into the
// engine bundle). C[n,m] += op(A)[n,k] · op(B)[k,m], where op transposes a matrix stored the other way round:
// the engine's three products (a@b, g@bᵀ, aᵀ@g) are this one routine with different flags.
//
// Cache blocking as in BLIS/GotoBLAS: B is copied ("packed") KC rows × NC columns at a time into strips NR columns
// wide, A MC rows × KC columns at a time into strips MR rows high, so that the micro-kernel reads both operands
// sequentially: the A block stays in L2, one B strip (KC × NR) in L1, and a 4 × 4 tile of C sits in eight f64x2
// registers while KC products are summed into it. Packing pads strips with zeros to whole tiles; a tile that
// overlaps the edge of C is summed into a scratch tile and only its valid part added to C.
//
// The caller (engine/ops/wasm-matmul.ts) owns the memory: it copies A, B and C in after the pack buffers, calls
// gemm with byte addresses, and copies C out. No allocator or runtime is used here.

const MR: i32 = 4; // rows of a tile
const NR: i32 = 4; // columns of a tile
const KC: i32 = 256; // depth of a packed block
const MC: i32 = 128; // rows of a packed A block
const NC: i32 = 1024; // columns of a packed B panel

/** Byte address of the first free 16-byte-aligned byte past this module's own data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Bytes the pack buffers and the scratch tile take from `heapBase()`. */
export function scratchBytes(): usize {
  return <usize>(MC * KC + KC * NC + MR * NR) << 3;
}

/**
 * Packs a panel of op(A) (rows `at`..`at`+width, columns p0..p0+kc) or of op(B) (rows p0..p0+kc, columns
 * `at`..`at`+width) into strips of 4 (MR = NR): strip s holds, for each p, the 4 values of op(A)'s rows (op(B)'s
 * columns) s..s+3 at depth p, zeros past the end. With `rows` the 4 values of a step lie side by side in the
 * source, at src[p*ld + i] (op(A) transposed, op(B) not); otherwise they lie in 4 source rows, at src[i*ld + p].
 */
function pack(rows: bool, src: usize, ld: i32, p0: i32, at: i32, kc: i32, width: i32, dst: usize): void {
  for (let s = 0; s < width; s += 4) {
    const valid = min(4, width - s);
    if (rows) {
      for (let p = 0; p < kc; p++) {
        const from = src + ((<usize>(p0 + p) * ld + at + s) << 3);
        const out = dst + (<usize>(p * 4) << 3);
        if (valid == 4) {
          v128.store(out, v128.load(from));
          v128.store(out, v128.load(from, 16), 16);
        } else {
          for (let r = 0; r < 4; r++) store<f64>(out + (r << 3), 0);
          for (let r = 0; r < valid; r++) store<f64>(out + (r << 3), load<f64>(from + (r << 3)));
        }
      }
    } else {
      for (let r = 0; r < 4; r++) {
        const out = dst + (r << 3);
        const from = src + ((<usize>(at + s + r) * ld + p0) << 3);
        if (r < valid) {
          for (let p = 0; p < kc; p++) store<f64>(out + (<usize>(p * 4) << 3), load<f64>(from + (p << 3)));
        } else {
          for (let p = 0; p < kc; p++) store<f64>(out + (<usize>(p * 4) << 3), 0);
        }
      }
    }
    dst += <usize>(kc * 4) << 3;
  }
}

/**
 * The 4 × 4 tile at `c` (row stride ldc bytes) += the packed A strip · the packed B strip, over kc. Eight f64x2
 * accumulators; each step loads one row of the B strip (two vectors) and broadcasts four values of the A strip.
 * With `scratch` non-zero the tile is written there (row stride 32 bytes, overwritten) instead of added to C.
 */
// @ts-ignore: decorator
@inline
function tile(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, scratch: usize): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    pa += 32;
    pb += 32;
  }
  if (scratch != 0) {
    v128.store(scratch, c00);
    v128.store(scratch, c01, 16);
    v128.store(scratch, c10, 32);
    v128.store(scratch, c11, 48);
    v128.store(scratch, c20, 64);
    v128.store(scratch, c21, 80);
    v128.store(scratch, c30, 96);
    v128.store(scratch, c31, 112);
    return;
  }
  v128.store(c, f64x2.add(v128.load(c), c00));
  v128.store(c, f64x2.add(v128.load(c, 16), c01), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c10));
  v128.store(c, f64x2.add(v128.load(c, 16), c11), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c20));
  v128.store(c, f64x2.add(v128.load(c, 16), c21), 16);
  c += ldc;
  v128.store(c, f64x2.add(v128.load(c), c30));
  v128.store(c, f64x2.add(v128.load(c, 16), c31), 16);
}

/**
 * C[n,m] += op(A)[n,k] · op(B)[k,m], rows rowFrom..rowTo of C only (0..n for all of it: two threads each take a
 * range, engine/ops/wasm-threads.ts). a, b, c are byte addresses of row-major matrices: A is [n,k] ([k,n] if
 * transA), B is [k,m] ([m,k] if transB), C is [n,m]. `work` is a 16-byte-aligned area of scratchBytes(), one per
 * thread.
 */
export function gemm(transA: bool, transB: bool, n: i32, k: i32, m: i32, a: usize, b: usize, c: usize, work: usize, rowFrom: i32, rowTo: i32): void {
  const lda = transA ? n : k;
  const ldb = transB ? k : m;
  const ldc = <usize>m << 3;
  const bufA = work;
  const bufB = bufA + (<usize>(MC * KC) << 3);
  const scratch = bufB + (<usize>(KC * NC) << 3);
  for (let j0 = 0; j0 < m; j0 += NC) {
    const nc = min(NC, m - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      pack(!transB, b, ldb, p0, j0, kc, nc, bufB);
      for (let i0 = rowFrom; i0 < rowTo; i0 += MC) {
        const mc = min(MC, rowTo - i0);
        pack(transA, a, lda, p0, i0, kc, mc, bufA);
        for (let js = 0; js < nc; js += NR) {
          const pb = bufB + (<usize>(js * kc) << 3);
          const cols = min(NR, nc - js);
          for (let is = 0; is < mc; is += MR) {
            const pa = bufA + (<usize>(is * kc) << 3);
            const rows = min(MR, mc - is);
            const at = c + (<usize>(i0 + is) * ldc) + (<usize>(j0 + js) << 3);
            if (rows == MR && cols == NR) {
              tile(kc, pa, pb, at, ldc, 0);
            } else {
              tile(kc, pa, pb, at, ldc, scratch);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const to = at + <usize>r * ldc + (<usize>q << 3);
                  store<f64>(to, load<f64>(to) + load<f64>(scratch + (<usize>(r * NR + q) << 3)));
                }
              }
            }
          }
        }
      }
    }
  }
}
