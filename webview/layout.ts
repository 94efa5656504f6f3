// A layered (Sugiyama-style) layout for computation graphs, top-down in data-flow order: a dependency above what
// is computed from it, the loss at the bottom. Built for speed on graphs of 10^3-10^5 nodes (it runs in a Web
// Worker in the webview): every stage is linear, or n log n for the sorts, and there are no dummy nodes for long
// edges. Pure TypeScript: no DOM, no Node.

export interface LayoutNode { id: string; width: number; height: number }
/** `source` is the dependency, `target` the tensor computed from it. */
export interface LayoutEdge { source: string; target: string }
/**
 * Gaps between the boxes of neighbouring layers (50) and of neighbours in a layer (20); barycenter sweeps (4);
 * which way the data flows: 'down' (layers are rows, the default) or 'right' (layers are columns).
 */
export interface LayoutOptions { rankGap?: number; nodeGap?: number; sweeps?: number; direction?: 'down' | 'right' }
/** Node centres, and the number of layers of the deepest connected component. */
export interface LayoutResult { positions: Record<string, { x: number; y: number }>; layers: number }

/** Adjacency in compressed rows: the neighbours of v are list[start[v]] .. list[start[v + 1] - 1]. */
interface Adjacency { start: Int32Array; list: Int32Array }

function adjacency(n: number, from: ArrayLike<number>, to: ArrayLike<number>): Adjacency {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < from.length; e++) start[from[e] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const list = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) list[fill[from[e]]++] = to[e];
  return { start, list };
}

/** Distinct edges between distinct nodes, in input order (a self-loop draws nothing, a duplicate the same line). */
function distinct(n: number, from: number[], to: number[]): [number[], number[]] {
  const seen = new Set<number>();
  const f: number[] = [];
  const t: number[] = [];
  for (let e = 0; e < from.length; e++) {
    if (from[e] !== to[e] && seen.size < seen.add(from[e] * n + to[e]).size) (f.push(from[e]), t.push(to[e]));
  }
  return [f, t];
}

/**
 * Iterative depth-first search along `adj` from `roots` in order; returns the postorder. `onBack(pos)` is called
 * for each edge (by its position in adj.list) that leads to a node still on the stack: a cycle.
 */
function depthFirst(n: number, adj: Adjacency, roots: Iterable<number>, onBack?: (pos: number) => void): Int32Array {
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  const next = new Int32Array(n);
  const post = new Int32Array(n);
  let done = 0;
  for (const root of roots) {
    if (state[root] !== 0) continue;
    let sp = 0;
    stack[sp] = root;
    next[sp++] = adj.start[root];
    state[root] = 1;
    while (sp > 0) {
      const v = stack[sp - 1];
      const e = next[sp - 1];
      if (e < adj.start[v + 1]) {
        next[sp - 1]++;
        const w = adj.list[e];
        if (state[w] === 0) {
          state[w] = 1;
          stack[sp] = w;
          next[sp++] = adj.start[w];
        } else if (state[w] === 1 && onBack !== undefined) onBack(e);
      } else {
        state[v] = 2;
        post[done++] = v;
        sp--;
      }
    }
  }
  return post.subarray(0, done);
}

/**
 * Least-squares placement of one ordered layer: x as close as possible to `want` (weighted by `weight`) while
 * keeping the order and at least `sep[i]` between the centres of boxes i - 1 and i. Shifting out the separations
 * turns it into isotonic regression, solved exactly in one left-to-right pass (pool adjacent violators) and one
 * right-to-left fill.
 */
function placeLayer(order: number[], want: Float64Array, weight: Float64Array, sep: Float64Array, x: Float64Array, blocksOf: { w: Float64Array; sum: Float64Array; end: Int32Array }): void {
  const k = order.length;
  const { w: blockW, sum: blockSum, end: blockEnd } = blocksOf;
  let blocks = 0;
  let offset = 0;
  for (let i = 0; i < k; i++) {
    if (i > 0) offset += sep[i];
    const v = order[i];
    let w = weight[v];
    let sum = w * (want[v] - offset);
    while (blocks > 0 && blockSum[blocks - 1] / blockW[blocks - 1] >= sum / w) {
      blocks--;
      w += blockW[blocks];
      sum += blockSum[blocks];
    }
    blockW[blocks] = w;
    blockSum[blocks] = sum;
    blockEnd[blocks++] = i;
  }
  for (let b = blocks - 1, i = k - 1; b >= 0; b--) {
    const z = blockSum[b] / blockW[b];
    for (; i >= 0 && (b === 0 || i > blockEnd[b - 1]); i--) {
      x[order[i]] = z + offset;
      offset -= sep[i];
    }
  }
}

/**
 * Crossings between edges that join adjacent layers, for layers ordered by `pos` (centred ranks): per pair of
 * layers, walk the upper one left to right and count, for each edge, those already seen that end further right
 * below (a Fenwick tree over the lower layer's ranks). O(E log V).
 */
function crossings(layers: number[][], out: Adjacency, layer: Int32Array, pos: Float64Array, tree: Int32Array): number {
  let count = 0;
  for (let l = 0; l + 1 < layers.length; l++) {
    const size = layers[l + 1].length;
    const shift = (size + 1) / 2; // centred rank to 1-based rank
    tree.fill(0, 0, size + 1);
    let seen = 0;
    for (const v of layers[l]) {
      for (let e = out.start[v]; e < out.start[v + 1]; e++) {
        const u = out.list[e];
        if (layer[u] !== l + 1) continue;
        let atMost = 0;
        for (let i = pos[u] + shift; i > 0; i -= i & -i) atMost += tree[i];
        count += seen - atMost;
      }
      for (let e = out.start[v]; e < out.start[v + 1]; e++) {
        const u = out.list[e];
        if (layer[u] !== l + 1) continue;
        for (let i = pos[u] + shift; i <= size; i += i & -i) tree[i]++;
        seen++;
      }
    }
  }
  return count;
}

/**
 * Node centres for a top-down layered drawing: (a) layers, (b) the order within each layer, (c) coordinates, per
 * connected component, then the components packed side by side. Deterministic: the same input gives the same
 * output. Self-loops and unknown endpoints are ignored, duplicate edges count once, cycles are broken.
 */
export function layeredLayout(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions = {}): LayoutResult {
  const { rankGap = 50, nodeGap = 20, sweeps = 4, direction = 'down' } = options;
  // Left to right is top-down with every box turned a quarter (width and height swapped), transposed at the end.
  const across = direction === 'right';
  const anchor = 0.1; // how strongly a node is held to its starting x, against the pull of one neighbour (1)
  const index = new Map<string, number>();
  const ids: string[] = [];
  const width: number[] = [];
  const height: number[] = [];
  for (const node of nodes) {
    if (index.has(node.id)) continue;
    index.set(node.id, ids.length);
    ids.push(node.id);
    const [w, h] = across ? [node.height, node.width] : [node.width, node.height];
    width.push(Number.isFinite(w) ? Math.max(0, w) : 0);
    height.push(Number.isFinite(h) ? Math.max(0, h) : 0);
  }
  const n = ids.length;
  const from: number[] = [];
  const to: number[] = [];
  for (const { source, target } of edges) {
    if (index.has(source) && index.has(target)) (from.push(index.get(source)!), to.push(index.get(target)!));
  }

  // Cycles (a trace has none, but the layout must not hang on one): a depth-first search from every node in
  // input order finds back edges; turned around, the graph is acyclic and the reversed postorder is a
  // topological order of it.
  let [f, t] = distinct(n, from, to);
  const all = Array.from({ length: n }, (_, i) => i);
  const back = new Uint8Array(f.length);
  const outPos = adjacency(n, f, f.map((_, e) => e));
  depthFirst(n, adjacency(n, f, t), all, (pos) => (back[outPos.list[pos]] = 1));
  [f, t] = distinct(n, f.map((s, e) => (back[e] ? t[e] : s)), t.map((d, e) => (back[e] ? f[e] : d)));
  const out = adjacency(n, f, t);
  const inc = adjacency(n, t, f);
  const post = depthFirst(n, out, all);

  // (a) Layers. Longest path from the sources gives every edge a downward direction, but leaves what is off
  // the longest path too high: every parameter and input in the top row, and the `x[t].matmul(wx)` of step t
  // of an unrolled RNN beside that of step 0. So, consumers first, a node is pulled down to just above its
  // first consumer when that shortens at least as many edges (its outgoing ones) as it stretches. The nodes
  // that feed only it come along, so the edges it stretches are those into that private subtree from nodes
  // used elsewhere (`stretch`); edges from sources do not count, as sources always move: parameters land
  // beside the op that uses them.
  const layer = new Int32Array(n);
  const stretch = new Int32Array(n);
  const degree = (adj: Adjacency, v: number) => adj.start[v + 1] - adj.start[v];
  for (let i = post.length - 1; i >= 0; i--) {
    const v = post[i];
    for (let e = inc.start[v]; e < inc.start[v + 1]; e++) {
      const u = inc.list[e];
      layer[v] = Math.max(layer[v], layer[u] + 1);
      stretch[v] += degree(inc, u) === 0 ? 0 : degree(out, u) === 1 ? stretch[u] : 1;
    }
  }
  for (const v of post) {
    if (degree(out, v) === 0 || stretch[v] > degree(out, v)) continue;
    let first = Infinity;
    for (let e = out.start[v]; e < out.start[v + 1]; e++) first = Math.min(first, layer[out.list[e]]);
    layer[v] = first - 1;
  }

  // Connected components are laid out on their own and packed afterwards, so they never interleave.
  const component = new Int32Array(n).fill(-1);
  const components: number[][] = [];
  for (let r = 0; r < n; r++) {
    if (component[r] !== -1) continue;
    const members = [r];
    component[r] = components.length;
    for (let i = 0; i < members.length; i++) {
      const v = members[i];
      for (const adj of [out, inc]) {
        for (let e = adj.start[v]; e < adj.start[v + 1]; e++) {
          const w = adj.list[e];
          if (component[w] === -1) (component[w] = components.length), members.push(w);
        }
      }
    }
    components.push(members);
  }

  // Each component's layers counted from its own top row.
  const layersOf = components.map((members) => {
    const top = members.reduce((m, v) => Math.min(m, layer[v]), Infinity);
    return Array.from({ length: members.reduce((m, v) => Math.max(m, (layer[v] -= top) + 1), 0) }, (): number[] => []);
  });

  // (b) Order within layers. Start from a depth-first walk up the dependencies from each sink, in postorder:
  // a tree comes out without crossings and siblings sit together. Then barycenter sweeps: going down, each
  // node moves to the mean position of its dependencies (in any layer above, so long edges count without
  // dummy nodes); going up, to the mean of its consumers. Sorting is stable, so ties keep the current order.
  for (const v of depthFirst(n, inc, all.filter((v) => degree(out, v) === 0))) layersOf[component[v]][layer[v]].push(v);

  const pos = new Float64Array(n); // rank in the layer, centred on 0
  const key = new Float64Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const start = new Float64Array(n);
  const want = new Float64Array(n);
  const weight = new Float64Array(n);
  const tree = new Int32Array(n + 1);
  const scratch = { w: new Float64Array(n), sum: new Float64Array(n), end: new Int32Array(n), sep: new Float64Array(n) };
  const boxes = components.map((members, c) => {
    const layers = layersOf[c];
    const depth = layers.length;
    const rank = (row: number[]) => row.forEach((v, i) => (pos[v] = i - (row.length - 1) / 2));
    layers.forEach(rank);
    const sortBy = (row: number[], adj: Adjacency) => {
      for (const v of row) {
        let sum = 0;
        for (let e = adj.start[v]; e < adj.start[v + 1]; e++) sum += pos[adj.list[e]];
        key[v] = degree(adj, v) > 0 ? sum / degree(adj, v) : pos[v];
      }
      row.sort((p, q) => key[p] - key[q] || pos[p] - pos[q]);
      rank(row);
    };
    // Sweeps can also make things worse: the order with the fewest crossings between adjacent layers is kept.
    let best = crossings(layers, out, layer, pos, tree);
    let bestOrder = best > 0 && sweeps > 0 ? layers.map((row) => row.slice()) : layers;
    for (let s = 0; s < 2 * sweeps && best > 0; s++) {
      if (s % 2 === 0) for (let l = 1; l < depth; l++) sortBy(layers[l], inc);
      else for (let l = depth - 2; l >= 0; l--) sortBy(layers[l], out);
      const now = crossings(layers, out, layer, pos, tree);
      if (now < best) (best = now), (bestOrder = layers.map((row) => row.slice()));
    }
    if (bestOrder !== layers) bestOrder.forEach((row, l) => rank((layers[l] = row)));

    // (c) Coordinates. Rows are as tall as their tallest box. In x, each layer starts packed and centred; then
    // passes down, up, down, up and a last one both ways pull each node toward the mean x of its neighbours on
    // that side, solved layer by layer as least squares that keeps the order and the gaps (placeLayer). Two
    // adjustments keep the spine of the computation straight: a source (parameter, input, constant) follows
    // its consumers but neither pulls them nor pushes them aside, so it hangs beside the op that uses it; and
    // every node is held weakly to its starting place, because least squares alone shears a repeated
    // lopsided motif (each step of an unrolled RNN, its input on one side) into a diagonal that grows with
    // the number of steps.
    let [rowTop, left, right] = [0, Infinity, -Infinity];
    for (const row of layers) {
      let [tallest, span] = [0, 0];
      for (const v of row) (tallest = Math.max(tallest, height[v])), (span += width[v] + nodeGap);
      let cursor = -(span - nodeGap) / 2;
      for (const v of row) {
        y[v] = rowTop + tallest / 2;
        start[v] = x[v] = cursor + width[v] / 2;
        cursor += width[v] + nodeGap;
      }
      rowTop += tallest + rankGap;
    }
    const sep = scratch.sep;
    const pull = (row: number[], sides: Adjacency[]) => {
      for (const v of row) {
        let sum = 0;
        let count = 0;
        for (const adj of sides) {
          for (let e = adj.start[v]; e < adj.start[v + 1]; e++) {
            const u = adj.list[e];
            if (adj === inc && degree(inc, u) === 0) continue;
            sum += x[u];
            count++;
          }
        }
        const own = count === 0 ? 1e-4 : degree(inc, v) === 0 ? 0.01 * count : count;
        want[v] = ((count > 0 ? sum / count : x[v]) * own + anchor * start[v]) / (own + anchor);
        weight[v] = own + anchor;
      }
      for (let i = 1; i < row.length; i++) sep[i] = (width[row[i - 1]] + width[row[i]]) / 2 + nodeGap;
      placeLayer(row, want, weight, sep, x, scratch);
    };
    for (const sides of [[inc], [out], [inc], [out], [inc, out]]) {
      if (sides[0] === inc) for (let l = 1; l < depth; l++) pull(layers[l], sides);
      else for (let l = depth - 2; l >= 0; l--) pull(layers[l], sides);
    }
    for (const v of members) (left = Math.min(left, x[v] - width[v] / 2)), (right = Math.max(right, x[v] + width[v] / 2));
    return { members, left, width: right - left, height: rowTop - rankGap, depth };
  });

  // Components side by side, the biggest first, wrapping into rows about as wide as the whole is tall when
  // there are many small ones; each row's components share a top edge.
  const sorted = boxes.map((_, i) => i).sort((a, b) => boxes[b].members.length - boxes[a].members.length || a - b);
  const area = boxes.reduce((s, b) => s + (b.width + 2 * nodeGap) * (b.height + rankGap), 0);
  const rowWidth = boxes.reduce((m, b) => Math.max(m, b.width), Math.sqrt(area));
  const positions: Record<string, { x: number; y: number }> = Object.create(null); // any id, even __proto__
  let [cx, cy, rowHeight] = [0, 0, 0];
  for (const c of sorted) {
    const box = boxes[c];
    if (cx > 0 && cx + box.width > rowWidth) (cx = 0), (cy += rowHeight + rankGap), (rowHeight = 0);
    for (const v of box.members) {
      const [px, py] = [x[v] - box.left + cx, y[v] + cy];
      positions[ids[v]] = across ? { x: py, y: px } : { x: px, y: py };
    }
    cx += box.width + 2 * nodeGap;
    rowHeight = Math.max(rowHeight, box.height);
  }
  return { positions, layers: boxes.reduce((m, b) => Math.max(m, b.depth), 0) };
}
