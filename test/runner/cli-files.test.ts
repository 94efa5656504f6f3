// Where a run says things happened: in files whose names a URL would encode (non-ASCII, spaces, `#`, `%`, `?`)
// sites and error locations carry the real path, and tensors made at the same line and column of two files
// keep apart. Through the real command line and worker.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Trace, traceFromJson, TraceNode } from '../../engine/trace';
import { gradscope, marked, repo } from './cli-helpers';

describe('gradscope run: file names a URL would encode', () => {
  let dir: string;
  const fixture = (name: string) => readFileSync(join(repo, 'test', 'fixtures', name), 'utf8');
  /** How the command line names a file in its messages (relative to its working directory, the repo). */
  const shown = (file: string) => relative(repo, file);

  before(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'gradscope-')), 'dir with space');
    mkdirSync(dir);
  });
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('gives every site in --json the real path of its file', () => {
    const model = join(dir, '模型 ✓.ts');
    const helper = join(dir, 'a#b%c?.ts');
    writeFileSync(model, fixture('uses-helper.ts').replace('"./helpers/layer"', '"./a#b%c?"'));
    writeFileSync(helper, fixture('helpers/layer.ts'));
    const r = gradscope('run', model, '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    assert.equal(trace.file, model);
    const files = new Set(trace.graph.nodes.map((n) => n.site?.file));
    assert.deepEqual([...files].sort(), [helper, model].sort());
  });

  it('locates an exception in an imported file at its real path', () => {
    const thrower = join(dir, 'raise #1 %41?.ts');
    writeFileSync(thrower, fixture('throws.ts'));
    writeFileSync(join(dir, 'ünïcode ✓.ts'), 'export { train } from "./raise #1 %41?";\n');
    const r = gradscope('run', join(dir, 'ünïcode ✓.ts'));
    assert.equal(r.code, 1, r.stderr);
    const at = marked('test/fixtures/throws.ts', 'throw', 'new RangeError');
    assert.ok(r.stderr.startsWith(`${shown(thrower)}:${at.line}:${at.column}: RangeError: need at least 4 values`), r.stderr);
  });

  it('locates a syntax error at the real path', () => {
    const model = join(dir, '语法 100%.ts');
    copyFileSync(join(repo, 'test', 'fixtures', 'syntax-error.ts'), model);
    const r = gradscope('run', model);
    assert.equal(r.code, 1, r.stderr);
    const at = marked('test/fixtures/syntax-error.ts', 'syntax', '); //');
    assert.ok(r.stderr.startsWith(`${shown(model)}:${at.line}:${at.column}: syntax error:`), r.stderr);
  });
});

describe('gradscope run: node keys', () => {
  it('keeps apart tensors made at the same line and column of two files', () => {
    const r = gradscope('run', 'test/fixtures/same-position.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    const at = (n: TraceNode) => `${n.site?.line}:${n.site?.column}`;
    const twins = trace.graph.nodes.filter((n) => at(n) === '4:13');
    assert.equal(new Set(twins.map((n) => n.site!.file)).size, 2, 'tensors at 4:13 of the model and of the helper');
    assert.ok(twins.some((n) => n.kind === 'param') && twins.some((n) => n.op === 'mul'));
    assert.equal(new Set(trace.graph.nodes.map((n) => n.key)).size, trace.graph.nodes.length, 'every node has its own key');
    const last = trace.steps[trace.steps.length - 1];
    for (const n of twins.filter((t) => t.grad !== undefined)) assert.equal(last.gradNorms[n.key], n.grad!.norm, `gradient norm of ${n.op} in ${n.site!.file}`);
  });
});
