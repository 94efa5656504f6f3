// Time to first draw of the graph view in real headless Chromium: from the host's trace message to the frame
// after the view says it has drawn (layout in its worker, elements added, colours applied). A big drawing's first
// frame holds what is in view and the rest follows (webview/fill.ts): the rows also say when all of it was in.
import type { Browser, Page } from 'playwright-core';
import type { Trace } from '../engine/trace';
import type { ViewState } from '../engine/view-messages';
import { traceToJson } from '../engine/trace';
import { DEFAULT_VIEW_STATE } from '../engine/view-messages';
import { launch, openView } from '../test/browser/chromium';
import { rnnLengthFor, rnnTrace } from '../test/webview/make-trace';
import { foldTree } from '../webview/folding';
import { healthTrainingTrace } from '../test/webview/health-trace';

export interface ViewBenchmark {
  name: string;
  ms: number;
  note: string;
}

/** CPU seconds every process of the browser has used so far (renderers, GPU process, browser). */
async function browserCpu(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { cpuTime: number }[] };
  await cdp.detach();
  return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
}

/** The page's globals the benchmark reads (typed without the DOM library). */
interface BenchPage {
  __gradscope: { drawn: Promise<void>; filled: Promise<void>; trace: unknown; cy: { nodes(): { length: number } }; renderer(): string };
  __drawStart: number;
  postMessage(message: unknown, origin: string): void;
  requestAnimationFrame(callback: () => void): void;
}

/**
 * Sends the view a trace and times it to the frame after the view says it has drawn (layout in its worker, elements
 * added, colours applied); says how many nodes Cytoscape held then (a big drawing fills in after its first frame:
 * webview/fill.ts), and with which renderer.
 */
export async function drawTrace(page: Page, trace: Trace, state?: ViewState): Promise<{ ms: number; drawn: number; renderer: string }> {
  return page.evaluate(
    async ([t, s]) => {
      const page = globalThis as unknown as BenchPage;
      const view = page.__gradscope;
      const before = view.trace;
      const start = (page.__drawStart = performance.now());
      page.postMessage({ type: 'trace', json: t, state: s }, '*');
      while (view.trace === before) await new Promise((r) => setTimeout(r, 0));
      await view.drawn;
      await new Promise<void>((r) => page.requestAnimationFrame(() => page.requestAnimationFrame(r)));
      return { ms: performance.now() - start, drawn: view.cy.nodes().length, renderer: view.renderer() };
    },
    [traceToJson(trace), state] as const,
  );
}

/** After drawTrace: the time from the trace to the frame after all of the drawing is in Cytoscape, and its nodes. */
export async function filledIn(page: Page): Promise<{ ms: number; nodes: number }> {
  return page.evaluate(async () => {
    const page = globalThis as unknown as BenchPage;
    await page.__gradscope.filled;
    await new Promise<void>((r) => page.requestAnimationFrame(() => page.requestAnimationFrame(r)));
    return { ms: performance.now() - page.__drawStart, nodes: page.__gradscope.cy.nodes().length };
  });
}

async function firstDraw(page: Page, trace: Trace, state?: ViewState): Promise<{ ms: number; cpuMs: number; drawn: number; renderer: string; filledMs: number; filledCpuMs: number; nodes: number }> {
  // The CPU time Chromium spent drawing beside the wall time: on a shared machine the wall time also counts the
  // other processes' turns on the CPU, the CPU time much less so.
  const browser = page.context().browser()!;
  const cpuBefore = await browserCpu(browser);
  const r = await drawTrace(page, trace, state);
  const cpuMs = ((await browserCpu(browser)) - cpuBefore) * 1000;
  // And until all of it is in Cytoscape (the same as the first frame for a drawing that goes in at once).
  const filled = await filledIn(page);
  return { ...r, cpuMs, filledMs: filled.ms, filledCpuMs: ((await browserCpu(browser)) - cpuBefore) * 1000, nodes: filled.nodes };
}

export async function viewBenchmarks(): Promise<ViewBenchmark[]> {
  const browser = await launch();
  try {
    return [...(await graphBenchmarks(browser)), ...(await healthSwitch(browser))];
  } finally {
    await browser.close();
  }
}

/** The graph rows: first draws of an RNN's trace at about 2,000 and 20,000 nodes, as it opens and with every fold opened. */
export async function graphBenchmarks(browser: Browser, runs = 3, only = ''): Promise<ViewBenchmark[]> {
  const rows: ViewBenchmark[] = [];
  for (const size of [2_000, 20_000]) {
    if (only !== '' && !only.includes(String(size))) continue;
    const trace = rnnTrace(rnnLengthFor(size));
    const n = trace.graph.nodes.length.toLocaleString('en-US');
    // A fresh page per run, so nothing is warm but the browser itself.
    // As it opens (folded for a first view), and with every fold open: every tensor drawn one by one.
    const everything = [...foldTree(trace.graph).folds.keys()];
    const cases: [string, ViewState | undefined][] = [
      ['as it opens', undefined],
      ['every fold opened', { ...DEFAULT_VIEW_STATE, expanded: everything }],
    ];
    for (const [label, state] of cases) {
      if (only !== '' && !only.includes(label)) continue;
      const times: number[] = [];
      const busy: number[] = [];
      const [filled, filledBusy]: number[][] = [[], []];
      let [drawn, nodes] = [0, 0];
      let renderer = '';
      for (let i = 0; i < runs; i++) {
        const page = await openView(browser);
        const r = await firstDraw(page, trace, state);
        times.push(r.ms);
        busy.push(r.cpuMs);
        filled.push(r.filledMs);
        filledBusy.push(r.filledCpuMs);
        ({ drawn, renderer, nodes } = r);
        await page.close();
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const list = (xs: number[]) => xs.map((t) => t.toFixed(0)).join('/');
      const row = {
        name: `view: first draw of a ${n}-node trace, ${label}`,
        ms: median(times),
        note:
          `${nodes.toLocaleString('en-US')} nodes drawn with ${renderer === 'webgl' ? 'WebGL' : 'the canvas renderer'}, ${drawn.toLocaleString('en-US')} of them in the first frame ` +
          `(median of ${runs}, ${list(times)} ms; Chromium's CPU time ${median(busy).toFixed(0)} ms, ${list(busy)}); ` +
          `all in Cytoscape after ${median(filled).toFixed(0)} ms (${list(filled)}; CPU ${median(filledBusy).toFixed(0)} ms)`,
      };
      console.log(`${row.name}\n  ${row.ms.toFixed(0)} ms, ${row.note}`);
      rows.push(row);
    }
  }
  return rows;
}

// The graph rows alone, from a bundle of this file named view-graph.js (`npx esbuild bench/view.ts --bundle
// --platform=node --external:playwright-core --outfile=out/bench/view-graph.js`, then `node out/bench/view-graph.js
// [runs] [rows]`, rows such as "20000 every fold opened"). Asked by the script's name, not require.main: bundled
// into run.js, this module is the main module too.
if (/view-graph\.js$/.test(process.argv[1] ?? '')) {
  void (async () => {
    const browser = await launch();
    try {
      await graphBenchmarks(browser, Number(process.argv[2] ?? 3), process.argv[3] ?? '');
    } finally {
      await browser.close();
    }
  })();
}

/** Health rows: 1,000 steps of a 25-layer MLP (50 parameters, so 50,000 heatmap cells and 50 lines of 1,000 points). */
export const HEALTH_STEPS = 1_000;
export const HEALTH_LAYERS = 25;

/**
 * Switching to the Health view on a long run, to the charts drawn (the frame after), against the graph's first draw
 * of the same trace in the same page as the peer. Median of 5 fresh pages (the machine is shared: single runs vary
 * two-fold). At 1000×900 the flow chart and the top of the heatmap are on screen (only visible charts draw); at
 * 1000×2700 all four are.
 */
const HEALTH_RUNS = 5;
export async function healthSwitch(browser: Browser): Promise<ViewBenchmark[]> {
  const trace = healthTrainingTrace(HEALTH_STEPS, HEALTH_LAYERS);
  const params = Object.values(trace.health?.tensors ?? {}).filter((t) => t.kind === 'param').length;
  const rows: ViewBenchmark[] = [];
  for (const height of [900, 2700]) {
    const times: number[] = [];
    const graph: number[] = [];
    let drawn = 0;
    for (let i = 0; i < HEALTH_RUNS; i++) {
      const page = await openView(browser);
      await page.setViewportSize({ width: 1000, height });
      graph.push((await firstDraw(page, trace)).ms);
      const r = await page.evaluate(async () => {
        const page = globalThis as unknown as {
          __gradscope: { panels: { show(view: 'health'): void; healthView(): Promise<{ drawn: Promise<void>; charts: Map<string, unknown> }> } };
          requestAnimationFrame(callback: () => void): void;
        };
        const view = page.__gradscope;
        const start = performance.now();
        view.panels.show('health');
        // Right after the graph's first draw the charts' own script is not loaded yet: the time includes loading it.
        const health = await view.panels.healthView();
        await health.drawn;
        await new Promise<void>((r) => page.requestAnimationFrame(() => page.requestAnimationFrame(r)));
        return { ms: performance.now() - start, charts: health.charts.size };
      });
      times.push(r.ms);
      drawn = r.charts;
      await page.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const row = {
      name: `view: switch to Health at 1000×${height}, ${HEALTH_STEPS.toLocaleString('en-US')} steps × ${params} parameters, to the charts on screen drawn (target ≤ 500 ms)`,
      ms: median(times),
      note: `${drawn} of 4 charts on screen; median of ${HEALTH_RUNS} (${times.map((t) => t.toFixed(0)).join('/')} ms); the graph's first draw of the same trace: ${median(graph).toFixed(0)} ms, Health / graph ${(median(times) / median(graph)).toFixed(2)}`,
    };
    console.log(`${row.name}\n  ${row.ms.toFixed(0)} ms, ${row.note}`);
    rows.push(row);
  }
  return rows;
}
