// Backward: one topological sort, then one loop. No recursion (a 200,000-op chain must not overflow the stack)
// and every tensor is visited once per pass, however many paths lead to it.
import { checkSaved } from './in-place';
import { allocate, copy } from './memory';
import { activeRecorder } from './recorder';
import { formatShape } from './format';
import type { Tensor } from './tensor';

let gradEnabled = true;
let passCount = 0;

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

/** Tensors reachable from `root` through dependencies that carry a gradient, each after all its inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const mark = ++passCount;
  const order: Tensor[] = [];
  const nodes: Tensor[] = [root];
  const nextDep: number[] = [0];
  root.visitMark = mark;
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top];
    const deps = node.dependencies;
    let i = nextDep[top];
    while (i < deps.length && (deps[i].gradFn === null || deps[i].tensor.visitMark === mark)) i++;
    if (i < deps.length) {
      nextDep[top] = i + 1;
      const child = deps[i].tensor;
      child.visitMark = mark;
      nodes.push(child);
      nextDep.push(0);
    } else {
      nodes.pop();
      nextDep.pop();
      order.push(node);
    }
  }
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
  const order = topologicalOrder(root);
  checkSaved(order);
  const recorder = activeRecorder();
  recorder?.onBackwardStart?.(root);
  root.passGrad = seed ?? allocate(1).fill(1);
  root.passGradOwned = false;
  try {
    for (let n = order.length - 1; n >= 0; n--) {
      const node = order[n];
      const g = node.passGrad;
      if (g === null) continue;
      recorder?.onNodeGrad?.(node, g);
      for (const dep of node.dependencies) {
        if (dep.gradFn === null) continue;
        const dg = dep.gradFn(g);
        recorder?.onEdgeGrad?.(node, dep.tensor, dg);
        receive(dep.tensor, dg, dg !== g);
      }
    }
    for (const node of order) {
      if (node.passGrad !== null) node.accumulateGrad(node.passGrad, node.passGradOwned);
    }
  } finally {
    for (const node of order) {
      node.passGrad = null;
      node.passGradOwned = false;
    }
  }
  recorder?.onBackwardEnd?.(root);
}

/** Adds a gradient arriving along one dependency; copies before writing into an array it does not own. */
function receive(t: Tensor, g: Float64Array, owned: boolean): void {
  if (g.length !== t.size) {
    throw new Error(`backward: ${t.op} received a gradient of ${g.length} values for shape ${formatShape(t.shape)}`);
  }
  const acc = t.passGrad;
  if (acc === null) {
    t.passGrad = g;
    t.passGradOwned = owned;
    return;
  }
  const into = t.passGradOwned ? acc : copy(acc);
  for (let i = 0; i < into.length; i++) into[i] += g[i];
  t.passGrad = into;
  t.passGradOwned = true;
}
