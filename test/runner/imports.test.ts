// runner/ has no import cycles (type-only imports count too): shared vocabulary lives in graph.ts and
// findings/detector.ts, so the recorder and the detectors each import it rather than each other.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repo } from './cli-helpers';

/** Each runner/ file (repo-relative) and the runner/ files it imports or re-exports from. */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(join(repo, 'runner'), { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => join('runner', f));
  const resolve = (from: string, spec: string) =>
    [`${spec}.ts`, join(spec, 'index.ts')].map((p) => join(dirname(from), p)).find((p) => existsSync(join(repo, p)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(join(repo, file), 'utf8');
    const specs = [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']*)'/gms)].map((m) => m[1]);
    graph.set(file, specs.map((s) => resolve(file, s)).filter((p): p is string => p !== undefined && p.startsWith('runner')));
  }
  return graph;
}

/** One cycle in `graph` as a path that ends where it starts, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    if (state.get(file) === 'done') return null;
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle !== null) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle !== null) return cycle;
  }
  return null;
}

describe('runner imports', () => {
  it('has no cycles', () => {
    const graph = importGraph();
    // The parse found the imports at all: the recorder imports the findings (a folder, through its index).
    assert.ok(graph.get(join('runner', 'trace-recorder.ts'))?.includes(join('runner', 'findings', 'index.ts')));
    assert.equal(findCycle(graph)?.join(' -> ') ?? null, null);
  });
});
