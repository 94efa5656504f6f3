// The pure half of the graph view: trace to Cytoscape elements, the numbers colours come from, and the scales.
import * as assert from 'node:assert/strict';
import { StepGraph, Trace, traceFromJson, TraceNode } from '../../engine/trace';
import { statsOf } from '../../runner/stats';
import { colorFor, diffScale, interpolate, logScale, NAN_COLOR, NO_GRAD_COLOR } from '../../webview/colors';
import { changeOf, groupOf, metricOf, traceToElements } from '../../webview/elements';
import { chartPoints } from '../../webview/timeline';
import { gradscope } from '../runner/cli-helpers';

const linreg = traceFromJson(gradscope('run', 'examples/linear-regression.ts', '--json').stdout)!;

function node(id: number, fn: string, grad?: number): TraceNode {
  const n: TraceNode = {
    id,
    key: `${id}:1#0`,
    op: 'add',
    shape: [2],
    kind: 'op',
    site: { file: '/m/model.ts', line: id, column: 1, function: fn },
    value: statsOf([1, 2]),
  };
  if (grad !== undefined) n.grad = statsOf([grad, 0]);
  return n;
}

describe('traceToElements', () => {
  it('makes one node per tensor and one edge per dependency, labelled by op and shape', () => {
    const els = traceToElements(linreg.graph);
    assert.equal(els.grouped, false);
    assert.equal(els.nodes.length, linreg.graph.nodes.length);
    assert.equal(els.edges.length, linreg.graph.edges.length);
    // Labelled by name (here the call's source text) and shape; a leaf by the name it is bound to.
    const matmul = els.nodes.find((n) => n.data.node === linreg.graph.nodes.find((t) => t.op === 'matmul')!.id)!;
    assert.equal(matmul.data.label, 'x.matmul(params.w) [100×3]');
    assert.ok(els.nodes.some((n) => n.data.label === 'w [3×3]'), els.nodes.map((n) => n.data.label).join(', '));
    // err.mul(err): two edges between the same pair, both drawn.
    const mul = linreg.graph.nodes.find((n) => n.op === 'mul' && n.site?.line === 14)!;
    assert.equal(els.edges.filter((e) => e.data.target === `n${mul.id}`).length, 2);
  });

  it('groups a big graph by the user function that made each node, merging edges between groups', () => {
    const graph: StepGraph = {
      step: 0,
      nodes: [node(1, 'encoder'), node(2, 'encoder'), node(3, 'decoder'), node(4, 'decoder'), node(5, '')],
      edges: [
        { from: 1, to: 2 },
        { from: 2, to: 3 },
        { from: 1, to: 3 },
        { from: 3, to: 4 },
        { from: 4, to: 5 },
      ],
    };
    const collapsed = traceToElements(graph, new Set(), 3);
    assert.equal(collapsed.grouped, true);
    assert.deepEqual(collapsed.nodes.map((n) => [n.data.label, n.data.count]), [
      ['model.ts: encoder · 2 tensors', 2],
      ['model.ts: decoder · 2 tensors', 2],
      ['model.ts: (top level) · 1 tensors', 1],
    ]);
    const encToDec = collapsed.edges.find((e) => e.data.source === 'g:model.ts: encoder')!;
    assert.deepEqual(encToDec.data.members, [1, 2]);
    assert.equal(collapsed.edges.length, 2);
    const open = traceToElements(graph, new Set(['model.ts: decoder']), 3);
    assert.deepEqual(open.nodes.map((n) => n.data.id), ['g:model.ts: encoder', 'n3', 'n4', 'g:model.ts: (top level)']);
    assert.equal(groupOf(graph.nodes[4]), 'model.ts: (top level)');
  });

  it('opens a function too big to draw whole as one group per call site', () => {
    const n = (id: number, line: number): TraceNode => ({ ...node(id, 'rnn'), site: { file: '/m/model.ts', line, column: 3, function: 'rnn' } });
    const graph: StepGraph = { step: 0, nodes: [n(1, 10), n(2, 11), n(3, 10), n(4, 11), n(5, 10)], edges: [{ from: 1, to: 2 }, { from: 2, to: 3 }, { from: 3, to: 4 }, { from: 4, to: 5 }] };
    const open = traceToElements(graph, new Set(['model.ts: rnn']), 3);
    assert.deepEqual(open.nodes.map((e) => [e.data.id, e.data.label, e.data.members]), [
      ['g:model.ts: rnn:10:3', 'add · line 10 · 3 tensors', [1, 3, 5]],
      ['g:model.ts: rnn:11:3', 'add · line 11 · 2 tensors', [2, 4]],
    ]);
    assert.equal(open.edges.length, 2);
    // Named by what the source calls the site's tensors, when they share one name (not module paths).
    const named = { ...graph, nodes: graph.nodes.map((t) => ({ ...t, name: t.site!.line === 10 ? 'h' : `layers.${t.id}.weight` })) };
    assert.deepEqual(traceToElements(named, new Set(['model.ts: rnn']), 3).nodes.map((e) => e.data.label), ['h · line 10 · 3 tensors', 'add · line 11 · 2 tensors']);
    const site = traceToElements(graph, new Set(['model.ts: rnn', 'model.ts: rnn:11:3']), 3);
    assert.deepEqual(site.nodes.map((e) => e.data.id), ['g:model.ts: rnn:10:3', 'n2', 'n4']);
  });
});

describe('metrics', () => {
  const matmul = linreg.graph.nodes.find((n) => n.op === 'matmul')!;
  const param = linreg.graph.nodes.find((n) => n.kind === 'param')!;

  it('reads the recorded step from node statistics and other steps from per-step norms', () => {
    assert.equal(metricOf(linreg, matmul, 'grad', -1), matmul.grad!.norm);
    assert.equal(metricOf(linreg, matmul, 'grad', 0), linreg.steps[0].gradNorms[matmul.key]);
    assert.equal(metricOf(linreg, param, 'value', 3), linreg.steps[3].paramNorms[param.key]);
    assert.equal(metricOf(linreg, param, 'ratio', 3), linreg.steps[3].gradNorms[param.key]! / linreg.steps[3].paramNorms[param.key]);
    const input = linreg.graph.nodes.find((n) => n.kind === 'input')!;
    assert.equal(metricOf(linreg, input, 'grad', 5), undefined);
  });

  it('gives the change from the previous step as a ratio', () => {
    const r = changeOf(linreg, matmul, 'grad', 1)!;
    assert.equal(r, linreg.steps[1].gradNorms[matmul.key]! / linreg.steps[0].gradNorms[matmul.key]!);
    assert.equal(changeOf(linreg, matmul, 'grad', 0), undefined);
  });
});

describe('colour scales', () => {
  it('maps magnitudes on a log scale from the smallest to the largest', () => {
    const scale = logScale([1e-6, 1e-3, 1, NaN, 0, undefined as unknown as number]);
    assert.deepEqual(scale, { kind: 'log', lo: -6, hi: 0 });
    assert.equal(colorFor(1e-6, scale), '#440154');
    assert.equal(colorFor(1, scale), '#fde725');
    assert.equal(colorFor(1e-3, scale), interpolate(['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'], 0.5));
    assert.equal(colorFor(NaN, scale), NAN_COLOR);
    assert.equal(colorFor(Infinity, scale), NAN_COLOR);
    assert.equal(colorFor(undefined, scale), NO_GRAD_COLOR);
    assert.equal(colorFor(0, scale), NO_GRAD_COLOR);
  });

  it('centres the change scale on "unchanged"', () => {
    const scale = diffScale([0.01, 10, 1]);
    assert.equal(scale.span, 2);
    assert.equal(colorFor(1, scale), '#d1d1d1');
    assert.equal(colorFor(100, scale), '#b2182b');
    assert.equal(colorFor(0.01, scale), '#2166ac');
  });

  it('charts on a log scale, leaving gaps where there is nothing to plot', () => {
    const segments = chartPoints([1, 10, null, 100, NaN], 100, 22);
    assert.equal(segments.length, 2);
    assert.deepEqual(segments[0].split(' ').map((p) => p.split(',').map(Number)), [[0, 20], [25, 11]]);
    assert.deepEqual(segments[1].split(' ').map((p) => p.split(',').map(Number)), [[75, 2]]);
  });
});
