// `npm start`: build, make sure a VS Code is here (code-server, see scripts/vscode-host.sh), and start it on
// 127.0.0.1 with the extension loaded from this repository and examples/ open. Prints the URL to open.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const port = Number(process.env.PORT ?? 8080);
execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' });
const bin = execFileSync('bash', [join(repo, 'scripts/vscode-host.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const state = join(repo, '.cache/vscode-state');
mkdirSync(state, { recursive: true });
const server = spawn(
  bin,
  ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'extensions')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const payload = JSON.stringify([['extensionDevelopmentPath', remote(repo)], ['skipWelcome', 'true']]);
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(join(repo, 'examples'))}&payload=${encodeURIComponent(payload)}`;
server.stdout.on('data', (chunk) => {
  if (chunk.toString().includes('HTTP server listening')) {
    console.log(`\nGradscope is running in VS Code. Open:\n\n  ${url}\n\nThen open a model (linear-regression.ts) and run "Gradscope: Show Gradient Graph" (F1). Ctrl+C stops.`);
  }
});
server.on('exit', (code) => process.exit(code ?? 0));
process.on('SIGINT', () => server.kill());
