// Keyboard: arrows walk the graph (up: an input of the selected tensor, down: a tensor computed from it,
// left/right: neighbours in its row), Enter shows the source, / searches, f fits, +/- zoom.
import type { Core, NodeCollection, NodeSingular } from 'cytoscape';
import type { TraceNode } from '../engine/trace';
import { KEY_ZOOM } from './viewport';

/** What the keys act on. */
export interface KeyboardTarget {
  readonly cy: Core;
  select(node: number): void;
  selectedNode(): TraceNode | null;
  reveal(node: TraceNode): void;
  focusSearch(): void;
  fit(): void;
}

/** Handles the keys on `doc`, except while typing in an input or a select. */
export function bindKeyboard(doc: Document, target: KeyboardTarget): void {
  doc.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (onKey(e.key, target)) e.preventDefault();
  });
}

/** Acts on one key; false when the key is not one of ours (its default action then stays). */
function onKey(key: string, target: KeyboardTarget): boolean {
  const cy = target.cy;
  const selected = cy.nodes(':selected').first();
  const go = (candidates: NodeCollection | NodeSingular) => {
    const next = candidates.filter((n) => n.data('node') >= 0).first();
    if (next.nonempty()) target.select(next.data('node') as number);
  };
  const row = (): NodeSingular[] =>
    (cy.nodes().toArray() as NodeSingular[]).filter((n) => Math.abs(n.position('y') - selected.position('y')) < 1).sort((a, b) => a.position('x') - b.position('x'));
  const zoomTo = (level: number) => {
    cy.zoom({ level, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    cy.emit(KEY_ZOOM);
  };
  switch (key) {
    case 'ArrowUp':
      if (selected.nonempty()) go(selected.incomers('node'));
      return true;
    case 'ArrowDown':
      if (selected.nonempty()) go(selected.outgoers('node'));
      return true;
    case 'ArrowLeft':
    case 'ArrowRight': {
      if (selected.empty()) return true;
      const r = row();
      const i = r.findIndex((n) => n.same(selected));
      const next = r[key === 'ArrowLeft' ? i - 1 : i + 1];
      if (next !== undefined) go(next);
      return true;
    }
    case 'Enter': {
      const node = target.selectedNode();
      if (node) target.reveal(node);
      return true;
    }
    case '/':
      target.focusSearch();
      return true;
    case 'f':
      target.fit();
      return true;
    case '+':
    case '=':
      zoomTo(cy.zoom() * 1.25);
      return true;
    case '-':
      zoomTo(cy.zoom() / 1.25);
      return true;
    default:
      return key.startsWith('Arrow');
  }
}
