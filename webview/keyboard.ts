// Keyboard: arrows walk the graph (up: an input of the selected tensor, down: a tensor computed from it,
// left/right: neighbours in its row; turned a quarter in a left-to-right drawing), Enter shows the source,
// / searches, f fits readably, F (Shift+F) fits all of it, +/- zoom, h switches between the graph and Health.
import type { Core, NodeCollection, NodeSingular } from 'cytoscape';
import type { TraceNode } from '../engine/trace';
import { KEY_ZOOM } from './viewport';

/** What the keys act on. */
export interface KeyboardTarget {
  readonly cy: Core;
  /**
   * Puts what a walk from the selected node reads (its neighbours, its layer) into Cytoscape, where a big drawing
   * fills in over its first seconds.
   */
  prepareWalk(): void;
  select(node: number): void;
  selectedNode(): TraceNode | null;
  reveal(node: TraceNode): void;
  focusSearch(): void;
  /** The readable fit. */
  fit(): void;
  /** All of the drawing in view. */
  fitAll(): void;
  /** Which way the drawing runs. */
  direction(): 'down' | 'right';
  /** Switches between the graph and the Health charts. */
  switchView(): void;
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
  if (key.startsWith('Arrow')) target.prepareWalk();
  const selected = cy.nodes(':selected').first();
  const go = (candidates: NodeCollection | NodeSingular) => {
    const next = candidates.filter((n) => n.data('node') >= 0).first();
    if (next.nonempty()) target.select(next.data('node') as number);
  };
  // Along the data flow is y in a top-down drawing and x in one left to right; a layer lies across it.
  const across = target.direction() === 'right';
  const [flow, side] = across ? (['x', 'y'] as const) : (['y', 'x'] as const);
  const row = (): NodeSingular[] =>
    (cy.nodes().toArray() as NodeSingular[]).filter((n) => Math.abs(n.position(flow) - selected.position(flow)) < 1).sort((a, b) => a.position(side) - b.position(side));
  // Keys by meaning: a dependency, a result, the previous and next neighbour in the layer.
  const meaning = (across ? { ArrowLeft: 'up', ArrowRight: 'down', ArrowUp: 'prev', ArrowDown: 'next' } : { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'prev', ArrowRight: 'next' })[key as 'ArrowUp'];
  const zoomTo = (level: number) => {
    cy.zoom({ level, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    cy.emit(KEY_ZOOM);
  };
  switch (meaning ?? key) {
    case 'up':
      if (selected.nonempty()) go(selected.incomers('node'));
      return true;
    case 'down':
      if (selected.nonempty()) go(selected.outgoers('node'));
      return true;
    case 'prev':
    case 'next': {
      if (selected.empty()) return true;
      const r = row();
      const i = r.findIndex((n) => n.same(selected));
      const next = r[meaning === 'prev' ? i - 1 : i + 1];
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
    case 'F':
      target.fitAll();
      return true;
    case 'h':
    case 'H':
      target.switchView();
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
