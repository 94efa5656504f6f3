// The webview's graph layout on real traces (models run in-process under the real TraceRecorder) and on
// graphs built to break it: direction, overlap, where sources go, determinism, cycles, components, crossings.
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { StepGraph } from '../../engine/trace';
import { layeredLayout, LayoutEdge, LayoutNode, LayoutResult } from '../../webview/layout';
import { respond } from '../../webview/layout-worker';
import { countCrossings, layoutInput, mlpTrace, rnnLengthFor, rnnTrace } from './make-trace';

type Graph = { nodes: LayoutNode[]; edges: LayoutEdge[] };

/** Row index of every node: rows are the distinct y values, top first. */
function rows(result: LayoutResult): Map<string, number> {
  const ys = [...new Set(Object.values(result.positions).map((p) => p.y))].sort((a, b) => a - b);
  const row = new Map(ys.map((y, i) => [y, i]));
  return new Map(Object.entries(result.positions).map(([id, p]) => [id, row.get(p.y)!]));
}

/** Fails if any two boxes (with `gap` around them horizontally) overlap. */
function assertNoOverlap(g: Graph, result: LayoutResult, gap = 0): void {
  const boxes = g.nodes.map((n) => ({ id: n.id, ...result.positions[n.id], w: n.width, h: n.height }));
  boxes.sort((a, b) => a.x - a.w / 2 - (b.x - b.w / 2)); // by left edge
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].x - boxes[j].w / 2 < a.x + a.w / 2 + gap - 1e-6; j++) {
      const b = boxes[j];
      const apartX = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 + gap - 1e-6;
      const apartY = Math.abs(a.y - b.y) >= (a.h + b.h) / 2 - 1e-6;
      if (!apartX && !apartY) assert.fail(`${a.id} and ${b.id} overlap: ${JSON.stringify([a, b])}`);
    }
  }
}

/** A deterministic pseudo-random number in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647; // Park-Miller: exact in doubles
}

const box = (id: string): LayoutNode => ({ id, width: 60, height: 30 });
const edge = (source: string, target: string): LayoutEdge => ({ source, target });

describe('layeredLayout', () => {
  let mlp: StepGraph;
  let rnn: StepGraph;
  before(() => {
    mlp = mlpTrace(3, 8, 4).graph;
    rnn = rnnTrace(12).graph;
  });
  const real = (): [string, Graph][] => [['MLP', layoutInput(mlp)], ['RNN', layoutInput(rnn)]];

  it('lays out every node of a real trace, each edge pointing down (dependency above its result)', () => {
    for (const [name, g] of real()) {
      const r = layeredLayout(g.nodes, g.edges);
      assert.equal(Object.keys(r.positions).length, g.nodes.length, name);
      for (const p of Object.values(r.positions)) assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y), name);
      for (const e of g.edges) assert.ok(r.positions[e.source].y < r.positions[e.target].y, `${name}: ${e.source} -> ${e.target}`);
      assert.equal(r.layers, new Set(Object.values(r.positions).map((p) => p.y)).size, name);
    }
  });

  it("lays out left to right with direction 'right': the top-down layout of the turned boxes, transposed", () => {
    for (const [name, g] of real()) {
      const r = layeredLayout(g.nodes, g.edges, { direction: 'right' });
      for (const e of g.edges) assert.ok(r.positions[e.source].x < r.positions[e.target].x, `${name}: ${e.source} -> ${e.target}`);
      const turned = layeredLayout(g.nodes.map((n) => ({ id: n.id, width: n.height, height: n.width })), g.edges);
      for (const n of g.nodes) assert.deepEqual(r.positions[n.id], { x: turned.positions[n.id].y, y: turned.positions[n.id].x }, name);
      // The boxes as they are drawn (not turned) do not overlap.
      const across = Object.fromEntries(Object.entries(r.positions).map(([id, p]) => [id, { x: p.y, y: p.x }]));
      assertNoOverlap({ nodes: g.nodes.map((n) => ({ id: n.id, width: n.height, height: n.width })), edges: g.edges }, { positions: across, layers: r.layers }, 20);
    }
  });

  it('puts the loss alone in the bottom row', () => {
    const g = layoutInput(rnn);
    const r = layeredLayout(g.nodes, g.edges);
    const loss = g.nodes.find((n) => !g.edges.some((e) => e.source === n.id))!;
    const bottom = Math.max(...Object.values(r.positions).map((p) => p.y));
    assert.equal(r.positions[loss.id].y, bottom);
    assert.equal(Object.values(r.positions).filter((p) => p.y === bottom).length, 1);
  });

  it('keeps nodeGap between boxes in a row and rankGap between rows', () => {
    for (const [name, g] of real()) {
      for (const options of [{}, { nodeGap: 5, rankGap: 80 }]) {
        const nodeGap = options.nodeGap ?? 20;
        const rankGap = options.rankGap ?? 50;
        const r = layeredLayout(g.nodes, g.edges, options);
        assertNoOverlap(g, r, nodeGap);
        const byRow = new Map<number, LayoutNode[]>();
        for (const n of g.nodes) byRow.set(r.positions[n.id].y, [...(byRow.get(r.positions[n.id].y) ?? []), n]);
        const ys = [...byRow.keys()].sort((a, b) => a - b);
        for (let i = 1; i < ys.length; i++) {
          const above = Math.max(...byRow.get(ys[i - 1])!.map((n) => ys[i - 1] + n.height / 2));
          const below = Math.min(...byRow.get(ys[i])!.map((n) => ys[i] - n.height / 2));
          assert.ok(below - above >= rankGap - 1e-6, `${name}: rows ${i - 1} and ${i} are ${below - above} apart`);
        }
      }
    }
  });

  it('puts every source (parameter, input, constant) in the row right above its first consumer', () => {
    for (const [name, g] of real()) {
      const r = layeredLayout(g.nodes, g.edges);
      const row = rows(r);
      const targets = new Set(g.edges.map((e) => e.target));
      let sources = 0;
      for (const n of g.nodes.filter((n) => !targets.has(n.id))) {
        const first = Math.min(...g.edges.filter((e) => e.source === n.id).map((e) => row.get(e.target)!));
        assert.equal(row.get(n.id), first - 1, `${name}: source ${n.id}`);
        sources++;
      }
      assert.ok(sources >= 5, name);
    }
  });

  it('lays each step of an unrolled RNN in its own band: x[t].matmul(wx) sits beside h[t-1].matmul(wh)', () => {
    const g = layoutInput(rnn);
    const r = layeredLayout(g.nodes, g.edges);
    const row = rows(r);
    // The add in h = x[t].matmul(wx).add(h.matmul(wh)) has both operands in the row right above it.
    const adds = rnn.nodes.filter((n) => n.op === 'add' && n.shape.join() === '2,4');
    assert.equal(adds.length, 12);
    for (const add of adds) {
      for (const e of g.edges.filter((e) => e.target === String(add.id))) assert.equal(row.get(e.source), row.get(String(add.id))! - 1);
    }
  });

  it('keeps a long RNN about as wide as a short one (no drift from step to step)', () => {
    const width = (steps: number) => {
      const g = layoutInput(rnnTrace(steps).graph);
      const r = layeredLayout(g.nodes, g.edges);
      const xs = g.nodes.flatMap((n) => [r.positions[n.id].x - n.width / 2, r.positions[n.id].x + n.width / 2]);
      return Math.max(...xs) - Math.min(...xs);
    };
    const short = width(20);
    const long = width(400);
    assert.ok(long < 1.5 * short, `20 steps: ${short.toFixed(0)} wide, 400 steps: ${long.toFixed(0)}`);
  });

  it('is deterministic', () => {
    for (const [name, g] of real()) {
      const a = layeredLayout(g.nodes, g.edges);
      const b = layeredLayout(g.nodes.map((n) => ({ ...n })), g.edges.map((e) => ({ ...e })));
      assert.deepEqual(a, b, name);
    }
  });

  it('terminates on cycles and self-loops, reversing as few edges as a depth-first search finds', () => {
    const ring = Array.from({ length: 1000 }, (_, i) => edge(`r${i}`, `r${(i + 1) % 1000}`));
    const g: Graph = {
      nodes: ['a', 'b', 'c', 'd', ...ring.map((e) => e.source)].map(box),
      edges: [edge('a', 'a'), edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd'), edge('d', 'c'), ...ring, edge('r5', 'r5')],
    };
    const r = layeredLayout(g.nodes, g.edges);
    assert.equal(Object.keys(r.positions).length, g.nodes.length);
    assertNoOverlap(g, r);
    const down = (edges: LayoutEdge[]) => edges.filter((e) => r.positions[e.source].y < r.positions[e.target].y).length;
    assert.equal(down(ring), 999);
    assert.equal(r.layers, 1000);
    assert.ok(down([edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]) === 2);
  });

  it('treats duplicate edges (x.mul(x)) as one', () => {
    const g = layoutInput(rnn);
    const keys = g.edges.map((e) => `${e.source}>${e.target}`);
    assert.ok(new Set(keys).size < keys.length, "the trace has mse's err.mul(err)");
    const doubled = layeredLayout(g.nodes, [...g.edges, ...g.edges]);
    assert.deepEqual(doubled, layeredLayout(g.nodes, g.edges));
  });

  it('lays out disconnected components apart, none overlapping another', () => {
    const copy = (g: Graph, tag: string): Graph => ({
      nodes: g.nodes.map((n) => ({ ...n, id: tag + n.id })),
      edges: g.edges.map((e) => ({ source: tag + e.source, target: tag + e.target })),
    });
    const parts = [copy(layoutInput(mlp), 'a'), copy(layoutInput(rnn), 'b'), copy(layoutInput(mlp), 'c')];
    const lone = Array.from({ length: 50 }, (_, i) => box(`lone${i}`));
    const g: Graph = { nodes: [...parts.flatMap((p) => p.nodes), ...lone], edges: parts.flatMap((p) => p.edges) };
    const r = layeredLayout(g.nodes, g.edges);
    assertNoOverlap(g, r, 20);
    const extent = (nodes: LayoutNode[]) => ({
      left: Math.min(...nodes.map((n) => r.positions[n.id].x - n.width / 2)),
      right: Math.max(...nodes.map((n) => r.positions[n.id].x + n.width / 2)),
      top: Math.min(...nodes.map((n) => r.positions[n.id].y - n.height / 2)),
      bottom: Math.max(...nodes.map((n) => r.positions[n.id].y + n.height / 2)),
    });
    const boxes = parts.map((p) => extent(p.nodes));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        assert.ok(a.right < b.left || b.right < a.left || a.bottom < b.top || b.bottom < a.top, `components ${i} and ${j} overlap`);
      }
    }
    // Each component keeps its own layout: the same as when laid out alone, shifted.
    const alone = layeredLayout(layoutInput(rnn).nodes, layoutInput(rnn).edges);
    const ids = layoutInput(rnn).nodes.map((n) => n.id);
    const dx = r.positions[`b${ids[0]}`].x - alone.positions[ids[0]].x;
    const dy = r.positions[`b${ids[0]}`].y - alone.positions[ids[0]].y;
    for (const id of ids) {
      assert.ok(Math.abs(r.positions[`b${id}`].x - alone.positions[id].x - dx) < 1e-6);
      assert.ok(Math.abs(r.positions[`b${id}`].y - alone.positions[id].y - dy) < 1e-6);
    }
    // Many small components wrap into rows rather than one long line.
    const all = extent(g.nodes);
    assert.ok(all.right - all.left < 4 * (all.bottom - all.top), JSON.stringify(all));
  });

  it('handles the empty graph, a lone node, and edges to unknown or duplicate nodes', () => {
    const empty = layeredLayout([], []);
    assert.equal(Object.keys(empty.positions).length, 0);
    assert.equal(empty.layers, 0);
    const one = layeredLayout([box('x'), box('x')], [edge('x', 'nowhere'), edge('ghost', 'x')]);
    assert.deepEqual(Object.keys(one.positions), ['x']);
    assert.equal(one.layers, 1);
    const odd = layeredLayout([{ id: '__proto__', width: NaN, height: -5 }, box('b')], [edge('__proto__', 'b')]);
    assert.ok(odd.positions['__proto__'].y < odd.positions['b'].y);
  });

  it('reduces crossings with barycenter sweeps, from the depth-first order, on a graph built to have them', () => {
    // Four layers of 25 nodes; each node below takes two inputs from random nodes in the layer above, so the
    // depth-first order (by sink, then by input) is scrambled.
    const next = random(7);
    const id = (l: number, i: number) => `L${l}n${i}`;
    const g: Graph = { nodes: [], edges: [] };
    for (let l = 0; l < 4; l++) for (let i = 0; i < 25; i++) g.nodes.push(box(id(l, i)));
    for (let l = 1; l < 4; l++) {
      for (let i = 0; i < 25; i++) {
        g.edges.push(edge(id(l - 1, i), id(l, Math.floor(next() * 25)))); // every node above has a consumer
        g.edges.push(edge(id(l - 1, Math.floor(next() * 25)), id(l, i)));
      }
    }
    const initial = layeredLayout(g.nodes, g.edges, { sweeps: 0 });
    const swept = layeredLayout(g.nodes, g.edges);
    assert.equal(initial.layers, 4);
    const before = countCrossings(initial.positions, g.edges);
    const after = countCrossings(swept.positions, g.edges);
    assert.ok(before > 100, `the depth-first order has only ${before} crossings`);
    assert.ok(after < 0.75 * before, `${before} crossings before the sweeps, ${after} after`);
    // A small case with a known answer: the depth-first order [a c b] over [s1 s2 s3] has 3 crossings (all of
    // a -> s3); one sweep down moves s3 to the left and removes them.
    const k: Graph = {
      nodes: ['a', 'c', 'b', 's1', 's2', 's3'].map(box),
      edges: [edge('a', 's1'), edge('c', 's1'), edge('b', 's1'), edge('b', 's2'), edge('a', 's3')],
    };
    assert.equal(countCrossings(layeredLayout(k.nodes, k.edges, { sweeps: 0 }).positions, k.edges), 3);
    assert.equal(countCrossings(layeredLayout(k.nodes, k.edges).positions, k.edges), 0);
  });

  it('never ends with more crossings than it started with, on real traces', () => {
    for (const [name, g] of real()) {
      const before = countCrossings(layeredLayout(g.nodes, g.edges, { sweeps: 0 }).positions, g.edges);
      const after = countCrossings(layeredLayout(g.nodes, g.edges).positions, g.edges);
      assert.ok(after <= before, `${name}: ${before} -> ${after}`);
    }
  });

  it('lays out a 20,000-node RNN trace in well under two seconds', function () {
    this.timeout(120_000);
    const g = layoutInput(rnnTrace(rnnLengthFor(20_000)).graph);
    assert.ok(g.nodes.length > 19_000 && g.nodes.length < 21_000, String(g.nodes.length));
    const start = performance.now();
    const r = layeredLayout(g.nodes, g.edges);
    const ms = performance.now() - start;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
    for (const e of g.edges) assert.ok(r.positions[e.source].y < r.positions[e.target].y);
  });
});

describe('layout worker', () => {
  it('answers a request with the layout, echoing its id', () => {
    const g = layoutInput(mlpTrace().graph);
    const response = respond({ id: 42, nodes: g.nodes, edges: g.edges, options: { nodeGap: 10 } });
    assert.ok(response.ok);
    assert.equal(response.id, 42);
    assert.deepEqual(response.positions, layeredLayout(g.nodes, g.edges, { nodeGap: 10 }).positions);
  });

  it('answers a malformed request with an error rather than throwing', () => {
    const response = respond({ id: 7, nodes: null as unknown as LayoutNode[], edges: [] });
    assert.equal(response.ok, false);
    assert.equal(response.id, 7);
  });
});
