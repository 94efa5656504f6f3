// The Health view's data, shaped in Node from real recorded training runs: parameters in depth order and linked
// to their graph nodes, the flow at a step with the unused parameter marked, a heatmap cell per step and
// parameter, update-ratio lines, and histograms at the step nearest to the one asked for.
import * as assert from 'node:assert/strict';
import { GRAD_HISTOGRAM, Trace } from '../../engine/trace';
import { activationHistograms, flowAt, gradientHistograms, healthModel, heatmapCells, indexOfNode, nearestHistogramStep, ratioSeries } from '../../webview/health/data';
import { sumHistograms } from '../../webview/health/repeats';
import { healthTrainingTrace, recurrentTrainingTrace } from './health-trace';
import { mlpTrace } from './make-trace';

describe('Health view data', () => {
  const trace = healthTrainingTrace(6, 4, { unused: true });
  const model = healthModel(trace)!;

  it('lists the parameters input to output, each linked to its node in the drawn graph', () => {
    assert.deepEqual(
      model.params.map((p) => p.label),
      ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias', 'layers.3.weight', 'layers.3.bias', 'spare.weight', 'spare.bias'],
    );
    for (const p of model.params.slice(0, 8)) {
      const node = trace.graph.nodes.find((n) => n.id === p.node);
      assert.equal(node?.key, p.key);
      assert.equal(node?.kind, 'param');
    }
    // One tanh between each pair of layers, named by the module it ran in and numbered in order.
    assert.equal(model.activations.length, 3);
    assert.deepEqual(model.activations.map((a) => trace.graph.nodes.find((n) => n.id === a.node)?.op), ['tanh', 'tanh', 'tanh']);
    assert.equal(new Set(model.activations.map((a) => a.label)).size, 3);
    assert.equal(model.steps, 6);
  });

  it('gives the flow at a step: mean below max, and no gradient for the parameter the loss never uses', () => {
    const flow = flowAt(trace, model, 5);
    const spare = model.params.findIndex((p) => p.label === 'spare.weight');
    assert.equal(flow.none[spare], true);
    assert.equal(flow.mean[spare], null);
    model.params.slice(0, 8).forEach((_, i) => {
      assert.equal(flow.none[i], false);
      assert.ok(flow.mean[i]! > 0 && flow.mean[i]! <= flow.max[i]!);
    });
    const recorded = trace.steps[5].health!.params[model.params[0].key];
    assert.equal(flow.mean[0], recorded.gradMeanAbs);
  });

  it('puts a heatmap cell at every step of every parameter that got a gradient, on a log scale', () => {
    const grad = heatmapCells(trace, model, 'grad');
    assert.equal(grad.cells.length, 6 * 8);
    const [step, param, log] = grad.cells[0];
    assert.equal(log, Math.log10(trace.steps[step].health!.params[model.params[param].key].gradMeanAbs));
    assert.ok(grad.lo <= log && log <= grad.hi);
    // A run longer than the panel is wide: columns of several steps, each the geometric mean of its steps.
    const binned = heatmapCells(trace, model, 'grad', 2);
    assert.equal(binned.every, 3);
    assert.equal(binned.columns, 2);
    assert.equal(binned.cells.length, 2 * 8);
    const logs = [0, 1, 2].map((s) => Math.log10(trace.steps[s].health!.params[model.params[0].key].gradMeanAbs));
    assert.ok(Math.abs(binned.cells[0][2] - (logs[0] + logs[1] + logs[2]) / 3) < 1e-12);
    const ratio = heatmapCells(trace, model, 'ratio');
    assert.ok(ratio.cells.length > 0 && ratio.cells.every(([, , l]) => l < 0), 'update ratios of an SGD step are well below 1');
  });

  it('draws an update-ratio line per parameter, with no point where nothing was updated', () => {
    const lines = ratioSeries(trace, model);
    assert.equal(lines.length, model.params.length);
    assert.deepEqual(lines[0].map(([step]) => step), [1, 2, 3, 4, 5, 6]);
    const third = trace.steps[2].health!.params[model.params[0].key].updateRatio!;
    assert.ok(Math.abs(lines[0][2][1]! - third) < 1e-12 * third);
    const spare = model.params.findIndex((p) => p.label === 'spare.weight');
    assert.ok(lines[spare].every(([, r]) => r === null));
    // At most 3 points: pairs of steps, each at its middle, their geometric mean.
    const coarse = ratioSeries(trace, model, 3)[0];
    assert.deepEqual(coarse.map(([step]) => step), [1.5, 3.5, 5.5]);
    const [a, b] = [0, 1].map((s) => trace.steps[s].health!.params[model.params[0].key].updateRatio!);
    assert.ok(Math.abs(coarse[0][1]! - Math.sqrt(a * b)) < 1e-12 * a);
  });

  it('shows histograms at the nearest step that has them, as shares of each tensor', () => {
    const sparse: Trace = { ...trace, health: { ...trace.health!, histogramSteps: [0, 4] } };
    assert.equal(nearestHistogramStep(sparse, 1), 0);
    assert.equal(nearestHistogramStep(sparse, 3), 4);
    assert.equal(nearestHistogramStep({ ...trace, health: { ...trace.health!, histogramSteps: [] } }, 3), undefined);
    const acts = activationHistograms(trace, model, 2);
    assert.equal(acts.length, 3);
    for (const line of acts) {
      assert.ok(Math.abs(line.points.reduce((s, [, y]) => s + y, 0) - 1) < 1e-9);
      assert.ok(line.points.every(([x]) => x > -1 && x < 1), 'tanh outputs binned over its range');
    }
    const grads = gradientHistograms(trace, model, 2);
    assert.equal(grads.length, 8, 'the unused parameter has no gradient to count');
    assert.ok(grads[0].points.every(([x]) => x > GRAD_HISTOGRAM.log10Min && x < GRAD_HISTOGRAM.log10Max));
  });

  it('draws a line of code that runs again with the same weights (a loop over time steps) as one activation line', () => {
    const rnn = recurrentTrainingTrace(3, 7);
    const merged = healthModel(rnn)!;
    assert.equal(merged.activations.length, 1);
    const [tanh] = merged.activations;
    assert.match(tanh.label, /^h · tanh ×7 \(health-trace\.ts:\d+\)$/);
    assert.equal(tanh.runs!.keys.length, 7);
    assert.equal(tanh.runs!.nodes.length, 7);
    assert.equal(tanh.node, tanh.runs!.nodes[0], 'a click on the line picks its first run');
    // Selecting any run in the graph finds the line.
    for (const node of tanh.runs!.nodes) assert.equal(indexOfNode(merged.activations, node), 0);
    // Its histogram is the runs' counts summed, then taken as shares (tanh is binned over -1..1: exactly).
    const [line] = activationHistograms(rnn, merged, 2);
    const counts = tanh.runs!.keys.map((k) => rnn.steps[2].health!.activations[k].histogram!.counts);
    const summed = counts[0].map((_, i) => counts.reduce((s, c) => s + c[i], 0));
    const total = summed.reduce((a, b) => a + b, 0);
    assert.equal(total, 7 * 4 * 6, 'every output of every run counted');
    assert.deepEqual(line.points.map(([, y]) => y), summed.map((c) => c / total));
    // A big graph drops the nodes far from the loss: runs left out join their line, whose drawn runs share weights.
    const early = new Set(tanh.runs!.nodes.slice(0, 2));
    const cut: Trace = { ...rnn, graph: { ...rnn.graph, nodes: rnn.graph.nodes.filter((n) => !early.has(n.id)), edges: rnn.graph.edges.filter((e) => !early.has(e.from) && !early.has(e.to)) } };
    const [cutTanh, ...more] = healthModel(cut)!.activations;
    assert.equal(more.length, 0);
    assert.equal(cutTanh.runs!.keys.length, 7);
    assert.deepEqual(cutTanh.runs!.nodes, tanh.runs!.nodes.slice(2));
    // The stack's tanh, one line of code in a loop too, runs another layer each time: one line per layer.
    assert.deepEqual(model.activations.map((a) => a.runs), [undefined, undefined, undefined]);
  });

  it('sums histograms of different ranges on one range, spreading a bin over the bins it overlaps', () => {
    assert.deepEqual(sumHistograms([{ lo: -1, hi: 1, counts: [1, 2] }, { lo: -1, hi: 1, counts: [3, 4] }]), { lo: -1, hi: 1, counts: [4, 6] });
    // [0.5, 1.5) is half in [0, 1) and half in [1, 2); [1.5, 2.5) half in [1, 2) and half in [2, 3).
    const spread = sumHistograms([{ lo: 0, hi: 4, counts: [0, 0, 0, 1] }, { lo: 0.5, hi: 2.5, counts: [4, 2] }]);
    assert.deepEqual(spread, { lo: 0, hi: 4, counts: [2, 3, 1, 1] });
    // A tensor of one value (its min is its max) counts in the bin holding that value.
    assert.deepEqual(sumHistograms([{ lo: 0, hi: 2, counts: [1, 1] }, { lo: 1.5, hi: 1.5, counts: [5, 0] }]).counts, [1, 6]);
  });

  it('has nothing to show for a trace recorded without health', () => {
    const plain = mlpTrace();
    const without: Trace = { ...plain, health: undefined, steps: plain.steps.map(({ health: _, ...s }) => s) };
    assert.equal(healthModel(without), null);
  });
});
