// The drawing suits the panel: top-down in a tall panel, left to right in a wide one (or as the toolbar says), the
// two fits (all of it; readable), the overview of a graph too big to read whole, and wheel zoom at a steady rate.
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { Trace, traceFromJson, traceToJson } from '../../engine/trace';
import { DEFAULT_VIEW_STATE, ViewState } from '../../engine/view-messages';
import { foldTree } from '../../webview/folding';
import { READABLE_PX, READABLE_ZOOM } from '../../webview/limits';
import { gradscope } from '../runner/cli-helpers';
import { drawn, launch, nodePoint, openView, pageErrors, screenshot, sendToView } from './chromium';

type ViewHandle = { __gradscope: { cy: import('cytoscape').Core; state: { orientation?: string }; direction: string; drawn: Promise<void> } };

function traceOf(file: string): Trace {
  const r = gradscope('run', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  return traceFromJson(r.stdout)!;
}

/**
 * Which way the drawn edges point: 'right' or 'down' when nine in ten do (a folded loop's boxes feed each other
 * both ways, so a few point back), else 'mixed'.
 */
const flow = (page: Page) =>
  page.evaluate(() => {
    const edges = (window as unknown as ViewHandle).__gradscope.cy.edges().toArray() as import('cytoscape').EdgeSingular[];
    const share = (axis: 'x' | 'y') => edges.filter((e) => e.source().position(axis) < e.target().position(axis)).length / edges.length;
    return share('x') >= 0.9 ? 'right' : share('y') >= 0.9 ? 'down' : 'mixed';
  });

/** The zoom, whether the whole drawing is in view, and the smallest label on screen in pixels. */
const viewOf = (page: Page) =>
  page.evaluate(() => {
    const cy = (window as unknown as ViewHandle).__gradscope.cy;
    const ex = cy.extent();
    const bb = cy.elements().boundingBox({});
    const all = bb.x1 >= ex.x1 - 1 && bb.y1 >= ex.y1 - 1 && bb.x2 <= ex.x2 + 1 && bb.y2 <= ex.y2 + 1;
    const fonts = cy.nodes().map((n) => parseFloat(n.style('font-size')) * cy.zoom());
    return { zoom: cy.zoom(), pan: cy.pan(), all, smallestPx: Math.min(...fonts) };
  });

const waitDrawn = (page: Page) => page.evaluate(() => (window as unknown as ViewHandle).__gradscope.drawn);
const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('graph orientation, fits, overview and wheel zoom (Chromium)', function () {
  this.timeout(180_000);
  let browser: Browser;
  const deep = traceOf('examples/deep-mlp.ts');
  const linreg = traceOf('examples/linear-regression.ts');
  const longRnn = traceOf('test/fixtures/long-rnn.ts');

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function show(trace: Trace, width: number, height: number, state?: ViewState): Promise<Page> {
    const page = await openView(browser);
    await page.setViewportSize({ width, height });
    await sendToView(page, { type: 'trace', json: traceToJson(trace), state });
    await drawn(page);
    await frames(page);
    return page;
  }

  /** The long RNN with its first loop box opened: thousands of tensors, too many to read whole. */
  async function bigGraph(width: number, height: number): Promise<Page> {
    const page = await show(longRnn, width, height);
    const box = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes().filter((n) => / ×\d+$/.test(n.data('label') as string)).first().id());
    const at = await nodePoint(page, box);
    await page.mouse.click(at.x, at.y);
    await waitDrawn(page);
    await frames(page);
    return page;
  }

  // The 20-layer MLP with every box open: a chain of 275 tensors.
  const chain = (): ViewState => ({ ...DEFAULT_VIEW_STATE, expanded: [...foldTree(deep.graph).folds.keys()] });

  it('lays a long chain out left to right in a wide panel (1400×500) and top-down in a tall one (600×900)', async () => {
    const wide = await show(deep, 1400, 500, chain());
    await screenshot(wide, 'orientation-deep-mlp-1400x500');
    assert.equal(await flow(wide), 'right');
    assert.equal(await wide.evaluate(() => (window as unknown as ViewHandle).__gradscope.direction), 'right');
    await wide.close();
    const tall = await show(deep, 600, 900, chain());
    await screenshot(tall, 'orientation-deep-mlp-600x900');
    assert.equal(await flow(tall), 'down');
    assert.deepEqual(pageErrors(tall), []);
    await tall.close();
  });

  it('left to right: the arrow keys follow the flow, and the SVG export keeps labels set on two lines', async () => {
    const page = await show(deep, 1400, 500, chain());
    assert.equal(await flow(page), 'right');
    const wrapped = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes('[wrapped]').map((n) => n.data('wrapped') as string));
    assert.ok(wrapped.length > 0 && wrapped.every((w) => w.includes('\n')), 'long labels are on two lines');
    // A tensor with one input and one use: left goes to the input, right back to it.
    const pick = await page.evaluate(() => {
      const n = (window as unknown as ViewHandle).__gradscope.cy.nodes().filter((x) => x.indegree(false) === 1 && x.outdegree(false) === 1 && x.incomers('node').first().data('node') >= 0)[0];
      return { node: n.data('node') as number, input: n.incomers('node').first().id(), id: n.id() };
    });
    await sendToView(page, { type: 'select', node: pick.node });
    await page.locator('.graph').focus();
    const selected = () => page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes(':selected').map((n) => n.id()));
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await selected(), [pick.input]);
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await selected(), [pick.id]);
    await page.getByRole('button', { name: 'SVG', exact: true }).click();
    const svg = (await page.evaluate(() => (window as unknown as { __posted: { type: string; data?: string }[] }).__posted.find((m) => m.type === 'export')?.data)) ?? '';
    const [first, second] = wrapped[0].split('\n');
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.ok(svg.includes(`>${escape(first)}</tspan><tspan`) && svg.includes(`>${escape(second)}</tspan>`), `"${first}" / "${second}" in the SVG`);
    // Other models in the same wide panel, for the eye.
    for (const file of ['examples/char-gpt.ts', 'examples/rnn.ts']) {
      const other = await show(traceOf(file), 1400, 500);
      await screenshot(other, `orientation-${file.replace(/.*\//, '').replace('.ts', '')}-1400x500`);
      assert.deepEqual(pageErrors(other), []);
      await other.close();
    }
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('the toolbar turns the layout top-down or left to right, kept in the view state, and back to auto', async () => {
    const page = await show(deep, 600, 900, chain());
    await page.selectOption('select.orientation', 'right');
    await waitDrawn(page);
    assert.equal(await flow(page), 'right');
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.state.orientation), 'right');
    await page.setViewportSize({ width: 1400, height: 500 });
    await frames(page);
    await waitDrawn(page);
    await page.selectOption('select.orientation', 'down');
    await waitDrawn(page);
    assert.equal(await flow(page), 'down', 'top-down even in a wide panel when asked');
    await page.selectOption('select.orientation', 'auto');
    await waitDrawn(page);
    assert.equal(await flow(page), 'right');
    // Auto lays out again when the panel turns from wide to tall.
    await page.setViewportSize({ width: 600, height: 900 });
    await page.waitForFunction(() => (window as unknown as ViewHandle).__gradscope.direction === 'down', undefined, { timeout: 5000 });
    await waitDrawn(page);
    assert.equal(await flow(page), 'down');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('Fit shows all of a big graph; Fit readable (and f) keeps labels readable; Shift+F fits all', async () => {
    const page = await bigGraph(1400, 900);
    const first = await viewOf(page);
    assert.ok(!first.all && Math.abs(first.zoom - READABLE_ZOOM) < 1e-6, `the first view is readable: ${JSON.stringify(first)}`);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    const all = await viewOf(page);
    assert.ok(all.all && all.zoom < READABLE_ZOOM, `Fit shows everything: ${JSON.stringify(all)}`);
    await screenshot(page, 'fit-all-long-rnn-1400x900');
    await page.getByRole('button', { name: 'Fit readable', exact: true }).click();
    const readable = await viewOf(page);
    assert.ok(readable.smallestPx >= READABLE_PX - 0.01, `Fit readable: ${JSON.stringify(readable)}`);
    await page.locator('.graph').focus();
    await page.keyboard.press('Shift+F');
    assert.ok((await viewOf(page)).all, 'Shift+F fits all');
    await page.keyboard.press('f');
    assert.ok((await viewOf(page)).smallestPx >= READABLE_PX - 0.01, 'f fits readably');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('shows an overview of a graph too big to read whole; a click in it moves the view there', async () => {
    for (const [width, height] of [[1400, 900], [600, 900]] as const) {
      const page = await bigGraph(width, height);
      const minimap = page.locator('.graph canvas.minimap');
      await minimap.waitFor({ state: 'visible' });
      await screenshot(page, `minimap-long-rnn-${width}x${height}`);
      const box = (await minimap.boundingBox())!;
      assert.ok(box.width >= 100 && box.height >= 80, JSON.stringify(box));
      const before = await viewOf(page);
      // The loss is in view (bottom or right); the opposite corner of the overview is the start of the graph.
      await page.mouse.click(box.x + 6, box.y + 6);
      await frames(page);
      const after = await viewOf(page);
      assert.equal(after.zoom, before.zoom, 'a click pans, it does not zoom');
      assert.ok(Math.hypot(after.pan.x - before.pan.x, after.pan.y - before.pan.y) > 100, `${JSON.stringify(before.pan)} -> ${JSON.stringify(after.pan)}`);
      // A drag keeps moving it.
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 6, box.y + box.height - 6, { steps: 4 });
      await page.mouse.up();
      await frames(page);
      const dragged = await viewOf(page);
      assert.ok(Math.hypot(dragged.pan.x - after.pan.x, dragged.pan.y - after.pan.y) > 100, 'dragging pans');
      assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes(':selected').length), 0, 'nothing was selected through it');
      // The wheel over it neither zooms the graph nor scrolls the page.
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -100);
      await frames(page);
      assert.equal((await viewOf(page)).zoom, dragged.zoom, 'no zoom from the wheel over the overview');
      // Fit (all in view): no overview needed.
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await frames(page);
      assert.equal(await minimap.isVisible(), false, 'hidden when everything is in view');
      assert.deepEqual(pageErrors(page), []);
      await page.close();
    }
  });

  it('shows no overview for a graph that fits (linear regression)', async () => {
    for (const [width, height] of [[600, 900], [1400, 900]] as const) {
      const page = await show(linreg, width, height);
      assert.equal(await page.locator('.graph canvas.minimap').isVisible(), false);
      await page.close();
    }
  });

  it('a wheel notch zooms by about 10 %, about the pointer', async () => {
    const page = await show(deep, 1400, 900);
    const graph = (await page.locator('.graph').boundingBox())!;
    await page.mouse.move(graph.x + graph.width / 2, graph.y + graph.height / 2);
    for (let i = 0; i < 6; i++) {
      const before = (await viewOf(page)).zoom;
      await page.mouse.wheel(0, -100);
      await frames(page);
      const factor = (await viewOf(page)).zoom / before;
      assert.ok(factor >= 1.05 && factor <= 1.25, `notch ${i + 1}: ×${factor.toFixed(3)}`);
    }
    // The point under the pointer stays under it.
    const under = () =>
      page.evaluate(() => {
        const cy = (window as unknown as ViewHandle).__gradscope.cy;
        return { x: (cy.width() / 2 - cy.pan().x) / cy.zoom(), y: (cy.height() / 2 - cy.pan().y) / cy.zoom() };
      });
    const at = await under();
    await page.mouse.wheel(0, -100);
    await frames(page);
    const still = await under();
    assert.ok(Math.hypot(still.x - at.x, still.y - at.y) < 2, `${JSON.stringify(at)} -> ${JSON.stringify(still)}`);
    const before = (await viewOf(page)).zoom;
    await page.mouse.wheel(0, 100);
    await frames(page);
    const out = before / (await viewOf(page)).zoom;
    assert.ok(out >= 1.05 && out <= 1.25, `out: ÷${out.toFixed(3)}`);
    await page.close();
  });
});
