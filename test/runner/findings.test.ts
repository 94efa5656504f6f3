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

  it('a healthy model has none', () => {
    assert.deepEqual(trace('test/fixtures/uses-helper.ts').findings, []);
  });
});
