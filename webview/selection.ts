// Picking out nodes on the graph: the one the user selected (brought into view when it is off screen), and the
// ones made on the editor's current line.
import type { Core } from 'cytoscape';
import type { Site, TraceNode } from '../engine/trace';
import { nodeElementId } from './elements';

/** An editor line, as the host reports the cursor. */
export interface EditorLine {
  file: string;
  line: number;
}

/** Selects a drawn node (null: none), centring it if asked and it is out of view: a node just clicked stays under the mouse. */
export function selectElement(cy: Core, node: number | null, center: boolean): void {
  if (node === null) {
    cy.$(':selected').unselect();
    return;
  }
  const ele = cy.getElementById(nodeElementId(node));
  cy.batch(() => {
    cy.$(':selected').unselect();
    ele.select();
  });
  const box = ele.nonempty() ? ele.boundingBox({}) : null;
  const view = cy.extent();
  const visible = box !== null && box.x1 >= view.x1 && box.x2 <= view.x2 && box.y1 >= view.y1 && box.y2 <= view.y2;
  // At once rather than animated: a fit on resize must not race an animation still heading for the old centre.
  if (center && box !== null && !visible) cy.center(ele);
}

/** Marks the drawn nodes made on `at` (null: none) as linked to the editor. */
export function markLinkedLine(cy: Core, nodes: readonly TraceNode[], at: EditorLine | null): void {
  const on = (s: Site | null) => at !== null && s !== null && s.line === at.line && s.file === at.file;
  cy.batch(() => {
    // Only the nodes that have the class: removing it from each of a fresh 20,000-node drawing's nodes took ~0.3 s.
    cy.nodes('.linked').removeClass('linked');
    if (at !== null) for (const n of nodes) if (on(n.site)) cy.getElementById(nodeElementId(n.id)).addClass('linked');
  });
}
