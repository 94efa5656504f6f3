// Search: which tensors a query matches (op, function, file:line, or a bare line number), and the classes that
// pick them out on the graph (matches outlined, the rest dimmed).
import type { Collection, Core } from 'cytoscape';
import type { TraceNode } from '../engine/trace';
import { baseName } from '../engine/format';
import { nodeElementId } from './elements';

/** The nodes a search query matches (none for an empty query). */
export function searchMatches(nodes: readonly TraceNode[], query: string): TraceNode[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  return nodes.filter((n) => {
    const site = n.site;
    const text = `${n.name ?? ''} ${n.op} ${site?.function ?? ''} ${site ? `${baseName(site.file)}:${site.line}` : ''}`.toLowerCase();
    return /^\d+$/.test(q) ? site?.line === Number(q) : text.includes(q);
  });
}

/** The match after the selected node, wrapping around (the first when the selection is not a match). */
export function nextMatch(found: readonly TraceNode[], selected: number | null): TraceNode | undefined {
  if (found.length === 0) return undefined;
  const at = found.findIndex((n) => n.id === selected);
  return found[(at + 1) % found.length];
}

/**
 * Outlines the drawn nodes of `found` (a node in a closed fold: the fold) and, while searching, dims everything
 * else: of all the elements, or of `within` (elements just added to Cytoscape).
 */
export function markSearch(cy: Core, found: readonly TraceNode[], searching: boolean, drawnId: ReadonlyMap<number, string>, within: Collection = cy.elements()): void {
  const ids = new Set(found.map((n) => drawnId.get(n.id) ?? nodeElementId(n.id)));
  if (!searching && within.filter('.match, .dimmed').empty()) return;
  cy.batch(() => {
    within.nodes().forEach((n) => {
      n.toggleClass('match', ids.has(n.id()));
      n.toggleClass('dimmed', searching && !ids.has(n.id()));
    });
    within.edges().toggleClass('dimmed', searching);
  });
}
