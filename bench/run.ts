// Benchmarks: gradscope against tfjs-backend-cpu in the same process, the cost of recording, and two graph
// shapes that stress backward. Prints ms per iteration (median of repetitions after warm-up) as it goes, then
// markdown tables for the README. Timings are reported, never asserted. Run with `npm run bench`.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BenchRecorder, recorded, recordedCounts, recordingOnce } from './recorder';
import { setRecorder } from '../engine/recorder';
import { RUN_DEFAULTS } from '../runner/options';
import { traceRecorder } from '../test/webview/make-trace';
import { layoutBenchmarks } from './layout';
import { coldCommand, traced } from './runner';
import { viewBenchmarks } from './view';
import { vscodeBenchmark } from './vscode';
import { CLOCK, formatMs, measure, measureEach, measurePair, Timing, TimingOptions } from './timing';
import { tfConv2dStep, tfElementwiseAdds, tfLinearRegression, tfMlpStep } from './tfjs-workloads';
import { markedWorkloads } from './marked-workloads';
import type { Locate } from '../runner/trace-recorder';
import { tfCnnStep, tfGptStep } from './tfjs-model-workloads';
import { ExampleRun, exampleRuns } from './example-runs';
import { kernelBenchmarks, KernelRow } from './kernels';
import { TFJS_WASM_TARGET, tfjsWasmComparisons, WasmPeerRow } from './tfjs-wasm';

const CHAIN = 200_000;
const DIAMONDS = 40;
const ADDS = 10_000;
// `node out/bench/run.js --steps`: only the training steps against both tfjs peers and the kernel rows (about a
// minute), for work on the kernels; the full bench is several minutes.
const STEPS_ONLY = process.argv.includes('--steps');
// Rows whose iteration takes 80 ms to a second: fewer repetitions, so the whole bench stays within minutes, but a
// full second of warm-up (two 80 ms GPT steps left it still compiling, 25% slower than later in the same run) and
// repetitions of several steps (one GPT step a repetition swung from 41 to 139 ms with the garbage collector).
const HEAVY: TimingOptions = { repetitions: 5, warmupMs: 1000, repetitionMs: 400 };

const NAMES = {
  mlp: '(a) MLP 784-256-10 training step, batch 64',
  linreg: '(b) linear regression, 101 epochs (whole training)',
  mlpRun: '(a) MLP training, 10 steps',
  adds: `(c) ${ADDS.toLocaleString('en-US')} adds on 3-element tensors`,
  chainForward: `(d) forward, ${CHAIN.toLocaleString('en-US')}-op chain`,
  chainForwardRecorded: `(d) forward, ${CHAIN.toLocaleString('en-US')}-op chain, recorded as under \`gradscope run\` (calls marked by the runner, the trace recorder attached)`,
  chainBackward: `(d) backward, ${CHAIN.toLocaleString('en-US')}-op chain`,
  diamonds: `(e) ${DIAMONDS} stacked diamonds, forward + backward`,
  conv: '(g) conv2d forward + backward, x [16, 8, 16, 16], weight [16, 8, 3, 3], padding 1',
  cnn: '(h) CNN of examples/cnn-digits.ts, Adam training step, batch 64 of 8×8',
  cnnRun: '(h) CNN training, 10 steps',
  gpt: '(i) char GPT (2 blocks, 4 heads, embed 32, context 32, erf GELU), Adam training step, batch 8',
  gptRun: '(i) char GPT training, 10 steps',
};

interface Comparison { name: string; ours: Timing; theirs: Timing }
interface Overhead { name: string; off: Timing; on: Timing; tensors: number; edges: number }
interface Solo { name: string; time: Timing; note: string }

const spread = (t: Timing): string => `${formatMs(t.median)} ms (${formatMs(t.min)}–${formatMs(t.max)}, ${t.repetitions}×${t.iterations})`;
const ratio = (a: Timing, b: Timing): string => (a.median / b.median).toFixed(2);

function compare(name: string, ours: () => unknown, theirs: () => unknown, options?: TimingOptions): Comparison {
  const [a, b] = measurePair(ours, theirs, options);
  const row = { name, ours: a, theirs: b };
  console.log(`${name}\n  gradscope ${spread(row.ours)}\n  tfjs-cpu  ${spread(row.theirs)}\n  ratio     ${ratio(row.ours, row.theirs)}`);
  return row;
}

/**
 * `run` with the recorder off and on, timed in alternation (the off figure is its own, not the comparison's).
 * `health`: what training health adds to a full trace (off: the full trace without it).
 */
/** Places the calls of the workloads' bundle (set by main: every workload runs from it, as a user's model runs). */
let locateMarked: Locate | undefined;

function overhead(name: string, run: () => unknown, recorder: 'hook' | 'trace' | 'health', options?: TimingOptions): Overhead {
  const off = recorder === 'health' ? traced(run, { health: false }, locateMarked) : run;
  const [offTime, on] = measurePair(off, recorder === 'hook' ? recorded(new BenchRecorder(), run) : traced(run, undefined, locateMarked), options);
  const what = { hook: 'engine hook', trace: 'full trace', health: 'training health (off: full trace without it)' }[recorder];
  const row = { name: `${name}, ${what}`, off: offTime, on, ...recordedCounts(run) };
  console.log(`${row.name}, recorder on\n  ${spread(on)}: ${ratio(on, offTime)}x off (${row.tensors} tensors, ${row.edges} gradient edges per run)`);
  return row;
}

function solo(name: string, time: Timing, note = ''): Solo {
  console.log(`${name}\n  ${spread(time)}${note ? `  ${note}` : ''}`);
  return { name, time, note };
}

function wasmPeerTable(rows: WasmPeerRow[]): string[] {
  return [
    `| Training step | gradscope (ms) | tfjs-wasm, SIMD, 1 thread (ms) | gradscope / tfjs-wasm (target ≤ ${TFJS_WASM_TARGET}) |`,
    '|---|---:|---:|---:|',
    ...rows.map((r) => (r.ours && r.theirs ? `| ${r.name} | ${formatMs(r.ours.median)} | ${formatMs(r.theirs.median)} | ${ratio(r.ours, r.theirs)} |` : `| ${r.name} | — | — | tfjs-wasm cannot run it (${r.missing}) |`)),
  ];
}

/** A row of the 200,000-op chain, with its time per op (the issue's target: the recorded forward no dearer per op than backward). */
function perOp(name: string, time: Timing): Solo {
  const us = (ms: number) => ((ms * 1000) / CHAIN).toFixed(2);
  return solo(name, time, `${us(time.median)} µs per op (${us(time.min)}–${us(time.max)})`);
}

function markdown(comparisons: Comparison[], wasmPeers: WasmPeerRow[], kernels: { rows: KernelRow[]; note: string }, overheads: Overhead[], solos: Solo[], examples: ExampleRun[], machine: string): string {
  const lines = [
    `Machine: ${machine}. Milliseconds of ${CLOCK === 'cpu' ? 'process CPU time' : 'wall time'} per iteration, median of ${comparisons[0].ours.repetitions} repetitions after warm-up (${HEAVY.repetitions} for the heaviest rows), the two sides of a row in alternation; the layouts, cold runs, views and example runs are wall time.`,
    '',
    '| Benchmark | gradscope (ms) | tfjs-cpu (ms) | gradscope / tfjs |',
    '|---|---:|---:|---:|',
    ...comparisons.map((c) => `| ${c.name} | ${formatMs(c.ours.median)} | ${formatMs(c.theirs.median)} | ${ratio(c.ours, c.theirs)} |`),
    '',
    ...wasmPeerTable(wasmPeers),
    '',
    `| WebAssembly kernels (${kernels.note}) | WebAssembly (ms) | JavaScript (ms) | JavaScript / WebAssembly | NumPy, own process (ms) | WebAssembly alone, own process (ms) | gradscope / NumPy (target ≤ 2 for the MLP step) |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...kernels.rows.map((k) => `| ${k.name} | ${formatMs(k.on.median)} | ${formatMs(k.off.median)} | ${ratio(k.off, k.on)} | ${k.numpy === undefined ? '—' : formatMs(k.numpy)} | ${k.alone === undefined ? '—' : formatMs(k.alone.median)} | ${k.numpy === undefined || k.alone === undefined ? '—' : (k.alone.median / k.numpy).toFixed(2)} |`),
    '',
    '| Recording overhead | recorder off (ms) | recorder on (ms) | on / off |',
    '|---|---:|---:|---:|',
    ...overheads.map((o) => `| ${o.name} | ${formatMs(o.off.median)} | ${formatMs(o.on.median)} | ${ratio(o.on, o.off)}x |`),
    '',
    '| gradscope only | ms | note |',
    '|---|---:|---|',
    ...solos.map((s) => `| ${s.name} | ${formatMs(s.time.median)} | ${s.note} |`),
    '',
    '| Example runs (`gradscope run FILE --json`, once) | peak RSS (MB) | wall (ms) | CPU, all threads (ms) |',
    '|---|---:|---:|---:|',
    ...examples.map((e) => `| ${e.file} | ${e.peakMb.toFixed(0)} | ${e.ms.toFixed(0)} | ${e.cpuMs.toFixed(0)} |`),
  ];
  return lines.join('\n');
}

/** A row that needs a host (a real VS Code) which may not start here: its failure is printed, and the tables still are. */
async function optional<T>(row: () => Promise<T>): Promise<T[]> {
  try {
    return [await row()];
  } catch (err) {
    console.warn(`skipped a row: ${String(err).split('\n')[0]}`);
    return [];
  }
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const machine = `${os.cpus()[0].model} (${os.cpus().length} logical CPUs), ${os.platform()} ${os.arch()}, Node ${process.version}, tfjs-core ${tf.version_core} (cpu backend), load average ${os.loadavg()[0].toFixed(1)} at the start`;
  console.log(`${machine}\n`);
  const tensorsBefore = tf.memory().numTensors;

  const marked = await markedWorkloads();
  locateMarked = marked.locate;
  const { buildChain, conv2dStep, diamonds, elementwiseAdds, linearRegression, mlpStep, cnnStep, gptStep } = marked.workloads;
  const mlp = mlpStep();
  const tfMlp = tfMlpStep();
  const tfAdds = tfElementwiseAdds(ADDS);
  const tfConv = tfConv2dStep();
  const cnn = cnnStep();
  const tfCnn = tfCnnStep();
  const gpt = gptStep();
  const tfGpt = tfGptStep();
  const comparisons = [
    compare(NAMES.mlp, mlp, tfMlp.step),
    ...(STEPS_ONLY ? [] : [compare(NAMES.linreg, linearRegression, tfLinearRegression), compare(NAMES.adds, elementwiseAdds(ADDS), tfAdds.run), compare(NAMES.conv, conv2dStep(), tfConv.run)]),
    compare(NAMES.cnn, cnn, tfCnn.step),
    compare(NAMES.gpt, gpt, tfGpt.step, HEAVY),
  ];
  tfCnn.dispose();
  tfGpt.dispose();
  tfMlp.dispose();
  tfAdds.dispose();
  tfConv.dispose();
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) console.warn(`warning: the tfjs workloads leaked ${leaked} tensors`);
  const wasmPeers = await tfjsWasmComparisons([
    { name: NAMES.mlp, ours: mlp, theirs: tfMlpStep },
    { name: NAMES.cnn, ours: cnn, theirs: tfCnnStep },
    { name: `${NAMES.gpt} (tfjs-wasm: embeddings as one-hot products)`, ours: gpt, theirs: () => tfGptStep(true), options: HEAVY },
  ]);
  const kernels = kernelBenchmarks();
  if (STEPS_ONLY) {
    console.log(`\n${comparisons.map((c) => `| ${c.name} | ${formatMs(c.ours.median)} | tfjs-cpu ${formatMs(c.theirs.median)} | ${ratio(c.ours, c.theirs)} |`).join('\n')}\n\n${wasmPeerTable(wasmPeers).join('\n')}`);
    return;
  }

  // A trace is finished once per run, not per step: the full-trace rows time a 10-step training run, as a user would record one.
  const tenSteps = (step: () => unknown) => () => {
    for (let i = 0; i < 10; i++) step();
  };
  const [mlpRun, cnnRun, gptRun] = [mlp, cnn, gpt].map(tenSteps);
  const overheads = [
    overhead(NAMES.mlp, mlp, 'hook'),
    overhead(NAMES.linreg, linearRegression, 'hook'),
    overhead(NAMES.mlpRun, mlpRun, 'trace'),
    overhead(NAMES.mlpRun, mlpRun, 'health'),
    overhead(NAMES.linreg, linearRegression, 'trace'),
    overhead(NAMES.cnn, cnn, 'hook'),
    overhead(NAMES.cnnRun, cnnRun, 'trace', HEAVY),
    overhead(NAMES.gpt, gpt, 'hook', HEAVY),
    overhead(NAMES.gptRun, gptRun, 'trace', HEAVY),
  ];

  const diamondGrad = diamonds(DIAMONDS)();
  const solos = [
    perOp(NAMES.chainForward, measureEach(() => null, () => buildChain(CHAIN))),
    perOp(NAMES.chainForwardRecorded, measureEach(() => setRecorder(traceRecorder(RUN_DEFAULTS.nodeLimit, undefined, undefined, locateMarked)), () => recordingOnce(() => buildChain(CHAIN)))),
    perOp(NAMES.chainBackward, measureEach(() => buildChain(CHAIN), ({ y }) => y.backward())),
    solo(NAMES.diamonds, measure(diamonds(DIAMONDS)), `(x.grad = ${diamondGrad}, 2^${DIAMONDS} paths)`),
  ];

  const floor = coldCommand(['-e', '0']);
  const cold = coldCommand(['bin/gradscope.js', 'run', 'examples/linear-regression.ts', '--json']);
  solos.push(solo('(f) cold `gradscope run examples/linear-regression.ts --json`, whole process', { ...cold, iterations: 1, repetitions: 7 }, `(node -e 0 alone: ${formatMs(floor.median)} ms)`));

  const examples = exampleRuns();

  for (const row of [...layoutBenchmarks(), ...(await viewBenchmarks()), ...(await optional(vscodeBenchmark))]) solos.push({ name: row.name, time: { median: row.ms, min: row.ms, max: row.ms, iterations: 1, repetitions: 1 }, note: row.note });

  console.log(`\n${markdown(comparisons, wasmPeers, kernels, overheads, solos, examples, machine)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
