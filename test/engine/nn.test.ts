// Modules: parameters found and named by property path, PyTorch's default initialisation, train/eval, and a
// small model that trains.
import * as assert from 'node:assert/strict';
import { Adam, crossEntropy, manualSeed, nn, parameter, randn, tensor, Tensor } from '../../engine';

class Block extends nn.Module {
  readonly proj = new nn.Linear(4, 4);
  readonly scale = parameter([4], (t) => nn.init.ones(t));
  readonly running = tensor([0, 0, 0, 0]); // a buffer: state, not trained
  forward(x: Tensor): Tensor {
    return this.proj.forward(x).mul(this.scale);
  }
}

class Net extends nn.Module {
  readonly embed = new nn.Linear(2, 4);
  readonly blocks = new nn.ModuleList([new Block(), new Block()]);
  readonly head = new nn.Sequential(new nn.ReLU(), new nn.Linear(4, 3, { bias: false }));
  forward(x: Tensor): Tensor {
    let h = this.embed.forward(x);
    for (const b of this.blocks) h = h.add(b.forward(h));
    return this.head.forward(h);
  }
}

describe('nn', () => {
  it('names parameters and buffers by property path, in the order they were assigned', () => {
    const net = new Net();
    assert.deepEqual(net.namedParameters().map(([n]) => n), [
      'embed.weight', 'embed.bias',
      'blocks.0.proj.weight', 'blocks.0.proj.bias', 'blocks.0.scale',
      'blocks.1.proj.weight', 'blocks.1.proj.bias', 'blocks.1.scale',
      'head.1.weight',
    ]);
    assert.deepEqual(net.namedBuffers().map(([n]) => n), ['blocks.0.running', 'blocks.1.running']);
    assert.deepEqual(net.parameters().map((p) => p.shape), [[4, 2], [4], [4, 4], [4], [4], [4, 4], [4], [4], [3, 4]]);
    assert.ok(net.parameters().every((p) => p.kind === 'param'));
    assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'embed', 'blocks', 'blocks.0', 'blocks.0.proj', 'blocks.1', 'blocks.1.proj', 'head', 'head.0', 'head.1']);
  });

  it('counts a tensor shared by two modules once, at its first path', () => {
    const shared = new nn.Linear(3, 3);
    class Tied extends nn.Module {
      readonly a = shared;
      readonly b = shared;
    }
    assert.deepEqual(new Tied().namedParameters().map(([n]) => n), ['a.weight', 'a.bias']);
  });

  it("initialises Linear as PyTorch does: weight and bias uniform in ±1/√in", () => {
    manualSeed(1);
    const layer = new nn.Linear(256, 512);
    const bound = 1 / Math.sqrt(256);
    for (const p of [layer.weight, layer.bias!]) assert.ok(p.data.every((v) => Math.abs(v) <= bound));
    const w = layer.weight.data;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.02, `std ${std}`); // uniform(±b) has std b/√3
  });

  it('computes x·Wᵀ + b, and names the layer and the shapes when the input does not fit', () => {
    const layer = new nn.Linear(2, 3);
    const x = tensor([[1, 2], [3, 4]]);
    const y = layer.forward(x);
    const [w, b] = [layer.weight.toArray() as number[][], layer.bias!.data];
    assert.deepEqual(y.shape, [2, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      const expected = (x.toArray() as number[][])[i].reduce((s, v, k) => s + v * w[j][k], b[j]);
      assert.ok(Math.abs((y.toArray() as number[][])[i][j] - expected) < 1e-12);
    }
    assert.throws(() => layer.forward(tensor([[1, 2, 3]])), /Linear\(2, 3\): input of shape \[1, 3\] does not end in 2 features/);
  });

  it('switches every module between training and evaluation, and clears every gradient', () => {
    const net = new Net();
    net.eval();
    assert.ok(net.namedModules().every(([, m]) => !m.training));
    net.train();
    assert.ok(net.namedModules().every(([, m]) => m.training));
    crossEntropy(net.forward(randn([5, 2])), [0, 1, 2, 0, 1]).backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });

  it('makes parameters from a tensor (a detached copy) or a shape and an initializer', () => {
    const source = randn([2, 2]).mul(0.5);
    const p = parameter(source);
    assert.equal(p.kind, 'param');
    assert.deepEqual(p.toArray(), source.toArray());
    assert.notEqual(p.data, source.data);
    const q = parameter([3, 2], (t) => nn.init.xavierUniform(t));
    const bound = Math.sqrt(6 / (2 + 3));
    assert.ok(q.requiresGrad && q.data.every((v) => Math.abs(v) <= bound) && q.data.some((v) => v !== 0));
    assert.deepEqual(parameter([2]).toArray(), [0, 0]);
    assert.throws(() => nn.init.kaimingUniform(parameter([3])), /fan in and fan out need a tensor of rank 2 or more, got shape \[3\]/);
  });

  it('trains: a Sequential MLP on two interleaved classes', () => {
    manualSeed(3);
    const x = randn([64, 2]);
    const labels = Array.from(x.mul(x).sum(1).data, (r) => (r < 1 ? 0 : 1));
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      optimizer.zeroGrad();
      const loss = crossEntropy(model.forward(x), labels);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    assert.ok(losses[59] < 0.5 * losses[0], `loss ${losses[0]} -> ${losses[59]}`);
  });

  it('builds a small CNN and a transformer-style block from layers, with their parameters and buffers named', () => {
    manualSeed(4);
    const cnn = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Dropout(0.1),
      new nn.Linear(4 * 4 * 4, 10),
    );
    assert.deepEqual(cnn.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias', '6.weight', '6.bias']);
    assert.deepEqual(cnn.namedBuffers().map(([n]) => n), ['1.runningMean', '1.runningVar']);
    const bound = 1 / Math.sqrt(1 * 3 * 3);
    assert.ok((cnn.at(0) as nn.Conv2d).weight.data.every((v) => Math.abs(v) <= bound));
    const images = randn([2, 1, 8, 8]);
    const logits = cnn.forward(images);
    assert.deepEqual(logits.shape, [2, 10]);
    crossEntropy(logits, [3, 7]).backward();
    assert.ok(cnn.parameters().every((p) => p.grad !== null));
    const running = (cnn.at(1) as nn.BatchNorm2d).runningMean.data[0];
    assert.notEqual(running, 0, 'training updated the running mean');
    cnn.eval();
    const a = cnn.forward(images).data;
    const b = cnn.forward(images).data;
    assert.deepEqual([...a], [...b], 'evaluation is deterministic (no dropout, running statistics)');
    assert.equal((cnn.at(1) as nn.BatchNorm2d).runningMean.data[0], running, 'evaluation leaves the running statistics');

    class Block extends nn.Module {
      readonly embed = new nn.Embedding(10, 8);
      readonly norm = new nn.LayerNorm(8);
      readonly mlp = new nn.Sequential(new nn.Linear(8, 16), new nn.GELU(), new nn.Linear(16, 8));
      forward(tokens: number[][]): Tensor {
        const h = this.embed.forward(tokens);
        return h.add(this.mlp.forward(this.norm.forward(h)));
      }
    }
    const block = new Block();
    assert.deepEqual(block.namedParameters().map(([n]) => n), ['embed.weight', 'norm.weight', 'norm.bias', 'mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias']);
    const out = block.forward([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(out.shape, [2, 3, 8]);
    out.sum().backward();
    assert.ok(block.parameters().every((p) => p.grad !== null));
  });
});
