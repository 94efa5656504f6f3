// Layout benchmarks: the webview's layeredLayout against cytoscape's breadthfirst layout (the only stock
// Cytoscape layout fast enough to compare at these sizes; dagre and ELK take seconds to minutes), on the graphs
// of unrolled tanh RNNs recorded by the real TraceRecorder, from about 500 to 20,000 nodes. Both run in this
// process, breadthfirst on a headless Cytoscape instance built beforehand (only `layout().run()` is timed).
// Each row's note gives quality hints for the drawing: edge crossings between adjacent levels (rows of equal
// y) and the share of edges that point down, from dependency to result.
import cytoscape from 'cytoscape';
import { performance } from 'node:perf_hooks';
import { countCrossings, downwardShare, layoutInput, rnnLengthFor, rnnTrace } from '../test/webview/make-trace';
import { layeredLayout } from '../webview/layout';
import type { LayoutEdge } from '../webview/layout';
import { formatMs } from './timing';

export interface LayoutBenchmark {
  name: string;
  /** Median wall time of one layout, in ms. */
  ms: number;
  note: string;
}

type Positions = Record<string, { x: number; y: number }>;

const SIZES = [500, 2_000, 10_000, 20_000];

/** Median time of `run` over `repetitions` runs after `warmup` untimed ones, and the last run's result. */
function median<T>(run: () => T, repetitions: number, warmup = 1): { ms: number; result: T } {
  let result = run();
  for (let i = 1; i < warmup; i++) result = run();
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    result = run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1], result };
}

function quality(positions: Positions, edges: LayoutEdge[]): string {
  const levels = new Set(Object.values(positions).map((p) => p.y)).size;
  const crossings = countCrossings(positions, edges);
  const down = downwardShare(positions, edges);
  return `${levels.toLocaleString('en-US')} levels, ${crossings.toLocaleString('en-US')} crossings between adjacent levels, ${(down * 100).toFixed(down === 1 ? 0 : 1)}% of edges point down`;
}

/** layeredLayout and cytoscape breadthfirst on RNN traces of about `sizes` nodes: two rows per size. */
export function layoutBenchmarks(sizes: readonly number[] = SIZES): LayoutBenchmark[] {
  const rows: LayoutBenchmark[] = [];
  for (const size of sizes) {
    const steps = rnnLengthFor(size);
    const { nodes, edges } = layoutInput(rnnTrace(steps).graph);
    const graph = `${nodes.length.toLocaleString('en-US')}-node RNN trace (${steps} steps, ${edges.length.toLocaleString('en-US')} edges)`;
    // Ours is cheap enough to warm up and repeat more, which keeps the JIT and a garbage collection in one run
    // out of the median.
    const ours = median(() => layeredLayout(nodes, edges), 9, 5);

    const cy = cytoscape({
      headless: true,
      styleEnabled: false,
      elements: [
        ...nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id } })),
        ...edges.map((e, i) => ({ group: 'edges' as const, data: { id: `e${i}`, source: e.source, target: e.target } })),
      ],
    });
    const theirs = median(() => {
      cy.layout({ name: 'breadthfirst', directed: true, animate: false }).run();
      const positions: Positions = {};
      cy.nodes().forEach((node) => {
        positions[node.id()] = { ...node.position() };
      });
      return positions;
    }, nodes.length > 5_000 ? 3 : 5);
    cy.destroy();

    const ratio = theirs.ms / ours.ms;
    rows.push({ name: `layeredLayout, ${graph}`, ms: ours.ms, note: `${quality(ours.result.positions, edges)}; ${ratio >= 1 ? `${ratio.toFixed(1)}x faster than` : `${(1 / ratio).toFixed(1)}x slower than`} breadthfirst` });
    rows.push({ name: `cytoscape breadthfirst, ${graph}`, ms: theirs.ms, note: quality(theirs.result, edges) });
    console.log(`${rows[rows.length - 2].name}\n  ${formatMs(ours.ms)} ms  ${rows[rows.length - 2].note}`);
    console.log(`${rows[rows.length - 1].name}\n  ${formatMs(theirs.ms)} ms  ${rows[rows.length - 1].note}`);
  }
  return rows;
}
