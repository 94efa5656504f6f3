// The command line as users run it: every failure of the user's code becomes exit 1 and one line on stderr that
// starts with the user's FILE:LINE:COLUMN; bad arguments exit 2; success prints a summary or the JSON trace.
import * as assert from 'node:assert/strict';
import { Trace, traceFromJson, TRACE_VERSION } from '../../engine/trace';
import { gradscope, marked } from './cli-helpers';

interface FailureCase {
  name: string;
  file: string;
  flags: string[];
  marker: string;
  /** Where on the marked line the error must point; a loop stopped by a limit may be at any of its ops. */
  token: string | string[];
  says: RegExp;
}

const stepFixture = 'test/fixtures/step-before-backward.ts';
const stepAt = marked(stepFixture, 'changed', 'step()');
const usedAt = marked(stepFixture, 'used', 'matmul(w2)');

const failures: FailureCase[] = [
  { name: 'a syntax error', file: 'test/fixtures/syntax-error.ts', flags: [], marker: 'syntax', token: "); //", says: /syntax error: Expected ";" but found "\)"/ },
  { name: 'an exception', file: 'test/fixtures/throws.ts', flags: [], marker: 'throw', token: 'new RangeError', says: /RangeError: need at least 4 values, got 3/ },
  { name: 'a shape mismatch', file: 'test/fixtures/shape-mismatch.ts', flags: [], marker: 'matmul(', token: 'matmul(', says: /ShapeError: matmul: shapes \[8, 3\] and \[4, 2\] are not aligned/ },
  { name: 'the time limit', file: 'test/fixtures/infinite-loop.ts', flags: ['--timeout', '1500'], marker: 'loop', token: ['mul(', 'sum('], says: /time limit exceeded: the model ran for more than 1500 ms/ },
  { name: 'the JS heap limit', file: 'test/fixtures/heap-hog.ts', flags: ['--heap', '64'], marker: 'mul(', token: 'mul(', says: /memory limit exceeded: the model's JavaScript heap went over 64 MB/ },
  { name: 'the tensor memory limit', file: 'test/fixtures/tensor-hog.ts', flags: ['--memory', '64'], marker: 'zeros(', token: 'zeros(', says: /TensorMemoryError: tensor memory limit exceeded: .* limit 64 MB/ },
  {
    name: 'an optimizer step between forward and backward',
    file: stepFixture,
    flags: [],
    marker: 'backward',
    token: 'backward(',
    says: new RegExp(
      `InPlaceChangeError: backward: parameter \\[3, 1\\] was changed in place \\(by SGD.step at step-before-backward.ts:${stepAt.line}:${stepAt.column}\\) ` +
        `after matmul at step-before-backward.ts:${usedAt.line}:${usedAt.column} used it; call backward\\(\\) before the optimizer step$`,
    ),
  },
  { name: 'a file with no model', file: 'test/fixtures/no-model.ts', flags: [], marker: 'file', token: '//', says: /no model to run: export a function train\(\), model\(\) or a default function/ },
  { name: 'a train that is not a function', file: 'test/fixtures/not-a-function.ts', flags: [], marker: 'file', token: '//', says: /: train is a number, not a function: the runner calls an exported train\(\)/ },
  { name: 'a thrown object', file: 'test/fixtures/throws-value.ts', flags: [], marker: 'last op', token: 'mul(', says: /: threw \{ code: 42 \} \(not an Error, so no stack: located at the last call before it\)$/ },
  { name: 'an object thrown in a timer', file: 'test/fixtures/throws-in-timer.ts', flags: [], marker: 'last op', token: 'mul(', says: /: threw \{ code: 42 \} \(not an Error, so no stack: located at the last engine call\)$/ },
  { name: 'a promise that never settles', file: 'test/fixtures/never-settles.ts', flags: [], marker: 'entry', token: 'train', says: /: train\(\) returned a promise that never settled: the model's event loop emptied while it was pending$/ },
  { name: 'a missing package', file: 'test/fixtures/missing-package.ts', flags: [], marker: 'import', token: '"nonexistent-pkg"', says: /: cannot find package "nonexistent-pkg": it is not installed/ },
  { name: 'a top-level await', file: 'test/fixtures/top-level-await.ts', flags: [], marker: 'await', token: 'await', says: /: top-level await is not supported: the model runs as a CommonJS module/ },
];

describe('gradscope run: errors in the user code', () => {
  for (const c of failures) {
    it(`reports ${c.name} at the user's line`, () => {
      const r = gradscope('run', c.file, ...c.flags);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
      const tokens = typeof c.token === 'string' ? [c.token] : c.token;
      const places = c.name === 'a file with no model' ? ['1:1'] : tokens.map((t) => marked(c.file, c.marker, t)).map((p) => `${p.line}:${p.column}`);
      assert.ok(places.some((p) => lines[0].startsWith(`${c.file}:${p}: `)), `expected ${c.file}:${places.join(' or ')}, got: ${lines[0]}`);
      assert.match(lines[0], c.says);
      assert.equal(r.stdout, '');
    });
  }

  it('exits 2 with usage for bad arguments', () => {
    for (const args of [[], ['walk', 'x.ts'], ['run'], ['run', 'examples/linear-regression.ts', '--steps', 'some'], ['run', 'examples/linear-regression.ts', '--timeout', '-5'], ['run', 'no/such/file.ts']]) {
      const r = gradscope(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
  });
});

describe('gradscope run: success', () => {
  it('prints a summary with the first and last loss', () => {
    const r = gradscope('run', 'examples/linear-regression.ts');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /examples\/linear-regression.ts: 101 steps in \d+ ms on the WebAssembly kernels, graph of/);
    assert.match(r.stdout, /loss: 4604 \(first\) -> 0.42463 \(last\)/);
  });

  it('lists the parameters by name and names the tensor a finding is about', () => {
    const r = gradscope('run', 'examples/unused-parameter.ts');
    assert.equal(r.code, 0, r.stderr);
    // `scale` is unused: backward never reached it, so it is not in the graph, but its finding names it.
    assert.match(r.stdout, /^parameters in the graph: 1 \(4 values\): w \[4×1\]$/m);
    assert.match(r.stdout, /examples\/unused-parameter\.ts:8:15: warning: parameter `scale` \[1\] received no gradient/);
  });

  it('writes a NaN loss as "NaN" in --json, not as null (which means no scalar loss)', () => {
    const r = gradscope('run', 'examples/nan.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"loss":"NaN"/);
    const trace = traceFromJson(r.stdout)!;
    assert.ok(trace.steps.some((s) => Number.isNaN(s.loss)), 'read back as NaN');
    assert.ok(trace.steps.every((s) => s.loss !== null), 'every step started from a scalar loss');
  });

  it('keeps an Inf gradient norm apart from NaN in --json (the same encoding as every number)', () => {
    const r = gradscope('run', 'test/fixtures/sqrt-zero.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const norms = traceFromJson(r.stdout)!.steps.flatMap((s) => Object.values(s.gradNorms));
    assert.ok(norms.includes(Infinity), JSON.stringify(norms));
    assert.ok(!norms.some((n) => n === null), 'no null stands for a non-finite norm');
  });

  it('prints the trace as JSON with --json', () => {
    const r = gradscope('run', 'examples/linear-regression.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    assert.equal(trace.version, TRACE_VERSION);
    assert.equal(trace.steps.length, 101);
    const kinds = new Set(trace.graph.nodes.map((n) => n.kind));
    assert.deepEqual([...kinds].sort(), ['const', 'input', 'op', 'param']);
    const ids = new Set(trace.graph.nodes.map((n) => n.id));
    for (const e of trace.graph.edges) assert.ok(ids.has(e.from) && ids.has(e.to));
    // Every gradient-carrying edge into a parameter says what flowed; the sum of those is the parameter's gradient.
    for (const p of trace.graph.nodes.filter((n) => n.kind === 'param')) {
      const into = trace.graph.edges.filter((e) => e.from === p.id);
      assert.equal(into.length, 1);
      assert.ok(Math.abs(into[0].grad!.norm - p.grad!.norm) < 1e-9 * p.grad!.norm);
      assert.equal(trace.steps[100].gradNorms[p.key], p.grad!.norm);
    }
  });

  it('runs a synchronous loop that allocates far more than the tensor memory limit but holds little', () => {
    const r = gradscope('run', 'test/fixtures/tensor-churn.ts', '--memory', '64');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /70 steps in/);
  });

  it('passes the user console output through on stderr and calls backward on a returned loss', () => {
    const r = gradscope('run', 'test/fixtures/returns-loss.ts');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /building the model/);
    assert.match(r.stdout, /1 step in/);
  });

  it('keeps every step with --steps all, one step with --steps N', () => {
    const all = traceFromJson(gradscope('run', 'examples/unused-parameter.ts', '--json', '--steps', 'all').stdout)!;
    assert.equal((all.history?.length ?? 0) + 1, 50);
    assert.deepEqual(all.history!.map((g) => g.step).slice(0, 3), [0, 1, 2]);
    const one = traceFromJson(gradscope('run', 'examples/unused-parameter.ts', '--json', '--steps', '7').stdout)!;
    assert.equal(one.graph.step, 7);
    assert.equal(one.history, undefined);
  });

  it('bounds a big graph by the node limit, keeping parameters and saying what was left out', () => {
    const r = gradscope('run', 'examples/rnn.ts', '--json', '--node-limit', '50');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    assert.equal(trace.graph.nodes.length, 50);
    assert.equal(trace.graph.nodes.filter((n) => n.kind === 'param').length, 3);
    assert.ok(trace.graph.omitted && trace.graph.omitted.nodes > 400, JSON.stringify(trace.graph.omitted));
  });
});
