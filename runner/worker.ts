// The worker that runs a model: evaluates the bundle with the engine's recorder on, calls the exported
// function, and posts the trace (or a located error) back. Everything the user's code does happens here, so a
// crash, a hang or a runaway allocation costs this thread, never the editor.
import { Session } from 'node:inspector';
import { existsSync, readFileSync } from 'node:fs';
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';
import { shortSite } from '../engine/format';
import * as engine from '../engine/index';
import { setTensorMemoryLimit } from '../engine/memory';
import { wasmKernelsAvailable } from '../engine/ops/wasm-matmul';
import { isUserCall, setRecorder, UserCall, userCallRegister } from '../engine/recorder';
import type { RunError, Site, Trace, WorkerMessage } from '../engine/trace';
import { liveArrayBufferProbe } from './live-memory';
import { Bundle, Locator } from './locate';
import { ENTRY_POINTS } from './options';
import { callLocator, loadBundle } from './load-bundle';
import { RecordOptions, RunObserver, TraceRecorder } from './trace-recorder';

export interface WorkerInput {
  bundle: Bundle;
  record: RecordOptions;
  tensorMemoryBytes: number;
  /** [line, column, file index] of the user's latest call into the engine, readable after this thread dies. */
  lastSite: SharedArrayBuffer;
}

const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);
// The runner starts this worker while it bundles the model (runner/run.ts): the model and its limits come in the first
// message, set once before the run begins.
let input: WorkerInput;
let locator: Locator;
let locateCall: (call: UserCall) => Site | null;
// An error thrown deep in the engine (a layer inside nn.Sequential inside a module) has more engine frames above
// the user's than V8's default 10 keeps: keep enough to reach the user's line.
Error.stackTraceLimit = 64;

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
  const site = isUserCall(capture) ? locateCall(capture) : null;
  return site === null ? null : shortSite(site);
}

/** The call the model made last before its entry function returned or threw (the register's, kept past its reset). */
let lastCallMade = 0;

/**
 * What the model threw, located. A value with no stack frame in the user's code is placed at the last call the
 * code made before it (the register's), or else at the last engine call that made a tensor.
 */
function locateError(e: unknown, lastTensorCall: Site | null): RunError {
  const lastCall = locator.siteOfMarkedCall(lastCallMade);
  const error = lastCall !== null ? locator.thrown(e, lastCall, input.bundle.file, 'the last call before it') : locator.thrown(e, lastTensorCall, input.bundle.file);
  // An in-place change names two more places (where the value was used, where it changed): mapped here.
  if (e instanceof engine.InPlaceChangeError) error.message = `${e.name}: ${e.describe(placeCapture)}`;
  return e instanceof engine.TensorMemoryError ? { ...error, kind: 'memory' } : error;
}

/** What the runner calls an entry point in messages. */
const entryName = (name: string) => (name === 'default' ? 'the default export' : name);

/** What a value is, in a few words: `a number`, `an object`, `null`. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof engine.Tensor) return 'a tensor';
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

/** Where `fn` is defined in the user's sources: V8's [[FunctionLocation]] (asked through the inspector), mapped. */
function definitionOf(fn: Function): Site | null {
  const session = new Session();
  const global = globalThis as Record<string, unknown>;
  let site: Site | null = null;
  try {
    session.connect();
    global.__gradscopeEntry = fn;
    // A session in this thread answers synchronously.
    session.post('Runtime.evaluate', { expression: 'globalThis.__gradscopeEntry' }, (_, evaluated) => {
      const objectId = evaluated?.result.objectId;
      if (objectId === undefined) return;
      session.post('Runtime.getProperties', { objectId, ownProperties: true }, (__, properties) => {
        const at = properties?.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as { lineNumber: number; columnNumber: number } | undefined;
        if (at !== undefined) site = locator.site(at.lineNumber + 1, at.columnNumber + 1, fn.name);
      });
    });
  } catch {
    // No inspector in this Node: the caller falls back to the top of the file.
  } finally {
    delete global.__gradscopeEntry;
    session.disconnect();
  }
  return site;
}

/**
 * Calls the model's entry function and awaits what it returns. A promise still pending when the event loop
 * empties can never settle: that is reported at the function's definition (the worker would just exit).
 */
async function callEntry(name: string, entry: () => unknown, fallback: Site): Promise<unknown> {
  const onEmptyLoop = () => {
    const message = `${entryName(name)}${name === 'default' ? '' : '()'} returned a promise that never settled: the model's event loop emptied while it was pending`;
    post({ type: 'done', result: { kind: 'error', error: { kind: 'exception', message, site: definitionOf(entry) ?? fallback } } });
  };
  process.once('beforeExit', onEmptyLoop);
  try {
    return await entry();
  } finally {
    process.off('beforeExit', onEmptyLoop);
    // The runner's own calls into the engine from here on (backward on a returned loss) are no user's.
    lastCallMade = userCallRegister.at;
    userCallRegister.at = 0;
  }
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
  const sources = new Map<string, string[] | undefined>();
  const readSource = (path: string): string[] | undefined => {
    if (!sources.has(path)) sources.set(path, existsSync(path) ? readFileSync(path, 'utf8').split('\n') : undefined);
    return sources.get(path);
  };
  const recorder = new TraceRecorder(file, locateCall, { ...input.record, readSource }, observer);
  setRecorder(recorder);
  try {
    const exports = loadBundle(input.bundle);
    const name = ENTRY_POINTS.find((n) => typeof exports[n] === 'function');
    const notCallable = name === undefined ? ENTRY_POINTS.find((n) => exports[n] !== undefined) : undefined;
    if (notCallable !== undefined) {
      setRecorder(null);
      const message = `${entryName(notCallable)} is ${kindOf(exports[notCallable])}, not a function: the runner calls an exported train(), model() or default function`;
      post({ type: 'done', result: { kind: 'error', error: { kind: 'no-model', message, site: entrySite } } });
      return;
    }
    let result: unknown;
    if (name !== undefined) result = await callEntry(name, exports[name] as () => unknown, entrySite);
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
    trace.kernels = wasmKernelsAvailable() ? 'webassembly' : 'javascript';
    post({ type: 'done', result: { kind: 'ok', trace } });
  } catch (e) {
    // Thrown by the model's top level (its entry function keeps its own last call when it ends): before the reset.
    lastCallMade ||= userCallRegister.at;
    setRecorder(null);
    post({ type: 'done', result: { kind: 'error', error: locateError(e, latest()), partial: partialTrace(recorder) } });
  }
}

/** What a failed run recorded before the error, to draw up to it; none when there is nothing (or even that fails). */
function partialTrace(recorder: TraceRecorder): Trace | undefined {
  try {
    const trace = recorder.finish(undefined, true);
    return trace.graph.nodes.length > 0 ? trace : undefined;
  } catch {
    return undefined;
  }
}

port.once('message', (message: WorkerInput) => {
  input = message;
  locator = new Locator(message.bundle);
  locateCall = callLocator(locator);
  void run();
});
