// Runner-level benchmarks: what the real trace recorder (sites, keys, statistics, findings) adds to a model's
// run, and how long a cold `gradscope run` takes from the shell.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { recordTrace } from '../test/webview/make-trace';
import type { Locate, RecordOptions } from '../runner/trace-recorder';

/**
 * `run` recorded by a fresh TraceRecorder and finished into a trace, as the worker does it (with `options`'
 * changes); `locate` places the calls of a model bundle's code (bench/marked-workloads.ts).
 */
export function traced(run: () => unknown, options?: Partial<RecordOptions>, locate?: Locate): () => unknown {
  return () => recordTrace(run, 20_000, undefined, options, locate);
}

/** Wall time of whole `node bin/gradscope.js ...` processes, median of `repetitions`, in ms. */
export function coldCommand(args: string[], repetitions = 7): { median: number; min: number; max: number } {
  const repo = join(__dirname, '..', '..');
  const times: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}
