// The recorder hook: off by default, and when on, every tensor carries the user's call site (not an engine
// frame), its kind, and backward reports the gradient along every dependency.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { crossEntropy, mean, nn, randn, tensor, Tensor } from '../../engine';
import { TensorMethods, TENSOR_METHODS } from '../../engine/methods';
import { Recorder, setRecorder, StackCapture } from '../../engine/recorder';

interface Recording {
  tensors: Tensor[];
  edges: { to: Tensor; from: Tensor; norm: number }[];
  steps: number;
}

function record(fn: () => void): Recording {
  const rec: Recording = { tensors: [], edges: [], steps: 0 };
  const recorder: Recorder = {
    onTensor: (t) => rec.tensors.push(t),
    onEdgeGrad: (to, from, g) => rec.edges.push({ to, from, norm: Math.hypot(...g) }),
    onBackwardEnd: () => rec.steps++,
  };
  setRecorder(recorder);
  try {
    fn();
  } finally {
    setRecorder(null);
  }
  return rec;
}

/** The original .ts position (1-based) of a tensor's recorded call site, through the test bundle's source map. */
function originalSite(t: Tensor): { file: string; line: number; column: number } {
  assert.ok(t.site instanceof StackCapture, `${t.op} has no captured site`);
  const frame = t.site.userFrame();
  assert.ok(frame, `${t.op} has no user frame`);
  const map = findSourceMap(frame.file);
  assert.ok(map, `no source map for ${frame.file}`);
  const entry = map.findEntry(frame.line - 1, frame.column - 1) as { originalSource: string; originalLine: number; originalColumn: number };
  return { file: fileURLToPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

/** Where `token` stands on the line of this file that carries the comment `// site: <marker>` (1-based). */
function markedPosition(marker: string, token: string): { line: number; column: number } {
  const lines = readFileSync(__filename.replace(/out[\\/](test[\\/].*)\.js$/, '$1.ts'), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(`// site: ${marker}`));
  assert.ok(line >= 0, `marker ${marker} not found`);
  return { line: line + 1, column: lines[line].indexOf(token) + 1 };
}

describe('recorder', () => {
  it('is off by default: tensors carry no site', () => {
    const t = tensor([1, 2]).add(1);
    assert.equal(t.site, undefined);
  });

  it('stamps each tensor with the line and column of the user call that made it', () => {
    let x!: Tensor;
    let w!: Tensor;
    let y!: Tensor;
    const rec = record(() => {
      x = tensor([[1, 2, 3]]); // site: input
      w = randn([3, 2], { requiresGrad: true }); // site: param
      y = x.matmul(w).relu(); // site: chain
    });
    const source = __filename.replace(/out[\\/](test[\\/].*)\.js$/, '$1.ts');
    const expect = (t: Tensor, marker: string, token: string) => {
      const site = originalSite(t);
      assert.equal(site.file, source);
      assert.deepEqual({ line: site.line, column: site.column }, markedPosition(marker, token), `${t.op}`);
    };
    expect(x, 'input', 'tensor(');
    expect(w, 'param', 'randn(');
    expect(y.dependencies[0].tensor, 'chain', 'matmul(');
    expect(y, 'chain', 'relu(');
    assert.deepEqual(rec.tensors.map((t) => t.op), ['tensor', 'tensor', 'matmul', 'relu']);
  });

  it('keeps the call site of a tensor the model prints while recording (console.log shows the capture by its call)', () => {
    let y!: Tensor;
    record(() => {
      y = tensor([1, 2]).mul(3); // site: printed
    });
    assert.match(inspect(y), /site: StackCapture\(mul\)/);
    const site = originalSite(y);
    assert.deepEqual({ line: site.line, column: site.column }, markedPosition('printed', 'mul('));
  });

  it('records the user\'s line for every Tensor method (each comes from the one method table)', () => {
    // Arguments for each method on a [2, 2] tensor: a method added to the table without an entry here fails to compile.
    const args: { [K in keyof TensorMethods]: Parameters<TensorMethods[K]> } = {
      add: [1], sub: [1], mul: [2], div: [2], pow: [2], neg: [], exp: [], log: [], sqrt: [], abs: [], relu: [], sigmoid: [], tanh: [],
      matmul: [tensor([[1], [2]])], sum: [], mean: [0], max: [], min: [1], reshape: [[4]], transpose: [], slice: [[0], [1]], index: [1], detach: [],
      softmax: [], logSoftmax: [0],
      // elementwise, shape and reductions (ops-elementwise)
      gelu: [], silu: [], leakyRelu: [0.1], softplus: [], clamp: [0, 3], maximum: [2], minimum: [tensor([2, 3])], maskedFill: [[true, false], 0],
      squeeze: [], unsqueeze: [0], expand: [[3, 2, 2]], flatten: [], permute: [[1, 0]], tril: [], triu: [1],
      variance: [0], std: [], logSumExp: [1, true], argmax: [], argmin: [0],
    };
    assert.deepEqual(Object.keys(args).sort(), Object.keys(TENSOR_METHODS).sort());
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const line = markedPosition('method', 'call').line;
    for (const name of Object.keys(args) as (keyof TensorMethods)[]) {
      const call = x[name] as (...a: unknown[]) => Tensor;
      let out!: Tensor;
      record(() => (out = call.apply(x, args[name]))); // site: method
      assert.equal(originalSite(out).line, line, name);
    }
  });

  it("records a layer's tensors at the user's call of the layer, not inside the engine", () => {
    const layer = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU());
    const x = tensor([[1, 2, 3]]);
    const rec = record(() => {
      layer.forward(x); // site: layer
    });
    const at = markedPosition('layer', 'forward(');
    assert.deepEqual(rec.tensors.map((t) => t.op), ['transpose', 'matmul', 'add', 'relu']);
    for (const t of rec.tensors) assert.deepEqual([originalSite(t).line, originalSite(t).column], [at.line, at.column], t.op);
  });

  it('gives every tensor a composite op makes inside the engine the user call that asked for it', () => {
    const rec = record(() => {
      const logits = tensor([[1, 2, 3], [0, 1, 0]], { requiresGrad: true });
      crossEntropy(logits, [2, 0]).add(mean(logits)); // site: composite
    });
    const made = rec.tensors.slice(1);
    assert.ok(made.length >= 8, `${made.length} tensors`);
    const ce = markedPosition('composite', 'crossEntropy(');
    const mn = markedPosition('composite', 'mean(');
    const add = markedPosition('composite', 'add(');
    for (const t of made) {
      const { line, column } = originalSite(t);
      assert.equal(line, ce.line, t.op);
      assert.ok([ce.column, mn.column, add.column].includes(column), `${t.op} at column ${column}`);
    }
    assert.equal(originalSite(made[made.length - 1]).column, add.column);
  });

  it('knows kinds: param, input, const (promoted numbers) and op', () => {
    const rec = record(() => {
      const p = tensor([1, 2], { requiresGrad: true });
      const x = tensor([3, 4]);
      p.mul(x).add(5);
    });
    assert.deepEqual(rec.tensors.map((t) => t.kind), ['param', 'input', 'op', 'const', 'op']);
  });

  it('reports the gradient that flowed along every dependency, once per backward step', () => {
    let a!: Tensor;
    let b!: Tensor;
    const rec = record(() => {
      a = tensor([1, 2], { requiresGrad: true });
      b = tensor([3, 4], { requiresGrad: true });
      const loss = a.mul(b).sum();
      loss.backward();
      loss.backward();
    });
    assert.equal(rec.steps, 2);
    const intoA = rec.edges.filter((e) => e.from === a);
    assert.deepEqual(intoA.map((e) => e.norm), [5, 5]); // d(sum(a*b))/da = b = [3, 4]
    assert.deepEqual(a.grad?.toArray(), [6, 8]);
    // Gradients are not graph tensors: backward announced nothing new.
    assert.deepEqual(rec.tensors.map((t) => t.op), ['tensor', 'tensor', 'mul', 'sum']);
  });

  it('records dependencies on inputs that need no gradient, so the graph shows them', () => {
    const rec = record(() => {
      const x = tensor([1, 2]);
      x.mul(2).exp();
    });
    const out = rec.tensors[rec.tensors.length - 1];
    assert.equal(out.dependencies.length, 1);
    assert.equal(out.dependencies[0].tensor.op, 'mul');
    assert.equal(out.dependencies[0].gradFn, null);
  });
});
