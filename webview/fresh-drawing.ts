// Adding a whole drawing to an empty Cytoscape (3.34) instance without the bookkeeping that only matters when
// elements join a drawing that already exists. Each redraw empties the instance and adds every element at once (a
// big drawing: what is in view, the rest joining it in chunks, fill.ts), so for a 20,000-node drawing (about 50,000
// elements, when it went in whole) this bookkeeping was a good part of the first frame:
//
// 1. Parallel edges. Adding an edge clears the traversal caches of the edges parallel to it, found by building a
//    collection per edge. In an empty instance no element has a cache yet: nothing to clear.
// 2. `add` and `bounds` events. Adding announces every element, one event each, to listeners of the element (a new
//    element has none) and of the instance; the renderer hears of the additions through its own notification, and
//    of their styles through the `style` events the batch sends at its end. Without an `add` listener on the
//    instance only the renderer is told; the `bounds` event for a box never measured is not sent.
// 3. The first measuring of a box. Cytoscape measures each element's box the first time it draws (the canvas
//    renderer culls by it) and, finding no box yet, clears the cache again and announces new bounds: the renderer
//    then recomputed every element once more on the next frame. A box never measured is not announced again.
// 4. Connected edges and texture caches on the first frame. Before drawing a node for the first time the renderer
//    queues its edges for recalculation (each a collection) and forgets its cached textures; every edge of the new
//    drawing is already queued, and nothing new has a texture yet.
import type { Collection, Core, ElementDefinition } from 'cytoscape';

/** What these replacements read of Cytoscape's elements (internal to 3.34). */
interface Private {
  _private: {
    group: string;
    rstyle: { cleanConnected?: boolean };
    bbCache: unknown;
    bbCachePosKey: unknown;
    bodyBounds: unknown;
    overlayBounds: unknown;
    labelBounds: Record<string, unknown>;
    arrowBounds: Record<string, unknown>;
  };
}
type Elements = ArrayLike<Private> & { cy(): Core; filter(keep: (e: Private) => boolean): Elements };
interface ElementMethods {
  parallelEdges(this: Elements): Elements;
  boundingBox(this: Elements, ...args: unknown[]): unknown;
  dirtyBoundingBoxCache(this: Elements): Elements;
  emitAndNotify(this: Elements, event: string, ...rest: unknown[]): Elements;
}
interface Internals {
  emitter(): { listeners: { type: string }[] };
  notify(event: string, eles: Elements): void;
  renderer(): { onUpdateEleCalcsFns?: ((willDraw: boolean, eles: Elements) => void)[] };
}

/** True while a drawing is added to an empty instance. */
let adding = false;
/** True while Cytoscape measures a box. */
let measuring = false;
/** Elements added to an empty instance that the renderer has not yet prepared for a first draw. */
const fresh = new WeakSet<Private>();
const patched = new WeakSet<object>();

/** Clears an element's cached boxes without announcing it (the cache was already empty). */
function forgetBoxes(p: Private['_private']): void {
  p.bbCachePosKey = p.bodyBounds = p.overlayBounds = null;
  for (const k of Object.keys(p.labelBounds)) p.labelBounds[k] = null;
  for (const k of Object.keys(p.arrowBounds)) p.arrowBounds[k] = null;
}

function patchElements(cy: Core): void {
  const methods = Object.getPrototypeOf(cy.collection()) as ElementMethods;
  if (patched.has(methods)) return;
  patched.add(methods);
  const { parallelEdges, emitAndNotify, boundingBox, dirtyBoundingBoxCache } = methods;
  const none = cy.collection() as unknown as Elements;
  methods.parallelEdges = function () {
    return adding ? none : parallelEdges.call(this);
  };
  methods.emitAndNotify = function (event, ...rest) {
    const core = this.cy() as unknown as Internals;
    if (!adding || event !== 'add' || core.emitter().listeners.some((l) => l.type === 'add')) return emitAndNotify.call(this, event, ...rest);
    core.notify('add', this);
    return this;
  };
  methods.boundingBox = function (...args) {
    if (measuring) return boundingBox.apply(this, args);
    measuring = true;
    try {
      return boundingBox.apply(this, args);
    } finally {
      measuring = false;
    }
  };
  methods.dirtyBoundingBoxCache = function () {
    // Only boxes never measured: the elements being added, or one being measured for the first time.
    if (!adding && !(measuring && this.length === 1)) return dirtyBoundingBoxCache.call(this);
    for (let i = 0; i < this.length; i++) if (this[i]._private.bbCache !== null) return dirtyBoundingBoxCache.call(this);
    for (let i = 0; i < this.length; i++) forgetBoxes(this[i]._private);
    return this;
  };
}

function patchRenderer(cy: Core): void {
  const r = (cy as unknown as Internals).renderer();
  if (patched.has(r) || r.onUpdateEleCalcsFns === undefined) return;
  patched.add(r);
  // The canvas renderer's one calculation hook forgets elements' textures (its name is lost in the minified bundle).
  r.onUpdateEleCalcsFns = r.onUpdateEleCalcsFns.map((hook) =>
    !/invalidateElements/.test(String(hook))
      ? hook
      : (willDraw, eles) => {
          let anyFresh = false;
          for (let i = 0; i < eles.length && !anyFresh; i++) anyFresh = fresh.has(eles[i]);
          if (!anyFresh) return hook(willDraw, eles);
          const drawnBefore = eles.filter((e) => !fresh.delete(e));
          if (drawnBefore.length > 0) hook(willDraw, drawnBefore);
        },
  );
}

/** Adds elements, in one go and cheaply when the instance is empty (call it inside `cy.batch`). */
export function addElements(cy: Core, elements: ElementDefinition[]): Collection {
  patchElements(cy);
  patchRenderer(cy);
  if (cy.elements().nonempty()) return cy.add(elements);
  let added: Collection;
  adding = true;
  try {
    added = cy.add(elements);
  } finally {
    adding = false;
  }
  for (let i = 0; i < added.length; i++) {
    const e = added[i] as unknown as Private;
    fresh.add(e);
    // Its edges are new too, and queued already.
    if (e._private.group === 'nodes') e._private.rstyle.cleanConnected = true;
  }
  return added;
}
