// Real headless Chromium (Debian's package) driven by playwright-core, and pages that load the built view the
// way the webview does: the same bundle, with a stand-in acquireVsCodeApi that records what the view posts.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';
import { Browser, chromium, Page } from 'playwright-core';
import type { HostMessage, ViewMessage } from '../../engine/view-messages';

/** The repository root: the nearest folder above this bundle with a package.json (tests and benchmarks live at different depths). */
export const repo = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
export const artifacts = join(repo, 'test-artifacts');
export const CHROMIUM = process.env.GRADSCOPE_CHROMIUM ?? '/usr/bin/chromium';
// Flags that work on these machines: no sandbox as root, no GPU, and no background traffic to the closed network.
// With the GPU off, Chromium still gives pages WebGL2 through its software renderer (SwiftShader): the view's
// WebGL renderer runs for real, on the CPU.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/**
 * Asks the view to draw big graphs with WebGL although this browser's WebGL is software (it chooses the canvas
 * renderer there, being faster on a CPU): run before the view's script, in tests of the WebGL path itself.
 */
export const WEBGL_IN_SOFTWARE = `window.__gradscopeWebglInSoftware = true;`;
/** A browser whose pages get no WebGL at all (as a webview may): the view must fall back to its canvas renderer. */
export const WITHOUT_WEBGL = ['--disable-3d-apis'];

/** The page's globals these helpers use, typed without the DOM library (this file is also built for Node benchmarks). */
interface PageWindow {
  __posted: ViewMessage[];
  __gradscope: {
    trace: unknown;
    drawn: Promise<void>;
    cy: { getElementById(id: string): { renderedPosition(): { x: number; y: number } }; container(): { getBoundingClientRect(): { left: number; top: number } } };
  };
  postMessage(message: unknown, origin: string): void;
}

export function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A browser for the tests of the describe block this is called in: launched before them, closed after. */
export function browserForSuite(extraArgs: readonly string[] = []): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launch(extraArgs);
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** A page like the VS Code webview: the view's bundle and stylesheet, a recording acquireVsCodeApi, a theme class. */
export async function openView(browser: Browser, theme: 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast' = 'vscode-dark', options: { webglInSoftware?: boolean } = {}): Promise<Page> {
  mkdirSync(artifacts, { recursive: true });
  const media = (f: string) => pathToFileURL(join(repo, 'media', f)).href;
  const html = join(artifacts, `harness-${theme}.html`);
  writeFileSync(
    html,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${media('webview.css')}"></head>
<body class="${theme}"><div id="root"></div>
<script>
  window.__posted = [];
  let state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; } });
</script>
<script src="${media('webview.js')}"></script></body></html>`,
  );
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  (page as Page & { errors: string[] }).errors = errors;
  if (options.webglInSoftware === true) await page.addInitScript(WEBGL_IN_SOFTWARE);
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => (globalThis as unknown as PageWindow).__posted.some((m) => m.type === 'ready'));
  return page;
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Sends the view a host message, as VS Code does (a window message event). */
export async function sendToView(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(m, '*'), message);
}

/** Waits until the view has drawn what it was last sent. */
export async function drawn(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageWindow).__gradscope.trace !== null);
  await page.evaluate(() => (globalThis as unknown as PageWindow).__gradscope.drawn);
}

export async function posted(page: Page): Promise<ViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as PageWindow).__posted);
}

/** Page coordinates of a drawn node (for real mouse clicks). */
export async function nodePoint(page: Page, elementId: string): Promise<{ x: number; y: number }> {
  return page.evaluate((id) => {
    const view = (globalThis as unknown as PageWindow).__gradscope;
    const p = view.cy.getElementById(id).renderedPosition();
    const box = view.cy.container().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, elementId);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/**
 * The colour on screen at a page point, [r, g, b], as the browser composited it (whatever renderer drew it): a
 * one-pixel screenshot, read from its PNG. A one-pixel row's filter never predicts from neighbours, so its
 * inflated data is the filter byte and then the pixel.
 */
export async function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 } });
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const row = inflateSync(Buffer.concat(idat));
  return [row[1], row[2], row[3]];
}
