// A run that fails still hands back what it recorded up to the error, for the editor to draw under the failure.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { runModel } from '../../runner/run';
import { marked, repo } from './cli-helpers';

describe('a failed run', () => {
  it('carries the graph of the pass that failed, up to the error, marked incomplete', async () => {
    const file = join(repo, 'test/fixtures/fails-in-step.ts');
    const result = await runModel(file, { workerScript: join(repo, 'out/worker.js') });
    assert.equal(result.kind, 'error');
    if (result.kind !== 'error') return;
    const at = marked('test/fixtures/fails-in-step.ts', 'matmul', 'matmul(wrong');
    assert.deepEqual([result.error.site?.line, result.error.site?.column], [at.line, at.column]);
    const partial = result.partial;
    assert.ok(partial, 'a partial trace');
    assert.equal(partial.incomplete, true);
    assert.equal(partial.steps.length, 2, 'the two steps that finished');
    const ops = partial.graph.nodes.map((n) => n.op);
    assert.ok(ops.includes('tanh'), `the failing pass up to the error: ${ops.join(', ')}`);
    assert.ok(!ops.includes('sum'), 'nothing after the error');
    assert.ok(partial.graph.nodes.some((n) => n.op === 'tanh' && n.site?.line === at.line - 1), 'made on the line before the error');
  });

});
