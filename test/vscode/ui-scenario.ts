// A person's first minute with Gradscope in a real VS Code: open a model, F1, "Gradscope: Show Gradient Graph",
// Enter; the graph appears beside the code; clicking a node moves the editor's cursor to the line that made it.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { artifacts } from '../browser/chromium';

async function graphFrame(page: Page): Promise<Frame> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    for (const frame of page.frames()) {
      const drawn = await frame.evaluate(() => {
        const view = (globalThis as unknown as { __gradscope?: { cy: { nodes(): { length: number } } } }).__gradscope;
        return view !== undefined && view.cy.nodes().length > 0;
      }).catch(() => false);
      if (drawn) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the graph did not appear within 60 s');
}

/** What a user needs to see of the view in the panel. */
const PANEL_PARTS = ['.graph', '.legend', '.details', '.findings-panel', '.timeline'];

/** Opens a file from Quick Open as a person would, waiting for each step (a busy machine is slow to show them). */
async function quickOpen(page: Page, file: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+P');
    const opened = await (async () => {
      await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(file);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: file }).waitFor({ timeout: 15_000 });
    })().then(
      () => true,
      (e: Error) => (attempt < 2 ? false : Promise.reject(e)),
    );
    if (opened) return;
    await page.keyboard.press('Escape');
  }
}

/** Runs the scenario; returns the milliseconds from pressing Enter on the command to the graph being drawn. */
export async function uiScenario(page: Page, url: string, name: string, log: (s: string) => void, restore = false): Promise<number> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3000); // let the workbench settle (extensions activating, welcome closed)

  await quickOpen(page, 'linear-regression.ts');
  // The Problems panel open, as it is in the extension's own workflow: the graph shares the window with it.
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.panel .composite.title', { hasText: /problems/i }).first().waitFor({ timeout: 10_000 }).catch(() => undefined);

  await page.keyboard.press('F1');
  await page.keyboard.type('Gradscope: Show Gradient Graph');
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  const started = Date.now();
  const frame = await graphFrame(page);
  const ms = Date.now() - started;
  log(`[ui ${name}] graph drawn ${ms} ms after the command`);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(artifacts, `vscode-graph-${name}.png`) });
  // Beside the editor with the Problems panel open, every part of the view is on screen and apart.
  const parts = await frame.evaluate((selectors) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { left: number; top: number; right: number; bottom: number } } | null } }).document;
    const win = globalThis as unknown as { innerWidth: number; innerHeight: number };
    return { width: win.innerWidth, height: win.innerHeight, boxes: selectors.map((sel) => doc.querySelector(sel)?.getBoundingClientRect() ?? null) };
  }, PANEL_PARTS);
  PANEL_PARTS.forEach((part, i) => {
    const b = parts.boxes[i];
    assert.ok(b !== null && b.left >= -1 && b.top >= -1 && b.right <= parts.width + 1 && b.bottom <= parts.height + 1 && b.bottom - b.top > 10, `${part} is on screen in the ${parts.width}×${parts.height} panel: ${JSON.stringify(b)}`);
  });
  log(`[ui ${name}] beside the editor with Problems open (${parts.width}×${parts.height}): ${PANEL_PARTS.join(', ')} all on screen`);

  // The panel may still be settling into its column: wait for the view to finish drawing, then click where
  // the node is now, and once more if the first click landed while it moved.
  const selection = page.locator('#status\\.editor\\.selection');
  // The editor's cursor line, as the editor draws it (the status bar's "Ln, Col" shows only while an editor has focus,
  // and focus stays in the graph).
  const cursorLine = page.locator('.monaco-editor .line-numbers.active-line-number');
  let target = { position: { x: 0, y: 0 }, line: 0, column: 0 };
  let at = { x: 0, y: 0 };
  for (let attempt = 0; attempt < 3; attempt++) {
    target = await frame.evaluate(async () => {
      const view = (globalThis as unknown as {
        __gradscope: {
          drawn: Promise<void>;
          trace: { graph: { nodes: { id: number; op: string; site: { line: number; column: number } | null }[] } };
          cy: { getElementById(id: string): { renderedPosition(): { x: number; y: number } }; center(eles: unknown): void; container(): { getBoundingClientRect(): { left: number; top: number } } };
        };
      }).__gradscope;
      await view.drawn;
      const node = view.trace.graph.nodes.find((n) => n.op === 'matmul')!;
      const ele = view.cy.getElementById(`n${node.id}`);
      // A person clicks a node they can see: one under the overview (or off screen) is brought to the middle first.
      const doc = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): { closest(s: string): unknown } | null } }).document;
      const box = view.cy.container().getBoundingClientRect();
      const p = ele.renderedPosition();
      const hit = doc.elementFromPoint(box.left + p.x, box.top + p.y);
      if (hit === null || hit.closest('.minimap') !== null) view.cy.center(ele);
      return { position: ele.renderedPosition(), line: node.site!.line, column: node.site!.column };
    });
    await frame.evaluate(() => {
      const g = globalThis as unknown as { __downs?: number; document: { addEventListener(t: string, f: () => void, c: boolean): void } };
      if (g.__downs === undefined) g.document.addEventListener('mousedown', () => (g.__downs = (g.__downs ?? 0) + 1), true);
      g.__downs = 0;
    });
    // A person's click: the mouse moves over the node, then presses, at page coordinates.
    const box = (await frame.locator('.graph').boundingBox())!;
    at = { x: box.x + target.position.x, y: box.y + target.position.y };
    await page.mouse.move(at.x - 20, at.y - 10);
    await page.mouse.move(at.x, at.y, { steps: 4 });
    await page.mouse.down();
    await page.mouse.up();
    const moved = await cursorLine.filter({ hasText: new RegExp(`^\\s*${target.line}\\s*$`) }).waitFor({ timeout: 5_000 }).then(() => true, () => false);
    if (moved) break;
    const seen = await frame.evaluate(() => {
      const view = (globalThis as unknown as { __gradscope: { cy: { width(): number; height(): number; nodes(s: string): { map(f: (n: { id(): string }) => string): string[] }; zoom(): number; pan(): unknown }; state: unknown } }).__gradscope;
      const box = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): unknown; clientWidth: number; clientHeight: number } } }).document.querySelector('.graph');
      return { cy: [view.cy.width(), view.cy.height()], box: [box.clientWidth, box.clientHeight], rect: box.getBoundingClientRect(), selected: view.cy.nodes(':selected').map((n) => n.id()), zoom: view.cy.zoom(), pan: view.cy.pan() };
    });
    const downs = await frame.evaluate(() => (globalThis as unknown as { __downs: number }).__downs);
    const hit = await page.evaluate(([x, y]) => {
      const e = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): { tagName: string; className: string } | null } }).document.elementFromPoint(x, y);
      return e ? `${e.tagName}.${e.className}` : 'nothing';
    }, [at.x, at.y] as const);
    log(`[ui ${name}] click ${attempt + 1} at ${JSON.stringify(target.position)} did not move the editor (mousedowns seen in the view: ${downs}; top element there: ${hit}): ${JSON.stringify(seen)}`);
  }
  // Focus stays in the graph: its keys walk the graph and never reach the code (typing there would edit it).
  const focused = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className ?? '');
  assert.match(focused, /webview/, 'the graph keeps keyboard focus after a click');
  const selectedNode = () => frame.evaluate(() => (globalThis as unknown as { __gradscope: { state: { selected: number | null } } }).__gradscope.state.selected);
  const clicked = await selectedNode();
  for (const key of ['ArrowDown', 'x', 'Enter']) await page.keyboard.press(key);
  await page.waitForTimeout(500);
  assert.notEqual(await selectedNode(), clicked, 'ArrowDown moved the selection in the graph');
  // Any edit to the model would mark Gradscope's status bar item stale.
  const gradscopeStatus = (await page.locator('.statusbar-item', { hasText: 'steps ·' }).first().textContent()) ?? '';
  assert.doesNotMatch(gradscopeStatus, /stale/, 'no key pressed in the graph edited the code');
  log(`[ui ${name}] keys pressed after the click walked the graph; the code is untouched`);

  // The call itself is selected in the editor, the cursor at its start: click matmul again (where it is now: walking
  // the graph may have panned it), then look from the editor.
  const now = await frame.evaluate(() => {
    const view = (globalThis as unknown as {
      __gradscope: { trace: { graph: { nodes: { id: number; op: string }[] } }; cy: { getElementById(id: string): { renderedPosition(): { x: number; y: number } } } };
    }).__gradscope;
    const node = view.trace.graph.nodes.find((n) => n.op === 'matmul')!;
    return view.cy.getElementById(`n${node.id}`).renderedPosition();
  });
  const graphBox = (await frame.locator('.graph').boundingBox())!;
  await page.mouse.click(graphBox.x + now.x, graphBox.y + now.y);
  await cursorLine.filter({ hasText: new RegExp(`^\\s*${target.line}\\s*$`) }).waitFor({ timeout: 5_000 });
  await page.getByRole('tab', { name: /^linear-regression\.ts/ }).click(); // focuses that editor, its cursor where it was
  await selection.filter({ hasText: `Ln ${target.line},` }).waitFor({ timeout: 5_000 });
  const text = (await selection.textContent()) ?? '';
  assert.match(text, new RegExp(`Ln ${target.line}, Col ${target.column} \\(6 selected\\)`)); // 'matmul' selected, the cursor at its start
  log(`[ui ${name}] clicked the matmul node; the editor is at "${text.trim()}"`);
  await page.screenshot({ path: join(artifacts, `vscode-after-click-${name}.png`) });

  // A reload brings the panel back (its serializer runs the model again) with the node still selected.
  if (restore) {
    // As a person would: Developer: Reload Window (it saves the workbench's state first, unlike a page reload).
    await page.keyboard.press('F1');
    await page.keyboard.type('Developer: Reload Window');
    await page.waitForTimeout(800);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(2000);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const again = await graphFrame(page);
    const selected = await again.evaluate(async () => {
      const view = (globalThis as unknown as { __gradscope: { drawn: Promise<void>; cy: { nodes(s: string): { map(f: (n: { data(k: string): unknown }) => unknown): unknown[] } } } }).__gradscope;
      await view.drawn;
      return view.cy.nodes(':selected').map((n) => n.data('label'));
    });
    assert.deepEqual(selected, ['x.matmul(params.w) [100×3]']);
    log(`[ui ${name}] after a reload the graph is back with matmul selected`);
    await page.screenshot({ path: join(artifacts, `vscode-after-reload-${name}.png`) });
  }
  return ms;
}
