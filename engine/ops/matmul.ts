// Matrix product. The three products are the forward one and the two its gradient needs, each without
// materialising a transpose; conv2d (ops/conv.ts) reuses all three. Each runs in WebAssembly (wasm-matmul.ts:
// f64x2 SIMD, cache-blocked) when it is large enough to pay for copying its operands there and the kernels load,
// and otherwise in the JavaScript kernels below, which are also the reference the WebAssembly ones are tested
// against. Those walk rows so the innermost loop reads and writes contiguous memory (i-k-j), which is most of
// what makes a JavaScript matmul fast.
import { api } from '../recorder';
import { allocate } from '../memory';
import { broadcastIndex, broadcastShapes, reduceToShape, ShapeError, sizeOf } from '../shape';
import { formatShape } from '../format';
import { reading, Tensor } from '../tensor';
import { wasmProduct } from './wasm-matmul';

/** Products of at least this many multiply-adds (n·k·m) go to WebAssembly when it is on and loads. */
export const WASM_MIN_WORK = 4096;

/** c[n,m] += a[n,k] · b[k,m] */
export function productNN(a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  if (n * k * m < WASM_MIN_WORK || !wasmProduct(false, false, a, ao, b, bo, c, co, n, k, m)) jsProductNN(a, ao, b, bo, c, co, n, k, m);
}

/** c[n,k] += g[n,m] · b[k,m]ᵀ */
export function productNT(g: Float64Array, go: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  if (n * k * m < WASM_MIN_WORK || !wasmProduct(false, true, g, go, b, bo, c, co, n, m, k)) jsProductNT(g, go, b, bo, c, co, n, k, m);
}

/** c[k,m] += a[n,k]ᵀ · g[n,m] */
export function productTN(a: Float64Array, ao: number, g: Float64Array, go: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  if (n * k * m < WASM_MIN_WORK || !wasmProduct(true, false, a, ao, g, go, c, co, k, n, m)) jsProductTN(a, ao, g, go, c, co, n, k, m);
}

/** c[n,m] += a[n,k] · b[k,m], four rows of c at a time so each value of b loaded is used four times. */
export function jsProductNN(a: Float64Array, ao: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = co + i * m;
    const c1 = c0 + m;
    const c2 = c1 + m;
    const c3 = c2 + m;
    const a0 = ao + i * k;
    for (let p = 0; p < k; p++) {
      const v0 = a[a0 + p];
      const v1 = a[a0 + k + p];
      const v2 = a[a0 + 2 * k + p];
      const v3 = a[a0 + 3 * k + p];
      const bRow = bo + p * m;
      for (let j = 0; j < m; j++) {
        const bv = b[bRow + j];
        c[c0 + j] += v0 * bv;
        c[c1 + j] += v1 * bv;
        c[c2 + j] += v2 * bv;
        c[c3 + j] += v3 * bv;
      }
    }
  }
  for (; i < n; i++) {
    const cRow = co + i * m;
    const aRow = ao + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p];
      const bRow = bo + p * m;
      for (let j = 0; j < m; j++) c[cRow + j] += av * b[bRow + j];
    }
  }
}

/** c[n,k] += g[n,m] · b[k,m]ᵀ (rows of g dotted with rows of b) */
export function jsProductNT(g: Float64Array, go: number, b: Float64Array, bo: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const gRow = go + i * m;
    for (let p = 0; p < k; p++) {
      const bRow = bo + p * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += g[gRow + j] * b[bRow + j];
      c[co + i * k + p] += s;
    }
  }
}

/** c[k,m] += a[n,k]ᵀ · g[n,m], four rows of a and g at a time so each row of c is read and written a quarter as often. */
export function jsProductTN(a: Float64Array, ao: number, g: Float64Array, go: number, c: Float64Array, co: number, n: number, k: number, m: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a0 = ao + i * k;
    const g0 = go + i * m;
    const g1 = g0 + m;
    const g2 = g1 + m;
    const g3 = g2 + m;
    for (let p = 0; p < k; p++) {
      const v0 = a[a0 + p];
      const v1 = a[a0 + k + p];
      const v2 = a[a0 + 2 * k + p];
      const v3 = a[a0 + 3 * k + p];
      const cRow = co + p * m;
      for (let j = 0; j < m; j++) c[cRow + j] += v0 * g[g0 + j] + v1 * g[g1 + j] + v2 * g[g2 + j] + v3 * g[g3 + j];
    }
  }
  for (; i < n; i++) {
    const aRow = ao + i * k;
    const gRow = go + i * m;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p];
      const cRow = co + p * m;
      for (let j = 0; j < m; j++) c[cRow + j] += av * g[gRow + j];
    }
  }
}

/**
 * Matrix product of the last two axes, broadcasting any leading (batch) axes; a 1-D operand is a row vector on
 * the left and a column vector on the right, and that axis is dropped from the result (NumPy's `@`).
 * `matmul(ones([2, 3]), ones([3, 4]))` -> shape [2, 4], every value 3
 */
export const matmul = api(function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}: operands must have at least one axis`);
  }
  const aShape = a.rank === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.rank === 1 ? [b.shape[0], 1] : b.shape;
  const [n, k] = aShape.slice(-2);
  const [kb, m] = bShape.slice(-2);
  if (k !== kb) {
    throw new ShapeError(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} are not aligned (${k} != ${kb})`);
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = broadcastShapes('matmul', aBatch, bBatch);
  const count = sizeOf(batch);
  const aAt = count === 1 ? new Int32Array(1) : broadcastIndex(aBatch, batch);
  const bAt = count === 1 ? new Int32Array(1) : broadcastIndex(bBatch, batch);
  // A batch of a's against one matrix b (a Linear layer on [B, T, C]): one product of a's stacked rows
  // [count·n, k] with b, and b's gradient one product over all the rows, rather than `count` small products and
  // their sum over the batch afterwards.
  const stacked = b.rank <= 2 && count > 1;
  const [rows, products] = stacked ? [count * n, 1] : [n, count];
  const out = allocate(count * n * m);
  for (let s = 0; s < products; s++) productNN(a.data, aAt[s] * n * k, b.data, bAt[s] * k * m, out, s * n * m, rows, k, m);

  const shape = [...batch, ...(a.rank === 1 ? [] : [n]), ...(b.rank === 1 ? [] : [m])];
  // The gradient for a reads b, and the one for b reads a.
  const gradA = reading([b], (g) => {
    const full = allocate(count * n * k);
    for (let s = 0; s < products; s++) productNT(g, s * n * m, b.data, bAt[s] * k * m, full, s * n * k, rows, k, m);
    return reduceToShape(full, [...batch, n, k], aShape);
  });
  const gradB = reading([a], (g) => {
    const full = allocate(products * k * m);
    for (let s = 0; s < products; s++) productTN(a.data, aAt[s] * n * k, g, s * n * m, full, s * k * m, rows, k, m);
    return stacked ? full : reduceToShape(full, [...batch, k, m], bShape);
  });
  return Tensor.fromOp('matmul', out, shape, [a, b], [gradA, gradB]);
});
