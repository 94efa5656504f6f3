// Real computation graphs for the layout's tests and benchmarks: models run in-process under the real
// TraceRecorder (as bench/runner.ts `traced()` does), turned into layout input; and the quality measures both
// use (edge crossings between adjacent levels, the share of edges that point down). Not a test file itself.
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crossEntropy, manualSeed, randn } from '../../engine';
import { setRecorder } from '../../engine/recorder';
import type { StepGraph, Trace } from '../../engine/trace';
import type { Detector } from '../../runner/findings';
import { callLocator } from '../../runner/load-bundle';
import { Locator } from '../../runner/locate';
import { Locate, RecordOptions, TraceRecorder } from '../../runner/trace-recorder';
import type { LayoutEdge, LayoutNode } from '../../webview/layout';
import { runningMeans, sequenceLoss } from '../../examples/rnn';

/** Source lines for naming nodes, as the worker reads them. */
const readSource = (file: string): string[] | undefined => (existsSync(file) ? readFileSync(file, 'utf8').split('\n') : undefined);

// This bundle and its source map stand in for a bundled model, so sites are mapped as the worker maps them.
// A bundle built without a map (a scratch benchmark) records null sites instead.
let locator: Locator | null | undefined;
function ownLocator(): Locator | null {
  if (locator === undefined) {
    const map = `${__filename}.map`;
    locator = existsSync(map) ? new Locator({ name: __filename, map: readFileSync(map, 'utf8'), mapRoot: dirname(__filename) }) : null;
  }
  return locator;
}

/**
 * The trace of `run` (the last backward() it calls is the recorded step), by a fresh TraceRecorder with every
 * detector unless given some, and the default record options but for `options`.
 */
export function recordTrace(run: () => unknown, nodeLimit = 1_000_000, detectors?: Detector[], options?: Partial<RecordOptions>, locate?: Locate): Trace {
  const recorder = traceRecorder(nodeLimit, detectors, options, locate);
  setRecorder(recorder);
  try {
    const result = run();
    setRecorder(null);
    return recorder.finish(result);
  } finally {
    setRecorder(null);
  }
}

/**
 * A fresh TraceRecorder as the worker makes one, not yet set. Sites are mapped through this bundle's source map,
 * or by `locate` (a model bundle's, for code from it: bench/marked-workloads.ts).
 */
export function traceRecorder(nodeLimit = 1_000_000, detectors?: Detector[], options?: Partial<RecordOptions>, locate?: Locate): TraceRecorder {
  const loc = ownLocator();
  const record: RecordOptions = { steps: 'last', nodeLimit, readSource, ...options };
  const own: Locate = loc === null ? () => null : callLocator(loc);
  return new TraceRecorder('make-trace', locate ?? own, record, undefined, detectors);
}

/** One training step of an MLP with `depth` hidden tanh layers of `width` units, cross-entropy on 3 classes. */
export function mlpTrace(depth = 2, width = 8, batch = 4): Trace {
  manualSeed(11);
  const x = randn([batch, 3]);
  const labels = Array.from({ length: batch }, (_, i) => i % 3);
  const sizes = [3, ...Array<number>(depth).fill(width), 3];
  const layers = sizes.slice(1).map((n, i) => ({ w: randn([sizes[i], n], { requiresGrad: true }), b: randn([n], { requiresGrad: true }) }));
  return recordTrace(() => {
    let h = x;
    layers.forEach(({ w, b }, i) => {
      h = h.matmul(w).add(b);
      if (i < layers.length - 1) h = h.tanh();
    });
    crossEntropy(h, labels).backward();
  });
}

/** One training step of a tanh RNN unrolled over `length` time steps (the shape of examples/rnn.ts). */
export function rnnTrace(length: number, hidden = 4, batch = 2): Trace {
  manualSeed(5);
  const inputs = randn([length, batch, 1]);
  const wx = randn([1, hidden], { requiresGrad: true });
  const wh = randn([hidden, hidden], { requiresGrad: true });
  const wo = randn([hidden, 1], { requiresGrad: true });
  return recordTrace(() => {
    // The targets (running means of the input) are computed under the recorder too: a second, gradient-free chain.
    sequenceLoss(inputs, runningMeans(inputs), wx, wh, wo).backward();
  });
}

/** The RNN unroll length whose graph has about `nodes` nodes (each time step adds 16). */
export function rnnLengthFor(nodes: number): number {
  return Math.max(1, Math.round((nodes - rnnBaseNodes) / rnnNodesPerStep));
}
const rnnNodesPerStep = 16;
const rnnBaseNodes = 9;

/** Layout input for a step's graph: boxes sized as the webview draws them (a label of the op and shape). */
export function layoutInput(graph: StepGraph): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes = graph.nodes.map((n) => {
    const label = `${n.op} [${n.shape.join(', ')}]`;
    return { id: String(n.id), width: 24 + 7 * label.length, height: n.kind === 'op' ? 36 : 28 };
  });
  const edges = graph.edges.map((e) => ({ source: String(e.from), target: String(e.to) }));
  return { nodes, edges };
}

type Positions = Record<string, { x: number; y: number }>;

/**
 * Edge crossings between adjacent levels (nodes with the same y form a level): for each pair of neighbouring
 * levels, the pairs of edges joining them whose ends are in opposite x order. Edges that skip levels or stay
 * within one are not counted. O(E log E).
 */
export function countCrossings(positions: Positions, edges: readonly LayoutEdge[]): number {
  const ys = [...new Set(Object.values(positions).map((p) => p.y))].sort((a, b) => a - b);
  const level = new Map(ys.map((y, i) => [y, i]));
  const byLevel = new Map<number, [number, number][]>();
  for (const e of edges) {
    const a = positions[e.source];
    const b = positions[e.target];
    if (a === undefined || b === undefined) continue;
    const la = level.get(a.y)!;
    const lb = level.get(b.y)!;
    if (Math.abs(la - lb) !== 1) continue;
    const [top, bottom] = la < lb ? [a, b] : [b, a];
    let list = byLevel.get(Math.min(la, lb));
    if (list === undefined) byLevel.set(Math.min(la, lb), (list = []));
    list.push([top.x, bottom.x]);
  }
  let crossings = 0;
  for (const list of byLevel.values()) {
    list.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    crossings += inversions(list.map((p) => p[1]));
  }
  return crossings;
}

/** Pairs i < j with a[i] > a[j] (strictly), by merge sort. */
function inversions(a: number[]): number {
  if (a.length < 2) return 0;
  const mid = a.length >> 1;
  const left = a.slice(0, mid);
  const right = a.slice(mid);
  let count = inversions(left) + inversions(right);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    if (right[j] < left[i]) {
      count += left.length - i;
      a[k++] = right[j++];
    } else a[k++] = left[i++];
  }
  while (i < left.length) a[k++] = left[i++];
  while (j < right.length) a[k++] = right[j++];
  return count;
}

/** The share of edges whose target is drawn below its source (data flows down). */
export function downwardShare(positions: Positions, edges: readonly LayoutEdge[]): number {
  let down = 0;
  for (const e of edges) if (positions[e.source].y < positions[e.target].y) down++;
  return edges.length === 0 ? 1 : down / edges.length;
}
