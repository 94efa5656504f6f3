// The worker that runs a model: evaluates the bundle with the engine's recorder on, calls the exported
// function, and posts the trace (or a located error) back. Everything the user's code does happens here, so a
// crash, a hang or a runaway allocation costs this thread, never the editor.
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { format } from 'node:util';
import * as vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import * as engine from '../engine/index';
import { setTensorMemoryLimit } from '../engine/memory';
import { setRecorder, StackCapture } from '../engine/recorder';
import type { RunError, Site, WorkerMessage } from '../engine/trace';
import { liveArrayBufferProbe } from './live-memory';
import { Bundle, Locator } from './locate';
import { ENTRY_POINTS } from './options';
import { RecordOptions, RunObserver, TraceRecorder } from './trace-recorder';

export interface WorkerInput {
  bundle: Bundle;
  record: RecordOptions;
  tensorMemoryBytes: number;
  /** [line, column, file index] of the user's latest call into the engine, readable after this thread dies. */
  lastSite: SharedArrayBuffer;
}

const input = workerData as WorkerInput;
const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);
const locator = new Locator(input.bundle);

// The user's output goes to the runner in order with everything else, not to this thread's stdio.
for (const [method, stream] of [['log', 'stdout'], ['info', 'stdout'], ['debug', 'stdout'], ['warn', 'stderr'], ['error', 'stderr']] as const) {
  console[method] = (...args: unknown[]) => post({ type: 'console', stream, text: format(...args) + '\n' });
}
for (const stream of ['stdout', 'stderr'] as const) {
  process[stream].write = ((chunk: unknown) => {
    post({ type: 'console', stream, text: String(chunk) });
    return true;
  }) as typeof process.stdout.write;
}

/** `model.ts:14:5` for a recorder's capture of the user's call, for messages that name more than one line. */
function placeCapture(capture: unknown): string | null {
  const site = capture instanceof StackCapture ? locator.siteOfCall(capture.callSites()[1]) : null;
  return site === null ? null : `${basename(site.file)}:${site.line}:${site.column}`;
}

function locateError(e: unknown, fallback: Site | null): RunError {
  const err = e instanceof Error ? e : new Error(String(e));
  const frames = locator.userFrames(err.stack ?? '');
  const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  const message = err instanceof engine.InPlaceChangeError ? err.describe(placeCapture) : err.message;
  return {
    kind: err instanceof engine.TensorMemoryError ? 'memory' : 'exception',
    message: `${name}${message}`,
    site: frames[0]?.site ?? fallback,
    stack: frames.map((f) => f.text).join('\n'),
  };
}

async function run(): Promise<void> {
  const file = input.bundle.file;
  const entrySite: Site = { file, line: 1, column: 1, function: '' };
  const lastSite = new Int32Array(input.lastSite);
  const files = new Map<string, number>();
  const observer: RunObserver = {
    onSite(site) {
      if (site === null) return;
      let index = files.get(site.file);
      if (index === undefined) {
        files.set(site.file, (index = files.size));
        post({ type: 'file', index, file: site.file });
      }
      lastSite[0] = site.line;
      lastSite[1] = site.column;
      lastSite[2] = index;
    },
    onSteps: (steps) => post({ type: 'progress', steps }),
  };
  const latest = (): Site | null => {
    const file = [...files.keys()][lastSite[2]];
    return lastSite[0] > 0 && file !== undefined ? { file, line: lastSite[0], column: lastSite[1], function: '' } : null;
  };
  setTensorMemoryLimit(input.tensorMemoryBytes, { measureLive: liveArrayBufferProbe() });
  const recorder = new TraceRecorder(
    file,
    (capture) => locator.siteOfCall(capture.callSites()[1]),
    input.record,
    observer,
  );
  setRecorder(recorder);
  try {
    const module = { exports: {} as Record<string, unknown> };
    const userRequire = createRequire(file);
    const require = (id: string): unknown => (id === 'gradscope' ? engine : userRequire(id));
    const evaluate = vm.compileFunction(input.bundle.code, ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: input.bundle.name,
    });
    evaluate(module.exports, require, module, file, dirname(file));
    const name = ENTRY_POINTS.find((n) => typeof module.exports[n] === 'function');
    let result: unknown;
    if (name !== undefined) result = await (module.exports[name] as () => unknown)();
    // A model that returns its loss without calling backward() gets one backward pass: that is the step.
    if (recorder.steps.length === 0 && result instanceof engine.Tensor && result.requiresGrad && result.size === 1) {
      result.backward();
    }
    setRecorder(null);
    const trace = recorder.finish(result);
    if (name === undefined && trace.graph.nodes.length === 0) {
      const message = 'no model to run: export a function train(), model() or a default function, or build tensors at the top level';
      post({ type: 'done', result: { kind: 'error', error: { kind: 'no-model', message, site: entrySite } } });
      return;
    }
    post({ type: 'done', result: { kind: 'ok', trace } });
  } catch (e) {
    setRecorder(null);
    post({ type: 'done', result: { kind: 'error', error: locateError(e, latest() ?? entrySite) } });
  }
}

void run();
