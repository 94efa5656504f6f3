// Big drawings with Cytoscape's WebGL renderer, in real headless Chromium. Its WebGL2 is software (SwiftShader),
// where the view keeps the canvas renderer; asked to use WebGL anyway, a drawing above the threshold is drawn
// with it, its nodes show on screen where Cytoscape places them in their gradient colours, a click selects what
// it lands on, and the page stays within its Content-Security-Policy. A browser without WebGL falls back to the
// canvas renderer, which also draws every small graph.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Trace, traceToJson } from '../../engine/trace';
import { DEFAULT_VIEW_STATE, ViewState } from '../../engine/view-messages';
import { renderReport } from '../../runner/report';
import { foldTree } from '../../webview/folding';
import { isBigDrawing } from '../../webview/limits';
import { mlpTrace, rnnLengthFor, rnnTrace } from '../webview/make-trace';
import { drawn, launch, openView, pageErrors, posted, repo, screenshot, sendToView, WEBGL_IN_SOFTWARE, WITHOUT_WEBGL } from './chromium';
import { drawsAndSelects } from './on-screen';

interface ViewHandle {
  __gradscope: { cy: import('cytoscape').Core; renderer(): string; state: ViewState; drawn: Promise<void>; trace: unknown };
}

/** A trace of ~2,000 tensors with every fold open: ~5,000 drawn elements, above the WebGL threshold. */
const big = rnnTrace(rnnLengthFor(2_000));
const everythingOpen: ViewState = { ...DEFAULT_VIEW_STATE, expanded: [...foldTree(big.graph).folds.keys()] };

async function showBig(page: Page): Promise<void> {
  await page.evaluate(
    async ([json, state]) => {
      const view = (window as unknown as ViewHandle).__gradscope;
      const before = view.trace;
      window.postMessage({ type: 'trace', json, state }, '*');
      while (view.trace === before) await new Promise((r) => setTimeout(r, 0));
      await view.drawn;
      // Drawn on screen, not only in Cytoscape's model.
      await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    },
    [traceToJson(big), everythingOpen] as const,
  );
}

describe('big drawings with WebGL (Chromium)', function () {
  this.timeout(180_000);
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('draws a drawing above the threshold with WebGL: nodes where Cytoscape says, in their colours; a click selects', async () => {
    const page = await openView(browser, 'vscode-dark', { webglInSoftware: true });
    await showBig(page);
    const drawing = await page.evaluate(() => {
      const view = (window as unknown as ViewHandle).__gradscope;
      return { renderer: view.renderer(), elements: view.cy.elements().length };
    });
    assert.ok(isBigDrawing(drawing.elements), `${drawing.elements} elements`);
    assert.equal(drawing.renderer, 'webgl');
    await drawsAndSelects(page);
    await screenshot(page, 'webgl-rnn-2000-selected');
    // The PNG export is drawn by Cytoscape's canvas code whichever renderer is on screen.
    await page.getByRole('button', { name: 'PNG' }).click();
    const png = (await posted(page)).find((m) => m.type === 'export');
    assert.ok(png?.type === 'export' && /^data:image\/png;base64,/.test(png.data) && png.data.length > 10_000, 'a PNG of the drawing');
    // A small graph after it in the same panel goes back to the canvas renderer, and draws and selects as well.
    await sendToView(page, { type: 'trace', json: traceToJson(mlpTrace()) });
    await drawn(page);
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.renderer()), 'canvas');
    await drawsAndSelects(page);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it('falls back to the canvas renderer where the browser has no WebGL, and still draws and selects', async () => {
    const plain = await launch(WITHOUT_WEBGL);
    try {
      const page = await openView(plain, 'vscode-dark', { webglInSoftware: true });
      await showBig(page);
      assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.renderer()), 'canvas');
      await drawsAndSelects(page);
      assert.deepEqual(pageErrors(page), []);
    } finally {
      await plain.close();
    }
  });

  it('keeps the canvas renderer where WebGL is only software (this Chromium: SwiftShader), being faster there', async () => {
    const page = await openView(browser);
    await showBig(page);
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.renderer()), 'canvas');
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  /** Opens `html` from disk, records CSP violations and errors, and draws the big trace in it. */
  async function underCsp(html: string): Promise<{ page: Page; problems: string[] }> {
    const file = join(mkdtempSync(join(tmpdir(), 'gradscope-csp-')), 'view.html');
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.exposeFunction('__violation', (what: string) => problems.push(`CSP: ${what}`));
    await page.addInitScript(WEBGL_IN_SOFTWARE);
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { __violation(s: string): void }).__violation(`${e.violatedDirective} ${e.blockedURI}`)),
    );
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (window as unknown as Partial<ViewHandle>).__gradscope !== undefined);
    await showBig(page);
    return { page, problems };
  }

  it('draws with WebGL inside the standalone report, under its Content-Security-Policy', async () => {
    const { page, problems } = await underCsp(renderReport(big as Trace, join(repo, 'media')));
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.renderer()), 'webgl');
    await drawsAndSelects(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("draws with WebGL under the VS Code webview's Content-Security-Policy, and loads the Health charts' script there", async () => {
    // The policy extension/graph-panel.ts gives its webview, with this page's file: origin for the webview's resource origin.
    const media = (f: string) => pathToFileURL(join(repo, 'media', f)).href;
    const nonce = 'c3BvdC10aGUtdGVzdA==';
    const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src file: 'nonce-${nonce}'`, 'img-src file: data: blob:', 'worker-src blob:', 'font-src file:'].join('; ');
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${media('webview.css')}"></head><body class="vscode-dark"><div id="root"></div>
<script nonce="${nonce}">window.acquireVsCodeApi = () => ({ postMessage: () => {}, getState: () => undefined, setState: () => {} });</script>
<script nonce="${nonce}" src="${media('webview.js')}"></script></body></html>`;
    const { page, problems } = await underCsp(html);
    assert.equal(await page.evaluate(() => (window as unknown as ViewHandle).__gradscope.renderer()), 'webgl');
    await drawsAndSelects(page);
    await screenshot(page, 'webgl-vscode-csp');
    // The charts' own script, added by the view with its nonce the first time they show.
    const charts = await page.evaluate(async () => {
      const panels = (window as unknown as { __gradscope: { panels: { show(v: 'health'): void; healthView(): Promise<{ drawn: Promise<void>; charts: Map<string, unknown> }> } } }).__gradscope.panels;
      panels.show('health');
      const health = await panels.healthView();
      await health.drawn;
      return health.charts.size;
    });
    assert.ok(charts > 0, 'the Health charts drew');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
