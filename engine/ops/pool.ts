// 2-D max and average pooling over NCHW images, and the window geometry they share with conv2d (conv.ts): which
// input positions each output position's window covers, for a kernel, stride, padding and dilation per axis.
import { api } from '../recorder';
import { allocate } from '../memory';
import { ShapeError } from '../shape';
import { formatShape } from '../format';
import { Tensor } from '../tensor';

/** A size per spatial axis: one number for both, or `[h, w]`. */
export type Size2d = number | readonly [number, number];

/** Where the windows of a 2-D op fall on one [C, H, W] image. */
export interface Geometry {
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  /** Output height and width. */
  oh: number;
  ow: number;
}

/** Reads a `Size2d` option as `[h, w]` of integers at least `min`, or says which option of which op is wrong. */
export function pair(op: string, name: string, value: Size2d | undefined, fallback: number, min: number): [number, number] {
  const v = value ?? fallback;
  const hw: readonly number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (hw.length !== 2 || !hw.every((d) => Number.isInteger(d) && d >= min)) {
    const rule = min > 0 ? 'a positive integer' : 'a non-negative integer';
    const got = Array.isArray(v) ? formatShape(v) : JSON.stringify(v);
    throw new ShapeError(`${op}: ${name} must be ${rule} or a pair [h, w] of them, got ${got}`);
  }
  return [hw[0], hw[1]];
}

/** Checks that `x` is 4-D (NCHW) and returns its dimensions. */
export function nchw(op: string, what: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4) throw new ShapeError(`${op}: ${what} ${formatShape(x.shape)} must be 4-D [N, C, H, W]`);
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

/** The output size of windows of kernel × dilation over the padded input; an error if no window fits. */
export function geometry(op: string, x: Tensor, k: number[], s: number[], p: number[], d: number[]): Geometry {
  const [h, w] = [x.shape[2], x.shape[3]];
  const span = [d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1];
  const padded = [h + 2 * p[0], w + 2 * p[1]];
  if (span[0] > padded[0] || span[1] > padded[1]) {
    const dilated = d[0] === 1 && d[1] === 1 ? '' : ` (${span[0]}x${span[1]} with dilation ${d[0]}x${d[1]})`;
    throw new ShapeError(
      `${op}: kernel ${k[0]}x${k[1]}${dilated} is larger than the padded input ${padded[0]}x${padded[1]} (input ${formatShape(x.shape)}, padding ${p[0]}x${p[1]})`,
    );
  }
  const oh = Math.floor((padded[0] - span[0]) / s[0]) + 1;
  const ow = Math.floor((padded[1] - span[1]) / s[1]) + 1;
  return { h, w, kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh, ow };
}

export interface Pool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2d;
  /** Added on each side of each spatial axis, at most half the kernel (default 0): -Infinity for max, 0 for average. */
  padding?: Size2d;
}

/** Validates a pool's arguments and returns where its windows fall. */
function poolGeometry(op: string, x: Tensor, kernel: Size2d, options: Pool2dOptions): Geometry {
  nchw(op, 'input', x);
  const k = pair(op, 'kernel', kernel, 1, 1);
  const s = pair(op, 'stride', options.stride ?? [k[0], k[1]], 1, 1);
  const p = pair(op, 'padding', options.padding, 0, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
    throw new ShapeError(`${op}: padding ${p[0]}x${p[1]} is more than half the kernel ${k[0]}x${k[1]}`);
  }
  return geometry(op, x, k, s, p, [1, 1]);
}

/**
 * Maximum over each kH × kW window of `x` [N, C, H, W] (padding never wins); the gradient goes to the window's
 * maximum, the first one on ties. `maxPool2d(tensor([1, 5, 3, 2], { shape: [1, 1, 2, 2] }), 2)` -> [[[[5]]]]
 */
export const maxPool2d = api(function maxPool2d(x: Tensor, kernel: Size2d, options: Pool2dOptions = {}): Tensor {
  const g = poolGeometry('maxPool2d', x, kernel, options);
  const planes = x.shape[0] * x.shape[1];
  const l = g.oh * g.ow;
  const out = allocate(planes * l);
  const from = new Int32Array(planes * l); // the input element each output came from (-1: none)
  const xd = x.data;
  for (let pl = 0; pl < planes; pl++) {
    const plane = pl * g.h * g.w;
    for (let y = 0; y < g.oh; y++) {
      for (let t = 0; t < g.ow; t++) {
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < g.kh; i++) {
          const iy = y * g.sh - g.ph + i;
          if (iy < 0 || iy >= g.h) continue;
          for (let j = 0; j < g.kw; j++) {
            const ix = t * g.sw - g.pw + j;
            if (ix < 0 || ix >= g.w) continue;
            const v = xd[plane + iy * g.w + ix];
            if (v > best || at < 0) {
              best = v;
              at = plane + iy * g.w + ix;
            }
          }
        }
        const o = pl * l + y * g.ow + t;
        out[o] = best;
        from[o] = at;
      }
    }
  }
  return Tensor.fromOp('maxPool2d', out, [x.shape[0], x.shape[1], g.oh, g.ow], [x], [
    (dy) => {
      const dx = allocate(x.size);
      for (let o = 0; o < from.length; o++) if (from[o] >= 0) dx[from[o]] += dy[o];
      return dx;
    },
  ]);
});

/**
 * Mean over each kH × kW window of `x` [N, C, H, W], padding counted as zeros in the window (PyTorch's default
 * count_include_pad). `avgPool2d(tensor([1, 5, 3, 3], { shape: [1, 1, 2, 2] }), 2)` -> [[[[3]]]]
 */
export const avgPool2d = api(function avgPool2d(x: Tensor, kernel: Size2d, options: Pool2dOptions = {}): Tensor {
  const g = poolGeometry('avgPool2d', x, kernel, options);
  const planes = x.shape[0] * x.shape[1];
  const l = g.oh * g.ow;
  const scale = 1 / (g.kh * g.kw);
  // Every output visits its window's valid input positions; forward gathers, backward scatters the same pairs.
  const visit = (each: (input: number, output: number) => void): void => {
    for (let pl = 0; pl < planes; pl++) {
      const plane = pl * g.h * g.w;
      for (let y = 0; y < g.oh; y++) {
        const y0 = Math.max(0, y * g.sh - g.ph);
        const y1 = Math.min(g.h, y * g.sh - g.ph + g.kh);
        for (let t = 0; t < g.ow; t++) {
          const x0 = Math.max(0, t * g.sw - g.pw);
          const x1 = Math.min(g.w, t * g.sw - g.pw + g.kw);
          const o = pl * l + y * g.ow + t;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) each(plane + iy * g.w + ix, o);
        }
      }
    }
  };
  const out = allocate(planes * l);
  const xd = x.data;
  visit((i, o) => (out[o] += xd[i] * scale));
  return Tensor.fromOp('avgPool2d', out, [x.shape[0], x.shape[1], g.oh, g.ow], [x], [
    (dy) => {
      const dx = allocate(x.size);
      visit((i, o) => (dx[i] += dy[o] * scale));
      return dx;
    },
  ]);
});
