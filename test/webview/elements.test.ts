// The pure half of the graph view: trace to Cytoscape elements, the numbers colours come from, and the scales.
import * as assert from 'node:assert/strict';
import { StepGraph, Trace, traceFromJson, TraceNode } from '../../engine/trace';
import { statsOf } from '../../runner/stats';
import { colorFor, diffScale, interpolate, logScale, NAN_COLOR, NO_GRAD_COLOR } from '../../webview/colors';
import { changeOf, foldsAround, metricOf, traceToElements } from '../../webview/elements';
import { Fold, foldTree, foldsToOpen, isFold, Item } from '../../webview/folding';
import { chartPoints } from '../../webview/timeline';
import { stripCells, stripImage } from '../../webview/strip';
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

  it('folds module calls and composite ops into boxes, and repeated calls into one "×3" box', () => {
    const t = traceFromJson(gradscope('run', 'test/fixtures/scopes.ts', '--json').stdout)!;
    const tree = foldTree(t.graph);
    const labels = (items: readonly Item[]) => items.map((i) => (isFold(i) ? i.label : t.graph.nodes.find((n) => n.id === i)!.name ?? '?'));
    assert.deepEqual(labels(tree.top).filter((l) => !l.includes('[')).sort(), ['Net', 'l1Loss', 'layerNorm(out, 4)', 'loss', 'mse', 'out.softmax(-1)']);
    const net = tree.top.find((i) => isFold(i) && i.label === 'Net') as Fold;
    assert.ok(labels(net.children).includes('cell · Cell ×3'), labels(net.children).join(', '));
    assert.ok(labels(net.children).includes('body · Sequential'));
    const cells = net.children.find((i) => isFold(i) && i.kind === 'repeat') as Fold;
    assert.equal(cells.repeats, 3);
    // Closed: one box per fold, edges merged; every node is in exactly one drawn element.
    const closed = traceToElements(t.graph, new Set(), tree);
    assert.equal(closed.grouped, true);
    assert.ok(closed.nodes.length <= 8, closed.nodes.map((n) => n.data.label).join(', '));
    assert.equal(closed.drawnId.size, t.graph.nodes.length);
    assert.equal(new Set(closed.edges.map((e) => e.data.id)).size, closed.edges.length);
    // Opening the model and the repeat shows the three calls, each a box; a node's folds open it wherever it is.
    const open = traceToElements(t.graph, new Set([net.id, cells.id]), tree);
    assert.equal(open.nodes.filter((n) => n.data.label === 'cell · Cell').length, 3);
    const y = t.graph.nodes.find((n) => n.name === 'y')!;
    const around = foldsAround(tree, y.id);
    assert.deepEqual(around.map((id) => tree.folds.get(id)!.label), ['Net', 'body · Sequential', 'body.1 · Scale']);
    const shown = traceToElements(t.graph, new Set(around), tree);
    assert.equal(shown.drawnId.get(y.id), `n${y.id}`);
    assert.equal(shown.nodes.find((n) => n.data.node === y.id)?.data.group, around[2], 'drawn in its innermost open fold');
  });

  it('folds the tensors one line of a loop made into one box per line, parameters excepted', () => {
    const n = (id: number, line: number, kind: TraceNode['kind'] = 'op'): TraceNode => ({ ...node(id, 'rnn'), kind, site: { file: '/m/model.ts', line, column: 3, function: 'rnn' } });
    const graph: StepGraph = {
      step: 0,
      nodes: [n(0, 9, 'param'), n(1, 10), n(2, 11), n(3, 10), n(4, 11), n(5, 10), n(6, 11), n(7, 9, 'param'), n(8, 9, 'param')],
      edges: [{ from: 0, to: 1 }, { from: 1, to: 2 }, { from: 2, to: 3 }, { from: 3, to: 4 }, { from: 4, to: 5 }, { from: 5, to: 6 }],
    };
    const tree = foldTree(graph);
    const els = traceToElements(graph, new Set(), tree);
    assert.deepEqual(els.nodes.map((e) => [e.data.kind, e.data.members]), [['param', undefined], ['group', [1, 3, 5]], ['group', [2, 4, 6]], ['param', undefined], ['param', undefined]]);
    assert.deepEqual(els.nodes.filter((e) => e.data.kind === 'group').map((e) => e.data.label), ['add [2] ×3', 'add [2] ×3']);
    // Line 10 feeds line 11 and back (the recurrence): merged edges, no self-loops.
    const [l10, l11] = els.nodes.filter((e) => e.data.kind === 'group').map((e) => e.data.id);
    assert.deepEqual(els.edges.map((e) => [e.data.source, e.data.target]).sort(), [[l10, l11], [l11, l10], ['n0', l10]].sort());
    assert.deepEqual(foldsToOpen(tree, 10).length, 2, 'both fit a screenful: opened for the first view');
    assert.deepEqual(foldsToOpen(tree, 5), [], 'opening either would pass the budget');
  });

  it("names a line's box by its first and last names when they differ (the numbers a loop promoted)", () => {
    const constant = (id: number): TraceNode => ({ ...node(id, 'tensor'), kind: 'const', name: String(id), shape: [], site: { file: '/m/model.ts', line: 12, column: 20, function: '' } });
    const graph: StepGraph = { step: 0, nodes: [1, 2, 3, 4].map(constant), edges: [] };
    const els = traceToElements(graph, new Set(), foldTree(graph));
    assert.deepEqual(els.nodes.map((e) => e.data.label), ['1…4 [] ×4']);
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

describe('repetition strips', () => {
  it('gives each cell the strongest of the repetitions it covers, NaN winning, gaps where none had a gradient', () => {
    assert.deepEqual(stripCells([1, 2, undefined, 4]), [1, 2, undefined, 4]);
    assert.deepEqual(stripCells([1, 5, 2, 3, undefined, undefined], 3), [5, 3, undefined]);
    assert.deepEqual(stripCells([1, Infinity, 2, 3], 2), [NaN, 3]);
    assert.equal(stripCells(Array.from({ length: 600 }, (_, i) => i)).length, 60);
  });

  it('draws one cell per repetition in the colours of the scale', () => {
    const scale = logScale([1e-3, 1]);
    const svg = decodeURIComponent(stripImage([1e-3, 1, undefined], scale).replace('data:image/svg+xml;utf8,', ''));
    assert.deepEqual([...svg.matchAll(/<rect x="\d+" y="0" width="1" height="1" fill="([^"]+)"/g)].map((m) => m[1]), [colorFor(1e-3, scale), colorFor(1, scale), NO_GRAD_COLOR]);
  });

  it('is attached to every folded repetition, one part per repetition', () => {
    const t = traceFromJson(gradscope('run', 'examples/rnn.ts', '--json').stdout)!;
    const els = traceToElements(t.graph, new Set(), foldTree(t.graph));
    const repeated = els.nodes.filter((n) => / ×\d+$/.test(n.data.label));
    assert.ok(repeated.length >= 5, `${repeated.length} folded repetitions`);
    for (const n of repeated) assert.equal(n.data.parts?.length, Number(/×(\d+)$/.exec(n.data.label)![1]), n.data.label);
  });
});
