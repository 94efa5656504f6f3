// Starting a real VS Code (code-server) for the extension's tests, its UI scenario and its benchmark.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from '../browser/chromium';

/** Installs code-server when it is missing (scripts/vscode-host.sh) and returns its path. */
export function ensureHost(): string {
  return execFileSync('bash', [join(repo, 'scripts/vscode-host.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
}

/** A throwaway workspace with copies of the examples and the fixtures the suites use. */
export function workspaceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-ws-'));
  for (const f of ['linear-regression.ts', 'nan.ts', 'unused-parameter.ts', 'mlp-spirals.ts', 'cnn-digits.ts', 'char-gpt.ts', 'deep-mlp.ts', 'data']) {
    cpSync(join(repo, 'examples', f), join(dir, f), { recursive: true });
  }
  cpSync(join(repo, 'test/fixtures/infinite-loop.ts'), join(dir, 'infinite-loop.ts'));
  return dir;
}

/** Starts code-server on a free loopback port with throwaway state; resolves when it listens. */
export async function startServer(bin: string, trusted: boolean, state: string): Promise<{ server: ChildProcess; port: number }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', join(state, 'ud'), '--extensions-dir', join(state, 'ext')];
  if (trusted) args.push('--disable-workspace-trust');
  const server = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('code-server did not start in 60 s')), 60_000);
    const watch = (chunk: Buffer) => {
      if (chunk.toString().includes('HTTP server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout!.on('data', watch);
    server.stderr!.on('data', watch);
    server.on('exit', (code) => reject(new Error(`code-server exited with ${code}`)));
  });
  return { server, port };
}

/** The workbench URL with the extension loaded from this repository (and its tests, when given). */
export function workbenchUrl(port: number, folder: string, tests?: string, fromRepo = true): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload: [string, string][] = [['skipWelcome', 'true']];
  if (fromRepo) payload.push(['extensionDevelopmentPath', remote(repo)]);
  if (tests) payload.push(['extensionTestsPath', remote(join(repo, 'out/test/vscode', tests))]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}


/** Stops a server and removes its state and workspace. */
export async function stopServer(server: ChildProcess, ...dirs: string[]): Promise<void> {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill();
  await exited;
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
