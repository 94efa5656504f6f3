// A cheaper way for Cytoscape (3.34) to forget cached styles. Applying a style property to an element calls its
// dirtyStyleCache(), which clears the element's cache and its connected edges' by building a collection of those
// edges, once per property: styling a 20,000-node drawing built ~260,000 such collections, most of a second of
// its first frame. In a graph without compound nodes (the view draws none: a fold is a node of its own) the same
// caches are cleared by walking each node's own list of edges.
import type { Core } from 'cytoscape';

/** What the replacement reads of Cytoscape's elements (internal to 3.34; the original runs if they are missing). */
interface Internal {
  length: number;
  [index: number]: { _private: { group: string; styleCache: unknown; edges?: { _private: { styleCache: unknown } }[] } };
  cy(): { hasCompoundNodes(): boolean };
}

const patched = new WeakSet<object>();

export function clearStyleCachesCheaply(cy: Core): void {
  const elements = Object.getPrototypeOf(cy.collection()) as { dirtyStyleCache(this: Internal): Internal };
  if (patched.has(elements)) return;
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
