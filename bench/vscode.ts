// End to end in a real VS Code (code-server in headless Chromium): from pressing Enter on "Gradscope: Show
// Gradient Graph" to the linear regression's graph drawn beside the code. A fresh VS Code each time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../test/browser/chromium';
import { ensureHost, startServer, stopServer, workbenchUrl, workspaceCopy } from '../test/vscode/server';
import { uiScenario } from '../test/vscode/ui-scenario';

export async function vscodeBenchmark(runs = 3): Promise<{ name: string; ms: number; note: string }> {
  const bin = ensureHost();
  const browser = await launch();
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const state = mkdtempSync(join(tmpdir(), 'gradscope-bench-vscode-'));
      const folder = workspaceCopy();
      const { server, port } = await startServer(bin, true, state);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      try {
        times.push(await uiScenario(page, workbenchUrl(port, folder), 'bench', () => undefined));
      } finally {
        await page.close();
        await stopServer(server, state, folder);
      }
    }
  } finally {
    await browser.close();
  }
  times.sort((a, b) => a - b);
  const row = { name: 'VS Code: "Show Gradient Graph" to graph drawn, linear regression', ms: times[Math.floor(times.length / 2)], note: `median of ${runs} fresh sessions (${times.join('/')} ms)` };
  console.log(`${row.name}\n  ${row.ms} ms, ${row.note}`);
  return row;
}
