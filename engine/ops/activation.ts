// Softmax and log-softmax along one axis, with hand-written gradients: composing them from exp/sum/div would
// overflow for large logits and waste a pass.
import { api } from '../recorder';
import { allocate } from '../memory';
import { normalizeAxis, sizeOf } from '../shape';
import { Tensor } from '../tensor';

/** Views a tensor as [outer, n, inner] around `axis` and calls `fn(base, stride)` once per softmax row. */
function forEachRow(x: Tensor, axis: number, op: string, fn: (base: number, stride: number, n: number) => void): void {
  const a = normalizeAxis(op, axis, x.rank);
  const n = x.shape[a];
  const inner = sizeOf(x.shape.slice(a + 1));
  const outer = sizeOf(x.shape.slice(0, a));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * n * inner + i, inner, n);
}

/** What a row is shifted by before exp: its max, so exp never overflows (0 when the max is not finite). */
function rowShift(xd: Float64Array, base: number, stride: number, n: number): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) mx = Math.max(mx, xd[base + j * stride]);
  return Number.isFinite(mx) ? mx : 0;
}

/** log(softmax(x)) = x - max - log(sum(exp(x - max))), stable for any logits. `logSoftmax(tensor([0, 0]))` -> [-0.693, -0.693] */
export const logSoftmax = api(function logSoftmax(x: Tensor, axis: number = -1): Tensor {
  const xd = x.data;
  const out = allocate(x.size);
  forEachRow(x, axis, 'logSoftmax', (base, stride, n) => {
    const mx = rowShift(xd, base, stride, n);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(xd[base + j * stride] - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < n; j++) out[base + j * stride] = xd[base + j * stride] - lse;
  });
  return Tensor.fromOp('logSoftmax', out, x.shape, [x], [
    // d/dx: g - softmax(x) * sum(g) along the axis
    (g) => {
      const dx = allocate(x.size);
      forEachRow(x, axis, 'logSoftmax', (base, stride, n) => {
        let s = 0;
        for (let j = 0; j < n; j++) s += g[base + j * stride];
        for (let j = 0; j < n; j++) dx[base + j * stride] = g[base + j * stride] - Math.exp(out[base + j * stride]) * s;
      });
      return dx;
    },
  ]);
});

/** exp(x) / sum(exp(x)) along `axis`, shifted by the max so it never overflows. `softmax(tensor([0, 0]))` -> [0.5, 0.5] */
export const softmax = api(function softmax(x: Tensor, axis: number = -1): Tensor {
  const xd = x.data;
  const out = allocate(x.size);
  forEachRow(x, axis, 'softmax', (base, stride, n) => {
    const mx = rowShift(xd, base, stride, n);
    let s = 0;
    for (let j = 0; j < n; j++) s += out[base + j * stride] = Math.exp(xd[base + j * stride] - mx);
    for (let j = 0; j < n; j++) out[base + j * stride] /= s;
  });
  return Tensor.fromOp('softmax', out, x.shape, [x], [
    // d/dx: y * (g - sum(g * y)) along the axis
    (g) => {
      const dx = allocate(x.size);
      forEachRow(x, axis, 'softmax', (base, stride, n) => {
        let s = 0;
        for (let j = 0; j < n; j++) s += g[base + j * stride] * out[base + j * stride];
        for (let j = 0; j < n; j++) dx[base + j * stride] = out[base + j * stride] * (g[base + j * stride] - s);
      });
      return dx;
    },
  ]);
});
