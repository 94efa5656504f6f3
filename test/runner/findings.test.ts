// Findings the examples do not show, each from a small model through the real command line.
import * as assert from 'node:assert/strict';
import { Finding, FindingKind, Severity, Trace, traceFromJson } from '../../engine/trace';
import { gradscope, marked } from './cli-helpers';

function trace(file: string): Trace {
  const r = gradscope('run', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  return traceFromJson(r.stdout)!;
}

/** Runs a fixture and returns its finding of `kind`, checked to have `severity` and to sit at the marked call. */
function findingIn(file: string, kind: FindingKind, severity: Severity, at: { marker: string; token: string }): { t: Trace; f: Finding } {
  const t = trace(file);
  const f = t.findings.find((x) => x.kind === kind);
  assert.ok(f, JSON.stringify(t.findings));
  assert.equal(f.severity, severity);
  assert.deepEqual([f.site?.line, f.site?.column], Object.values(marked(file, at.marker, at.token)));
  return { t, f };
}

describe('findings', () => {
  it('flags an exploding gradient at the parameter, with its growth', () => {
    const { t, f } = findingIn('test/fixtures/exploding.ts', 'exploding', 'warning', { marker: 'param', token: 'randn(' });
    assert.match(f.message, /exploding gradient: parameter `w` \[3, 1\] has gradient norm .*x its first step's/);
    const norms = t.steps.map((s) => s.gradNorms[f.key!] ?? NaN);
    assert.ok(norms[norms.length - 1] > 1e3 * norms[0]);
  });

  it('flags dead ReLU units, counting them', () => {
    const { t, f } = findingIn('test/fixtures/dead-relu.ts', 'dead-relu', 'info', { marker: 'relu', token: 'relu(' });
    assert.match(f.message, /dead ReLU `h` \[32, 8\]: 4 of 8 units are zero for the whole batch of 32/);
    assert.equal(t.graph.nodes.find((n) => n.id === f.node)?.op, 'relu');
  });

  it('finds where NaN/Inf starts in the backward pass', () => {
    const { t, f } = findingIn('test/fixtures/sqrt-zero.ts', 'nan-backward', 'error', { marker: 'sqrt', token: 'sqrt(' });
    assert.equal(t.findings.length, 1, JSON.stringify(t.findings));
    assert.match(f.message, /the gradient of `w\.sqrt\(\)` \[3\] turned a finite gradient into 1 Inf for its input `w` \[3\]/);
  });

  it('flags a diverging loss at the step it started, before it becomes Inf', () => {
    const { t, f } = findingIn('test/fixtures/diverging.ts', 'diverging', 'warning', { marker: 'loss', token: 'mean(' });
    const broke = t.steps.findIndex((s) => !Number.isFinite(s.loss));
    assert.ok(broke > 0 && f.step !== undefined && f.step < broke, `diverging at ${f.step}, Inf at ${broke}`);
    assert.match(f.message, /^diverging: the loss grows from step 2: .* at step 1, .*; from step \d+ it is NaN or Inf: lower the learning rate/);
  });

  it('flags a saturated tanh layer, with the fraction and the steps', () => {
    const { t, f } = findingIn('test/fixtures/saturated.ts', 'saturated', 'warning', { marker: 'tanh', token: 'tanh(' });
    assert.match(f.message, /^saturated tanh `h` \[64, 32\]: \d+% (to \d+% )?of its outputs are beyond ±0.97 in 20 of 20 steps \(steps 1–20\)/);
    assert.ok(t.steps.every((s) => Object.values(s.health!.activations)[0].saturated! > 0.5));
  });

  it('flags a learning rate far too small by the update ratio', () => {
    const { f } = findingIn('test/fixtures/tiny-lr.ts', 'update-ratio', 'warning', { marker: 'param', token: 'randn(' });
    assert.match(f.message, /^update ratio too low: parameter `w` \[4, 1\] changes by .* below 1.0e-5 in 30 of 30 steps.*raise the learning rate$/);
  });

  it('a 10,000-step run of the MLP example writes under 20 MB of JSON, with no health findings', function () {
    this.timeout(300_000);
    const r = gradscope('run', 'test/fixtures/spirals-10k.ts', '--json', '--timeout', '300000');
    assert.equal(r.code, 0, r.stderr);
    const t = traceFromJson(r.stdout)!;
    assert.equal(t.steps.length, 10_200);
    assert.ok(r.stdout.length < 20e6, `${(r.stdout.length / 1e6).toFixed(1)} MB`);
    assert.ok(t.health !== undefined && t.health.histogramSteps.length <= 128 && t.steps.every((s) => s.health !== undefined));
    assert.deepEqual(t.findings, []);
  });

  it('a healthy model has none', () => {
    assert.deepEqual(trace('test/fixtures/uses-helper.ts').findings, []);
  });
});
