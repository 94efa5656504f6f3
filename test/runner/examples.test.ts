// The examples a newcomer opens first: each runs through the real command line, its findings are the ones it
// was written to show, and every recorded op points exactly (line and column) at the call that made it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Finding, Trace, traceFromJson, TraceNode } from '../../engine/trace';
import { gradscope, repo } from './cli-helpers';

function run(example: string): { trace: Trace; stderr: string } {
  const r = gradscope('run', `examples/${example}`, '--json');
  assert.equal(r.code, 0, r.stderr);
  return { trace: traceFromJson(r.stdout)!, stderr: r.stderr };
}

/** Line (1-based) of the first line of an example that contains `text`. */
function lineOf(example: string, text: string): number {
  const lines = readFileSync(join(repo, 'examples', example), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `"${text}" not in ${example}`);
  return i + 1;
}

// Engine calls that make tensors of another op name: composites, and factories that make leaves.
const MAKES: Record<string, string[]> = {
  mean: ['sum', 'div', 'tensor'],
  mse: ['sub', 'mul', 'sum', 'div', 'tensor'],
  crossEntropy: ['logSoftmax', 'mul', 'sum', 'div', 'tensor'],
  stack: ['reshape', 'concat'],
};
const LEAF_MAKERS = ['tensor', 'zeros', 'ones', 'full', 'arange', 'randn', 'rand', 'randint', 'detach'];

/** The identifier a node's site points at must be the call that makes that op, starting exactly at the column. */
function checkSite(node: TraceNode, source: string[]): void {
  assert.ok(node.site, `${node.op} #${node.id} has no site`);
  const text = source[node.site.line - 1];
  const before = text[node.site.column - 2] ?? ' ';
  const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(node.site.column - 1))?.[0] ?? '';
  const where = `${node.op} at ${node.site.line}:${node.site.column} ("${text.trim()}")`;
  assert.ok(!/[\w$]/.test(before), `${where}: the column is inside an identifier`);
  const ok = word === node.op || MAKES[word]?.includes(node.op) || (node.op === 'tensor' && (LEAF_MAKERS.includes(word) || node.kind === 'const'));
  assert.ok(ok, `${where}: points at "${word}"`);
}

const EXAMPLES = ['linear-regression.ts', 'mlp-spirals.ts', 'vanishing-sigmoid.ts', 'unused-parameter.ts', 'nan.ts', 'rnn.ts'];
const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
/** The findings a healthy training run must not get: the ones read from its training health. */
const healthFindings = (trace: Trace) => trace.findings.filter((f) => ['diverging', 'saturated', 'update-ratio'].includes(f.kind));

describe('examples', () => {
  const traces = new Map<string, { trace: Trace; stderr: string }>();
  const get = (example: string) => {
    if (!traces.has(example)) traces.set(example, run(example));
    return traces.get(example)!;
  };

  for (const example of EXAMPLES) {
    it(`${example}: every op's site is the exact call that made it`, () => {
      const { trace } = get(example);
      const source = readFileSync(join(repo, 'examples', example), 'utf8').split('\n');
      assert.ok(trace.graph.nodes.length > 0);
      for (const node of trace.graph.nodes) {
        assert.equal(node.site?.file, join(repo, 'examples', example));
        checkSite(node, source);
      }
    });
  }

  it('linear-regression.ts converges with no findings', () => {
    const { trace } = get('linear-regression.ts');
    assert.deepEqual(trace.findings, []);
    assert.ok(trace.steps[0].loss! / trace.steps[100].loss! >= 1e4);
  });

  it('mlp-spirals.ts learns the spirals with Adam', () => {
    const { trace, stderr } = get('mlp-spirals.ts');
    assert.deepEqual(errorsOf(trace.findings), []);
    const accuracy = Number(/training accuracy: ([\d.]+)%/.exec(stderr)?.[1]);
    assert.ok(accuracy >= 95, stderr);
    assert.ok(trace.steps[trace.steps.length - 1].loss! < trace.steps[0].loss! / 10);
    assert.deepEqual(healthFindings(trace), []);
  });

  it('cnn-digits.ts reads real digits with nn layers, learns them, and names each layer\'s weights by its path', () => {
    const { trace, stderr } = get('cnn-digits.ts');
    assert.deepEqual(errorsOf(trace.findings), []);
    const accuracy = Number(/test accuracy: ([\d.]+)% on 297 digits/.exec(stderr)?.[1]);
    assert.ok(accuracy >= 85, stderr);
    assert.ok(trace.steps[trace.steps.length - 1].loss! < trace.steps[0].loss! / 10);
    assert.deepEqual(healthFindings(trace), []);
    const params = trace.graph.nodes.filter((n) => n.kind === 'param').map((n) => n.name);
    assert.deepEqual(params, ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc.weight', 'fc.bias']);
    // A layer's tensors are recorded at the user's call of the layer.
    const conv = trace.graph.nodes.find((n) => n.op === 'conv2d' && n.name === 'this.conv1.forward(x)');
    assert.equal(conv?.site?.line, lineOf('cnn-digits.ts', 'this.conv1.forward(x)'));
  });

  it('char-gpt.ts learns the sonnets well below the uniform baseline, with no findings, weights named by path', () => {
    const { trace, stderr } = get('char-gpt.ts');
    // No findings at all: the causal mask fills with -1e9, not -Infinity (no Inf to report), every parameter
    // reaches the loss, the residual stream and LayerNorms keep every layer's gradient in scale (neither
    // vanishing nor exploding), and GELU has no dead units to report.
    assert.deepEqual(trace.findings, []);
    const baseline = Math.log(new Set(readFileSync(join(repo, 'examples/data/sonnets.txt'), 'utf8')).size);
    assert.match(stderr, new RegExp(`ln\\(vocab\\) = ${baseline.toFixed(3)}`));
    const losses = trace.steps.map((s) => s.loss!);
    assert.equal(losses.length, 250);
    const lastTwenty = losses.slice(-20).reduce((a, b) => a + b) / 20;
    // It starts near uniform guessing and ends at most 60% of it.
    assert.ok(losses[0] > 0.95 * baseline, `first ${losses[0]} vs ln(vocab) ${baseline}`);
    assert.ok(losses[losses.length - 1] <= 0.6 * baseline && lastTwenty <= 0.6 * baseline, `${losses[0]} -> ${lastTwenty} (mean of the last 20) vs ${baseline}`);
    const block = (i: number) =>
      ['ln1', 'attn.qkv', 'attn.proj', 'ln2', 'mlp.0', 'mlp.2'].flatMap((m) => [`blocks.${i}.${m}.weight`, `blocks.${i}.${m}.bias`]);
    const params = trace.graph.nodes.filter((n) => n.kind === 'param').map((n) => n.name);
    const expected = ['tokenEmbedding.weight', 'positionEmbedding.weight', ...block(0), ...block(1), 'lnFinal.weight', 'lnFinal.bias', 'head.weight', 'head.bias'];
    assert.deepEqual(params, expected);
    // The attention ops of both blocks are recorded at the example's own lines, one key per block.
    for (const [op, text] of [['matmul', 'q.matmul(k.permute('], ['maskedFill', '.maskedFill('], ['softmax', '.softmax(-1)'], ['matmul', 'weights.matmul(v)']]) {
      const line = lineOf('char-gpt.ts', text);
      const nodes = trace.graph.nodes.filter((n) => n.op === op && n.site?.line === line);
      assert.equal(nodes.length, 2, `${op} at line ${line}`);
      assert.equal(new Set(nodes.map((n) => n.key)).size, 2);
    }
  });

  it('deep-mlp.ts: the plain 20-layer stack has vanishing gradients at its layers, the residual one not', () => {
    const { trace } = get('deep-mlp.ts');
    const lines = readFileSync(join(repo, 'examples/deep-mlp.ts'), 'utf8').split('\n');
    const [plainLine, residualLine] = lines.flatMap((l, i) => (l.includes('new nn.ModuleList(') ? [i + 1] : []));
    const vanishing = trace.findings.filter((f) => f.kind === 'vanishing');
    assert.ok(vanishing.some((f) => f.site?.line === plainLine), JSON.stringify(trace.findings));
    assert.ok(!vanishing.some((f) => f.site?.line === residualLine), JSON.stringify(trace.findings));
    const first = trace.graph.nodes.find((n) => n.name === 'plain.layers.0.weight');
    assert.ok(first && vanishing.some((f) => f.key === first.key || f.site?.line === first.site?.line));
    // The message names the layers by their module paths, the first layer first.
    assert.ok(vanishing.some((f) => f.message.includes('parameters made here (`plain.layers.0.weight`')), JSON.stringify(vanishing));
  });

  it('vanishing-sigmoid.ts warns that the first layers barely learn, at the line that made them', () => {
    const { trace } = get('vanishing-sigmoid.ts');
    const vanishing = trace.findings.filter((f) => f.kind === 'vanishing');
    assert.ok(vanishing.length >= 1, JSON.stringify(trace.findings));
    const weights = vanishing.find((f) => f.site?.line === lineOf('vanishing-sigmoid.ts', 'w: randn('));
    assert.ok(weights, JSON.stringify(vanishing));
    assert.match(weights.message, /vanishing gradient: \d of the 8 parameters made here \(`w`\) get/);
    // The head, last in the chain, learns: it is not flagged.
    assert.ok(!vanishing.some((f) => f.site?.line === lineOf('vanishing-sigmoid.ts', 'const head')));
  });

  it('unused-parameter.ts points at the parameter that gets no gradient', () => {
    const { trace } = get('unused-parameter.ts');
    assert.equal(trace.findings.length, 1);
    const [f] = trace.findings;
    assert.equal(f.kind, 'unused-param');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^parameter `scale` \[1\] received no gradient/);
    const line = lineOf('unused-parameter.ts', 'const scale');
    assert.deepEqual([f.site?.line, f.site?.column], [line, readFileSync(join(repo, 'examples/unused-parameter.ts'), 'utf8').split('\n')[line - 1].indexOf('tensor(') + 1]);
  });

  it('nan.ts finds the log where NaN starts, not the loss where it shows', () => {
    const { trace } = get('nan.ts');
    const origin = trace.findings.find((f) => f.kind === 'nan-forward');
    assert.ok(origin, JSON.stringify(trace.findings));
    assert.equal(origin.site?.line, lineOf('nan.ts', 'prediction.log()'));
    assert.equal(trace.graph.nodes.find((n) => n.id === origin.node)?.op, 'log');
    assert.ok(trace.findings.some((f) => f.kind === 'nan-loss' && f.step === 0));
    assert.ok(!trace.findings.some((f) => f.kind === 'nan-backward'), 'NaN from the forward pass is not a backward origin');
  });

  it('rnn.ts unrolls 30 time steps with one key per time step, and learns', () => {
    const { trace } = get('rnn.ts');
    assert.deepEqual(errorsOf(trace.findings), []);
    const tanh = trace.graph.nodes.filter((n) => n.op === 'tanh');
    assert.equal(tanh.length, 30);
    assert.equal(new Set(tanh.map((n) => n.key)).size, 30);
    const first = trace.steps[0].loss!;
    const last = trace.steps[trace.steps.length - 1].loss!;
    assert.ok(last < first / 5, `${first} -> ${last}`);
    // The shared recurrent weight is a single node with 30 uses.
    const wh = trace.graph.nodes.filter((n) => n.kind === 'param' && n.shape.join() === '12,12');
    assert.equal(wh.length, 1);
    assert.equal(trace.graph.edges.filter((e) => e.from === wh[0].id).length, 30);
  });
});

describe('a model split over files', () => {
  it('records ops at the helper file line that called them', () => {
    const r = gradscope('run', 'test/fixtures/uses-helper.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    const tanh = trace.graph.nodes.find((n) => n.op === 'tanh')!;
    assert.equal(tanh.site?.file, join(repo, 'test/fixtures/helpers/layer.ts'));
    assert.equal(tanh.site?.function, 'dense');
    assert.deepEqual([tanh.site?.line, tanh.site?.column], [5, 22]);
  });
});
