// The view at the sizes it is really shown at, in real Chromium: from a panel beside an editor with the Problems
// panel open (about 600×450) to a full screen. Every part stays on screen, apart and usable; the drawing
// refits when the panel resizes; the SVG export draws what the view draws.
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { traceFromJson, traceToJson } from '../../engine/trace';
import { gradscope } from '../runner/cli-helpers';
import { READABLE_ZOOM } from '../../webview/limits';
import { drawn, launch, openView, pageErrors, posted, screenshot, sendToView } from './chromium';

type Box = { left: number; top: number; right: number; bottom: number; width: number; height: number };
type ViewHandle = { __gradscope: { cy: import('cytoscape').Core } };

const PARTS = ['.toolbar', '.graph', '.legend', '.details', '.findings-panel', '.timeline'] as const;
const SIZES: [number, number][] = [[450, 400], [600, 560], [600, 900], [1400, 900], [1600, 1200], [600, 450], [1400, 400]];

/** Whether `box` lies inside `outer` (a pixel of rounding allowed). */
const inside = (box: Box, outer: Box) => box.left >= outer.left - 1 && box.top >= outer.top - 1 && box.right <= outer.right + 1 && box.bottom <= outer.bottom + 1;
const overlap = (a: Box, b: Box) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;

/** The page boxes of the view's parts, and of what must show inside them. */
function measure(page: Page) {
  return page.evaluate((parts) => {
    const box = (e: Element | null): Box | null => {
      if (e === null) return null;
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    const doc = document.documentElement;
    return {
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      scrollHeight: doc.scrollHeight,
      clientHeight: doc.clientHeight,
      viewport: { left: 0, top: 0, right: innerWidth, bottom: innerHeight, width: innerWidth, height: innerHeight },
      parts: Object.fromEntries(parts.map((p) => [p, box(document.querySelector(p))])) as Record<string, Box | null>,
      lossCurve: box(document.querySelector('.loss-curve')),
      lossSvg: box(document.querySelector('.loss-curve svg')),
      firstFinding: box(document.querySelector('.finding')),
      detailsTitle: box(document.querySelector('.details h2')),
    };
  }, PARTS as unknown as string[]);
}

/**
 * Whether the view is fitted: the drawing all in view, or (too big to read whole) at the readable zoom with the
 * loss (the node no edge leaves) or the selected node in view.
 */
const allInView = (page: Page) =>
  page.evaluate((readable) => {
    const cy = (window as unknown as ViewHandle).__gradscope.cy;
    const ex = cy.extent();
    const within = (bb: { x1: number; y1: number; x2: number; y2: number }) => bb.x1 >= ex.x1 - 1 && bb.y1 >= ex.y1 - 1 && bb.x2 <= ex.x2 + 1 && bb.y2 <= ex.y2 + 1;
    if (within(cy.elements().boundingBox({}))) return true;
    const loss = cy.nodes().filter((n) => n.outgoers('edge').empty()).last();
    const focus = cy.$('node:selected').nonempty() ? cy.$('node:selected') : loss;
    return Math.abs(cy.zoom() - readable) < 1e-6 && within(focus.boundingBox({}));
  }, READABLE_ZOOM);

/** Waits for the resize to reach the view (ResizeObserver, then a frame). */
const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe('graph view layout at panel sizes (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  // A realistic model: 54 tensors, 50 steps, two findings (vanishing gradients through stacked sigmoids).
  const run = gradscope('run', 'examples/vanishing-sigmoid.ts', '--json');
  assert.equal(run.code, 0, run.stderr);
  const trace = traceFromJson(run.stdout)!;
  assert.ok(trace.findings.length > 0 && trace.steps.length > 1);
  // The node with the longest details: a parameter with a gradient history.
  const param = trace.graph.nodes.find((n) => n.kind === 'param' && n.grad)!;

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function showAt(width: number, height: number): Promise<Page> {
    const page = await openView(browser);
    await page.setViewportSize({ width, height });
    await sendToView(page, { type: 'trace', json: traceToJson(trace) });
    await drawn(page);
    await sendToView(page, { type: 'select', node: param.id });
    await page.locator('.details h2').waitFor();
    await settle(page);
    return page;
  }

  for (const [width, height] of SIZES) {
    it(`${width}×${height}: every part on screen, apart, the graph usable, nothing scrolls sideways`, async () => {
      const page = await showAt(width, height);
      await screenshot(page, `layout-${width}x${height}`);
      const m = await measure(page);
      assert.ok(m.scrollWidth <= m.clientWidth, `page scrolls sideways: ${m.scrollWidth} > ${m.clientWidth}`);
      assert.ok(m.scrollHeight <= m.clientHeight, `page scrolls down: ${m.scrollHeight} > ${m.clientHeight}`);
      for (const part of PARTS) {
        const b = m.parts[part];
        assert.ok(b !== null && b.width > 0 && b.height > 0, `${part} is shown`);
        assert.ok(inside(b, m.viewport), `${part} ${JSON.stringify(b)} is inside the ${width}×${height} viewport`);
      }
      PARTS.forEach((a, i) =>
        PARTS.slice(i + 1).forEach((b) => assert.ok(!overlap(m.parts[a]!, m.parts[b]!), `${a} ${JSON.stringify(m.parts[a])} and ${b} ${JSON.stringify(m.parts[b])} overlap`)),
      );
      const graph = m.parts['.graph']!;
      assert.ok(graph.width >= 200 && graph.height >= 150, `graph is ${graph.width}×${graph.height}`);
      // The loss curve is whole, in the timeline; the first finding and the selected node's title show without scrolling.
      assert.ok(m.lossSvg !== null && inside(m.lossSvg, m.lossCurve!) && inside(m.lossCurve!, m.parts['.timeline']!), `loss curve ${JSON.stringify(m.lossSvg)} in ${JSON.stringify(m.lossCurve)}`);
      // A long finding may wrap past its panel's bottom (the panel scrolls); its first line shows.
      const findingTop = m.firstFinding && { ...m.firstFinding, bottom: m.firstFinding.top + 16 };
      assert.ok(findingTop !== null && inside(findingTop, m.parts['.findings-panel']!), `first finding ${JSON.stringify(m.firstFinding)} shows in the findings`);
      assert.ok(m.detailsTitle !== null && inside(m.detailsTitle, m.parts['.details']!), 'the selected node is named in the details');
      assert.ok(await allInView(page), `the whole drawing is in view: ${await page.evaluate(() => { const cy = (window as unknown as ViewHandle).__gradscope.cy; return JSON.stringify({ z: cy.zoom(), ex: cy.extent(), sel: cy.$('node:selected').boundingBox({}), all: cy.elements().boundingBox({}), w: cy.width(), h: cy.height() }); })}`);
      assert.deepEqual(pageErrors(page), []);
      await page.close();
    });
  }

  it('600×450 with a failed run: the banner takes its room from the graph, which stays usable', async () => {
    const page = await showAt(600, 450);
    await sendToView(page, { type: 'status', kind: 'error', text: '/w/model.ts:12:5: ShapeError: add: shapes [100, 3] and [4] cannot be broadcast together' });
    await page.locator('.failure').waitFor({ state: 'visible' });
    await settle(page);
    await screenshot(page, 'layout-600x450-failed');
    const m = await measure(page);
    const banner = (await page.locator('.failure').boundingBox())!;
    const bannerBox = { left: banner.x, top: banner.y, right: banner.x + banner.width, bottom: banner.y + banner.height, width: banner.width, height: banner.height };
    assert.ok(m.scrollWidth <= m.clientWidth && m.scrollHeight <= m.clientHeight);
    for (const part of PARTS) assert.ok(inside(m.parts[part]!, m.viewport) && !overlap(m.parts[part]!, bannerBox), `${part} beside the banner`);
    assert.ok(m.parts['.graph']!.height >= 150, `graph is ${m.parts['.graph']!.height} high`);
    assert.ok(await allInView(page), 'refitted to the smaller graph');
    await page.close();
  });

  it('refits the drawing when the panel resizes', async () => {
    const page = await showAt(1400, 900);
    for (const [width, height] of [[600, 450], [450, 900], [1600, 1200], [1000, 400]]) {
      await page.setViewportSize({ width, height });
      await settle(page);
      assert.ok(await allInView(page), `all in view after resizing to ${width}×${height}: ${await page.evaluate(() => { const cy = (window as unknown as ViewHandle).__gradscope.cy; return JSON.stringify({ z: cy.zoom(), ex: cy.extent(), sel: cy.$('node:selected').boundingBox({}), all: cy.elements().boundingBox({}), w: cy.width(), h: cy.height() }); })}`);
    }
    await screenshot(page, 'layout-resized-1000x400');
    await page.close();
  });

  it('after the user zooms, a resize keeps the centre instead of refitting', async () => {
    const page = await showAt(1400, 900);
    const graph = (await measure(page)).parts['.graph']!;
    await page.mouse.move(graph.left + graph.width / 2, graph.top + graph.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await settle(page);
    const view = () =>
      page.evaluate(() => {
        const cy = (window as unknown as ViewHandle).__gradscope.cy;
        const e = cy.extent();
        return { zoom: cy.zoom(), x: (e.x1 + e.x2) / 2, y: (e.y1 + e.y2) / 2 };
      });
    const zoomed = await view();
    assert.equal(await allInView(page), false, 'zoomed in past the fit');
    // Kept in the webview's state, for a reload to put back.
    const savedViewport = () => page.evaluate(() => (window as unknown as { acquireVsCodeApi(): { getState(): { viewport?: { zoom: number } } } }).acquireVsCodeApi().getState().viewport);
    assert.equal((await savedViewport())?.zoom, zoomed.zoom);
    await page.setViewportSize({ width: 900, height: 700 });
    await settle(page);
    const after = await view();
    assert.equal(after.zoom, zoomed.zoom);
    assert.ok(Math.abs(after.x - zoomed.x) < 1 && Math.abs(after.y - zoomed.y) < 1, `centre ${JSON.stringify(zoomed)} -> ${JSON.stringify(after)}`);
    // Fit hands the view back: the next resize refits.
    await page.getByRole('button', { name: 'Fit readable', exact: true }).click();
    assert.equal(await savedViewport(), undefined, 'a fit forgets the hand-made viewport');
    await page.setViewportSize({ width: 600, height: 450 });
    await settle(page);
    assert.ok(await allInView(page));
    await page.close();
  });

  it('exports an SVG with the nodes’ shapes, labels and colours, and arrowheads in proportion', async () => {
    const page = await showAt(1400, 900);
    await page.locator('button', { hasText: 'SVG' }).click();
    const message = (await posted(page)).find((m) => m.type === 'export');
    assert.ok(message?.type === 'export' && message.format === 'svg');
    const svg = message.data;
    // Parameters are hexagons and inputs rhomboids (polygons), constants ellipses, ops rounded rectangles.
    const kinds = new Set(trace.graph.nodes.map((n) => n.kind));
    assert.ok(kinds.has('param') && kinds.has('input'), [...kinds].join());
    assert.ok(/<polygon class="node[^"]*"/.test(svg), '/<polygon class="node[^"]*"/');
    if (kinds.has('const')) assert.ok(/<ellipse class="node/.test(svg), '/<ellipse class="node/');
    assert.ok(/<rect class="node[^"]*"[^>]* rx="/.test(svg), '/<rect class="node[^"]*"[^>]* rx="/');
    const drawnNodes = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes().length);
    assert.equal((svg.match(/class="node/g) ?? []).length, drawnNodes);
    const labels = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes().map((n) => n.data('label') as string));
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (const label of labels) assert.ok(svg.includes(`>${escape(label)}</text>`), `label ${label}`);
    // Colours: the fills are the view's (viridis ends are there).
    assert.ok(/fill="#fde725"/i.test(svg), '/fill="#fde725"/i');
    // Arrowheads: one per edge, each smaller than the nodes it points at.
    const arrows = [...svg.matchAll(/<polygon class="arrow" points="([^"]+)"/g)].map((m) => m[1].trim().split(/\s+/).map((p) => p.split(',').map(Number)));
    assert.equal(arrows.length, await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.edges().length));
    for (const pts of arrows) {
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      const size = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
      assert.ok(size > 2 && size < 16, `arrowhead ${size.toFixed(1)} against nodes 26 high`);
    }
    // A picture a browser can show: load it as an image and screenshot it.
    const shot = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await shot.setContent(`<body style="margin:0">${svg}</body>`);
    await screenshot(shot, 'export-svg');
    await shot.close();
    await page.close();
  });
});
