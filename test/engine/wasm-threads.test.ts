// Large matrix products on two threads (engine/ops/wasm-threads.ts): each of the engine's three products matches
// the JavaScript kernel to 1e-12 with the helper taking half the rows; a process whose only remaining work is
// that helper exits; and a model looping on large products is still stopped by the run's time limit.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { jsProductNN, jsProductNT, jsProductTN } from '../../engine/ops/matmul';
import { matmul, tensor } from '../../engine';
import { crashMatmulHelper, matmulHelperReady, stopMatmulHelper, twoThreadProduct } from '../../engine/ops/wasm-threads';
import { gradscope } from '../runner/cli-helpers';
import { relativeError, values } from './wasm-values';

/** Starts the helper and waits (at most 10 s) until it is ready to take work. */
async function helperReady(): Promise<boolean> {
  for (let i = 0; i < 200 && !matmulHelperReady(); i++) await new Promise((r) => setTimeout(r, 50));
  return matmulHelperReady();
}

// Run by the test below as a separate Node process: large products on two threads, then nothing left to do.
const CHILD = process.env.GRADSCOPE_TWO_THREAD_CHILD === '1';
if (CHILD) {
  void helperReady().then((ready) => {
    const n = 200;
    const c = new Float64Array(n * n);
    const done = twoThreadProduct(false, false, values(n * n, 1), 0, values(n * n, 2), 0, c, 0, n, n, n);
    process.stdout.write(`ready ${ready}, two threads ${done}\n`);
  });
}

// Rows not a multiple of the 4-row tile or of 8 (twoThreadProduct takes any size; the engine sends it only large ones).
const SHAPES: [n: number, k: number, m: number][] = [
  [131, 259, 70],
  [64, 784, 256],
  [257, 97, 101],
];

if (!CHILD) describe('two-thread matmul', () => {
  it('the helper starts here (Node has worker_threads and shared WebAssembly memory)', async () => {
    assert.ok(await helperReady());
  });

  for (const [name, transA, transB, js] of [['a@b', false, false, jsProductNN], ['g@bᵀ', false, true, jsProductNT], ['aᵀ@g', true, false, jsProductTN]] as const) {
    it(`${name} with the helper taking half the rows matches the JavaScript kernel to 1e-12`, async () => {
      assert.ok(await helperReady());
      SHAPES.forEach(([n, k, m], i) => {
        // The engine's (n, k, m) of each product, as wasm-matmul.test.ts: the gemm shape differs by product.
        const [gn, gk, gm] = name === 'a@b' ? [n, k, m] : name === 'g@bᵀ' ? [n, m, k] : [k, n, m];
        const a = values(gn * gk + 3, 10 * i + 1);
        const b = values(gk * gm + 5, 10 * i + 2);
        const want = values(gn * gm + 4, 10 * i + 3); // the products add to what is there
        const got = want.slice();
        js(a, 1, b, 2, want, 3, n, k, m);
        assert.ok(twoThreadProduct(transA, transB, a, 1, b, 2, got, 3, gn, gk, gm), 'the product ran on two threads');
        const err = relativeError(got.subarray(3), want.subarray(3));
        assert.ok(err <= 1e-12, `${name} n=${n} k=${k} m=${m}: relative error ${err}`);
        assert.deepEqual(got.subarray(0, 3), want.subarray(0, 3), 'nothing before the output changes');
      });
    });
  }

  it('a helper that dies mid-run costs a wait, never a wrong product: the product runs on this thread, and the next ones too', async () => {
    assert.ok(await helperReady());
    await crashMatmulHelper();
    const [n, k, m] = [256, 256, 256]; // large enough for two threads
    const a = values(n * k, 21);
    const b = values(k * m, 22);
    const want = new Float64Array(n * m);
    jsProductNN(a, 0, b, 0, want, 0, n, k, m);
    const got = matmul(tensor(a, { shape: [n, k] }), tensor(b, { shape: [k, m] })).data;
    const err = relativeError(got, want);
    assert.ok(err <= 1e-12, `relative error ${err}`);
    assert.equal(matmulHelperReady(), false, 'the helper is given up');
    const c = new Float64Array(n * m);
    assert.equal(twoThreadProduct(false, false, a, 0, b, 0, c, 0, n, k, m), false, 'later products use one thread');
    stopMatmulHelper(); // the tests after this start a new helper
  });

  it('does not keep a process alive: one whose work is done exits with the helper started', () => {
    const r = spawnSync(process.execPath, ['--enable-source-maps', __filename], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, GRADSCOPE_TWO_THREAD_CHILD: '1' } });
    assert.equal(r.signal, null, 'the process exited by itself, not killed at the 30 s timeout');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'ready true, two threads true');
  });

  it('a model looping on large products is still stopped by the time limit', () => {
    const r = gradscope('run', 'test/fixtures/matmul-loop.ts', '--timeout', '3000');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /time limit exceeded: the model ran for more than 3000 ms/);
  });
});
