// What a user sees of a drawn node, in real Chromium: its fill on screen where Cytoscape places it, and a click at
// its centre selecting it. Shared by the tests of big drawings (WebGL, and drawings that fill in after their first frame).
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ViewState } from '../../engine/view-messages';
import { pixelAt } from './chromium';

interface ViewHandle {
  __gradscope: { cy: import('cytoscape').Core; state: ViewState };
}

/**
 * An operation's box wholly on screen (clear of the overview and the panel's edges), with a point in its lower
 * part (below the label's text), its centre, and its fill, all in page coordinates as Cytoscape reports them.
 */
export async function probe(page: Page): Promise<{ id: string; node: number; fillPoint: { x: number; y: number }; centre: { x: number; y: number }; color: string }> {
  return page.evaluate(() => {
    const cy = (window as unknown as ViewHandle).__gradscope.cy;
    const box = cy.container()!.getBoundingClientRect();
    const overview = document.querySelector('canvas.minimap')!.getBoundingClientRect();
    const zoom = cy.zoom();
    for (const n of cy.nodes().toArray()) {
      if (n.data('kind') !== 'op' || n.data('strip') !== undefined || n.selected()) continue;
      const b = n.renderedBoundingBox({});
      const inside = b.x1 > 20 && b.y1 > 20 && b.x2 < cy.width() - 20 && b.y2 < cy.height() - 20;
      const clear = box.left + b.x1 > overview.right || box.top + b.y1 > overview.bottom || box.left + b.x2 < overview.left;
      if (!inside || !clear) continue;
      const p = n.renderedPosition();
      const h = n.data('h') as number;
      return {
        id: n.id(),
        node: n.data('node') as number,
        fillPoint: { x: box.left + p.x, y: box.top + p.y + (h / 2 - 4) * zoom },
        centre: { x: box.left + p.x, y: box.top + p.y },
        color: n.data('color') as string,
      };
    }
    throw new Error('no operation wholly on screen');
  });
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** The screen shows the node's fill at its place, and a click at its centre selects it. */
export async function drawsAndSelects(page: Page): Promise<void> {
  const node = await probe(page);
  const seen = await pixelAt(page, node.fillPoint.x, node.fillPoint.y);
  const want = rgb(node.color);
  assert.ok(seen.every((c, i) => Math.abs(c - want[i]) <= 12), `at ${node.id}: screen ${seen}, its fill ${want}`);
  await page.mouse.click(node.centre.x, node.centre.y);
  const selected = await page.evaluate((id) => {
    const view = (window as unknown as ViewHandle).__gradscope;
    return { it: view.cy.getElementById(id).selected(), all: view.cy.$('node:selected').length, state: view.state.selected };
  }, node.id);
  assert.deepEqual(selected, { it: true, all: 1, state: node.node });
}
