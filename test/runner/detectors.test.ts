// Each detector on a small run recorded in-process by the real TraceRecorder, given only that detector; and the
// recorder's side of the contract (hooks, mustKeep, list order). Findings through the command line and the
// examples are in findings.test.ts and examples.test.ts.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { manualSeed, nn, noGrad, randn, tensor, Tensor } from '../../engine';
import { namesText, tensorText } from '../../engine/format';
import type { Finding, Trace } from '../../engine/trace';
import { createDetectors, Detector } from '../../runner/findings';
import { deadRelu } from '../../runner/findings/dead-relu';
import { finding } from '../../runner/findings/detector';
import { exploding } from '../../runner/findings/exploding';
import { nanOrigin } from '../../runner/findings/nan-origin';
import { unusedParam } from '../../runner/findings/unused-param';
import { vanishing } from '../../runner/findings/vanishing';
import { recordTrace } from '../webview/make-trace';

/** The findings of `detector` alone about `run`, and the trace they are about. */
function detect(detector: Detector, run: () => unknown, nodeLimit?: number): { findings: Finding[]; trace: Trace } {
  const trace = recordTrace(run, nodeLimit, [detector]);
  return { findings: trace.findings, trace };
}

/** The source line a finding points at (sites map through this test bundle's source map to this file). */
function lineAt(f: Finding): string {
  assert.ok(f.site, `${f.kind} has no site`);
  return readFileSync(f.site.file, 'utf8').split('\n')[f.site.line - 1];
}

const opOf = (trace: Trace, f: Finding) => trace.graph.nodes.find((n) => n.id === f.node)?.op;

describe('detectors', () => {
  describe('nan-origin', () => {
    it('points at the op that made NaN from finite inputs, and at the loss that stopped being finite', () => {
      const x = tensor([1, -1, 2]);
      const { findings, trace } = detect(nanOrigin(), () => {
        const w = tensor([1, 1, 1], { requiresGrad: true });
        w.mul(x).log().sum().backward(); // nan: log
      });
      assert.deepEqual(findings.map((f) => [f.kind, f.severity, f.step, f.message]), [
        ['nan-loss', 'error', 0, 'loss became NaN at step 1 of 1'],
        ['nan-forward', 'error', 0, 'NaN starts here: `w.mul(x).log()` [3] produced 1 NaN from finite inputs'],
      ]);
      assert.equal(opOf(trace, findings[0]), 'sum');
      assert.equal(opOf(trace, findings[1]), 'log');
      assert.match(lineAt(findings[1]), /\/\/ nan: log/);
    });

    it('blames data that holds NaN when no op made it', () => {
      const { findings } = detect(nanOrigin(), () => {
        const x = tensor([1, NaN]);
        tensor([1, 1], { requiresGrad: true }).mul(x).sum().backward();
      });
      assert.equal(findings.find((f) => f.kind === 'nan-forward')?.message, 'NaN starts here: this input `x` [2] holds 1 NaN');
    });

    it('points at data made before the training loop when a later batch brings its bad row in, counting NaN and Inf', () => {
      const { findings, trace } = detect(nanOrigin(), () => {
        const data = tensor(Array.from({ length: 8 }, (_, r) => (r === 5 ? [NaN, Infinity] : [r, 1]))); // bad row
        const w = tensor([[0.1], [0.1]], { requiresGrad: true });
        for (let b = 0; b < 4; b++) data.slice([2 * b], [2 * b + 2]).matmul(w).sum().backward();
      });
      assert.deepEqual(findings.map((f) => [f.kind, f.step, f.message]), [
        ['nan-loss', 2, 'loss became NaN at step 3 of 4'],
        ['nan-forward', 2, 'NaN and Inf start here: this input `data` [8, 2] holds 1 NaN, 1 Inf'],
      ]);
      assert.equal(opOf(trace, findings[1]), 'tensor');
      assert.match(lineAt(findings[1]), /\/\/ bad row/);
    });

    it('names Inf as Inf: a loss that overflowed', () => {
      const { findings } = detect(nanOrigin(), () => {
        const w = tensor([1e200, 1], { requiresGrad: true });
        w.mul(w).sum().backward(); // overflow
      });
      assert.deepEqual(findings.map((f) => f.message), ['loss became Inf at step 1 of 1', 'Inf starts here: `w.mul(w)` [2] produced 1 Inf from finite inputs']);
    });

    it('finds an origin made long before the end of a forward-only run, though the recorder no longer holds it', () => {
      const { findings } = detect(nanOrigin(), () => {
        let total = 0;
        for (let i = 0; i < 200; i++) {
          const h = tensor([1, i === 3 ? -1 : 1, 2]).log(); // nan: early
          total += h.sum().item();
        }
        return total;
      }, 10);
      const f = findings.find((x) => x.kind === 'nan-forward');
      assert.ok(f, JSON.stringify(findings));
      assert.equal(f.message, 'NaN starts here: log `h` [3] produced 1 NaN from finite inputs');
      assert.match(lineAt(f), /\/\/ nan: early/);
    });

    it('points at the gradient rule that made Inf from a finite gradient, and keeps it in the graph over the node limit', () => {
      const { findings, trace } = detect(nanOrigin(), () => {
        const w = tensor([0, 1, 4], { requiresGrad: true });
        w.mul(1).sqrt().mul(2).sum().backward();
      }, 2);
      assert.ok(trace.graph.omitted, 'the node limit dropped nodes');
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const [f] = findings;
      assert.deepEqual([f.kind, f.step], ['nan-backward', 0]);
      assert.equal(f.message, 'Inf starts in backward here: the gradient of `w.mul(1).sqrt()` [3] turned a finite gradient into 1 Inf for its input `w.mul(1)` [3]');
      assert.equal(opOf(trace, f), 'sqrt');
      assert.ok(trace.graph.nodes.some((n) => n.op === 'mul' && n.shape[0] === 3 && trace.graph.edges.some((e) => e.from === n.id && e.to === f.node)));
    });

    it('keeps the origin in a forward-only graph over the node limit (no backward ran)', () => {
      const { findings, trace } = detect(nanOrigin(), () => {
        let h = tensor([1, -1, 2]).log(); // nan: forward only
        for (let i = 0; i < 20; i++) h = h.add(1);
        return h;
      }, 5);
      assert.ok(trace.graph.omitted, 'the node limit dropped nodes');
      const f = findings.find((x) => x.kind === 'nan-forward');
      assert.ok(f, JSON.stringify(findings));
      assert.equal(opOf(trace, f), 'log');
      assert.match(lineAt(f), /\/\/ nan: forward only/);
    });

    it('finds nothing in a finite run', () => {
      assert.deepEqual(detect(nanOrigin(), () => randn([3], { requiresGrad: true }).tanh().sum().backward()).findings, []);
    });
  });

  describe('unused-param', () => {
    it('points at each parameter no backward reached, with no step', () => {
      const { findings } = detect(unusedParam(), () => {
        const used = randn([3], { requiresGrad: true });
        randn([2, 5], { requiresGrad: true }); // unused
        used.sum().backward();
      });
      assert.equal(findings.length, 1);
      const [f] = findings;
      assert.deepEqual([f.kind, f.severity, 'step' in f], ['unused-param', 'warning', false]);
      assert.equal(f.message, 'parameter `randn([2, 5], { requiresGrad: true })` [2, 5] received no gradient: no loss that backward() ran on depends on it');
      assert.match(lineAt(f), /\/\/ unused/);
    });

    it('says nothing when no backward ran', () => {
      assert.deepEqual(detect(unusedParam(), () => randn([3], { requiresGrad: true }).sum()).findings, []);
    });

    it('finds a parameter made by setting requiresGrad after creation (the examples\' idiom)', () => {
      const { findings } = detect(unusedParam(), () => {
        const used = randn([3]).detach();
        used.requiresGrad = true;
        const w = randn([3, 3]).mul(0.5).detach(); // late param
        w.requiresGrad = true;
        for (let i = 0; i < 2; i++) used.mul(2).sum().backward();
      });
      assert.deepEqual(findings.map((f) => f.message), ['parameter `w` [3, 3] received no gradient: no loss that backward() ran on depends on it']);
      assert.match(lineAt(findings[0]), /\/\/ late param/);
    });
  });

  describe('vanishing', () => {
    it('groups the parameters made on one line, giving the range of how much slower they learn', () => {
      const { findings, trace } = detect(vanishing(), () => {
        const scales = [1e-6, 1e-5, 1];
        const ws = scales.map(() => randn([4], { requiresGrad: true })); // made here
        ws.map((w, i) => w.mul(scales[i]).sum()).reduce((a, b) => a.add(b)).backward();
      });
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const [f] = findings;
      assert.deepEqual([f.kind, f.severity, f.step], ['vanishing', 'warning', 0]);
      assert.equal(f.message, "vanishing gradient: 2 of the 3 parameters made here (`randn([4], { requiresGrad: true })`) get RMS gradients 1.0e+5x to 1.0e+6x smaller than the fastest-learning parameter's (worst at step 1): they barely learn");
      assert.equal(trace.graph.nodes.find((n) => n.id === f.node)?.kind, 'param');
      assert.match(lineAt(f), /\/\/ made here/);
    });

    it('reads every step: a gradient tiny for a step or two is not flagged, one tiny for many steps is, with the steps', () => {
      const run = (tinySteps: number) => () => {
        const fast = randn([4], { requiresGrad: true });
        const slow = randn([4], { requiresGrad: true }); // slow
        for (let step = 0; step < 10; step++) {
          const scale = step < tinySteps ? 1e-6 * (step + 1) : 1;
          fast.sum().add(slow.mul(scale).sum()).backward();
        }
      };
      assert.deepEqual(detect(vanishing(), run(2)).findings, []);
      const { findings } = detect(vanishing(), run(5));
      assert.equal(findings.length, 1, JSON.stringify(findings));
      assert.equal(findings[0].step, 0);
      assert.equal(findings[0].message, "vanishing gradient: parameter `slow` [4] gets an RMS gradient 1.0e+6x smaller than the fastest-learning parameter's (worst at step 1; in 5 of 10 steps, steps 1–5): it barely learns");
      assert.match(lineAt(findings[0]), /\/\/ slow/);
    });

    it('needs more than one parameter to compare', () => {
      assert.deepEqual(detect(vanishing(), () => randn([4], { requiresGrad: true }).mul(1e-9).sum().backward()).findings, []);
    });

    it('says a parameter whose gradient is exactly zero gets no gradient', () => {
      const { findings } = detect(vanishing(), () => {
        const live = randn([4], { requiresGrad: true });
        const dead = randn([4, 4], { requiresGrad: true });
        for (let i = 0; i < 3; i++) live.sum().add(dead.mul(0).sum()).backward();
      });
      assert.deepEqual(findings.map((f) => f.message), ['vanishing gradient: parameter `dead` [4, 4] gets no gradient (exactly zero) in 3 of 3 steps, steps 1–3: it does not learn']);
    });
  });

  describe('exploding', () => {
    it('flags a gradient far larger than its parameter, at the last step', () => {
      const { findings } = detect(exploding(), () => {
        const w = tensor([0.5], { requiresGrad: true });
        w.mul(1000).sum().backward();
      });
      assert.deepEqual(findings.map((f) => [f.kind, f.severity, f.step, f.message]), [
        ['exploding', 'warning', 0, 'exploding gradient: parameter `w` [1] has gradient norm 1.00e+3, 1.00e+3x its own norm at step 1'],
      ]);
    });

    it('flags a gradient that grew a thousandfold since the first step, over three steps or more', () => {
      const { findings } = detect(exploding(), () => {
        const w = tensor([1], { requiresGrad: true });
        for (const scale of [0.01, 0.1, 50]) w.mul(scale).sum().backward();
      });
      assert.deepEqual(findings.map((f) => [f.step, f.message]), [
        [2, "exploding gradient: parameter `w` [1] has gradient norm 50.0, 50.0x its own norm, 5.0e+3x its first step's at step 3"],
      ]);
    });

    it('catches a learning rate that drives training to Inf, at the step where the norm started to blow up', () => {
      const { findings, trace } = detect(exploding(), () => {
        const x = tensor([[1, 2], [3, 4], [5, 6]]);
        const w = tensor([[0.1], [0.1]], { requiresGrad: true });
        for (let step = 0; step < 400; step++) {
          w.zeroGrad();
          const err = x.matmul(w).sub(1);
          err.mul(err).sum().backward();
          w.data.forEach((v, i) => (w.data[i] = v - 0.5 * w.grad!.data[i]));
        }
      });
      assert.equal(findings.length, 1, JSON.stringify(findings));
      const [f] = findings;
      assert.ok(trace.steps.some((s) => !Number.isFinite(s.gradNorms[f.key!] ?? 0)), 'the gradient went to NaN/Inf');
      assert.ok(f.step !== undefined && f.step < 5, `step ${f.step}`);
      assert.match(f.message, new RegExp(`^exploding gradient: parameter \`w\` \\[2, 1\\] has gradient norm .* at step ${f.step! + 1}, where it started to blow up; from step \\d+ it is NaN or Inf$`));
    });
  });

  describe('dead-relu', () => {
    it('counts the units that are zero for the whole batch, at the relu', () => {
      const x = tensor([[1, -1, 2], [3, -2, 1]]);
      const { findings, trace } = detect(deadRelu(), () => {
        const w = tensor([1, 1, 1], { requiresGrad: true });
        x.mul(w).relu().sum().backward();
      });
      assert.deepEqual(findings.map((f) => [f.kind, f.severity, f.step, f.message]), [
        ['dead-relu', 'info', 0, 'dead ReLU `x.mul(w).relu()` [2, 3]: 1 of 3 units are zero for the whole batch of 2 (they pass no gradient)'],
      ]);
      assert.equal(opOf(trace, findings[0]), 'relu');
    });

    it('warns when every unit of a ReLU is dead, and makes the ReLUs of one line one finding', () => {
      const x = tensor([[1, -1, 2], [3, -2, 1]]);
      const { findings } = detect(deadRelu(), () => {
        const w = tensor([1, 1, 1], { requiresGrad: true });
        let h = x.mul(w);
        const hs = [-1, 1, 1].map((sign) => h.mul(sign).relu()); // relus
        h = x.mul(w).abs().neg().relu(); // all dead
        hs.reduce((a, b) => a.add(b)).sum().add(h.sum()).backward();
      });
      assert.deepEqual(findings.map((f) => [f.severity, f.message, lineAt(f).trim().slice(-8)]), [
        ['info', 'dead ReLU: 3 ReLUs made here (`h.mul(sign).relu()`) have units that are zero for the whole batch, 4 of 9 units (they pass no gradient)', '// relus'],
        ['warning', 'dead ReLU `h` [2, 3]: all 3 units are zero for the whole batch of 2: no gradient passes back through this layer to the ones before it', 'all dead'],
      ]);
    });
  });

  it('counts the channels of a conv2d output as its units: a channel zero at every position of every image is dead', () => {
    manualSeed(3);
    const x = randn([2, 1, 5, 5]);
    const { findings } = detect(deadRelu(), () => {
      const conv = new nn.Conv2d(1, 3, 3, { padding: 1 });
      noGrad(() => conv.bias!.data.set([0, -100, 0])); // channel 1 can never be positive
      conv.forward(x).relu().sum().backward();
    });
    assert.deepEqual(findings.map((f) => f.message.replace(/^dead ReLU[^:]*: /, '')), ['1 of 3 channels are zero for the whole batch of 2 (they pass no gradient)']);
  });

  describe('the recorder', () => {
    it('shows a detector every edge gradient and step, keeps what it names, and lists what it finds', () => {
      const seen = { edges: 0, steps: 0 };
      let kept: Tensor | undefined;
      const counter: Detector = {
        onEdgeGrad: (_step, to) => {
          seen.edges++;
          if (to.op === 'tanh') kept = to;
        },
        onStepEnd: () => void seen.steps++,
        mustKeep: () => (kept === undefined ? [] : [kept]),
        findings: (run) => (kept === undefined ? [] : [finding(run, kept, { kind: 'dead-relu', severity: 'info', message: `${seen.edges} edges` })]),
      };
      const { findings, trace } = detect(counter, () => {
        const w = tensor([1, 2], { requiresGrad: true });
        w.mul(2).tanh().mul(3).add(1).sum().backward();
      }, 1);
      // w -mul-> mul -tanh-> tanh -mul-> mul -add-> add -sum-> sum: five edges carry gradient (the constants do not).
      assert.deepEqual(seen, { edges: 5, steps: 1 });
      assert.equal(findings.length, 1);
      assert.equal(findings[0].message, '5 edges');
      assert.equal(opOf(trace, findings[0]), 'tanh');
      assert.ok(findings[0].key?.includes('#'));
    });

    it('names a tensor for messages as its graph node is named', () => {
      let names: (string | undefined)[] = [];
      let made: Tensor[] = [];
      const namer: Detector = {
        findings: (run) => ((names = made.map((t) => run.nameOf(t))), []),
      };
      const { trace } = detect(namer, () => {
        const w = tensor([1, 2], { requiresGrad: true });
        const y = w.mul(2).tanh();
        made = [w, y, y.dependencies[0].tensor];
        y.sum().backward();
      });
      assert.deepEqual(names, ['w', 'y', 'w.mul(2)']);
      assert.deepEqual(made.map((t) => trace.graph.nodes.find((n) => n.id === t.id)?.name), names);
    });

    it('words an unnamed tensor by its shape alone, as messages read before tensors had names', () => {
      assert.equal(tensorText(undefined, [2, 3]), '[2, 3]');
      assert.equal(tensorText('fc1.weight', [2, 3]), '`fc1.weight` [2, 3]');
      assert.equal(namesText([undefined, undefined]), undefined);
      assert.equal(namesText(['w', 'w', undefined]), '`w`');
      assert.equal(namesText(['a', 'b', 'c']), '`a`, `b`, …');
    });

    it('lists findings in the order of the detector list', () => {
      const trace = recordTrace(() => {
        const w = tensor([1, -1], { requiresGrad: true });
        tensor([1], { requiresGrad: true });
        w.log().sum().backward();
      }, undefined, createDetectors());
      assert.deepEqual(trace.findings.map((f) => f.kind), ['nan-loss', 'nan-forward', 'unused-param']);
    });
  });
});
