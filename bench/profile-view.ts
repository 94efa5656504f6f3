// Where a first draw of the graph view spends its time, in real headless Chromium: the page's main-thread CPU time
// (less disturbed by a busy machine than wall time) and Chromium's CPU profile of that thread, summed by function.
// Bundle it like bench/view.ts (`npx esbuild bench/profile-view.ts --bundle --platform=node
// --external:playwright-core --outfile=out/bench/profile-view.js`), then `node out/bench/profile-view.js [nodes]
// [open|folded] [out.cpuprofile]`; the profile file opens in Chromium's DevTools. Names are readable only in an
// unminified build of media/webview.js.
import { writeFileSync } from 'node:fs';
import { DEFAULT_VIEW_STATE } from '../engine/view-messages';
import { launch, openView } from '../test/browser/chromium';
import { rnnLengthFor, rnnTrace } from '../test/webview/make-trace';
import { foldTree } from '../webview/folding';
import { drawTrace } from './view';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Milliseconds per function: its own (self) and with what it called (total), heaviest first. */
function byFunction(profile: Profile): { self: [string, number][]; total: [string, number][] } {
  const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(name(byId.get(id)!), (self.get(name(byId.get(id)!)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(byId.get(at)!));
    for (const k of seen) total.set(k, (total.get(k) ?? 0) + ms);
  });
  const heaviest = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { self: heaviest(self), total: heaviest(total) };
}

void (async () => {
  const [size, opened, out] = [Number(process.argv[2] ?? 20_000), process.argv[3] !== 'folded', process.argv[4]];
  const trace = rnnTrace(rnnLengthFor(size));
  const state = opened ? { ...DEFAULT_VIEW_STATE, expanded: [...foldTree(trace.graph).folds.keys()] } : undefined;
  const browser = await launch();
  try {
    const page = await openView(browser);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const threadTime = async () => ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find((m) => m.name === 'ThreadTime')!.value;
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const before = await threadTime();
    await cdp.send('Profiler.start');
    const { ms } = await drawTrace(page, trace, state);
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    const cpu = ((await threadTime()) - before) * 1000;
    if (out !== undefined) writeFileSync(out, JSON.stringify(profile));
    const { self, total } = byFunction(profile);
    console.log(`first draw ${ms.toFixed(0)} ms, the page's main thread ${cpu.toFixed(0)} ms of CPU (profiling slows both)`);
    console.log('ms in the function itself:');
    for (const [k, v] of self.slice(0, 25)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
    console.log('ms with what it called:');
    for (const [k, v] of total.slice(0, 40)) console.log(`${v.toFixed(0).padStart(7)}  ${k}`);
  } finally {
    await browser.close();
  }
})();
