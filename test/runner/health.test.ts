// Training health (StepSummary.health, Trace.health) on tiny models recorded in-process by the real
// TraceRecorder, against numbers worked out by hand; and the three detectors that read it, on made-up series.
import * as assert from 'node:assert/strict';
import { sgd, tensor } from '../../engine';
import { StepHealth, Trace, traceFromJson, traceToJson } from '../../engine/trace';
import { divergence } from '../../runner/findings/diverging';
import { MAX_ACTIVATIONS, MAX_HISTOGRAM_STEPS, round4 } from '../../runner/health';
import { recordTrace } from '../webview/make-trace';

/** The only entry of a record (a step's health of one parameter or one activation). */
const only = <T>(r: Record<string, T>): T => {
  const values = Object.values(r);
  assert.equal(values.length, 1, JSON.stringify(r));
  return values[0];
};
const health = (t: Trace, step: number): StepHealth => t.steps[step].health!;

describe('training health', () => {
  it('records a plain SGD step: gradient statistics, histogram, and update ratio = lr·std(g)/std(w)', () => {
    const c = tensor([1, -1, 2, 0]);
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    const t = recordTrace(() => {
      w.mul(c).sum().backward(); // the gradient is c
      sgd([w], 0.1);
      w.zeroGrad();
      w.mul(c).sum().backward(); // the run ends with no update after this one
    });
    const p = only(health(t, 0).params);
    // std(w) = sqrt(1.25); the change is -0.1·c, whose std is 0.1·std(c) = 0.1·sqrt(1.25): the ratio is 0.1.
    assert.deepEqual({ ...p, gradHistogram: undefined }, { gradMeanAbs: 1, gradMaxAbs: 2, gradStd: round4(Math.sqrt(1.25)), valueStd: round4(Math.sqrt(1.25)), updateRatio: 0.1, gradHistogram: undefined });
    // |g| = 1, 1 in the bin of 10^0 ((0 + 10) / 0.375 = 26.7), 2 in the next (10^0.301), 0 in the first.
    const expected = new Array<number>(32).fill(0);
    expected[26] = 2;
    expected[27] = 1;
    expected[0] = 1;
    assert.deepEqual(p.gradHistogram, expected);
    assert.equal(only(health(t, 1).params).updateRatio, null);
    const key = Object.keys(health(t, 0).params)[0];
    assert.deepEqual([t.health?.tensors[key].kind, t.health?.tensors[key].op, t.health?.tensors[key].shape], ['param', 'tensor', [4]]);
  });

  it('a parameter with no spread (a zero-initialised bias) has no update ratio', () => {
    const b = tensor([0, 0, 0], { requiresGrad: true });
    const t = recordTrace(() => {
      b.mul(tensor([1, 2, 3])).sum().backward();
      sgd([b], 0.1);
    });
    assert.equal(only(health(t, 0).params).updateRatio, null);
  });

  it('records the saturated fraction of tanh and sigmoid, the dead fraction of relu, and their outputs', () => {
    const input = [[3, -3, 0, 0.1], [5, 0.5, -2.2, 1]]; // tanh: 3, -3, 5, -2.2 are beyond ±0.97 (tanh(2.2) = 0.9757)
    const x = tensor(input, { requiresGrad: true });
    const s = tensor([-4, 4, 0, 3.4], { requiresGrad: true }); // sigmoid: 0.018 and 0.982 saturated, 0.5 and 0.968 not
    const r = tensor([[1, -1, -2], [2, -3, 0.5]], { requiresGrad: true }); // relu: the middle unit is 0 in both rows
    const t = recordTrace(() => x.tanh().sum().add(s.sigmoid().sum()).add(r.relu().sum()).backward());
    const byOp = (op: string) => {
      const key = Object.keys(health(t, 0).activations).find((k) => t.health?.tensors[k].op === op)!;
      return health(t, 0).activations[key];
    };
    const tanh = byOp('tanh');
    const ys = input.flat().map(Math.tanh);
    const mean = ys.reduce((a, b) => a + b) / ys.length;
    const std = Math.sqrt(ys.reduce((a, y) => a + (y - mean) ** 2, 0) / ys.length);
    assert.deepEqual([tanh.saturated, tanh.dead, tanh.mean, tanh.std], [0.5, undefined, round4(mean), round4(std)]);
    assert.deepEqual([tanh.histogram?.lo, tanh.histogram?.hi, tanh.histogram?.counts.reduce((a, b) => a + b)], [-1, 1, 8]);
    assert.equal(tanh.histogram?.counts[31], 2); // tanh(3) and tanh(5), above 1 - 1/16
    assert.equal(byOp('sigmoid').saturated, 0.5);
    assert.deepEqual([byOp('relu').dead, byOp('relu').saturated], [round4(1 / 3), undefined]);
  });

  it('keeps histograms for every step of a short run and at most 128 steps, evenly spread, of a long one', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const run = (steps: number) => () => {
      for (let i = 0; i < steps; i++) {
        w.zeroGrad();
        w.tanh().sum().backward();
        sgd([w], 1e-3);
      }
    };
    const short = recordTrace(run(20));
    assert.deepEqual(short.health?.histogramSteps, [...Array(20).keys()]);
    const long = recordTrace(run(300));
    const kept = long.health!.histogramSteps;
    assert.ok(kept.length <= MAX_HISTOGRAM_STEPS && kept.length > MAX_HISTOGRAM_STEPS / 2, `${kept.length}`);
    assert.deepEqual(kept, kept.map((_, i) => i * long.health!.every));
    for (const s of long.steps) {
      const has = kept.includes(s.index);
      assert.equal(only(s.health!.params).gradHistogram !== undefined, has);
      assert.equal(only(s.health!.activations).histogram !== undefined, has);
    }
  });

  it('records at most 256 nonlinearity outputs a step, and says how many it left out', () => {
    const x = tensor([0.5, -0.5], { requiresGrad: true });
    const t = recordTrace(() => {
      let h = x;
      for (let i = 0; i < 300; i++) h = h.tanh(); // an unrolled tanh chain: 300 outputs in one step
      h.sum().backward();
    });
    assert.equal(Object.keys(health(t, 0).activations).length, MAX_ACTIVATIONS);
    assert.match(t.health?.omitted ?? '', /^44 nonlinearity outputs were left out: a step records at most 256/);
  });

  it('survives JSON, NaN included', () => {
    const w = tensor([1, NaN], { requiresGrad: true });
    const t = recordTrace(() => w.mul(2).sum().backward());
    const back = traceFromJson(traceToJson(t))!;
    assert.ok(Number.isNaN(only(back.steps[0].health!.params).valueStd));
    assert.deepEqual(back.health, t.health);
  });

  it('can be turned off (for the benchmark), leaving the trace as it was', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const t = recordTrace(() => w.tanh().sum().backward(), undefined, undefined, { health: false });
    assert.equal(t.health, undefined);
    assert.equal(t.steps[0].health, undefined);
  });
});

describe('divergence', () => {
  it('starts after the lowest value and needs the growth to last', () => {
    assert.deepEqual(divergence([5, 4, 8, 80, 800, Infinity, NaN]), { start: 2, grown: 4, low: 4, high: 800, broke: 5 });
    assert.equal(divergence([5, 4, 800, 3, 2]), null, 'a spike the run recovers from');
    assert.equal(divergence([1, 1e-6, 1e-3, 1e-4]), null, 'tiny losses growing, but never above the first');
    assert.equal(divergence([1, Infinity]), null, 'straight to Inf: nan-loss says that');
  });
});
