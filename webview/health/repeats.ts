// A line of code that makes a nonlinearity's output several times a step is one layer run again (an RNN's tanh
// over 30 time steps): the Health view draws its outputs as one histogram, not 30 lines no one can tell apart.
// A loop that builds a deep stack is different: each pass runs another layer (its own weights), and how the
// layers differ is what a deep stack's histograms are for. The two are told apart by the weights each run reads.
import { HEALTH_OPS, Histogram, Site, Trace } from '../../engine/trace';

/** How far back from a nonlinearity the walk for the weights it reads goes (a deep residual stream reaches the input). */
const WALK_BUDGET = 64;

/** What `runsOfALine` groups: a tensor's key, its label before repeats are numbered, and its graph node. */
export interface Run {
  key: string;
  label: string;
  site: Site | null;
  node?: number;
}

/**
 * Groups the runs of each line that read the same weights, in the order of their first run. Runs of one line
 * with different weights (a stack's layers) and runs without a site stay alone. A run the drawn graph left out
 * (a big graph keeps the nodes nearest the loss) joins its line's group when the line's drawn runs all read the
 * same weights, and stays alone otherwise.
 */
export function runsOfALine<T extends Run>(trace: Trace, runs: T[]): T[][] {
  const weights = weightsRead(trace);
  // The key's `#k` counts the runs of a site; without it, what runs of one line share.
  const lineOf = (run: Run) => `${run.key.replace(/#\d+$/, '')} ${run.label}`;
  const read = new Map<T, string>();
  const readByLine = new Map<string, Set<string>>();
  for (const run of runs) {
    if (run.node === undefined || run.site === null) continue;
    read.set(run, weights(run.node));
    const line = lineOf(run);
    readByLine.set(line, (readByLine.get(line) ?? new Set()).add(read.get(run)!));
  }
  const groups = new Map<string, T[]>();
  for (const run of runs) {
    const lineRead = run.site === null ? undefined : readByLine.get(lineOf(run));
    const weightsOfRun = read.get(run) ?? (lineRead?.size === 1 ? [...lineRead][0] : undefined);
    const id = weightsOfRun === undefined ? `alone ${run.key}` : `${lineOf(run)} ${weightsOfRun}`;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [run]);
    else group.push(run);
  }
  return [...groups.values()];
}

/** `tanh ×30 (rnn.ts:35)`: a line's runs, named by the line they come from. */
export function runsLabel(label: string, count: number, site: Site): string {
  return `${label} ×${count} (${site.file.split(/[\\/]/).pop()}:${site.line})`;
}

/**
 * The parameters a nonlinearity's output reads since the previous nonlinearity, as a sorted list of node ids:
 * walked back along the graph's edges up to WALK_BUDGET tensors, stopping at parameters and nonlinearities.
 */
function weightsRead(trace: Trace): (node: number) => string {
  const inputs = new Map<number, number[]>();
  for (const e of trace.graph.edges) {
    const list = inputs.get(e.to);
    if (list === undefined) inputs.set(e.to, [e.from]);
    else list.push(e.from);
  }
  const nodes = new Map(trace.graph.nodes.map((n) => [n.id, n]));
  return (start) => {
    const params: number[] = [];
    const seen = new Set<number>([start]);
    const queue = [...(inputs.get(start) ?? [])];
    while (queue.length > 0 && seen.size < WALK_BUDGET) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = nodes.get(id);
      if (node?.kind === 'param') params.push(id);
      else if (node !== undefined && !HEALTH_OPS.includes(node.op)) queue.push(...(inputs.get(id) ?? []));
    }
    return params.sort((a, b) => a - b).join(',');
  };
}

/**
 * The sum of histograms, on the range that covers them all. tanh and sigmoid are binned over their fixed range,
 * so their sum is exact; other ops over each tensor's own min to max: a bin's count is then spread over the
 * common bins it overlaps, in proportion to the overlap (as if its values were even across it: each value lands
 * at most one of its own bins' width from where it was).
 */
export function sumHistograms(histograms: Histogram[]): Histogram {
  const bins = Math.max(...histograms.map((h) => h.counts.length));
  const lo = Math.min(...histograms.map((h) => h.lo));
  const hi = Math.max(...histograms.map((h) => h.hi));
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  const binOf = (x: number) => (width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width))) : 0);
  for (const h of histograms) {
    if (h.lo === lo && h.hi === hi && h.counts.length === bins) {
      h.counts.forEach((c, i) => (counts[i] += c));
      continue;
    }
    const own = (h.hi - h.lo) / h.counts.length;
    h.counts.forEach((c, i) => {
      if (c === 0) return;
      const from = h.lo + i * own;
      const to = from + own;
      // A tensor of one value (lo = hi) holds it all in its first bin: the bin of that value.
      if (!(own > 0)) return void (counts[binOf(from)] += c);
      for (let b = binOf(from); b <= binOf(to) && b < bins; b++) {
        const overlap = Math.min(to, lo + (b + 1) * width) - Math.max(from, lo + b * width);
        if (overlap > 0) counts[b] += (c * overlap) / own;
      }
    });
  }
  return { lo, hi, counts };
}
