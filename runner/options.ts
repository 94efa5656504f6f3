// What a run can be asked for, and the one set of defaults: the command line, the extension's settings and
// package.json's configuration all read these (a test checks that package.json agrees).
import type { Worker } from 'node:worker_threads';

/** Which steps' graphs a run keeps: the last, all of them, or the one with this index. */
export type StepsOption = 'last' | 'all' | number;

export interface RunOptions {
  /** Which steps' graphs to keep (default: the last). */
  steps?: StepsOption;
  /** Wall-clock limit for the whole run, in ms. */
  timeoutMs?: number;
  /** Limit on live tensor data, in MB. */
  memoryMb?: number;
  /** Limit on the worker's JS heap, in MB. */
  heapMb?: number;
  /** Largest graph kept in the trace, in nodes. */
  nodeLimit?: number;
  /** Aborting stops the run and terminates the worker. */
  signal?: AbortSignal;
  /** The user's console output (default: written to this process's stderr). */
  onConsole?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Called as the run progresses (at most ten times a second): backward passes done so far. */
  onProgress?: (step: number) => void;
  /** The worker script (default: worker.js beside this bundle). */
  workerScript?: string;
  /** A worker started ahead with run.ts's spawnWorker, with this heapMb and workerScript (default: the run starts one). */
  worker?: Worker;
}

export const RUN_DEFAULTS = { steps: 'last', timeoutMs: 60_000, memoryMb: 4096, heapMb: 2048, nodeLimit: 20_000 } as const satisfies Required<
  Pick<RunOptions, 'steps' | 'timeoutMs' | 'memoryMb' | 'heapMb' | 'nodeLimit'>
>;

/**
 * The whole numbers each numeric option takes. A timer cannot wait longer than 2^31 - 1 ms (a longer one fires
 * at once), and a worker needs a few MB of heap to start.
 */
export const RUN_LIMITS = {
  timeoutMs: { min: 1, max: 2 ** 31 - 1 },
  memoryMb: { min: 1, max: 2 ** 20 },
  heapMb: { min: 16, max: 2 ** 20 },
  nodeLimit: { min: 1, max: 2 ** 31 - 1 },
} as const satisfies Record<'timeoutMs' | 'memoryMb' | 'heapMb' | 'nodeLimit', { min: number; max: number }>;

/** `last`, `all` or a step index, as the command line and the settings take it; undefined for anything else. */
export function parseSteps(text: string | undefined): StepsOption | undefined {
  if (text === 'last' || text === 'all') return text;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** The exports a run calls, first found first (`export default` is `default`); a module without one runs as a script. */
export const ENTRY_POINTS = ['train', 'model', 'default'] as const;
