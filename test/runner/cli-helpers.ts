// Runs the real `gradscope` command (bin/gradscope.js, a spawned Node process with a real worker) and finds
// marked positions in fixture files.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repo = join(__dirname, '..', '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function gradscope(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'gradscope.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 30 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 1-based line and column of `token` on the line of `file` (repo-relative) that has the comment `// error: <marker>`. */
export function marked(file: string, marker: string, token: string): { line: number; column: number } {
  const lines = readFileSync(join(repo, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(`// error: ${marker}`));
  if (line < 0) throw new Error(`no marker "${marker}" in ${file}`);
  const column = lines[line].indexOf(token);
  if (column < 0) throw new Error(`no "${token}" on the marked line of ${file}`);
  return { line: line + 1, column: column + 1 };
}
