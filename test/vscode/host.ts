// The VS Code tier of `npm test`: starts a real VS Code (code-server, installed by scripts/vscode-host.sh), opens
// it in headless Chromium, and runs the extension's suites in its Node extension host: once in a trusted
// workspace, once in an untrusted one. Then a person's scenario in the same browser: F1, the command, the graph,
// a click on a node, the editor's cursor on that line. Screenshots go to test-artifacts/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { artifacts, launch, repo } from '../browser/chromium';
import { ensureHost, startServer, stopServer, workbenchUrl, workspaceCopy } from './server';
import { uiScenario } from './ui-scenario';

interface Pass {
  name: string;
  tests?: string;
  trusted: boolean;
  /** Install the packaged .vsix instead of loading the extension from this repository. */
  vsix?: boolean;
}

const log = (s: string) => process.stdout.write(`${s}\n`);

async function runTests(page: Page, url: string): Promise<number> {
  const exit = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
  // Test output arrives as console messages whose format strings (mocha's "%d passing") are filled from args.
  page.on('console', async (message) => {
    const values = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => '')));
    // The workbench logs the extension host's console as ('%c INFO', css, format, ...args): drop the label.
    const args = typeof values[0] === 'string' && values[0].startsWith('%c') ? values.slice(2) : values;
    let text = typeof args[0] === 'string' ? args[0] : message.text();
    let i = 1;
    text = text.replace(/%[sdioO]/g, () => String(args[i++] ?? ''));
    if (i < args.length) text += ` ${args.slice(i).join(' ')}`;
    text = text.replace(/\u001b\[[0-9;]*m/g, '');
    // The workbench's own chatter (the closed network, test-mode dialogs, its iframes) is noise here.
    if (/open-vsx|Failed to load resource|DialogService|Long running operations|iframe|ervice worker|socket|connection token|builtin extensions|copilot|ChatSession|trust dialog|^\s*(ERR)?\s*$/.test(text)) return;
    log(text);
  });
  await page.goto(url);
  const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(-1), 300_000));
  return Promise.race([exit, timeout]);
}

async function main(): Promise<number> {
  const bin = ensureHost();
  mkdirSync(artifacts, { recursive: true });
  const all: Pass[] = [
    { name: 'trusted workspace', tests: 'index.js', trusted: true },
    { name: 'untrusted workspace', tests: 'untrusted.js', trusted: false },
    { name: 'UI scenario', trusted: true },
    { name: 'UI scenario with the packaged .vsix installed', trusted: true, vsix: true },
  ];
  // GRADSCOPE_VSCODE_PASSES=ui (say) runs only the passes whose names contain that text.
  const only = process.env.GRADSCOPE_VSCODE_PASSES;
  const passes = only ? all.filter((p) => p.name.toLowerCase().includes(only.toLowerCase())) : all;
  // The .vsix as `npm run package` makes it (vsce, from the bundles just built).
  const vsix = join(repo, '.cache', 'gradscope-test.vsix');
  mkdirSync(dirname(vsix), { recursive: true });
  execFileSync(process.execPath, [join(repo, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-rewrite-relative-links', '--out', vsix], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  let browser: Browser | undefined;
  let failed = 0;
  try {
    browser = await launch();
    for (const pass of passes) {
      const state = mkdtempSync(join(tmpdir(), 'gradscope-vscode-'));
      const folder = workspaceCopy();
      if (pass.vsix) execFileSync(bin, ['--extensions-dir', join(state, 'ext'), '--install-extension', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });
      const { server, port } = await startServer(bin, pass.trusted, state);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      try {
        log(`\n[vscode] ${pass.name}`);
        if (pass.tests) {
          const code = await runTests(page, workbenchUrl(port, folder, pass.tests));
          await page.screenshot({ path: join(artifacts, `vscode-${pass.tests.replace('.js', '')}.png`) });
          log(code === 0 ? `[vscode] ${pass.name}: passed` : `[vscode] ${pass.name}: FAILED (${code === -1 ? 'timed out' : `exit ${code}`})`);
          if (code !== 0) failed++;
        } else {
          await uiScenario(page, workbenchUrl(port, folder, undefined, !pass.vsix), pass.vsix ? 'vsix' : 'repo', log, !pass.vsix);
        }
      } catch (e) {
        failed++;
        log(`[vscode] ${pass.name}: FAILED: ${e instanceof Error ? e.stack : String(e)}`);
        await page.screenshot({ path: join(artifacts, `vscode-failure-${pass.name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
      } finally {
        await page.close();
        await stopServer(server, state, folder);
      }
    }
  } finally {
    await browser?.close();
  }
  log(failed === 0 ? `[vscode] all ${passes.length} passes passed` : `[vscode] ${failed} of ${passes.length} passes failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
