// Scopes: every tensor knows the module call and the composite op call it was made in, for the graph to fold.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Trace, TraceNode, TraceScope } from '../../engine/trace';
import { runModel } from '../../runner/run';
import { marked, repo } from './cli-helpers';

const FIXTURE = 'test/fixtures/scopes.ts';

async function trace(): Promise<Trace> {
  const result = await runModel(join(repo, FIXTURE), { workerScript: join(repo, 'out/worker.js') });
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { trace: Trace }).trace;
}

/** A node's scope chain, outermost first, as names. */
function chain(t: Trace, node: TraceNode): string[] {
  const byId = new Map((t.graph.scopes ?? []).map((s) => [s.id, s]));
  const names: string[] = [];
  for (let s = node.scope === undefined ? undefined : byId.get(node.scope); s !== undefined; s = s.parent === undefined ? undefined : byId.get(s.parent)) names.unshift(s.name);
  return names;
}

describe('scopes', () => {
  let t: Trace;
  before(async () => {
    t = await trace();
  });
  const named = (name: string) => t.graph.nodes.find((n) => n.name === name);
  const scopes = (): TraceScope[] => t.graph.scopes ?? [];

  it('puts what a module made in its call, named by its path inside the model, the model named by its class', () => {
    const net = marked(FIXTURE, 'net', 'net.forward');
    const model = scopes().find((s) => s.parent === undefined && s.kind === 'module');
    assert.deepEqual([model?.name, model?.op, model?.site?.line], ['Net', 'Net', net.line]);
    const linear = scopes().find((s) => s.name === 'body.0');
    assert.equal(linear?.op, 'Linear');
    assert.deepEqual(scopes().filter((s) => s.kind === 'module').map((s) => s.name), ['Net', 'body', 'body.0', 'body.1', 'body.2', 'cell', 'cell.lin', 'cell', 'cell.lin', 'cell', 'cell.lin']);
    const matmul = t.graph.nodes.find((n) => n.op === 'matmul' && n.site?.line === marked(FIXTURE, 'body', 'this').line);
    assert.deepEqual(chain(t, matmul!), ['Net', 'body', 'body.0']);
  });

  it('gives a user module inside nn.Sequential its own lines, each op at the line in its forward', () => {
    const y = named('y');
    assert.equal(y?.site?.line, marked(FIXTURE, 'scaled', 'x.mul').line);
    assert.deepEqual(chain(t, y!), ['Net', 'body', 'body.1']);
    assert.equal(scopes().find((s) => s.name === 'body.1')?.op, 'Scale');
  });

  it('keeps each call of a module apart, with keys that count its calls, and its shared parameters outside them', () => {
    const cells = scopes().filter((s) => s.name === 'cell');
    assert.deepEqual(cells.map((s) => s.key), ['module:cell#0', 'module:cell#1', 'module:cell#2']);
    const tanhs = t.graph.nodes.filter((n) => n.op === 'tanh' && n.site?.line === marked(FIXTURE, 'cell', 'tanh').line);
    assert.deepEqual(new Set(tanhs.map((n) => n.scope)), new Set(cells.map((s) => s.id)), 'one tanh in each call');
    // cell.lin ran three times: its weight goes in the innermost module that ran once, the model.
    assert.deepEqual(chain(t, named('cell.lin.weight')!), ['Net']);
    // body.0 ran once: its weight is inside its box.
    assert.deepEqual(chain(t, named('body.0.weight')!), ['Net', 'body', 'body.0']);
    assert.deepEqual(chain(t, named('body.1.gain')!), ['Net', 'body', 'body.1']);
  });

  it('boxes a composite op call (more than one op) under its op name, and leaves one-op calls alone', () => {
    const line = marked(FIXTURE, 'loss', 'mse').line;
    const calls = scopes().filter((s) => s.kind === 'call');
    assert.deepEqual(calls.map((s) => s.name).sort(), ['l1Loss', 'mse'], 'mse and l1Loss made several ops each; softmax, layerNorm one');
    for (const c of calls) assert.equal(c.site?.line, line);
    const sub = t.graph.nodes.find((n) => n.op === 'sub' && n.site?.line === line);
    assert.deepEqual(chain(t, sub!), ['mse']);
    const add = t.graph.nodes.find((n) => n.name === 'loss');
    assert.equal(add?.scope, undefined, 'the .add that made the loss is one op: no box');
    for (const s of scopes()) if (s.parent !== undefined) assert.ok(s.parent < s.id, 'parents come first');
  });

  it('gives the same call the same key in every step', async () => {
    const again = await trace();
    assert.deepEqual(again.graph.scopes?.map((s) => s.key), t.graph.scopes?.map((s) => s.key));
  });
});
