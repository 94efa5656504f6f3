// Runs a model file: bundle it, start a worker under time and memory limits, and turn whatever happens into a
// RunResult. Used by the command line and the extension alike.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunError, RunResult, Site, WorkerMessage } from '../engine/trace';
import { bundleModel } from './bundle';
import { Bundle, Locator } from './locate';
import { RUN_DEFAULTS, RUN_LIMITS, RunOptions } from './options';
import type { WorkerInput } from './worker';

const fail = (error: RunError): RunResult => ({ kind: 'error', error });

export async function runModel(path: string, options: RunOptions = {}): Promise<RunResult> {
  const file = resolve(path);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return fail({ kind: 'internal', message: `${path}: no such file${path === file ? '' : ` (looked for ${file})`}`, site: null });
  if (stat.isDirectory()) return fail({ kind: 'internal', message: `${path} is a directory: give the model's .ts file to run`, site: null });
  // The worker starts up (a thread, the engine loaded) while esbuild bundles the model, in its own process; or it
  // was started ahead (options.worker).
  const run = startWorker(file, options);
  const bundled = await bundleModel(file);
  if ('error' in bundled) {
    run.cancel();
    return fail(bundled.error);
  }
  run.begin(bundled.bundle);
  return run.result;
}

/** Starts a worker for a run: it loads the engine at once, then waits for its model (`StartedWorker.begin`). */
export function spawnWorker(options: Pick<RunOptions, 'heapMb' | 'workerScript'> = {}): Worker {
  return new Worker(options.workerScript ?? join(__dirname, 'worker.js'), {
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? RUN_DEFAULTS.heapMb },
    stdout: false,
    stderr: false,
  });
}

/** A started worker: `begin` hands it the bundled model, `result` settles when the run ends. */
interface StartedWorker {
  begin(bundle: Bundle): void;
  cancel(): void;
  result: Promise<RunResult>;
}

function startWorker(file: string, options: RunOptions): StartedWorker {
  // Longer than a timer can wait is as good as no limit (and would otherwise fire at once).
  const timeoutMs = Math.min(options.timeoutMs ?? RUN_DEFAULTS.timeoutMs, RUN_LIMITS.timeoutMs.max);
  const lastSite = new Int32Array(new SharedArrayBuffer(12));
  const files: string[] = [];
  const onConsole = options.onConsole ?? ((_, text) => process.stderr.write(text));
  const worker = options.worker ?? spawnWorker(options);
  /** The model, once bundled. */
  let bundle: Bundle | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle: (result: RunResult) => void = () => undefined;
  const result = new Promise<RunResult>((resolve) => (settle = resolve));
  let settled = false;
  // The user's latest call into the engine, as the worker left it: where a run that was killed was.
  const lastCall = (): Site | null => {
    const at = files[lastSite[2]];
    return lastSite[0] > 0 && at !== undefined ? { file: at, line: lastSite[0], column: lastSite[1], function: '' } : null;
  };
  const where = (): Site => lastCall() ?? { file, line: 1, column: 1, function: '' };
  const finish = (outcome: RunResult) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    void worker.terminate();
    settle(outcome);
  };
  const onAbort = () => finish(fail({ kind: 'cancelled', message: 'run stopped', site: where() }));

  worker.on('message', (message: WorkerMessage) => {
    switch (message.type) {
      case 'console':
        onConsole(message.stream, message.text);
        break;
      case 'progress':
        options.onProgress?.(message.steps);
        break;
      case 'file':
        files[message.index] = message.file;
        break;
      case 'done':
        finish(message.result);
        break;
      default: {
        const never: never = message;
        throw new Error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  });
  // `e` is whatever the model threw, not always an Error (`throw "x"` in a timer callback).
  worker.on('error', (e: unknown) => {
    if (e instanceof Error && (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const mb = options.heapMb ?? RUN_DEFAULTS.heapMb;
      finish(fail({ kind: 'memory', message: `memory limit exceeded: the model's JavaScript heap went over ${mb} MB (last op here)`, site: where() }));
      return;
    }
    // Thrown outside the awaited model function (a timer callback, say): map it like any other exception.
    if (bundle !== undefined) finish(fail(new Locator(bundle).thrown(e, lastCall(), file)));
    else finish(fail({ kind: 'internal', message: `the model's worker failed to start: ${e instanceof Error ? e.message : String(e)}`, site: null }));
  });
  worker.on('exit', (code) => {
    finish(fail({ kind: 'internal', message: `the model's worker exited with code ${code} before finishing`, site: where() }));
  });

  return {
    result,
    cancel: () => finish(fail({ kind: 'cancelled', message: 'run stopped', site: null })),
    begin(model) {
      if (settled) return;
      bundle = model;
      // The limits count from here, as the model starts.
      timer = setTimeout(() => {
        finish(fail({ kind: 'timeout', message: `time limit exceeded: the model ran for more than ${timeoutMs} ms and was stopped (last op here; raise the limit with --timeout)`, site: where() }));
      }, timeoutMs);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort);
      const input: WorkerInput = {
        lastSite: lastSite.buffer as SharedArrayBuffer,
        bundle: model,
        record: { steps: options.steps ?? RUN_DEFAULTS.steps, nodeLimit: options.nodeLimit ?? RUN_DEFAULTS.nodeLimit },
        tensorMemoryBytes: (options.memoryMb ?? RUN_DEFAULTS.memoryMb) * 2 ** 20,
      };
      worker.postMessage(input);
    },
  };
}
