// The first view of every example, as a user sees it in a narrow panel beside the editor and in a wide one: labels
// big enough to read, none on top of another, parameters by name, and the loss and every parameter at most two
// clicks away (a click opens a box).
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { Trace, traceFromJson, traceToJson } from '../../engine/trace';
import { foldsAround } from '../../webview/elements';
import { worstParam } from '../../webview/fit';
import { foldsToOpen, foldTree } from '../../webview/folding';
import { READABLE_PX } from '../../webview/limits';
import { gradscope, repo } from '../runner/cli-helpers';
import { drawn, launch, openView, pageErrors, screenshot, sendToView } from './chromium';

type ViewHandle = { __gradscope: { cy: import('cytoscape').Core; state: { expanded: string[] } } };

interface Drawn {
  zoom: number;
  /** Nodes at least partly on screen: label, font size on screen, rendered box. */
  onScreen: { id: string; label: string; px: number; box: { x1: number; y1: number; x2: number; y2: number } }[];
  labels: Record<string, string>;
  expanded: string[];
  /** The parameter with the worst gradient and the loss: whether they fit the panel together, and their elements. */
  focus: { fits: boolean; worst: string; loss: string } | null;
}

const SIZES = [
  [600, 900],
  [1400, 900],
] as const;

const examples = readdirSync(`${repo}/examples`).filter((f) => f.endsWith('.ts'));

describe('the first view is readable (Chromium)', function () {
  this.timeout(600_000);
  let browser: Browser;
  const traces = new Map<string, Trace>();
  before(async () => {
    browser = await launch();
    for (const file of [...examples.map((f) => `examples/${f}`), 'test/fixtures/long-rnn.ts']) {
      const r = gradscope('run', file, '--json');
      // The nan example's run fails on purpose; it still leaves a graph to read.
      const trace = traceFromJson(r.stdout) ?? undefined;
      if (trace !== undefined) traces.set(file, trace);
    }
  });
  after(async () => {
    await browser?.close();
  });

  for (const file of [...examples.map((f) => `examples/${f}`), 'test/fixtures/long-rnn.ts']) {
    for (const [width, height] of SIZES) {
      it(`${file} at ${width}×${height}`, async () => {
        const trace = traces.get(file);
        assert.ok(trace, `${file} gave a trace`);
        const page = await openView(browser);
        await page.setViewportSize({ width, height });
        await sendToView(page, { type: 'trace', json: traceToJson(trace) });
        await drawn(page);
        const worst = worstParam(trace.graph.nodes);
        const seen: Drawn = await page.evaluate((worstId) => {
          const view = (window as unknown as ViewHandle).__gradscope;
          const cy = view.cy;
          const [w, h] = [cy.width(), cy.height()];
          const labels: Record<string, string> = {};
          const onScreen: Drawn['onScreen'] = [];
          cy.nodes().forEach((n) => {
            labels[n.id()] = n.data('label') as string;
            const box = n.renderedBoundingBox({ includeLabels: true });
            if (box.x2 < 0 || box.y2 < 0 || box.x1 > w || box.y1 > h) return;
            onScreen.push({ id: n.id(), label: n.data('label') as string, px: parseFloat(n.style('font-size')) * cy.zoom(), box });
          });
          // The worst parameter's drawn element: its own, or the closed box it is in.
          const worstEl = worstId === null ? null : cy.nodes().filter((n) => n.id() === `n${worstId}` || ((n.data('members') as number[] | undefined)?.includes(worstId) ?? false)).first();
          const loss = cy.nodes().filter((n) => n.outgoers('edge').empty()).last();
          const both = worstEl === null || worstEl.empty() ? null : loss.union(worstEl).renderedBoundingBox({});
          const focus = both === null ? null : { fits: both.w <= w - 60 && both.h <= h - 60, worst: worstEl!.id(), loss: loss.id() };
          return { zoom: cy.zoom(), onScreen, labels, expanded: view.state.expanded, focus };
        }, worst?.id ?? null);
        await screenshot(page, `readable-${file.replace(/.*\//, '').replace('.ts', '')}-${width}x${height}`);
        assert.ok(seen.onScreen.length > 0, 'something is on screen');
        for (const n of seen.onScreen) assert.ok(n.px >= READABLE_PX - 0.01, `${n.label}: ${n.px.toFixed(1)} px`);
        // A graph shown in part shows the loss and, when they fit together, the parameter with the worst gradient.
        if (seen.focus?.fits) {
          const shown = new Set(seen.onScreen.map((n) => n.id));
          assert.ok(shown.has(seen.focus.loss) && shown.has(seen.focus.worst), `the loss and ${worst?.name} (${seen.focus.worst}) are on screen`);
        }
        for (let i = 0; i < seen.onScreen.length; i++) {
          for (let j = i + 1; j < seen.onScreen.length; j++) {
            const [a, b] = [seen.onScreen[i].box, seen.onScreen[j].box];
            const overlap = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) > 1 && Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) > 1;
            assert.ok(!overlap, `${seen.onScreen[i].label} overlaps ${seen.onScreen[j].label}`);
          }
        }
        for (const p of trace.graph.nodes.filter((n) => n.kind === 'param')) {
          assert.ok(p.name !== undefined, `a parameter made at line ${p.site?.line} has a name`);
          const label = seen.labels[`n${p.id}`];
          if (label !== undefined) assert.ok(label.startsWith(p.name), `${p.name} drawn as "${label}"`);
        }
        // Every parameter and the loss: drawn, or drawn after clicking the box it is in, at most twice from the first
        // view (a click opens the box, and what is inside it as far as the panel holds).
        const consumed = new Set(trace.graph.edges.map((e) => e.from));
        const loss = trace.graph.nodes.filter((n) => !consumed.has(n.id)).pop()!;
        const targets = [...trace.graph.nodes.filter((n) => n.kind === 'param'), loss];
        // As the view does on a click (graph-view.ts onTapNode), with the budget it used for this panel.
        const budget = await page.evaluate(() => (window as unknown as { __gradscope: { openBudget(): number } }).__gradscope.openBudget());
        const tree = foldTree(trace.graph);
        const clicks = targets.map((n) => {
          let open = new Set(seen.expanded);
          let count = 0;
          for (let closed = foldsAround(tree, n.id).find((f) => !open.has(f)); closed !== undefined; closed = foldsAround(tree, n.id).find((f) => !open.has(f))) {
            open = new Set(foldsToOpen(tree, budget, new Set([...open, closed]), closed));
            count++;
          }
          return count;
        });
        targets.forEach((n, i) => assert.ok(clicks[i] <= 2, `${n.name ?? n.op} is ${clicks[i]} clicks away`));
        // The details of a tensor made inside a module or a composite call say which.
        const scoped = trace.graph.nodes.find((n) => n.scope !== undefined && n.kind === 'op');
        if (scoped !== undefined) {
          await sendToView(page, { type: 'select', node: scoped.id });
          await page.locator('.details .scope').waitFor();
          const inner = trace.graph.scopes!.find((s) => s.id === scoped.scope)!;
          assert.match((await page.textContent('.details .scope')) ?? '', new RegExp(`^inside .*${inner.name.replace(/[.*]/g, '\\$&')}$`));
        }
        assert.deepEqual(pageErrors(page), []);
        await page.close();
      });
    }
  }
});
