// The Health view in real headless Chromium: for every example, in the standalone report with its real CSP, at
// 600×900 beside the editor, the four charts draw (a bar pair and a heatmap row per parameter, a ratio line per
// parameter, the histograms), a tooltip shows, and nothing breaks the CSP; the vanishing-gradient examples show
// the collapse in the flow chart's own data; and the charts link both ways with the graph and the editor.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { Trace, traceFromJson, traceToJson } from '../../engine/trace';
import type { HeatmapData } from '../../webview/health/data';
import type { ChartName } from '../../webview/health/health-view';
import { gradscope, repo } from '../runner/cli-helpers';
import { drawn, launch, openView, posted, screenshot, sendToView } from './chromium';

interface HealthHandle {
  drawn: Promise<void>;
  charts: Map<ChartName, EChart>;
  heatmap: HeatmapData | null;
}

/** What the page exposes: the view's state and its Health charts (ECharts instances, read through their options). */
interface Handle {
  __gradscope: {
    trace: Trace;
    state: { view?: string; selected: number | null; step: number };
    select(node: number): void;
    setStep(step: number): void;
    health: HealthHandle;
    /** The Health charts, once their own script has loaded (the first call loads it). */
    panels: { healthView(): Promise<HealthHandle> };
  };
  __csp: string[];
}
interface EChart {
  getOption(): { series: Series[]; yAxis: { data?: string[] }[] };
  convertToPixel(finder: { seriesIndex: number } | { gridIndex: number }, value: [number, number] | [number, string] | [string, string]): [number, number];
  dispatchAction(action: Record<string, unknown>): void;
  getDom(): { getBoundingClientRect(): { left: number; top: number } };
}
interface Series { name: string; type: string; data: ({ value: number | null; real: number | null; itemStyle?: { borderColor?: string } } | [number, number, number])[]; lineStyle?: { width: number } }

const examples = readdirSync(`${repo}/examples`).filter((f) => f.endsWith('.ts'));

/** Switches the page to Health with the key a user would press, and waits until every chart has drawn. */
async function showHealth(page: Page): Promise<void> {
  await page.locator('.graph').focus();
  await page.keyboard.press('h');
  await page.waitForFunction(() => (window as unknown as Handle).__gradscope.state.view === 'health');
  // The charts' script loads the first time they show (or a while after the graph was drawn): then they draw.
  await page.evaluate(async () => (await (window as unknown as Handle).__gradscope.panels.healthView()).drawn);
}

/** What each chart holds: the flow's bars, the heatmap's rows, the lines of the other two. */
function chartCounts(page: Page) {
  return page.evaluate(() => {
    const health = (window as unknown as Handle).__gradscope.health;
    const charts = health.charts;
    const option = (name: ChartName) => charts.get(name)!.getOption();
    const flow = option('flow');
    return {
      charts: [...charts.keys()].sort(),
      flowBars: flow.series.filter((s) => s.type === 'bar').map((s) => s.data.length),
      flowNames: flow.yAxis[0].data!,
      flowMeans: (flow.series[0].data as { real: number | null }[]).map((d) => d.real),
      heatmapRows: option('heatmap').yAxis[0].data!.length,
      heatmapCells: health.heatmap!.cells.length, // drawn as one image: the cells are the view's, not the chart's
      ratioLines: option('ratios').series.filter((s) => s.data.length > 0).length,
      histogramLines: option('histograms').series.length,
      // The notes a chart writes where it has nothing to draw ("no gradient histogram at this step").
      histogramNotes: ((option('histograms') as { graphic?: { elements?: unknown[] }[] }).graphic?.[0]?.elements ?? []).length,
    };
  });
}

/** Scrolls the Health pane to a chart, as a user would, and waits for what came into view to draw. */
async function scrollToChart(page: Page, chart: ChartName): Promise<void> {
  await page.evaluate(async (c) => {
    const card = document.querySelector(`.health .card-${c}`) as HTMLElement;
    (card.parentElement as HTMLElement).scrollTop = card.offsetTop - 6;
    // The pane draws on its scroll event, in the next frame.
    for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
    await (window as unknown as Handle).__gradscope.health.drawn;
  }, chart);
}

/** Scrolls the Health pane to each chart and screenshots it as the user sees it. */
async function screenshotCharts(page: Page, name: string): Promise<void> {
  for (const chart of ['flow', 'heatmap', 'ratios', 'histograms'] as const) {
    await scrollToChart(page, chart);
    await screenshot(page, `health-${name}-${chart}`);
  }
}

/**
 * In the page: every text a chart draws, one a line, once one matches `shown` (else false). The tooltip is text drawn
 * in the chart's canvas (richText, for the CSP), so it is read from ECharts' display list. Installed per page.
 */
declare function tooltipText(chart: ChartName, shown: RegExp): string | false;
const TOOLTIP_TEXT = `window.tooltipText = (name, shown) => {
  const texts = window.__gradscope.health.charts.get(name).getZr().storage.getDisplayList(true).filter((e) => !e.invisible && e.style && e.style.text).map((e) => e.style.text);
  return texts.some((t) => shown.test(t)) && texts.join('\\n');
};`;

/**
 * In the page: the histograms' two plots as drawn: each one's line names and subtitle, and the names drawn on it
 * (read from ECharts' display list) with where they were drawn in the chart's pixels.
 */
function histogramNames(page: Page) {
  return page.evaluate(() => {
    const chart = (window as unknown as Handle).__gradscope.health.charts.get('histograms')!;
    const option = chart.getOption() as unknown as { series: (Series & { xAxisIndex: number })[]; title: { subtext: string }[] };
    type Text = { invisible?: boolean; style?: { text?: string }; getBoundingRect(): Rect; getComputedTransform(): number[] | null };
    type Rect = { x: number; y: number; width: number; height: number; clone(): Rect; applyTransform(m: number[]): void };
    const texts = (chart as unknown as { getZr(): { storage: { getDisplayList(update: boolean): Text[] } } }).getZr().storage.getDisplayList(true);
    // A name is drawn as rich text: its colour mark and ` name` are separate texts.
    const drawn = texts.filter((e) => !e.invisible && e.style?.text?.startsWith(' ') && option.series.some((s) => s.name === e.style!.text!.slice(1))).map((e) => {
      const rect = e.getBoundingRect().clone();
      const m = e.getComputedTransform();
      if (m) rect.applyTransform(m);
      return { text: e.style!.text!.slice(1), x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    });
    return {
      width: (chart as unknown as { getWidth(): number }).getWidth(),
      plots: [0, 1].map((grid) => ({
        lines: option.series.filter((s) => s.xAxisIndex === grid).map((s) => s.name),
        subtitle: option.title[grid].subtext,
        drawn: drawn.filter((d) => option.series.some((s) => s.xAxisIndex === grid && s.name === d.text)),
      })),
    };
  });
}

describe('Health view (Chromium)', function () {
  this.timeout(600_000);
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-health-'));
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const file of examples) {
    const name = file.replace('.ts', '');
    it(`${file}: the four charts in the report at 600×900, with its CSP`, async () => {
      const out = join(dir, `${name}.html`);
      gradscope('run', `examples/${file}`, '--html', out); // the nan example fails on purpose and still writes its report
      const page = await browser.newPage({ viewport: { width: 600, height: 900 }, colorScheme: 'dark' });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.addInitScript(() => {
        (window as unknown as Handle).__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => (window as unknown as Handle).__csp.push(`${e.violatedDirective}: ${e.sample}`));
      });
      await page.goto(pathToFileURL(out).href);
      await drawn(page);
      // The status line's summary of the drawing (its folded boxes) is the graph's: Health hides it.
      const drawing = page.locator('.status[data-kind="drawing"]');
      if (file !== 'nan.ts') assert.ok(await drawing.isVisible(), 'the graph says what it drew');
      await showHealth(page);
      assert.ok(await drawing.isHidden(), 'Health does not show the graph\'s summary');
      // A tooltip, drawn in the canvas: the CSP must not refuse anything on the way.
      await page.evaluate(() => (window as unknown as Handle).__gradscope.health.charts.get('flow')!.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 }));
      await screenshot(page, `health-${name}-tooltip`);
      await screenshotCharts(page, name); // scrolled through, so every chart has drawn
      const trace = await page.evaluate(() => (window as unknown as Handle).__gradscope.trace);
      const seen = await chartCounts(page);
      const params = seen.flowNames.length;
      assert.deepEqual(seen.charts, ['flow', 'heatmap', 'histograms', 'ratios']);
      assert.ok(params >= 1, 'at least one parameter listed');
      assert.deepEqual(seen.flowBars, [params, params], 'a mean and a max bar per parameter');
      assert.equal(seen.heatmapRows, params);
      assert.ok(seen.heatmapCells <= params * trace.steps.length); // none where every gradient is NaN (nan.ts)
      assert.ok(seen.ratioLines <= params);
      assert.ok(seen.histogramLines > 0 || seen.histogramNotes > 0, 'histograms, or a note saying why there are none');
      // Every parameter the graph holds is listed, by its name where it has one.
      for (const n of trace.graph.nodes.filter((x) => x.kind === 'param' && x.name !== undefined)) assert.ok(seen.flowNames.some((l) => l.startsWith(n.name!)), `${n.name} listed`);
      // A few lines are each named on the plot, inside the chart and clear of each other; many say how colours map.
      const names = await histogramNames(page);
      for (const plot of names.plots) {
        if (plot.lines.length > 8) {
          assert.match(plot.subtitle, /input dark, output bright/);
          assert.equal(plot.drawn.length, 0);
          continue;
        }
        assert.deepEqual(plot.drawn.map((d) => d.text).sort(), [...plot.lines].sort(), 'each line named once');
        for (const d of plot.drawn) assert.ok(d.width > 0 && d.x >= 0 && d.x + d.width <= names.width, `${d.text} drawn inside the chart`);
        for (const [i, a] of plot.drawn.entries()) {
          for (const b of plot.drawn.slice(i + 1)) {
            const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y + 1 || b.y + b.height <= a.y + 1;
            assert.ok(apart, `${a.text} and ${b.text} drawn over each other`);
          }
        }
      }
      if (name === 'rnn') await rnnActivations(page, trace);
      assert.deepEqual(await page.evaluate(() => (window as unknown as Handle).__csp), []);
      assert.deepEqual(errors, []);
      if (name === 'vanishing-sigmoid' || name === 'deep-mlp') {
        // The collapse, in the chart's own numbers at the first step (where the findings date it; the sigmoid
        // stack has converged by its last step and every gradient is small there): the first layer's mean
        // |gradient| is orders of magnitude below the last's (deep-mlp: the plain stack, listed first).
        await page.evaluate(() => (window as unknown as Handle).__gradscope.setStep(0));
        await screenshotCharts(page, `${name}-step1`);
        await scrollToChart(page, 'flow');
        const means = (await chartCounts(page)).flowMeans;
        const last = name === 'deep-mlp' ? seen.flowNames.findIndex((l) => l.startsWith('plain.layers.19.')) : means.length - 1;
        assert.ok(means[0]! > 0 && means[last]! / means[0]! > 100, `first ${means[0]} vs last ${means[last]}`);
      }
      await page.close();
    });
  }

  /** The rnn's tanh runs 30 times a step: one line, saying so, that any of the 30 tensors selects. */
  async function rnnActivations(page: Page, trace: Trace): Promise<void> {
    const { plots } = await histogramNames(page);
    assert.equal(plots[0].lines.length, 1, `one line for the loop's tanh: ${plots[0].lines.join(', ')}`);
    assert.match(plots[0].lines[0], /tanh ×30 \(rnn\.ts:\d+\)$/);
    await page.evaluate(TOOLTIP_TEXT);
    await page.evaluate(() => {
      const chart = (window as unknown as Handle).__gradscope.health.charts.get('histograms')!;
      const dataIndex = (chart.getOption().series[0].data as unknown[]).findIndex((d) => !Array.isArray(d)); // its peak, which has a symbol
      chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex });
    });
    const tip = String(await (await page.waitForFunction(() => tooltipText('histograms', /tensors/))).jsonValue());
    await screenshot(page, 'health-rnn-histogram-tooltip');
    assert.match(tip, /30 tensors \(one per run of the line\), summed/);
    const tanh = trace.graph.nodes.filter((n) => n.op === 'tanh');
    assert.equal(tanh.length, 30);
    await page.evaluate((id) => (window as unknown as Handle).__gradscope.select(id), tanh[9].id);
    await scrollToChart(page, 'histograms');
    const width = await page.evaluate(() => (window as unknown as Handle).__gradscope.health.charts.get('histograms')!.getOption().series[0].lineStyle?.width);
    assert.equal(width, 3, 'the tenth time step selected in the graph highlights the line');
  }

  it('links both ways: a bar or a line selects its node and asks the editor to reveal it; a selection highlights it', async () => {
    const r = gradscope('run', 'examples/mlp-spirals.ts', '--json');
    const trace = traceFromJson(r.stdout)!;
    const page = await openView(browser);
    await page.setViewportSize({ width: 1000, height: 900 });
    await page.evaluate(TOOLTIP_TEXT);
    await sendToView(page, { type: 'trace', json: traceToJson(trace) });
    await drawn(page);
    await showHealth(page);
    const names = await page.evaluate(() => (window as unknown as Handle).__gradscope.health.charts.get('flow')!.getOption().yAxis[0].data!);
    // A real click on the second parameter's mean bar, at the pixel the chart puts it.
    const target = 1;
    const at = await page.evaluate((i) => {
      const chart = (window as unknown as Handle).__gradscope.health.charts.get('flow')!;
      const option = chart.getOption();
      const value = (option.series[0].data[i] as { value: number }).value;
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [value / 2, option.yAxis[0].data![i]]);
      const box = chart.getDom().getBoundingClientRect();
      return { x: box.left + x, y: box.top + y - 2 };
    }, target);
    await page.mouse.click(at.x, at.y);
    const node = trace.graph.nodes.find((n) => n.kind === 'param' && n.name === names[target])!;
    assert.equal(await page.evaluate(() => (window as unknown as Handle).__gradscope.state.selected), node.id);
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'reveal').pop(), { type: 'reveal', node: node.id });
    await page.evaluate(() => (window as unknown as Handle).__gradscope.health.drawn);
    await screenshotCharts(page, 'selected');
    // Selecting another parameter in the graph highlights it in the charts: its bar outlined, its line bold.
    const other = trace.graph.nodes.find((n) => n.kind === 'param' && n.name === names[0])!;
    await page.evaluate((id) => (window as unknown as Handle).__gradscope.select(id), other.id);
    await scrollToChart(page, 'flow');
    await scrollToChart(page, 'ratios');
    const marked = await page.evaluate(() => {
      const charts = (window as unknown as Handle).__gradscope.health.charts;
      const flow = charts.get('flow')!.getOption().series[0].data as { itemStyle?: { borderColor?: string } }[];
      const ratios = charts.get('ratios')!.getOption().series;
      return { outlined: flow.map((d) => d.itemStyle?.borderColor !== undefined), widths: ratios.slice(0, 3).map((s) => s.lineStyle?.width) };
    });
    assert.deepEqual(marked.outlined.map((o, i) => (o ? i : -1)).filter((i) => i >= 0), [0]);
    assert.equal(marked.widths[0], 3);
    assert.ok(marked.widths.slice(1).every((w) => w !== undefined && w < 3));
    // Hovering an update-ratio line (no symbols: a line of many steps) shows that parameter's ratio in a tooltip.
    const line = await page.evaluate(() => {
      const chart = (window as unknown as Handle).__gradscope.health.charts.get('ratios')!;
      const points = chart.getOption().series[2].data as unknown as [number, number][];
      const [x, y] = chart.convertToPixel({ seriesIndex: 2 }, points[Math.floor(points.length / 2)]);
      const box = chart.getDom().getBoundingClientRect();
      return { x: box.left + x, y: box.top + y };
    });
    await page.mouse.move(line.x - 20, line.y - 20);
    await page.mouse.move(line.x, line.y, { steps: 4 });
    const tip = await page.waitForFunction(() => tooltipText('ratios', /update ratio/));
    await screenshot(page, 'health-ratio-tooltip');
    const tipText = String(await tip.jsonValue());
    assert.ok(tipText.split('\n').includes(names[2]), `the tooltip names the third parameter: ${tipText}`);
    assert.match(tipText, /steps? [\d–]+: update ratio \d/);
    // A heatmap cell picks its parameter and moves the scrubber to its step.
    // (A long run's heatmap has a column for several steps: a click goes to the column's first step.)
    await scrollToChart(page, 'heatmap');
    const card = await page.evaluate(() => {
      const health = (window as unknown as Handle).__gradscope.health;
      const chart = health.charts.get('heatmap')!;
      const option = chart.getOption() as ReturnType<EChart['getOption']> & { xAxis: { data: string[] }[] };
      const cells = health.heatmap!.cells;
      const [column, row] = cells[Math.floor(cells.length / 3)];
      const [x, y] = chart.convertToPixel({ gridIndex: 0 }, [column, row]);
      const box = chart.getDom().getBoundingClientRect();
      return { step: Number(option.xAxis[0].data[column]) - 1, row, x: box.left + x, y: box.top + y };
    });
    // The cells are one image: hovering one still shows its parameter, steps and value.
    await page.mouse.move(card.x - 5, card.y - 5);
    await page.mouse.move(card.x, card.y, { steps: 3 });
    const cellTip = String(await (await page.waitForFunction(() => tooltipText('heatmap', /mean \|gradient\|/))).jsonValue());
    await screenshot(page, 'health-heatmap-tooltip');
    assert.ok(cellTip.split('\n').includes(names[card.row]), `the tooltip names the cell's parameter: ${cellTip}`);
    assert.match(cellTip, new RegExp(`steps? ${card.step + 1}[–\\d]*: mean \\|gradient\\| \\d`));
    await page.mouse.click(card.x, card.y);
    const state = await page.evaluate(() => (window as unknown as Handle).__gradscope.state);
    assert.equal(state.step, card.step);
    assert.equal(state.selected, trace.graph.nodes.find((n) => n.kind === 'param' && n.name === names[card.row])!.id);
    // A layer's activation histogram (a line, clicked at its peak) selects that nonlinearity's node.
    await scrollToChart(page, 'histograms');
    const peak = await page.evaluate(() => {
      const chart = (window as unknown as Handle).__gradscope.health.charts.get('histograms')!;
      // A named line's peak is an item carrying its label: its value is the point.
      const points = (chart.getOption().series[0].data as unknown as ([number, number] | { value: [number, number] })[]).map((d) => ('value' in d ? d.value : d));
      const top = points.reduce((a, b) => (b[1] > a[1] ? b : a));
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, top);
      const box = chart.getDom().getBoundingClientRect();
      return { x: box.left + x, y: box.top + y };
    });
    await page.mouse.click(peak.x, peak.y);
    const picked = await page.evaluate(() => (window as unknown as Handle).__gradscope.state.selected);
    assert.ok(['relu', 'tanh', 'sigmoid'].includes(trace.graph.nodes.find((n) => n.id === picked)?.op ?? ''), `picked node ${picked}`);
    await page.close();
  });

  it('a click on the no-gradient mark of a parameter the loss never uses shows its finding in the editor', async () => {
    const trace = traceFromJson(gradscope('run', 'examples/unused-parameter.ts', '--json').stdout)!;
    const page = await openView(browser);
    await page.setViewportSize({ width: 600, height: 900 });
    await sendToView(page, { type: 'trace', json: traceToJson(trace) });
    await drawn(page);
    await showHealth(page);
    const at = await page.evaluate(() => {
      const chart = (window as unknown as Handle).__gradscope.health.charts.get('flow')!;
      const option = chart.getOption();
      const marks = option.series.findIndex((s) => s.name === 'no gradient');
      const row = option.yAxis[0].data!.indexOf('scale');
      const [x, y] = chart.convertToPixel({ seriesIndex: marks }, [0, row]);
      const box = chart.getDom().getBoundingClientRect();
      return { x: box.left + x, y: box.top + y };
    });
    await page.mouse.click(at.x, at.y);
    const index = trace.findings.findIndex((f) => f.kind === 'unused-param');
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'revealFinding').pop(), { type: 'revealFinding', index });
    await page.close();
  });

  it('keeps the choice of view across a reload (the view state), and says when a trace has no health', async () => {
    const r = gradscope('run', 'examples/linear-regression.ts', '--json');
    const trace = traceFromJson(r.stdout)!;
    const page = await openView(browser);
    await sendToView(page, { type: 'trace', json: traceToJson(trace), state: { metric: 'grad', step: -1, diff: false, selected: null, expanded: [], search: '', view: 'health' } });
    await drawn(page);
    await page.locator('.health').waitFor({ state: 'visible', timeout: 5_000 }); // once the charts' script has loaded
    assert.equal(await page.isVisible('.health'), true);
    assert.equal(await page.getAttribute('.view-health', 'aria-pressed'), 'true');
    const bare: Trace = { ...trace, health: undefined, steps: trace.steps.map(({ health: _, ...s }) => s) };
    await sendToView(page, { type: 'trace', json: traceToJson(bare) });
    await drawn(page);
    assert.match((await page.textContent('.health-note')) ?? '', /recorded no training health/);
    await page.click('.view-graph');
    assert.equal(await page.isVisible('.health'), false);
    await page.close();
  });
});
