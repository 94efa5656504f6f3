// Peak memory and wall time of each example, run once through the real CLI (`gradscope run FILE --json`) in a
// child process, as a user runs it. The model runs in a worker thread of that process, so the process's peak
// RSS covers the model, the recorder and the trace. Examples are read from the directory, so new ones get a row.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface ExampleRun {
  file: string;
  /** Peak resident set size of the whole process, in MB. */
  peakMb: number;
  ms: number;
  /** CPU time of the process (user + system, every thread), in ms: what wall time would be on an idle machine, roughly. */
  cpuMs: number;
}

const TIME = '/usr/bin/time';

/**
 * Peak RSS and CPU time from GNU time's report when it is installed; otherwise from a preload that prints the
 * process's own resourceUsage() as it exits (the same kernel figures, read from inside).
 */
function peakOf(args: string[], cwd: string): { peakKb: number; cpuMs: number; stderr: string; status: number | null } {
  if (existsSync(TIME)) {
    const r = spawnSync(TIME, ['-v', process.execPath, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const field = (label: string) => Number(new RegExp(`${label}: ([\\d.]+)`).exec(r.stderr)?.[1] ?? NaN);
    const peakKb = field('Maximum resident set size \\(kbytes\\)');
    const cpuMs = 1000 * (field('User time \\(seconds\\)') + field('System time \\(seconds\\)'));
    if (!Number.isNaN(peakKb)) return { peakKb, cpuMs, stderr: r.stderr, status: r.status };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-bench-'));
  try {
    const preload = join(dir, 'max-rss.js');
    const report = 'const u = process.resourceUsage(); process.stderr.write(`\\nmaxRSS ${u.maxRSS} cpu ${(u.userCPUTime + u.systemCPUTime) / 1000}\\n`)';
    writeFileSync(preload, `process.on('exit', () => { ${report}; });\n`);
    const r = spawnSync(process.execPath, ['--require', preload, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const match = /maxRSS (\d+) cpu ([\d.]+)/.exec(r.stderr);
    return { peakKb: Number(match?.[1] ?? NaN), cpuMs: Number(match?.[2] ?? NaN), stderr: r.stderr, status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each examples/*.ts run once: `node bin/gradscope.js run examples/FILE --json` (the trace goes to /dev/null). */
export function exampleRuns(): ExampleRun[] {
  const repo = join(__dirname, '..', '..');
  const files = readdirSync(join(repo, 'examples'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  return files.map((f) => {
    const file = `examples/${f}`;
    const start = performance.now();
    const r = peakOf(['bin/gradscope.js', 'run', file, '--json'], repo);
    const ms = performance.now() - start;
    // A model that reports findings still exits 0; anything else means the row would time a failure.
    if (r.status !== 0) throw new Error(`gradscope run ${file} failed (${r.status}): ${r.stderr}`);
    const row = { file, peakMb: r.peakKb / 1024, ms, cpuMs: r.cpuMs };
    console.log(`example ${file}\n  peak RSS ${row.peakMb.toFixed(0)} MB, ${ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU`);
    return row;
  });
}
