// Cheaper bookkeeping for Cytoscape (3.34) when it styles elements, which is most of a big drawing's first frame.
//
// 1. Forgetting cached styles. Applying a style property to an element calls its dirtyStyleCache(), which clears
// the element's cache and its connected edges' by building a collection of those edges, once per property:
// styling a 20,000-node drawing built ~260,000 such collections, most of a second of its first frame. In a graph
// without compound nodes (the view draws none: a fold is a node of its own) the same caches are cleared by walking
// each node's own list of edges.
//
// 2. Triggers on an element's first styling. Each property applied also checks its triggers: a property that moves
// bounds clears the element's bounding boxes (and its edges' or parallel edges', building collections for them)
// and emits a `bounds` event to the element's listeners and the renderer; one that changes stacking re-sorts the
// drawing. An element's first styling happens lazily, the first time anything reads its style, so nothing has yet
// been computed from that style (no bounding box, no edge end, no place in the sort: each reads the style first),
// and the renderer was already told of the element when it was added. On a first styling these triggers clear
// and announce nothing: that was about one event per bounds-moving property (ten or so a node, two an edge) of
// every element in a big drawing's first frame.
// A new stylesheet (a theme change) also styles every element afresh: Cytoscape clears every bounding box and
// announces it then, before any element is styled again.
import type { Core } from 'cytoscape';

/** What the replacement reads of Cytoscape's elements (internal to 3.34; the original runs if they are missing). */
interface Internal {
  length: number;
  [index: number]: { _private: { group: string; styleCache: unknown; edges?: { _private: { styleCache: unknown } }[] } };
  cy(): { hasCompoundNodes(): boolean };
}

/** What the replacement reads of Cytoscape's style (internal to 3.34). */
interface StyleInternal {
  checkTriggers(ele: { _private: { appliedInitStyle?: boolean }; dirtyStyleCache(): unknown }, name: string, from: unknown, to: unknown): void;
}

const patched = new WeakSet<object>();

export function clearStyleCachesCheaply(cy: Core): void {
  const elements = Object.getPrototypeOf(cy.collection()) as { dirtyStyleCache(this: Internal): Internal };
  if (!patched.has(elements)) {
    patched.add(elements);
    const original = elements.dirtyStyleCache;
    elements.dirtyStyleCache = function (this: Internal): Internal {
      if (this.cy().hasCompoundNodes()) return original.call(this);
      for (let i = 0; i < this.length; i++) {
        const p = this[i]._private;
        if (p.edges === undefined) return original.call(this);
        p.styleCache = null;
        if (p.group === 'nodes') for (const edge of p.edges) edge._private.styleCache = null;
      }
      return this;
    };
  }
  const style = Object.getPrototypeOf(cy.style()) as Partial<StyleInternal>;
  if (!patched.has(style) && typeof style.checkTriggers === 'function') {
    patched.add(style);
    const original = style.checkTriggers;
    style.checkTriggers = function (this: StyleInternal, ele, name, from, to): void {
      // Cytoscape marks an element as styled once its first styling has applied every property.
      if (ele._private.appliedInitStyle === true) return original.call(this, ele, name, from, to);
      ele.dirtyStyleCache();
    };
  }
}
