// The WebAssembly elementwise kernels (binary arithmetic with row and scalar broadcasting, sums over rows,
// softmax, GELU, layer norm) against the JavaScript loops they replace: each op's value and gradients with the kernels on and
// off agree to 1e-12 relative, on shapes above the size the engine sends to WebAssembly, odd lengths included
// (the kernels work two values at a time). And the memory they grow counts against the tensor memory limit.
import * as assert from 'node:assert/strict';
import { add, div, gelu, layerNorm, maskedFill, mul, softmax, sub, Tensor, TensorMemoryError, zeros } from '../../engine';
import { kernelMemoryBytes, setTensorMemoryLimit } from '../../engine/memory';
import { MIN_ELEMENTS, wasmBinary, wasmGelu, wasmSoftmaxRows } from '../../engine/ops/wasm-elementwise';
import { useWasmKernels } from '../../engine/ops/wasm-module';
import { relativeError, values } from './wasm-values';

const param = (shape: number[], seed: number, scale = 1): Tensor => {
  const data = values(shape.reduce((x, y) => x * y, 1), seed).map((v) => v * scale);
  return new Tensor(data, shape, { requiresGrad: true });
};

/**
 * Builds the same program with the kernels on and off: a weighted sum of `op`'s output (so each output element
 * gets its own gradient), backward, and returns the output and every input's gradient from both.
 */
function onAndOff(build: () => { inputs: Tensor[]; output: Tensor }): { on: Float64Array[]; off: Float64Array[] } {
  const pass = (on: boolean): Float64Array[] => {
    useWasmKernels(on);
    try {
      const { inputs, output } = build();
      output.mul(new Tensor(values(output.size, 99), output.shape)).sum().backward();
      return [output.data, ...inputs.map((t) => t.grad!.data)];
    } finally {
      useWasmKernels(true);
    }
  };
  return { off: pass(false), on: pass(true) };
}

function assertAgree(name: string, { on, off }: { on: Float64Array[]; off: Float64Array[] }): void {
  on.forEach((got, i) => {
    const err = relativeError(got, off[i]);
    assert.ok(err <= 1e-12, `${name}, ${i === 0 ? 'value' : `gradient of input ${i}`}: relative error ${err}`);
  });
}

// [a's shape, b's shape]: same shapes, a bias over rows either side, leading 1s, a scalar; odd row lengths.
const BROADCASTS: [number[], number[]][] = [
  [[67, 91], [67, 91]],
  [[8, 32, 129], [129]],
  [[129], [8, 32, 129]],
  [[40, 3, 51], [1, 3, 51]],
  [[5001], []],
  [[], [4099]],
];
const BINARY = { add, sub, mul, div };

describe('WebAssembly elementwise kernels', () => {
  for (const [name, op] of Object.entries(BINARY)) {
    it(`${name}, with row and scalar broadcasting, values and gradients agree with JavaScript to 1e-12`, () => {
      BROADCASTS.forEach(([sa, sb], i) => {
        // Divisors kept away from 0 so the comparison measures the kernels, not a quotient's blow-up.
        const build = () => {
          const a = param(sa, 2 * i + 1);
          const b = name === 'div' ? param(sb, 2 * i + 2, 0.5).add(2) : param(sb, 2 * i + 2);
          const bLeaf = name === 'div' ? null : b;
          return { inputs: bLeaf ? [a, bLeaf] : [a], output: op(a, b) };
        };
        assertAgree(`${name} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, onAndOff(build));
      });
    });
  }

  it('take the work when it is large enough, and leave small work to JavaScript', () => {
    const n = MIN_ELEMENTS.arithmetic + 1;
    const out = new Float64Array(n);
    assert.ok(wasmBinary('add', values(n, 1), values(7, 2).subarray(0, 1), out, false), 'a large add runs in WebAssembly');
    assert.equal(out[n - 1], values(n, 1)[n - 1] + values(1, 2)[0]);
    assert.equal(wasmBinary('add', values(8, 1), values(8, 2), new Float64Array(8), false), false, 'an add of 8 stays in JavaScript');
    assert.ok(wasmSoftmaxRows(values(64 * 33, 3), new Float64Array(64 * 33), 33));
    assert.ok(wasmGelu(values(1000, 4), new Float64Array(1000), null));
  });

  it('gelu, values and gradient, agree with JavaScript to 1e-12 elementwise, far tails included', () => {
    // x from -40 to 40: the series (|x/√2| < 2.5), the continued fraction, erf = 1 beyond 6, and Φ's left tail.
    const n = 4001;
    const xs = Float64Array.from({ length: n }, (_, i) => -40 + (80 * i) / (n - 1) + 1e-3 * values(1, i)[0]);
    const { on, off } = onAndOff(() => {
      const x = new Tensor(xs.slice(), [n], { requiresGrad: true });
      return { inputs: [x], output: gelu(x) };
    });
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(on[0][i] - off[0][i]) <= 1e-12 * Math.abs(off[0][i]), `gelu(${xs[i]}): ${on[0][i]} against ${off[0][i]}`);
    }
    assertAgree('gelu gradient', { on: on.slice(1), off: off.slice(1) });
  });

  it('softmax along the last axis, with masked (-Infinity) scores, value and gradient agree with JavaScript to 1e-12', () => {
    const future = new Tensor(Float64Array.from({ length: 33 * 33 }, (_, i) => (i % 33 > Math.floor(i / 33) ? 1 : 0)), [33, 33]);
    assertAgree(
      'masked softmax',
      onAndOff(() => {
        const scores = param([8, 4, 33, 33], 5, 6);
        return { inputs: [scores], output: softmax(maskedFill(scores, future, -Infinity), -1) };
      }),
    );
    // Along another axis the rows are strided: JavaScript's loop, whatever the switch says.
    assertAgree(
      'softmax along axis 1',
      onAndOff(() => {
        const x = param([16, 40, 9], 6, 3);
        return { inputs: [x], output: softmax(x, 1) };
      }),
    );
  });

  it('layerNorm over the last axis, with and without weight and bias, values and gradients agree with JavaScript to 1e-12', () => {
    for (const affine of [true, false]) {
      assertAgree(
        `layerNorm${affine ? '' : ' without weight and bias'}`,
        onAndOff(() => {
          const x = param([8, 32, 33], 11, 4);
          const [w, b] = [param([33], 12), param([33], 13)];
          return { inputs: affine ? [x, w, b] : [x], output: affine ? layerNorm(x, 33, w, b) : layerNorm(x, [33]) };
        }),
      );
    }
    // Over two axes the row is the last two together: still one contiguous row each.
    assertAgree(
      'layerNorm over [4, 9]',
      onAndOff(() => {
        const x = param([30, 4, 9], 14, 2);
        const w = param([4, 9], 15);
        return { inputs: [x, w], output: layerNorm(x, [4, 9], w) };
      }),
    );
  });

  it('count the memory they grow against the tensor memory limit, and give it up before a tensor would fail', () => {
    const n = 2 ** 20;
    const MB = 2 ** 20;
    add(new Tensor(values(n, 7), [n]), new Tensor(values(n, 8), [n])); // the module now holds three 8 MB arrays
    const held = kernelMemoryBytes();
    assert.ok(held >= 3 * 8 * n, `kernel memory counted: ${held} bytes`);
    // Operands made before the limit (uncounted), for an add whose three 16 MB arrays need the module to grow.
    const [a, b] = [values(2 * n, 9), values(2 * n, 10)];
    const want = a.map((v, i) => v + b[i]);
    try {
      setTensorMemoryLimit(held + 24 * MB); // room for the 16 MB sum, not for the kernels to grow by 24 MB more
      assert.deepEqual(add(new Tensor(a, [2 * n]), new Tensor(b, [2 * n])).data, want, 'JavaScript adds instead');
      assert.equal(kernelMemoryBytes(), held, 'the module did not grow');
      setTensorMemoryLimit(held + 4 * MB);
      assert.equal(zeros([n]).size, n, 'an 8 MB tensor fits once the kernels let their memory go');
      assert.equal(kernelMemoryBytes(), 0);
    } finally {
      setTensorMemoryLimit(Infinity);
    }
    assert.deepEqual(add(new Tensor(a, [2 * n]), new Tensor(b, [2 * n])).data, want);
    assert.ok(kernelMemoryBytes() >= 3 * 16 * n, 'without a limit a new module grows to take the add');
  });
});
