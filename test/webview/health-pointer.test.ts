// What the pointer finds where the Health charts have no shapes to hit: the heatmap cell under a pixel of its one
// image (its tooltip and its click), and the update-ratio line nearest the pointer with the steps its point stands for.
import * as assert from 'node:assert/strict';
import { healthModel, heatmapCells, ratioSeries } from '../../webview/health/data';
import { CellIndex, nearestLine, ratioTip } from '../../webview/health/pointer';
import { healthTrainingTrace } from './health-trace';

describe('Health view pointer', () => {
  const trace = healthTrainingTrace(12, 3);
  const model = healthModel(trace)!;

  it('finds the heatmap cell under a pixel of the plot, with its value, and nothing outside the plot', () => {
    const data = heatmapCells(trace, model, 'grad', 4); // 3 steps a column
    const rows = model.params.length;
    const plot = { x: 100, y: 50, width: 400, height: rows * 10 };
    const index = new CellIndex(data, rows);
    // The third column's second row: x in [300, 400), y in [60, 70).
    const cell = index.cellAt(plot, 350, 65)!;
    assert.deepEqual([cell.column, cell.row], [2, 1]);
    assert.equal(cell.value, data.cells.find(([c, r]) => c === 2 && r === 1)![2]);
    assert.deepEqual([index.cellAt(plot, 100, 50)?.column, index.cellAt(plot, 499, 50 + rows * 10 - 1)?.row], [0, rows - 1]);
    assert.equal(index.cellAt(plot, 99, 65), null);
    assert.equal(index.cellAt(plot, 350, 50 + rows * 10), null);
  });

  it('finds the ratio line nearest the pointer within reach, and says which steps its point stands for', () => {
    const series = ratioSeries(trace, model, 4); // 3 steps a point, at their middle
    // A stand-in for the chart's conversion: 10 px a step, 100 px a decade.
    const toPixel = ([step, ratio]: [number, number]) => [step * 10, -100 * Math.log10(ratio)];
    const [x, ratio] = series[1][2];
    const near = nearestLine(series, [x * 10 + 3, -100 * Math.log10(ratio!) + 2], toPixel)!;
    assert.equal(series[near.line][near.index][1], series[1][2][1]);
    assert.equal(near.index, 2);
    assert.equal(nearestLine(series, [x * 10, -100 * Math.log10(ratio!) + 500], toPixel), null, 'nothing within reach');
    assert.match(ratioTip(model.params[1].label, series[1], 2), new RegExp(`^${model.params[1].label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nsteps 7–9: update ratio \\S+ \\(geometric mean\\)$`));
  });
});
