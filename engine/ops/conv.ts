// 2-D convolution over NCHW images, as im2col and the matmul kernels: each image's (and group's) patches are
// unrolled into a [C·kH·kW, Hout·Wout] matrix, so the forward pass is one product per image and group, and the
// gradients are the two other products (dW = dY × colsᵀ, dcols = Wᵀ × dY) and a scatter back (col2im).
// The 2-D pools share the geometry (pool.ts).
import { api } from '../recorder';
import { allocate } from '../memory';
import { ShapeError } from '../shape';
import { formatShape } from '../format';
import { reading, Tensor } from '../tensor';
import { productNN, productNT, productTN } from './matmul';
import { geometry, Geometry, nchw, pair, Size2d } from './pool';

export { maxPool2d, avgPool2d } from './pool';
export type { Pool2dOptions, Size2d } from './pool';

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2d;
  /** Zeros added on each side of each spatial axis (default 0). */
  padding?: Size2d;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2d;
  /** Input and output channels split into this many independent groups (default 1). */
  groups?: number;
}

/**
 * im2col, and its adjoint. Unfolding (`fold` false) writes cols[(c·kH + i)·kW + j, oh·Wout + ow] =
 * image[c, oh·sH - pH + i·dH, ow·sW - pW + j·dW] (0 in the padding) for `channels` channels from `at`; folding
 * (col2im) adds each entry of cols back into the image position it was read from (none for padding).
 */
function im2col(image: Float64Array, at: number, channels: number, g: Geometry, cols: Float64Array, fold = false): void {
  const { h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  let row = 0;
  for (let c = 0; c < channels; c++) {
    const plane = at + c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + i * dh;
          const col = (row * oh + y) * ow;
          const src = plane + iy * w;
          if (iy < 0 || iy >= h) {
            if (!fold) cols.fill(0, col, col + ow);
          } else if (fold) {
            for (let t = 0, ix = j * dw - pw; t < ow; t++, ix += sw) if (ix >= 0 && ix < w) image[src + ix] += cols[col + t];
          } else {
            for (let t = 0, ix = j * dw - pw; t < ow; t++, ix += sw) cols[col + t] = ix >= 0 && ix < w ? image[src + ix] : 0;
          }
        }
      }
    }
  }
}

/**
 * 2-D convolution (cross-correlation, as PyTorch's F.conv2d) of `x` [N, C, H, W] with `weight` [O, C/groups, kH, kW],
 * plus `bias` [O] if given: the result is [N, O, Hout, Wout].
 * `conv2d(ones([1, 1, 3, 3]), ones([1, 1, 2, 2]))` -> shape [1, 1, 2, 2], every value 4
 */
export const conv2d = api(function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const [n, c] = nchw('conv2d', 'input', x);
  const [o, cg, kh, kw] = nchw('conv2d', 'weight', weight);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ShapeError(`conv2d: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  const xs = formatShape(x.shape);
  const ws = formatShape(weight.shape);
  if (c % groups !== 0) throw new ShapeError(`conv2d: input ${xs} has ${c} channels, not divisible by groups ${groups}`);
  if (o % groups !== 0) throw new ShapeError(`conv2d: weight ${ws} has ${o} output channels, not divisible by groups ${groups}`);
  if (c !== cg * groups) throw new ShapeError(`conv2d: input ${xs} has ${c} channels but weight ${ws} expects ${cg * groups} (groups ${groups})`);
  if (bias != null && (bias.rank !== 1 || bias.shape[0] !== o)) {
    throw new ShapeError(`conv2d: bias ${formatShape(bias.shape)} does not match weight ${ws}: it should be [${o}]`);
  }
  const stride = pair('conv2d', 'stride', options.stride, 1, 1);
  const padding = pair('conv2d', 'padding', options.padding, 0, 0);
  const dilation = pair('conv2d', 'dilation', options.dilation, 1, 1);
  const g = geometry('conv2d', x, [kh, kw], stride, padding, dilation);

  const og = o / groups; // output channels per group
  const k = cg * kh * kw; // rows of cols: one per weight of an output channel
  const l = g.oh * g.ow; // columns of cols: one per output position
  const image = c * g.h * g.w;
  const cols = allocate(k * l);
  const out = allocate(n * o * l);
  for (let b = 0; b < n; b++) {
    for (let q = 0; q < groups; q++) {
      im2col(x.data, b * image + q * cg * g.h * g.w, cg, g, cols);
      productNN(weight.data, q * og * k, cols, 0, out, (b * o + q * og) * l, og, k, l);
    }
  }
  if (bias != null) {
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < o; ch++) {
        const v = bias.data[ch];
        const at = (b * o + ch) * l;
        for (let t = 0; t < l; t++) out[at + t] += v;
      }
    }
  }

  // dx reads the weight; dW reads x (its patches are unrolled again, not kept from the forward pass).
  const gradX = reading([weight], (dy) => {
    const dx = allocate(x.size);
    const dcols = allocate(k * l);
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < groups; q++) {
        dcols.fill(0);
        productTN(weight.data, q * og * k, dy, (b * o + q * og) * l, dcols, 0, og, k, l);
        im2col(dx, b * image + q * cg * g.h * g.w, cg, g, dcols, true); // col2im
      }
    }
    return dx;
  });
  const gradW = reading([x], (dy) => {
    const dw = allocate(weight.size);
    const patches = allocate(k * l);
    for (let b = 0; b < n; b++) {
      for (let q = 0; q < groups; q++) {
        im2col(x.data, b * image + q * cg * g.h * g.w, cg, g, patches);
        productNT(dy, (b * o + q * og) * l, patches, 0, dw, q * og * k, og, k, l);
      }
    }
    return dw;
  });
  const shape = [n, o, g.oh, g.ow];
  if (bias == null) return Tensor.fromOp('conv2d', out, shape, [x, weight], [gradX, gradW]);
  const gradBias = (dy: Float64Array): Float64Array => {
    const db = allocate(o);
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < o; ch++) {
        const at = (b * o + ch) * l;
        let s = 0;
        for (let t = 0; t < l; t++) s += dy[at + t];
        db[ch] += s;
      }
    }
    return db;
  };
  return Tensor.fromOp('conv2d', out, shape, [x, weight, bias], [gradX, gradW, gradBias]);
});
