// What a run records, through the real command line: a forward-only loop runs in bounded memory, and `--steps`
// asked for more than a run has says what it drew instead.
import * as assert from 'node:assert/strict';
import type { Trace } from '../../engine/trace';
import { gradscope } from './cli-helpers';

const json = (...args: string[]): { trace: Trace; stderr: string } => {
  const r = gradscope('run', ...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return { trace: JSON.parse(r.stdout) as Trace, stderr: r.stderr };
};

describe('gradscope run: what is recorded', () => {
  it('runs a forward-only loop that makes 2 GB of tensors under --memory 256 (the recorder holds only the latest)', () => {
    const { trace } = json('test/fixtures/forward-only-loop.ts', '--memory', '256');
    assert.equal(trace.steps.length, 0);
    assert.equal(trace.graph.step, -1);
    assert.ok(trace.graph.nodes.length > 0);
  });

  it('draws the last step, with a warning, when --steps asks for a step past the end', () => {
    const { trace, stderr } = json('examples/unused-parameter.ts', '--steps', '500');
    assert.equal(trace.steps.length, 50);
    assert.equal(trace.graph.step, 49);
    assert.ok(trace.graph.nodes.length > 0);
    const warning = '--steps 500: the run has 50 steps (indices 0 to 49), so there is no step 500; the graph is of the last step, 49';
    assert.deepEqual(trace.warnings, [warning]);
    assert.match(stderr, new RegExp(`gradscope: warning: ${warning.replace(/[()]/g, '\\$&')}`));
    const summary = gradscope('run', 'examples/unused-parameter.ts', '--steps', '500');
    assert.equal(summary.code, 0, summary.stderr);
    assert.ok(summary.stdout.includes(`warning: ${warning}`), summary.stdout);
  });

  it('keeps at most 50 graphs with --steps all over a long run: the first, the last, spread between, and says so', () => {
    const { trace } = json('examples/linear-regression.ts', '--steps', 'all');
    assert.equal(trace.steps.length, 101);
    const drawn = [...(trace.history ?? []), trace.graph].map((g) => g.step);
    assert.ok(drawn.length <= 51 && drawn.length >= 25, `${drawn.length} graphs`);
    assert.equal(drawn[0], 0);
    assert.equal(drawn[drawn.length - 1], 100);
    assert.ok(drawn.every((s, i) => i === 0 || s > drawn[i - 1]));
    assert.ok(trace.sampled, 'the trace says the graphs were sampled');
    assert.deepEqual(drawn.slice(0, -1), drawn.slice(0, -1).filter((s) => s % trace.sampled!.every === 0));
    assert.equal(trace.warnings, undefined);
  });
});
