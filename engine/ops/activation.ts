// Softmax and log-softmax along one axis, with hand-written gradients: composing them from exp/sum/div would
// overflow for large logits and waste a pass.
import { api } from '../recorder';
import { allocate } from '../memory';
import { normalizeAxis, sizeOf } from '../shape';
import { reading, Tensor } from '../tensor';
import { wasmSoftmaxRows, wasmSoftmaxRowsBackward } from './wasm-elementwise';

/** Views a tensor as [outer, n, inner] around `axis` and calls `fn(base, stride)` once per softmax row. */
function forEachRow(x: Tensor, axis: number, op: string, fn: (base: number, stride: number, n: number) => void): void {
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const outer = sizeOf(x.shape.slice(0, a));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * n * inner + i, inner, n);
}

/** log(sum(exp(row))), shifted by the row's max so exp never overflows (by 0 when the max is not finite). */
function rowLogSumExp(xd: Float64Array, base: number, stride: number, n: number): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) mx = Math.max(mx, xd[base + j * stride]);
  if (!Number.isFinite(mx)) mx = 0;
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(xd[base + j * stride] - mx);
  return mx + Math.log(s);
}

/**
 * Softmax (y = exp(x - lse)) or log-softmax (x - lse) along one axis. Gradients, with y the softmax:
 * softmax: y * (g - sum(g * y)); log-softmax: g - y * sum(g). Softmax along the last axis (contiguous rows) runs
 * in WebAssembly when it can: the same loops in the same order (kernels/elementwise.ts).
 */
function softmaxOp(op: 'softmax' | 'logSoftmax', x: Tensor, axis: number): Tensor {
  const log = op === 'logSoftmax';
  const xd = x.data;
  const out = allocate(x.size);
  const rowsOf = !log && normalizeAxis(op, axis, x.rank) === x.rank - 1 && x.size > 0 ? x.shape[x.rank - 1] : 0;
  if (rowsOf === 0 || !wasmSoftmaxRows(xd, out, rowsOf)) {
    forEachRow(x, axis, op, (base, stride, n) => {
      const lse = rowLogSumExp(xd, base, stride, n);
      for (let j = 0, i = base; j < n; j++, i += stride) out[i] = log ? xd[i] - lse : Math.exp(xd[i] - lse);
    });
  }
  return Tensor.fromOp(op, out, x.shape, [x], [
    // Both gradients read the output (log-softmax's through exp).
    reading(['output'], (g) => {
      const dx = allocate(x.size);
      if (rowsOf !== 0 && wasmSoftmaxRowsBackward(g, out, dx, rowsOf)) return dx;
      forEachRow(x, axis, op, (base, stride, n) => {
        let s = 0;
        for (let j = 0, i = base; j < n; j++, i += stride) s += log ? g[i] : g[i] * out[i];
        for (let j = 0, i = base; j < n; j++, i += stride) dx[i] = log ? g[i] - Math.exp(out[i]) * s : out[i] * (g[i] - s);
      });
      return dx;
    }),
  ]);
}

/** log(softmax(x)) = x - max - log(sum(exp(x - max))), stable for any logits. `logSoftmax(tensor([0, 0]))` -> [-0.693, -0.693] */
export const logSoftmax = api(function logSoftmax(x: Tensor, axis: number = -1): Tensor {
  return softmaxOp('logSoftmax', x, axis);
});

/** exp(x) / sum(exp(x)) along `axis`, shifted by the max so it never overflows. `softmax(tensor([0, 0]))` -> [0.5, 0.5] */
export const softmax = api(function softmax(x: Tensor, axis: number = -1): Tensor {
  return softmaxOp('softmax', x, axis);
});
