// A big drawing (20,000 tensors, every box opened: about 50,000 elements) goes into Cytoscape a part at a time
// (webview/fill.ts), in real headless Chromium: its first frame holds everything in view, drawn and clickable;
// the rest follows between frames, nearest first; what a pan brings into view is there before the frame draws;
// and search marks, colours chosen meanwhile, exports and keyboard walking see all of it.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { traceToJson } from '../../engine/trace';
import { DEFAULT_VIEW_STATE, ViewMessage, ViewState } from '../../engine/view-messages';
import type { Drawing } from '../../webview/drawing';
import { foldTree } from '../../webview/folding';
import { FILL_IN_PARTS_ELEMENTS, READABLE_ZOOM } from '../../webview/limits';
import { searchMatches } from '../../webview/search';
import { rnnLengthFor, rnnTrace } from '../webview/make-trace';
import { browserForSuite, openView, pageErrors, posted, screenshot } from './chromium';
import { drawsAndSelects } from './on-screen';

interface ViewHandle {
  __gradscope: {
    cy: import('cytoscape').Core;
    drawing: Drawing;
    state: ViewState;
    trace: unknown;
    drawn: Promise<void>;
    filled: Promise<void>;
    setSearch(query: string): void;
    setMetric(metric: ViewState['metric'], diff: boolean): void;
    recolor(): void;
    fit(): void;
  };
}

const trace = rnnTrace(rnnLengthFor(20_000));
const everythingOpen: ViewState = { ...DEFAULT_VIEW_STATE, expanded: [...foldTree(trace.graph).folds.keys()] };
const json = traceToJson(trace);

/** Draws the big trace (every box open unless told) and waits for the frame after it says it has drawn (not for the fill). */
async function showBig(page: Page, state: ViewState | undefined = everythingOpen): Promise<Page> {
  await page.evaluate(
    async ([t, state]) => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const before = view.trace;
      window.postMessage({ type: 'trace', json: t, state }, '*');
      while (view.trace === before) await new Promise((r) => setTimeout(r, 0));
      await view.drawn;
      await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    },
    [json, state] as const,
  );
  return page;
}

/** The drawing's boxes that overlap the view now, and which of them are not in Cytoscape. */
const inView = (page: Page) =>
  page.evaluate(() => {
    const view = (window as unknown as ViewHandle).__gradscope;
    const ex = view.cy.extent();
    const seen = view.drawing.boxes.filter((b) => b.x + b.w / 2 >= ex.x1 && b.x - b.w / 2 <= ex.x2 && b.y + b.h / 2 >= ex.y1 && b.y - b.h / 2 <= ex.y2);
    return { ids: seen.map((b) => b.id), missing: seen.filter((b) => view.cy.getElementById(b.id).empty()).map((b) => b.id), inCytoscape: view.cy.nodes().length };
  });

const waitFilled = (page: Page) => page.evaluate(() => (window as unknown as ViewHandle).__gradscope.filled);

describe('a big drawing fills in after its first frame (Chromium)', function () {
  this.timeout(180_000);
  const browser = browserForSuite();

  it('draws everything in view in the first frame, readable, in its colours and clickable; all of it follows', async () => {
    const page = await showBig(await openView(browser()));
    const first = await inView(page);
    const sizes = await page.evaluate(() => {
      const view = (window as unknown as ViewHandle).__gradscope;
      return { boxes: view.drawing.boxes.length, edges: view.drawing.ends.length / 2, zoom: view.cy.zoom() };
    });
    assert.ok(sizes.boxes + sizes.edges > FILL_IN_PARTS_ELEMENTS, `${sizes.boxes + sizes.edges} elements`);
    assert.equal(sizes.boxes, trace.graph.nodes.length, 'every tensor has its box');
    assert.ok(first.ids.length > 10, `${first.ids.length} boxes in view`);
    assert.deepEqual(first.missing, [], 'every box in view is in the first frame');
    assert.ok(first.inCytoscape < sizes.boxes / 2, `${first.inCytoscape} of ${sizes.boxes} nodes in Cytoscape at the first frame`);
    assert.ok(Math.abs(sizes.zoom - READABLE_ZOOM) < 1e-6, 'the readable fit');
    await screenshot(page, 'fill-20k-first-frame');
    await drawsAndSelects(page);
    await waitFilled(page);
    const all = await page.evaluate(() => {
      const cy = (window as unknown as ViewHandle).__gradscope.cy;
      return { nodes: cy.nodes().length, edges: cy.edges().length };
    });
    assert.deepEqual(all, { nodes: sizes.boxes, edges: sizes.edges });
    // Zoomed in on what the first frame showed, once all of it is in: the labels read, the edges join their boxes.
    await page.evaluate(() => {
      const cy = (window as unknown as ViewHandle).__gradscope.cy;
      cy.zoom({ level: 2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    });
    await screenshot(page, 'fill-20k-zoomed-in');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('as it opens (the first view chooses what to open) too: what is in view first, though long edges run across it', async () => {
    // A readable fit passes through the whole drawing on its way to the loss, and long edges (a weight to each of
    // its uses) cross the view: neither brings the whole drawing into Cytoscape at once.
    const page = await showBig(await openView(browser()), undefined);
    const first = await inView(page);
    const boxes = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.drawing.boxes.length);
    assert.ok(boxes > 10_000, `${boxes} boxes`);
    assert.ok(first.ids.length > 0, 'something in view');
    assert.deepEqual(first.missing, [], 'every box in view is in the first frame');
    assert.ok(first.inCytoscape < boxes / 4, `${first.inCytoscape} of ${boxes} nodes in Cytoscape at the first frame`);
    await screenshot(page, 'fill-20k-folded-first-frame');
    // Fit readable again (as a resize of the panel does) while it fills in: the same part, and no more, in Cytoscape.
    const refit = await page.evaluate(async () => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const before = view.cy.nodes().length;
      view.fit();
      await Promise.resolve();
      return { before, after: view.cy.nodes().length };
    });
    assert.equal(refit.after, refit.before, 'nothing added by the fit passing through the whole drawing');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('a pan far away finds what it brings into view already in Cytoscape, drawn and clickable, before the rest; and after it', async () => {
    const page = await showBig(await openView(browser()));
    // To the middle of the drawing's length, hundreds of screens from the loss (the fill comes there late), and what
    // is in view read as soon as the task that panned is done (the view adds what it shows then): no chunk of the
    // fill, each a task of its own, can have run in between.
    const after = await page.evaluate(async () => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const cy = view.cy;
      const along = [...view.drawing.boxes].sort((a, b) => a.x - b.x);
      const far = along[Math.floor(along.length / 2)];
      cy.pan({ x: cy.width() / 2 - far.x * cy.zoom(), y: cy.height() / 2 - far.y * cy.zoom() });
      await Promise.resolve();
      const ex = cy.extent();
      const seen = view.drawing.boxes.filter((b) => b.x + b.w / 2 >= ex.x1 && b.x - b.w / 2 <= ex.x2 && b.y + b.h / 2 >= ex.y1 && b.y - b.h / 2 <= ex.y2);
      return { seen: seen.length, missing: seen.filter((b) => cy.getElementById(b.id).empty()).length, inCytoscape: cy.nodes().length, boxes: view.drawing.boxes.length };
    });
    assert.ok(after.seen > 10, `${after.seen} boxes in view there`);
    assert.equal(after.missing, 0, 'every box in view is in Cytoscape');
    assert.ok(after.inCytoscape < after.boxes, 'the rest is still to come');
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await screenshot(page, 'fill-20k-panned-far');
    await drawsAndSelects(page);
    // Once all of it is in, a part added off screen (without a frame of its own) draws when the view gets there.
    await waitFilled(page);
    await page.evaluate(async () => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const cy = view.cy;
      const along = [...view.drawing.boxes].sort((a, b) => a.x - b.x);
      const there = along[Math.floor(along.length / 4)];
      cy.pan({ x: cy.width() / 2 - there.x * cy.zoom(), y: cy.height() / 2 - there.y * cy.zoom() });
      await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    });
    await screenshot(page, 'fill-20k-filled-panned');
    await drawsAndSelects(page);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('marks search matches and colours chosen during the fill on what comes in later', async () => {
    const page = await showBig(await openView(browser()));
    await page.evaluate(() => {
      const view = (window as unknown as ViewHandle).__gradscope;
      view.setSearch('tanh');
      view.setMetric('value', false);
    });
    await waitFilled(page);
    const matches = searchMatches(trace.graph.nodes, 'tanh').map((n) => `n${n.id}`);
    const seen = await page.evaluate((ids) => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const match = new Set(ids);
      const nodes = view.cy.nodes().toArray();
      const colours = new Map(view.cy.elements().map((e) => [e.id(), `${e.data('color')} ${e.data('width')}`] as const));
      // Recolouring every element now changes nothing: the elements added late came in with the value colours.
      view.recolor();
      const changed = view.cy.elements().filter((e) => colours.get(e.id()) !== `${e.data('color')} ${e.data('width')}`).length;
      return {
        matched: nodes.filter((n) => match.has(n.id()) && n.hasClass('match') && !n.hasClass('dimmed')).length,
        dimmed: nodes.filter((n) => !match.has(n.id()) && n.hasClass('dimmed') && !n.hasClass('match')).length,
        others: nodes.length - match.size,
        edgesDimmed: view.cy.edges().filter((e) => e.hasClass('dimmed')).length === view.cy.edges().length,
        changed,
      };
    }, matches);
    assert.ok(matches.length > 1000, `${matches.length} tanh nodes`);
    assert.equal(seen.matched, matches.length, 'every tanh is a match');
    assert.equal(seen.dimmed, seen.others, 'everything else is dimmed');
    assert.ok(seen.edgesDimmed, 'every edge is dimmed');
    assert.equal(seen.changed, 0, 'elements in the colours of the metric chosen meanwhile');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('walks with the keys, and exports all of the drawing, while it is still filling in', async () => {
    const page = await showBig(await openView(browser()));
    // The keys walk from a selected node to one it was computed from, and along its layer.
    await drawsAndSelects(page);
    const walk = async (key: string) => {
      const before = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.state.selected);
      await page.keyboard.press(key);
      const after = await page.evaluate(() => {
        const view = (window as unknown as ViewHandle).__gradscope;
        return { selected: view.state.selected, inCytoscape: view.cy.nodes().length };
      });
      assert.ok(before !== null && after.selected !== null && after.selected !== before, `${key}: from ${before} to ${after.selected}`);
      return { before, ...after };
    };
    const up = await walk('ArrowLeft');
    assert.ok(trace.graph.edges.some((e) => e.from === up.selected && e.to === up.before), 'left: to one of its inputs');
    const along = await walk('ArrowDown');
    assert.ok(along.inCytoscape < trace.graph.nodes.length, 'walking needs only what it reads, not all of the drawing');
    await page.getByRole('button', { name: 'SVG' }).click();
    const svg = (await posted(page)).find((m): m is Extract<ViewMessage, { type: 'export' }> => m.type === 'export');
    assert.ok(svg !== undefined, 'an export');
    assert.equal(svg.data.match(/class="node /g)?.length, trace.graph.nodes.length, 'every tensor in the picture');
    // At twice its size this drawing is past what a canvas draws (an empty PNG, once): scaled to fit, and said.
    const box = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.elements().boundingBox());
    assert.ok(Math.max(box.w, box.h) * 2 > 32_767, `a drawing of ${Math.round(box.w)}×${Math.round(box.h)} px`);
    await page.getByRole('button', { name: 'PNG' }).click();
    const png = (await posted(page)).find((m): m is Extract<ViewMessage, { type: 'export' }> => m.type === 'export' && m.format === 'png');
    assert.match(png?.data ?? '', /^data:image\/png;base64,.{10000}/, 'a picture, not an empty file');
    assert.match((await page.textContent('.status')) ?? '', /the PNG is at \d+% of the drawing's size/);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
