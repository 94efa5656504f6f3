// The WebAssembly matmul kernels against the JavaScript ones, for each of the three products the engine uses
// (a@b, g@bᵀ, aᵀ@g), on shapes that are not multiples of the tile (4) or of the blocks (128 rows, 256 deep,
// 1024 columns), vectors included, at offsets into larger arrays and adding to a product already there.
import * as assert from 'node:assert/strict';
import { conv2d, matmul, Tensor } from '../../engine';
import { jsProductNN, jsProductNT, jsProductTN, productNN, productNT, productTN } from '../../engine/ops/matmul';
import { useWasmKernels, wasmKernelsAvailable, wasmProduct } from '../../engine/ops/wasm-matmul';
import { relativeError, values } from './wasm-values';

type Shape = [n: number, k: number, m: number];
const SHAPES: Shape[] = [
  [1, 1, 1], [1, 7, 1], [1, 33, 9], [9, 33, 1], [5, 1, 6], [3, 5, 7], [4, 4, 4], [8, 8, 8], [17, 3, 29],
  [64, 784, 10], [63, 257, 65], [129, 13, 5], [6, 300, 11], [2, 9, 1030], [131, 259, 37],
];

// Each product as (transA, transB, shape of its gemm) from the engine's (n, k, m), with the JavaScript reference.
const PRODUCTS = [
  { name: 'a@b', js: jsProductNN, transA: false, transB: false, sizes: (n: number, k: number, m: number) => [n * k, k * m, n * m], gemm: (n: number, k: number, m: number): Shape => [n, k, m] },
  { name: 'g@bᵀ', js: jsProductNT, transA: false, transB: true, sizes: (n: number, k: number, m: number) => [n * m, k * m, n * k], gemm: (n: number, k: number, m: number): Shape => [n, m, k] },
  { name: 'aᵀ@g', js: jsProductTN, transA: true, transB: false, sizes: (n: number, k: number, m: number) => [n * k, n * m, k * m], gemm: (n: number, k: number, m: number): Shape => [k, n, m] },
];

describe('WebAssembly matmul kernels', () => {
  it('load in this build', () => {
    assert.ok(wasmKernelsAvailable(), 'the build should inline the kernels (scripts/build.mjs) and Node should run WebAssembly SIMD');
  });

  for (const product of PRODUCTS) {
    it(`${product.name} matches the JavaScript kernel to 1e-12 relative`, () => {
      SHAPES.forEach(([n, k, m], i) => {
        const [sa, sb, sc] = product.sizes(n, k, m);
        const [ao, bo, co] = [i % 3, (i * 5) % 7, i % 2]; // offsets into larger arrays
        const a = values(sa + ao + 3, 10 * i + 1);
        const b = values(sb + bo + 3, 10 * i + 2);
        const want = values(sc + co + 3, 10 * i + 3); // the products add to what is there
        const got = want.slice();
        product.js(a, ao, b, bo, want, co, n, k, m);
        const [gn, gk, gm] = product.gemm(n, k, m);
        assert.ok(wasmProduct(product.transA, product.transB, a, ao, b, bo, got, co, gn, gk, gm));
        const err = relativeError(got, want);
        assert.ok(err <= 1e-12, `${product.name} with n=${n} k=${k} m=${m}: relative error ${err}`);
        assert.deepEqual(got.subarray(0, co), want.subarray(0, co), 'nothing before the output changes');
        assert.deepEqual(got.subarray(co + sc), want.subarray(co + sc), 'nothing after the output changes');
      });
    });
  }

  it('productNN/NT/TN give the JavaScript result with WebAssembly off, and agree with it on', () => {
    const [n, k, m] = [37, 70, 45]; // above the size the engine sends to WebAssembly
    const inputs = [values(n * k, 7), values(k * m, 8), values(n * m, 9)];
    const run = (on: boolean) => {
      useWasmKernels(on);
      try {
        const nn = new Float64Array(n * m);
        const nt = new Float64Array(n * k);
        const tn = new Float64Array(k * m);
        productNN(inputs[0], 0, inputs[1], 0, nn, 0, n, k, m);
        productNT(inputs[2], 0, inputs[1], 0, nt, 0, n, k, m);
        productTN(inputs[0], 0, inputs[2], 0, tn, 0, n, k, m);
        return [nn, nt, tn];
      } finally {
        useWasmKernels(true);
      }
    };
    const off = run(false);
    const js = [new Float64Array(n * m), new Float64Array(n * k), new Float64Array(k * m)];
    jsProductNN(inputs[0], 0, inputs[1], 0, js[0], 0, n, k, m);
    jsProductNT(inputs[2], 0, inputs[1], 0, js[1], 0, n, k, m);
    jsProductTN(inputs[0], 0, inputs[2], 0, js[2], 0, n, k, m);
    off.forEach((o, i) => assert.deepEqual(o, js[i]));
    run(true).forEach((o, i) => assert.ok(relativeError(o, js[i]) <= 1e-12));
  });

  it('matmul and conv2d, values and gradients, agree with WebAssembly on and off', () => {
    const pass = (on: boolean) => {
      useWasmKernels(on);
      try {
        const a = new Tensor(values(3 * 40 * 50, 1), [3, 40, 50], { requiresGrad: true });
        const b = new Tensor(values(50 * 30, 2), [50, 30], { requiresGrad: true });
        const x = new Tensor(values(2 * 6 * 9 * 9, 3), [2, 6, 9, 9], { requiresGrad: true });
        const w = new Tensor(values(8 * 6 * 3 * 3, 4), [8, 6, 3, 3], { requiresGrad: true });
        const y = matmul(a, b).sum().add(conv2d(x, w, null, { padding: 1 }).mul(new Tensor(values(2 * 8 * 9 * 9, 5), [2, 8, 9, 9])).sum());
        y.backward();
        return [y.data, a.grad!.data, b.grad!.data, x.grad!.data, w.grad!.data];
      } finally {
        useWasmKernels(true);
      }
    };
    const off = pass(false);
    pass(true).forEach((on, i) => assert.ok(relativeError(on, off[i]) <= 1e-12, `output ${i}: ${relativeError(on, off[i])}`));
  });
});
