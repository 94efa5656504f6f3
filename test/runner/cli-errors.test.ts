// Errors the command line must name for what they are and place: values thrown that are not Errors, an error
// deep inside nn.Sequential, a directory or a missing file given as the model, numeric flags out of range and a
// report that could not be written, all refused before the run (exit 2). Through the real command line and
// worker; the located failures of single fixtures are in the table of cli.test.ts.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gradscope, marked, repo } from './cli-helpers';

describe('gradscope run: where what the model threw is placed', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gradscope-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** test/fixtures/throws-value.ts, throwing `value` instead. */
  const throwing = (name: string, value: string) => {
    const text = readFileSync(join(repo, 'test', 'fixtures', 'throws-value.ts'), 'utf8').replace('throw { code: 42 }', `throw ${value}`);
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  for (const [value, shown] of [['"x"', "'x'"], ['undefined', 'undefined']]) {
    it(`shows throw ${value} as ${shown}, at the last call before it`, () => {
      const file = throwing(`throws-${value.replace(/\W/g, '')}.ts`, value);
      const r = gradscope('run', file);
      assert.equal(r.code, 1, r.stderr);
      const at = marked('test/fixtures/throws-value.ts', 'last op', 'mul(');
      assert.equal(r.stderr, `${relative(repo, file)}:${at.line}:${at.column}: threw ${shown} (not an Error, so no stack: located at the last call before it)\n`);
    });
  }

  it('places a thrown value at the last call made before it, though that call made no tensor', () => {
    const file = join(dir, 'after-step.ts');
    const lines = ['import { randn, sgd } from "gradscope";', 'export function train() {', '  const x = randn([4], { requiresGrad: true });', '  x.mul(2).sum().backward();', '  sgd([x], 0.1);', '  throw "stop";', '}', ''];
    writeFileSync(file, lines.join('\n'));
    const r = gradscope('run', file);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `${relative(repo, file)}:5:3: threw 'stop' (not an Error, so no stack: located at the last call before it)\n`);
  });

  it('locates an error thrown deep inside nn.Sequential at the line that called it', () => {
    const file = join(dir, 'deep.ts');
    const lines = ['import { nn, randn } from "gradscope";', 'const net = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU());', 'export function train() {', '  const scaled = randn([16, 4]).mul(2);', '  return net.forward(scaled);', '}', ''];
    writeFileSync(file, lines.join('\n'));
    const r = gradscope('run', file);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^${relative(repo, file).replace(/[.]/g, '\\.')}:5:14: ShapeError: Linear\\(6, 8\\): input of shape \\[16, 4\\] does not end in 6 features\n`));
  });

  it('says so when nothing called the engine before the throw', () => {
    const file = join(dir, 'early.ts');
    writeFileSync(file, 'export function train() {\n  throw ["not", "an", "error"];\n}\n');
    const r = gradscope('run', file);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `${relative(repo, file)}:1:1: threw [ 'not', 'an', 'error' ] (not an Error, so no stack: located at the top of the model file)\n`);
  });
});

describe('gradscope run: what is refused before the run (exit 2)', () => {
  const refused = (args: string[], says: RegExp) => {
    const started = Date.now();
    const r = gradscope('run', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0], says);
    assert.equal(r.stdout, '');
    assert.ok(Date.now() - started < 2500, `${args.join(' ')} ran the model first`);
  };

  it('a directory or a missing file as the model', () => {
    refused(['test/fixtures'], /^test\/fixtures is a directory: give the model's \.ts file to run$/);
    refused(['test/fixtures/nope.ts'], new RegExp(`^test/fixtures/nope\\.ts: no such file \\(looked for ${join(repo, 'test/fixtures/nope.ts')}\\)$`));
  });

  it('numeric flags that are not whole numbers in range', () => {
    const loop = 'test/fixtures/infinite-loop.ts';
    refused([loop, '--timeout', String(2 ** 31)], /^gradscope: --timeout takes a whole number of milliseconds from 1 to 2147483647, got 2147483648$/);
    refused([loop, '--timeout', '1500.5'], /^gradscope: --timeout takes a whole number of milliseconds/);
    refused([loop, '--memory', '0.5'], /^gradscope: --memory takes a whole number of MB from 1 to/);
    refused([loop, '--heap', '8'], /^gradscope: --heap takes a whole number of MB from 16 to/);
    refused([loop, '--node-limit', '2.5'], /^gradscope: --node-limit takes a whole number of nodes from 1 to/);
  });

  it('an HTML report into a folder that does not exist, or onto a folder', () => {
    const loop = ['test/fixtures/infinite-loop.ts', '--timeout', '3000'];
    refused([...loop, '--html', 'no/such/folder/report.html'], /^gradscope: --html no\/such\/folder\/report\.html: the folder .*no\/such\/folder does not exist$/);
    refused([...loop, '--html', 'test'], /^gradscope: --html test is a directory: give the report's file name$/);
  });
});
