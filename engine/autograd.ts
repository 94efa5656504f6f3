// Backward: one topological sort, then one loop. No recursion (a 200,000-op chain must not overflow the stack)
// and every tensor is visited once per pass, however many paths lead to it.
import { checkSaved } from './in-place';
import { allocate, copy } from './memory';
import { activeRecorder } from './recorder';
import { formatShape } from './format';
import type { Tensor } from './tensor';

let gradEnabled = true;
/**
 * The first visit mark of the next backward pass. A pass stamps the tensors it reaches with consecutive marks from
 * its own first one, so `visitMark - first` is a tensor's slot in the pass's arrays (the gradient on its way
 * there), and a mark below `first` means not reached yet: no Set, and no per-pass fields on every tensor.
 */
let nextMark = 0;
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with gradient tracking off: nothing created inside requires grad or keeps dependencies. */
export function noGrad<T>(fn: () => T): T {
  const saved = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = saved;
  }
}

/**
 * Tensors reachable from `root` through dependencies that carry a gradient, each after all its inputs, stamped
 * with their slots (marks from `first`).
 */
function topologicalOrder(root: Tensor, first: number): Tensor[] {
  const order: Tensor[] = [];
  const nodes: Tensor[] = [root];
  const nextDep: number[] = [0];
  let mark = first;
  root.visitMark = mark++;
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top];
    const n = node.inputCount;
    let i = nextDep[top];
    while (i < n && (node.gradFnOf(i) === null || node.input(i).visitMark >= first)) i++;
    if (i < n) {
      nextDep[top] = i + 1;
      const child = node.input(i);
      child.visitMark = mark++;
      nodes.push(child);
      nextDep.push(0);
    } else {
      nodes.pop();
      nextDep.pop();
      order.push(node);
    }
  }
  nextMark = mark;
  return order;
}

export function backward(root: Tensor, seed?: Float64Array): void {
  if (!root.requiresGrad) {
    throw new Error(
      `backward: this ${root.op} tensor does not require grad (no input of it was created with { requiresGrad: true }, or it was made inside noGrad)`,
    );
  }
  if (seed === undefined && root.size !== 1) {
    throw new Error(
      `backward: a gradient can be implied only for a scalar, but this tensor has shape ${formatShape(root.shape)}; pass backward(grad) with that shape`,
    );
  }
  const first = nextMark;
  const order = topologicalOrder(root, first);
  checkSaved(order);
  const recorder = activeRecorder();
  recorder?.onBackwardStart?.(root);
  // By slot: the gradient reaching each tensor in this pass, before it is added to `grad`, and whether the array
  // is its own (false while some other tensor also holds it: a gradient passed through unchanged).
  const pass: Pass = { first, grads: new Array<Float64Array | null>(order.length).fill(null), owned: new Uint8Array(order.length) };
  pass.grads[root.visitMark - first] = seed ?? allocate(1).fill(1);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n];
    const g = pass.grads[node.visitMark - first];
    if (g === null) continue;
    recorder?.onNodeGrad?.(node, g);
    for (let i = 0; i < node.inputCount; i++) {
      const gradFn = node.gradFnOf(i);
      if (gradFn === null) continue;
      const input = node.input(i);
      const dg = gradFn(g);
      recorder?.onEdgeGrad?.(node, input, dg);
      receive(pass, input, dg, dg !== g);
    }
  }
  for (const node of order) {
    const slot = node.visitMark - first;
    const g = pass.grads[slot];
    if (g !== null) node.accumulateGrad(g, pass.owned[slot] === 1);
  }
  recorder?.onBackwardEnd?.(root);
}

interface Pass {
  first: number;
  grads: (Float64Array | null)[];
  owned: Uint8Array;
}

/** Adds a gradient arriving along one dependency; copies before writing into an array it does not own. */
function receive(pass: Pass, t: Tensor, g: Float64Array, owned: boolean): void {
  if (g.length !== t.size) {
    throw new Error(`backward: ${t.op} received a gradient of ${g.length} values for shape ${formatShape(t.shape)}`);
  }
  const slot = t.visitMark - pass.first;
  const acc = pass.grads[slot];
  if (acc === null) {
    pass.grads[slot] = g;
    pass.owned[slot] = owned ? 1 : 0;
    return;
  }
  const into = pass.owned[slot] === 1 ? acc : copy(acc);
  for (let i = 0; i < into.length; i++) into[i] += g[i];
  pass.grads[slot] = into;
  pass.owned[slot] = 1;
}
