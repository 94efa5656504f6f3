// The WebAssembly kernels (matmul, elementwise, softmax, GELU, layer norm): each row timed with them on and off
// (the JavaScript ones) in alternation, and, where NumPy is installed, the same work in NumPy float64 as the peer
// to aim at (one BLAS thread; timed by `python3 -c` with the bench's clock). Products of 2^24 multiply-adds or more
// run on two threads when the helper is up (engine/ops/wasm-threads.ts): the CPU-time clock counts both threads,
// so these rows show the work, not the wall time two cores save.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { matmul, noGrad, randn } from '../engine';
import { useWasmKernels, wasmKernelsAvailable } from '../engine/ops/wasm-matmul';
import { CLOCK, measurePair, Timing } from './timing';
import { conv2dStep, MLP, mlpStep } from './workloads';
import { gptStep } from './model-workloads';

export interface KernelRow {
  name: string;
  on: Timing;
  off: Timing;
  numpy?: number;
  /** The WebAssembly side timed alone in a fresh process, as NumPy is (bench/alone.ts), for the ratio to NumPy. */
  alone?: Timing;
}

const MATMUL = 256;

/** The kernel rows' product: two random MATMUL×MATMUL matrices multiplied, no gradient. */
export function matmulProduct(): () => unknown {
  const a = noGrad(() => randn([MATMUL, MATMUL]));
  const b = noGrad(() => randn([MATMUL, MATMUL]));
  return () => noGrad(() => matmul(a, b));
}

// The MLP step as workloads.ts has it (forward, softmax cross-entropy, backward into the parameters, SGD) and a
// 256³ product; prints the median ms of each as JSON.
const NUMPY = `
import json, sys, time
import numpy as np
clock = time.process_time if sys.argv[1] == 'cpu' else time.perf_counter
rng = np.random.default_rng(1)
B, I, H, C, lr, N = ${MLP.batch}, ${MLP.inputs}, ${MLP.hidden}, ${MLP.classes}, ${MLP.lr}, ${MATMUL}
x = rng.random((B, I)); labels = rng.integers(0, C, B); rows = np.arange(B)
w1 = rng.standard_normal((I, H)) * np.sqrt(2 / I); b1 = np.zeros(H)
w2 = rng.standard_normal((H, C)) * np.sqrt(2 / H); b2 = np.zeros(C)
a = rng.standard_normal((N, N)); b = rng.standard_normal((N, N))
def step():
    h = x @ w1 + b1; r = np.maximum(h, 0); logits = r @ w2 + b2
    z = logits - logits.max(1, keepdims=True); e = np.exp(z); p = e / e.sum(1, keepdims=True)
    loss = -np.log(p[rows, labels]).mean()
    g = p; g[rows, labels] -= 1; g /= B
    gw2 = r.T @ g; gb2 = g.sum(0); gh = (g @ w2.T) * (h > 0); gw1 = x.T @ gh; gb1 = gh.sum(0)
    for p, d in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)): p -= lr * d
    return loss
def median_ms(f):
    t0 = clock(); n = 0
    while clock() - t0 < 0.3: f(); n += 1
    reps = []
    for _ in range(7):
        t = clock()
        for _ in range(n): f()
        reps.append((clock() - t) / n * 1000)
    return sorted(reps)[3]
print(json.dumps({'matmul': median_ms(lambda: a @ b), 'mlp': median_ms(step), 'version': np.__version__}))
`;

/** NumPy's times, or why there are none. */
function numpy(): { matmul: number; mlp: number; version: string } | { error: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE; // let OpenBLAS pick the kernels for this CPU
  const r = spawnSync('python3', ['-c', NUMPY, CLOCK], { encoding: 'utf8', env, timeout: 120_000 });
  if (r.status !== 0) return { error: (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'python3 failed').slice(0, 120) };
  return JSON.parse(r.stdout);
}

/** `workload` of bench/alone.ts timed in a fresh process; undefined (with why printed) if that failed. */
function alone(workload: string): Timing | undefined {
  const r = spawnSync(process.execPath, [join(__dirname, 'alone.js'), workload], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) return JSON.parse(r.stdout) as Timing;
  console.warn(`warning: ${workload} alone failed: ${r.stderr.trim().split('\n').pop() ?? r.error?.message}`);
  return undefined;
}

/** `run` with the WebAssembly kernels on, and off; with a NumPy peer, also the `aloneAs` workload alone. */
function onOff(name: string, run: () => unknown, numpyMs?: number, aloneAs?: string): KernelRow {
  const off = () => {
    useWasmKernels(false);
    try {
      run();
    } finally {
      useWasmKernels(true);
    }
  };
  const [on, offTime] = measurePair(run, off);
  const solo = numpyMs === undefined || aloneAs === undefined ? undefined : alone(aloneAs);
  const row = { name, on, off: offTime, numpy: numpyMs, alone: solo };
  const peer = numpyMs === undefined ? '' : `, NumPy ${numpyMs.toFixed(2)} ms${solo ? ` (alone in a fresh process ${solo.median.toFixed(2)} ms: gradscope / NumPy ${(solo.median / numpyMs).toFixed(2)})` : ''}`;
  console.log(`${name}\n  WebAssembly ${on.median.toFixed(2)} ms, JavaScript ${offTime.median.toFixed(2)} ms (${(offTime.median / on.median).toFixed(1)}x)${peer}`);
  return row;
}

export function kernelBenchmarks(): { rows: KernelRow[]; note: string } {
  if (!wasmKernelsAvailable()) console.warn('warning: the WebAssembly kernels did not load: both sides of these rows are JavaScript');
  const peer = numpy();
  const note = 'error' in peer ? `NumPy: none (${peer.error})` : `NumPy ${peer.version} float64, one BLAS thread`;
  const rows = [
    onOff(`matmul ${MATMUL}×${MATMUL}×${MATMUL} (forward, no gradient)`, matmulProduct(), 'error' in peer ? undefined : peer.matmul, 'matmul'),
    onOff('(a) MLP 784-256-10 training step, batch 64', mlpStep(), 'error' in peer ? undefined : peer.mlp, 'mlp'),
    onOff('(g) conv2d forward + backward, x [16, 8, 16, 16], weight [16, 8, 3, 3], padding 1', conv2dStep()),
    onOff('(i) char GPT Adam training step (elementwise, softmax, GELU and layer norm kernels)', gptStep()),
  ];
  return { rows, note };
}
