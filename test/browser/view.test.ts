// The graph view in real headless Chromium, driven as a user would: it draws every tensor of a real trace,
// colours by gradient, a click asks the host to reveal the source, the scrubber recolours, NaN origins stand
// out, the editor's line highlights its nodes, and the standalone report opens from disk.
import type { NodeSingular } from 'cytoscape';
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Trace, traceFromJson, traceToJson } from '../../engine/trace';
import { gradscope } from '../runner/cli-helpers';
import { drawn, launch, nodePoint, openView, pageErrors, posted, screenshot, sendToView } from './chromium';

function traceOf(file: string): Trace {
  const r = gradscope('run', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  return traceFromJson(r.stdout)!;
}

type ViewHandle = { __gradscope: { cy: import('cytoscape').Core; state: { step: number } } };
const nodeData = (page: Page, id: string, key: string) =>
  page.evaluate(([i, k]) => (window as unknown as ViewHandle).__gradscope.cy.getElementById(i).data(k) as unknown, [id, key] as const);
const hasClass = (page: Page, id: string, cls: string) =>
  page.evaluate(([i, c]) => (window as unknown as ViewHandle).__gradscope.cy.getElementById(i).hasClass(c), [id, cls] as const);

describe('graph view (Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  const linreg = traceOf('examples/linear-regression.ts');

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  async function show(trace: Trace, theme?: Parameters<typeof openView>[1]): Promise<Page> {
    const page = await openView(browser, theme);
    await sendToView(page, { type: 'trace', json: traceToJson(trace) });
    await drawn(page);
    return page;
  }

  it('draws every tensor and dependency of the linear regression, laid out top-down', async () => {
    const page = await show(linreg);
    const counts = await page.evaluate(() => {
      const cy = (window as unknown as ViewHandle).__gradscope.cy;
      return { nodes: cy.nodes().length, edges: cy.edges().length };
    });
    assert.deepEqual(counts, { nodes: linreg.graph.nodes.length, edges: linreg.graph.edges.length });
    const downward = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.edges().toArray().every((e) => (e as import('cytoscape').EdgeSingular).source().position('y') < (e as import('cytoscape').EdgeSingular).target().position('y')));
    assert.ok(downward, 'every edge points down, from a dependency to what was computed from it');
    await screenshot(page, 'linear-regression-dark');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('colours nodes by gradient norm on a log scale: largest hottest, smallest coldest, none grey', async () => {
    const page = await show(linreg);
    const withGrad = linreg.graph.nodes.filter((n) => n.grad && n.grad.norm > 0).sort((a, b) => a.grad!.norm - b.grad!.norm);
    assert.equal(await nodeData(page, `n${withGrad[withGrad.length - 1].id}`, 'color'), '#fde725');
    assert.equal(await nodeData(page, `n${withGrad[0].id}`, 'color'), '#440154');
    const noGrad = linreg.graph.nodes.find((n) => n.grad === undefined)!;
    assert.equal(await nodeData(page, `n${noGrad.id}`, 'color'), '#8a8a8a');
    // Edge widths follow the gradient along them too.
    const widths = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.edges().map((e) => e.data('width') as number));
    assert.ok(Math.max(...widths) > Math.min(...widths));
    await page.close();
  });

  it('a click on a node asks the host to reveal the line that made it', async () => {
    const page = await show(linreg);
    const matmul = linreg.graph.nodes.find((n) => n.op === 'matmul')!;
    const at = await nodePoint(page, `n${matmul.id}`);
    await page.mouse.click(at.x, at.y);
    const reveal = (await posted(page)).find((m) => m.type === 'reveal');
    assert.deepEqual(reveal, { type: 'reveal', node: matmul.id }); // an id the host looks up, never a path
    const details = await page.textContent('.details');
    assert.match(details ?? '', /x\.matmul\(params\.w\) \[100×3\]/); // its name: the source text of the call
    assert.match(details ?? '', /linear-regression.ts:13:19/);
    await screenshot(page, 'linear-regression-selected');
    await page.close();
  });

  // A first styling skips Cytoscape's bounds triggers (style-cache.ts); every later style change must still move
  // the box Cytoscape draws, culls and picks by.
  it("keeps a node's box in step with its style: its own size when drawn, grown by a selection's thicker border", async () => {
    const page = await show(linreg);
    const matmul = `n${linreg.graph.nodes.find((n) => n.op === 'matmul')!.id}`;
    const box = () =>
      page.evaluate((id) => {
        const n = (window as unknown as ViewHandle).__gradscope.cy.getElementById(id);
        return { drawn: n.boundingBox({ includeLabels: false }).w, own: n.data('w') as number, border: n.numericStyle('border-width') };
      }, matmul);
    const before = await box();
    assert.ok(before.drawn > before.own && before.drawn < before.own + 10, `box ${before.drawn} for a node ${before.own} wide`);
    await page.evaluate((id) => (window as unknown as ViewHandle).__gradscope.cy.getElementById(id).select(), matmul);
    const selected = await box();
    assert.ok(selected.border > before.border);
    // Half the border lies outside the node on each side: the box grows by the border's growth.
    assert.ok(Math.abs(selected.drawn - before.drawn - (selected.border - before.border)) < 1e-9, `box ${before.drawn} -> ${selected.drawn}, border ${before.border} -> ${selected.border}`);
    await page.close();
  });

  it('the step scrubber recolours the graph and moves the loss-curve marker', async () => {
    const page = await show(linreg);
    const matmul = linreg.graph.nodes.find((n) => n.op === 'matmul')!;
    const before = await nodeData(page, `n${matmul.id}`, 'value');
    await page.locator('input.step').fill('0');
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.state.step), 0);
    const after = await nodeData(page, `n${matmul.id}`, 'value');
    assert.equal(after, linreg.steps[0].gradNorms[matmul.key]);
    assert.notEqual(after, before);
    assert.match((await page.textContent('.step-label')) ?? '', /step 1 of 101 · loss 4600$/);
    await screenshot(page, 'linear-regression-step-0');
    await page.close();
  });

  it('shows where NaN started: the log in red, listed first among the findings', async () => {
    const nan = traceOf('examples/nan.ts');
    const page = await show(nan, 'vscode-light');
    const origin = nan.findings.find((f) => f.kind === 'nan-forward')!;
    assert.equal(await hasClass(page, `n${origin.node}`, 'nan'), true);
    assert.equal(await nodeData(page, `n${origin.node}`, 'color'), '#e51400');
    assert.match((await page.textContent('.step-label')) ?? '', /^step 5 of 5/);
    await page.locator('.finding', { hasText: 'NaN starts here' }).click();
    assert.match((await page.textContent('.step-label')) ?? '', /^step 1 of 5/, 'the finding\'s step is shown');
    const selected = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes(':selected').map((n) => n.id()));
    assert.deepEqual(selected, [`n${origin.node}`]);
    assert.ok((await posted(page)).some((m) => m.type === 'revealFinding' && m.index === nan.findings.indexOf(origin)));
    await screenshot(page, 'nan-light');
    await page.close();
  });

  it('says a failed run across the top and marks the graph it leaves as out of date, until the next trace', async () => {
    const page = await show(linreg);
    const banner = page.locator('.failure');
    assert.equal(await banner.isVisible(), false);
    await sendToView(page, { type: 'status', kind: 'error', text: '/w/model.ts:12:5: ShapeError: add: shapes [100, 3] and [4] cannot be broadcast together' });
    await banner.waitFor({ state: 'visible' });
    assert.match((await banner.textContent()) ?? '', /The run failed: \/w\/model\.ts:12:5: ShapeError: add: shapes \[100, 3\] and \[4\].*previous run/s);
    assert.equal(await page.locator('.graph.outdated').count(), 1);
    await screenshot(page, 'run-failed');
    await sendToView(page, { type: 'status', kind: 'running', text: 'running model.ts…' });
    assert.equal(await banner.isVisible(), false, 'a new run clears it');
    await sendToView(page, { type: 'status', kind: 'error', text: 'model.ts:1:1: boom' });
    await sendToView(page, { type: 'trace', json: traceToJson(linreg) });
    await drawn(page);
    assert.equal(await banner.isVisible(), false, 'a new trace clears it');
    assert.equal(await page.locator('.graph.outdated').count(), 0);
    await page.close();
  });

  it('draws what a failed run recorded up to the error under the failure, not dimmed as a previous run', async () => {
    const page = await openView(browser);
    await sendToView(page, { type: 'trace', json: traceToJson({ ...linreg, incomplete: true }) });
    await drawn(page);
    await sendToView(page, { type: 'status', kind: 'error', text: 'm.ts:14:7: ShapeError: matmul: shapes [100, 3] and [4, 2] are not aligned' });
    const banner = page.locator('.failure');
    await banner.waitFor({ state: 'visible' });
    assert.match((await banner.textContent()) ?? '', /what ran before the error/);
    assert.equal(await page.locator('.graph.outdated').count(), 0);
    await page.close();
  });

  it("highlights the nodes made on the editor's current line", async () => {
    const page = await show(linreg);
    const sub = linreg.graph.nodes.find((n) => n.op === 'sub' && n.site?.line === 13)!;
    await sendToView(page, { type: 'highlightLine', file: sub.site!.file, line: 13 });
    const linked = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes('.linked').map((n) => n.id()));
    const expected = linreg.graph.nodes.filter((n) => n.site?.line === 13).map((n) => `n${n.id}`);
    assert.deepEqual(linked.sort(), expected.sort());
    assert.equal(expected.length, 3);
    await page.close();
  });

  it('search dims what does not match', async () => {
    const page = await show(linreg);
    await page.locator('input.search').fill('matmul');
    const dimmed = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes('.dimmed').length);
    // The matmul, and the add whose name (its source text) contains it: x.matmul(params.w).add(params.b).
    assert.equal(dimmed, linreg.graph.nodes.length - 2);
    await page.locator('input.search').fill('err');
    const found = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes('.match').map((n) => n.data('label') as string));
    assert.deepEqual(found.sort(), ['err [100×3]', 'err.mul(err) [100×3]'], 'names are searched');
    await page.close();
  });

  it('walks the graph with the keyboard: up to a dependency, down to what uses it', async () => {
    const page = await show(linreg);
    const sum = linreg.graph.nodes.find((n) => n.op === 'sum')!;
    const mul = linreg.graph.nodes.find((n) => n.id === linreg.graph.edges.find((e) => e.to === sum.id)!.from)!;
    await sendToView(page, { type: 'select', node: sum.id });
    await page.locator('.graph').focus();
    await page.keyboard.press('ArrowUp');
    const selected = () => page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes(':selected').map((n) => n.id()));
    assert.deepEqual(await selected(), [`n${mul.id}`]);
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await selected(), [`n${sum.id}`]);
    await page.keyboard.press('Enter');
    assert.ok((await posted(page)).some((m) => m.type === 'reveal' && m.node === sum.id));
    await page.close();
  });

  it('exports the picture as PNG and SVG through the host', async () => {
    const page = await show(linreg);
    await page.getByRole('button', { name: 'PNG' }).click();
    await page.getByRole('button', { name: 'SVG' }).click();
    const exports = (await posted(page)).filter((m) => m.type === 'export');
    assert.deepEqual(exports.map((m) => m.type === 'export' && m.format), ['png', 'svg']);
    const [png, svg] = exports.map((m) => (m.type === 'export' ? m.data : ''));
    assert.match(png, /^data:image\/png;base64,/);
    assert.ok(png.length > 10_000);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/ class="node /g)?.length, linreg.graph.nodes.length); // every node, in its own shape
    assert.match(svg, />x\.matmul\(params\.w\) \[100×3\]</);
    await page.close();
  });

  it('restores a saved view: metric, step, selection and search', async () => {
    const page = await openView(browser);
    const matmul = linreg.graph.nodes.find((n) => n.op === 'matmul')!;
    const viewport = { zoom: 1.3, x: 40, y: -25 };
    await sendToView(page, { type: 'trace', json: traceToJson(linreg), state: { metric: 'ratio', step: 3, diff: false, selected: matmul.id, expanded: [], search: 'add', viewport } });
    await drawn(page);
    const seen = await page.evaluate(() => {
      const cy = (window as unknown as ViewHandle).__gradscope.cy;
      return { zoom: cy.zoom(), ...cy.pan() };
    });
    assert.deepEqual(seen, viewport, 'the zoom and pan the user had');
    assert.equal(await page.locator('select.metric').inputValue(), 'ratio');
    assert.equal(await page.locator('input.step').inputValue(), '3');
    assert.equal(await page.locator('input.search').inputValue(), 'add');
    assert.match((await page.textContent('.details')) ?? '', /x\.matmul\(params\.w\) \[100×3\]/);
    assert.equal(await nodeData(page, `n${matmul.id}`, 'value'), linreg.steps[3].gradNorms[matmul.key]! / matmul.value.norm);
    await page.close();
  });

  it('the standalone report opens from a file:// URL and draws the same graph', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gradscope-report-')), 'report.html');
    const r = gradscope('run', 'examples/vanishing-sigmoid.ts', '--html', out);
    assert.equal(r.code, 0, r.stderr);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(out).href);
    await drawn(page);
    // Every tensor is drawn, on its own or inside a closed fold.
    const count = await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes().map((n) => (n.data('members') as unknown[] | undefined)?.length ?? 1).reduce((a, b) => a + b, 0));
    const tensors = await page.evaluate(() => (window as unknown as { __gradscope: { trace: Trace } }).__gradscope.trace.graph.nodes.length);
    assert.equal(count, tensors);
    // No VS Code here: clicking a node shows its file:line instead.
    const trace = await page.evaluate(() => (window as unknown as { __gradscope: { trace: Trace } }).__gradscope.trace);
    const head = trace.graph.nodes.find((n) => n.kind === 'param' && n.shape.join() === '16,1')!;
    const at = await nodePoint(page, `n${head.id}`);
    await page.mouse.click(at.x, at.y);
    assert.equal(await page.textContent('.status'), `${head.site!.file}:${head.site!.line}:${head.site!.column}`);
    await screenshot(page, 'report-vanishing-sigmoid');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("a failed run's report shows the error over the graph of what ran before it, as the panel does", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gradscope-report-')), 'failed.html');
    const r = gradscope('run', 'test/fixtures/fails-in-step.ts', '--html', out);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, `report: ${out}\n`);
    const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
    await page.goto(pathToFileURL(out).href);
    await drawn(page);
    const banner = page.locator('.failure');
    await banner.waitFor({ state: 'visible' });
    const text = (await banner.textContent()) ?? '';
    assert.ok(text.includes(r.stderr.trim()), `the banner says what the command line said: ${text}`);
    assert.match(text, /what ran before the error/);
    await screenshot(page, 'report-failed-run');
    await page.close();
  });
});

describe('graph view of a big trace (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('folds a 3,000-node trace into one box per line of its loop; clicking a box opens it', async () => {
    const r = gradscope('run', 'test/fixtures/long-rnn.ts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const trace = traceFromJson(r.stdout)!;
    assert.ok(trace.graph.nodes.length > 3000, `${trace.graph.nodes.length} nodes`);
    const page = await openView(browser);
    await sendToView(page, { type: 'trace', json: traceToJson(trace) });
    await drawn(page);
    const shown = () => page.evaluate(() => (window as unknown as ViewHandle).__gradscope.cy.nodes().map((n) => [n.id(), n.data('label') as string]));
    const folded = await shown();
    assert.ok(folded.length < 30, `${folded.length} nodes drawn`);
    // One box per line of the loop (×600), and the loss's mse as one box.
    const boxes = folded.filter(([id, label]) => id.startsWith('g:') && / ×\d+$/.test(label));
    assert.ok(boxes.length >= 5, folded.map(([, l]) => l).join(', '));
    assert.ok(folded.some(([id, label]) => id.startsWith('g:') && label === 'mse'), 'mse folded');
    await screenshot(page, 'big-collapsed');
    const [box] = boxes[0];
    const at = await nodePoint(page, box);
    await page.mouse.click(at.x, at.y);
    await page.evaluate(() => (window as unknown as { __gradscope: { drawn: Promise<void> } }).__gradscope.drawn);
    const opened = await shown();
    assert.ok(!opened.some(([id]) => id === box), 'the box opened');
    assert.ok(opened.length > folded.length + 100, `${opened.length} nodes drawn after opening`);
    await screenshot(page, 'big-function-open');
    // A box far from the loss (the fit after a redraw shows the loss) opens in view: the view goes to what it drew.
    const before = new Set((await shown()).map(([id]) => id));
    const far = await page.evaluate(() => {
      const cy = (window as unknown as ViewHandle).__gradscope.cy;
      const loss = cy.nodes().last().position();
      const distance = (n: NodeSingular) => Math.abs(n.position().y - loss.y) + Math.abs(n.position().x - loss.x);
      const box = cy.nodes('[kind = "group"]').sort((a, b) => distance(b as NodeSingular) - distance(a as NodeSingular))[0];
      box.emit('tap');
      return box.id();
    });
    await page.evaluate(() => (window as unknown as { __gradscope: { drawn: Promise<void> } }).__gradscope.drawn);
    // Its top-left node (where what it drew starts) is on screen: the view went to what the box drew.
    const first = await page.evaluate((old) => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const fresh = view.cy.nodes().filter((n) => !old.includes(n.id()));
      const corner = (n: NodeSingular) => n.position().x + n.position().y;
      const node = fresh.sort((a, b) => corner(a as NodeSingular) - corner(b as NodeSingular))[0];
      const b = node.renderedBoundingBox({});
      return { count: fresh.length, seen: b.x2 > 0 && b.y2 > 0 && b.x1 < view.cy.width() && b.y1 < view.cy.height() };
    }, [...before]);
    assert.ok(first.count > 0 && first.seen, `the box ${far} opened ${first.count} nodes, the first of them out of view`);
    await screenshot(page, 'big-far-box-open');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
