// Where a run says things happened: in files whose names a URL would encode (non-ASCII, spaces, `#`, `%`, `?`)
// sites and error locations carry the real path, and tensors made at the same line and column of two files
// keep apart. Through the real command line and worker.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Trace, TraceNode } from '../../engine/trace';
import { gradscope, marked, repo } from './cli-helpers';

describe('gradscope run: file names a URL would encode', () => {
  let dir: string;
  const helper = 'a#b%c?.ts';
  /** `test/fixtures/paths/<name>` copied into the temporary folder as `as`, importing the helper by its odd name. */
  const copy = (name: string, as: string) => {
    const text = readFileSync(join(repo, 'test', 'fixtures', 'paths', name), 'utf8');
    writeFileSync(join(dir, as), text.replace('from "./helper"', `from "./${helper.replace(/\.ts$/, '')}"`));
    return join(dir, as);
  };
  /** How the command line names a file in its messages (relative to its working directory, the repo). */
  const shown = (file: string) => relative(repo, file);

  before(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'gradscope-')), 'dir with space');
    mkdirSync(dir);
    copy('helper.ts', helper);
  });
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('gives every site in --json the real path of its file', () => {
    const model = copy('model.ts', '模型 ✓.ts');
    const r = gradscope('run', model, '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = JSON.parse(r.stdout) as Trace;
    assert.equal(trace.file, model);
    const files = new Set(trace.graph.nodes.map((n) => n.site?.file));
    assert.deepEqual([...files].sort(), [join(dir, helper), model].sort());
    for (const f of files) assert.ok(existsSync(f!), f);
  });

  it('locates an exception in an imported helper at its real path', () => {
    const r = gradscope('run', copy('throws.ts', 'raise ✓ #1.ts'));
    assert.equal(r.code, 1, r.stderr);
    const at = marked('test/fixtures/paths/helper.ts', 'check', 'new RangeError');
    assert.ok(r.stderr.startsWith(`${shown(join(dir, helper))}:${at.line}:${at.column}: RangeError: expected at most 2 rows`), r.stderr);
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
    const trace = JSON.parse(r.stdout) as Trace;
    const at = (n: TraceNode) => `${n.site?.line}:${n.site?.column}`;
    const twins = trace.graph.nodes.filter((n) => at(n) === '4:13');
    assert.equal(new Set(twins.map((n) => n.site!.file)).size, 2, 'tensors at 4:13 of the model and of the helper');
    assert.ok(twins.some((n) => n.kind === 'param') && twins.some((n) => n.op === 'mul'));
    assert.equal(new Set(trace.graph.nodes.map((n) => n.key)).size, trace.graph.nodes.length, 'every node has its own key');
    const last = trace.steps[trace.steps.length - 1];
    for (const n of twins.filter((t) => t.grad !== undefined)) assert.equal(last.gradNorms[n.key], n.grad!.norm, `gradient norm of ${n.op} in ${n.site!.file}`);
  });
});
