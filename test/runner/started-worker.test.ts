// A run can be handed a worker started ahead (the extension keeps one waiting while the user reads the model, and
// every run starts its worker while esbuild bundles): the model runs in it as in a worker the run starts itself.
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { runModel, spawnWorker } from '../../runner/run';
import { repo } from './cli-helpers';

const workerScript = join(repo, 'out/worker.js');

describe('a worker started ahead of its run', () => {
  it('runs the model as a worker the run starts itself: the same graph and steps', async () => {
    const file = join(repo, 'examples/linear-regression.ts');
    const own = await runModel(file, { workerScript });
    const worker = spawnWorker({ workerScript });
    await once(worker, 'online'); // waiting, the engine loaded, before the user runs the model
    const ahead = await runModel(file, { workerScript, worker });
    assert.equal(own.kind, 'ok');
    assert.equal(ahead.kind, 'ok');
    if (own.kind !== 'ok' || ahead.kind !== 'ok') return;
    assert.equal(ahead.trace.steps.length, own.trace.steps.length);
    assert.deepEqual(ahead.trace.graph.nodes.map((n) => [n.op, n.site?.line]), own.trace.graph.nodes.map((n) => [n.op, n.site?.line]));
  });

  it('is ended when the model does not bundle, and the run says where the syntax error is', async () => {
    const worker = spawnWorker({ workerScript });
    const exited = once(worker, 'exit');
    const result = await runModel(join(repo, 'test/fixtures/syntax-error.ts'), { workerScript, worker });
    assert.equal(result.kind, 'error');
    if (result.kind === 'error') assert.equal(result.error.kind, 'syntax');
    await exited;
  });

  it('counts the time limit from when the model starts, and stops it there', async () => {
    const worker = spawnWorker({ workerScript });
    await once(worker, 'online');
    const result = await runModel(join(repo, 'test/fixtures/infinite-loop.ts'), { workerScript, worker, timeoutMs: 300 });
    assert.equal(result.kind, 'error');
    if (result.kind === 'error') assert.equal(result.error.kind, 'timeout');
  });
});
