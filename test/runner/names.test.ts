// Names from the line of the call that made a tensor.
import * as assert from 'node:assert/strict';
import { nameFromSource } from '../../runner/names';

const at = (line: string, token: string) => nameFromSource(line, { file: 'm.ts', line: 1, column: line.indexOf(token) + 1, function: '' });

describe('names from source', () => {
  it('uses the name a whole right-hand side is bound to', () => {
    assert.equal(at('const x = randn([100, 3]);', 'randn'), 'x');
    assert.equal(at('  let h: Tensor = inputs.index(t);', 'index'), 'h');
    assert.equal(at('    this.scale = ones([4]);', 'ones'), 'scale');
    assert.equal(at('    loss = mse(pred, y);', 'mse'), 'loss');
    assert.equal(at('const params = { w: randn([3, 3], { requiresGrad: true }), b: randn([3]) };', 'randn([3, 3]'), 'w');
    assert.equal(at('const params = { w: randn([3, 3], { requiresGrad: true }), b: randn([3]) };', 'randn([3])'), 'b');
    // An object literal spread over lines: the property starts its own line.
    assert.equal(at('  w: randn([4, 4]).div(2).detach(),', 'detach('), 'w');
  });

  it('names a call inside a longer expression by its source text', () => {
    const line = '    const err = x.matmul(params.w).add(params.b).sub(y);';
    assert.equal(at(line, 'matmul'), 'x.matmul(params.w)');
    assert.equal(at(line, 'add'), 'x.matmul(params.w).add(params.b)');
    assert.equal(at(line, 'sub'), 'err');
    assert.equal(at('  return crossEntropy(model(x), labels).add(reg);', 'crossEntropy'), 'crossEntropy(model(x), labels)');
  });

  it('shortens long calls, keeping the op and its arguments', () => {
    const name = at('  h = inputs.index(t).matmul(wx).add(h.matmul(wh)).tanh().mul(gate).add(bias);', 'mul(gate');
    assert.ok(name !== undefined && name.length <= 40, name);
    assert.match(name!, /^….*\.mul\(gate\)$/);
    const data = at('const images = (part: number[][]) => tensor(part.flatMap((r) => r.slice(0, 64).map((v) => v / 16)), { shape: [part.length, 1, 8, 8] });', 'tensor(');
    assert.equal(data, 'tensor(…)');
  });

  it('reads a call spread over lines to its end, and the callee of a computed or non-null member', () => {
    assert.equal(at('  const x = tensor(\n    await rows(),\n  );\n  x.mul(w);', 'tensor('), 'x');
    assert.equal(at('  const y = log(\n    x)\n    .mul(2);', 'log('), 'log(\n    x)'.replace(/\s+/g, ' '));
    assert.equal(at('  const a = x["matmul"](w);', '(w)'), 'a');
    assert.equal(at('  return x["matmul"](w).add(1);', '(w)'), 'x["matmul"](w)');
    assert.equal(at('  const h = a!.matmul(w).relu();', 'matmul'), 'a!.matmul(w)');
    assert.equal(at('  const y = maybe?.log().mul(2);', 'log'), 'maybe?.log()');
  });

  it('gives nothing without a site or a call there', () => {
    assert.equal(nameFromSource('const x = 1;', null), undefined);
    assert.equal(nameFromSource(undefined, { file: 'm.ts', line: 1, column: 1, function: '' }), undefined);
    assert.equal(at('  // randn here', ' here'), undefined);
  });
});
