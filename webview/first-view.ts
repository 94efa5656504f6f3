// The first view of a graph: as many boxes opened as fit the panel at a readable size. A box budget by area is a
// guess (a chain of boxes needs height, not area), so the opening order it gives is cut back, by laying out the
// candidates, to the longest prefix whose whole drawing still fits at the readable zoom.
import type { StepGraph } from '../engine/trace';
import type { Orientation } from '../engine/view-messages';
import { traceToElements } from './elements';
import { Fold, FoldTree, foldsToOpen, isFold } from './folding';
import { READABLE_ZOOM } from './limits';
import { extentOf, fitZoom, layOutElements, Size } from './orientation';

/** Whether the graph drawn with these folds open fits `panel` whole at the readable zoom. */
async function fitsReadably(graph: StepGraph, tree: FoldTree, open: readonly string[], orientation: Orientation, panel: Size): Promise<boolean> {
  const { placed, boxes } = await layOutElements(traceToElements(graph, new Set(open), tree), orientation, panel);
  return fitZoom(extentOf(boxes, placed), panel) >= READABLE_ZOOM;
}

/**
 * The folds a first view opens: those `foldsToOpen` picks for `budget` boxes, in its order, cut to the longest
 * prefix that fits the panel readably (a binary search: fewer open folds never draw bigger), the models' own boxes
 * always open. When even that does not fit, the view shows the part around the loss, with an overview.
 */
export async function firstViewFolds(graph: StepGraph, tree: FoldTree, budget: number, orientation: Orientation, panel: Size): Promise<string[]> {
  const order = foldsToOpen(tree, budget);
  if (order.length === 0 || (await fitsReadably(graph, tree, order, orientation, panel))) return order;
  // The models themselves (the outermost module boxes) always open: a first view of one box says nothing.
  const models = new Set(tree.top.filter((i): i is Fold => isFold(i) && i.kind === 'module').map((f) => f.id));
  const floor = order.findIndex((id) => !models.has(id));
  let [lo, hi] = [floor < 0 ? order.length : floor, order.length - 1];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (await fitsReadably(graph, tree, order.slice(0, mid), orientation, panel)) lo = mid;
    else hi = mid - 1;
  }
  return order.slice(0, lo);
}
