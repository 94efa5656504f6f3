// The recorder hook: off by default. When a recorder is set, every tensor the engine creates is announced to
// it, and every backward pass reports the gradient that flowed along each dependency. The runner builds the
// trace from these calls; the engine itself knows nothing about traces.
import type { Tensor } from './tensor';
import { CallSite, V8Error } from './v8-stack-trace';

export interface Recorder {
  /** A tensor was just created (its op, shape, data and dependencies are set). */
  onTensor(tensor: Tensor): void;
  /** A backward pass from `root` starts; every backward() call is one training step. */
  onBackwardStart?(root: Tensor): void;
  /**
   * `tensor`'s gradient in this pass is complete (`grad`, its shape); called once per tensor the pass reaches,
   * root first, before the gradient flows on. Read `grad` during the call only: it may be updated later.
   */
  onNodeGrad?(tensor: Tensor, grad: Float64Array): void;
  /** `grad` is what `to`'s gradient function returned for its dependency `from` (shape of `from`); read it during the call only. */
  onEdgeGrad?(to: Tensor, from: Tensor, grad: Float64Array): void;
  /** The backward pass from `root` finished; every tensor's `grad` holds its accumulated gradient. */
  onBackwardEnd?(root: Tensor): void;
  /** What a user's call into the engine returned (the tensors made inside it on the way are not this). */
  onCallResult?(value: unknown): void;
}

let current: Recorder | null = null;
/** How many engine entry points are on the stack; only the outermost one captures the user's call site. */
let depth = 0;
/** The user's call into the engine that is running now (null when not recording or outside the engine). */
let entrySite: UserCall | null = null;

/**
 * The id of the call the user's code made last, written by a model bundle whose calls are marked
 * (runner/instrument.ts: the worker's bundles are) the moment before each call; 0 before any. An entry point
 * entered while it is set reads the user's call from here instead of capturing the stack (which costs more than
 * most ops).
 */
export const userCallRegister = {
  at: 0,
  last<T>(value: T, id: number): T {
    userCallRegister.at = id;
    return value;
  },
  none(id: number): readonly never[] {
    userCallRegister.at = id;
    return NO_ARGUMENTS;
  },
};
const NO_ARGUMENTS: readonly never[] = Object.freeze([]);

/** A user's call into the engine found through a marked bundle: `at` is the call's id in it. */
export class MarkedCall {
  constructor(
    readonly call: string,
    readonly at: number,
  ) {}
}

/** The user's call that made something: from a marked bundle, or a stack capture. `call` names the engine entry point. */
export type UserCall = MarkedCall | StackCapture;

/** Whether `value` is a user's call the recorder stamped (Tensor.site holds one, or nothing). */
export const isUserCall = (value: unknown): value is UserCall => value instanceof MarkedCall || value instanceof StackCapture;

/** Whether the recorder can tell where the user's calls are: marked calls, or V8's stack API. */
export const callsLocatable = (): boolean => userCallRegister.at !== 0 || V8Error.captureStackTrace !== undefined;

/** The module whose forward is running now, innermost (null outside every module, or when not recording). */
let moduleScope: ModuleScope | null = null;

/**
 * One run of a module's forward while recording. Tensors made during it point at it (`Tensor.scope`), and it
 * points at the forward it ran inside, so a recording can tell which module call made each tensor.
 */
export interface ModuleScope {
  readonly parent: ModuleScope | null;
  /** The module (an nn.Module; typed loosely so the recorder does not import nn). */
  readonly module: object;
  /** The call of its forward: the user's line, or the engine entry point it ran inside. */
  readonly site: UserCall | null;
}

/**
 * Runs `fn` as a call of `module`'s forward (see ModuleScope); a module whose forward calls its own base class's
 * forward (`super.forward(x)`) is one call, not two. `userCode`: `fn` is the user's forward, which may be called
 * from inside the engine (nn.Sequential): its own calls into the engine are the user's calls again, each with
 * its own line, rather than parts of the engine call it ran inside.
 */
export function inModule<R>(module: object, site: UserCall | null, fn: () => R, userCode = false): R {
  const outer = moduleScope;
  const outerDepth = depth;
  const outerSite = entrySite;
  if (outer?.module !== module) moduleScope = { parent: outer, module, site };
  if (userCode) {
    depth = 0;
    entrySite = null;
  }
  try {
    return fn();
  } finally {
    moduleScope = outer;
    depth = outerDepth;
    entrySite = outerSite;
  }
}

export function setRecorder(recorder: Recorder | null): void {
  current = recorder;
  // A recording starts with no user's call noted: a marked bundle that ran before it in this thread (the benchmark
  // loads one beside code of its own) leaves its last call in the register, which code it does not mark never clears.
  userCallRegister.at = 0;
}

export function activeRecorder(): Recorder | null {
  return current;
}

/** The capture of the user's call into the engine that is running now (null when not recording). */
export function callSite(): UserCall | null {
  return entrySite;
}

/** Tells the recorder about a tensor the engine made, stamped with the user's call that made it. */
export function announce(tensor: Tensor): Tensor {
  if (current !== null) {
    tensor.site = entrySite;
    tensor.scope = moduleScope;
    current.onTensor(tensor);
  }
  return tensor;
}

/**
 * Marks `fn` as an entry point of the public API. While recording, the outermost entry point notes the user's
 * call (captureCaller: from a marked bundle, or two frames of the stack, its own and its caller's), once for
 * however many tensors the call makes; entry points called from inside the engine capture nothing. With no
 * recorder it only forwards the call. `call` names the op for a recording that shows what one call made as one
 * box (`crossEntropy`); '' for a module's forward, whose box is the module.
 */
export function api<This, A extends unknown[], R>(fn: (this: This, ...args: A) => R, frames = 2, call: string = fn.name): (this: This, ...args: A) => R {
  return function entryPoint(this: This, ...args: A): R {
    if (current === null || depth > 0 || !callsLocatable()) return fn.apply(this, args);
    depth++;
    // Captured right here, so the two frames of a stack are this entry point and the user's call into it. An entry
    // point the engine itself calls on the user's behalf (a layer's constructor making its parameters) asks for
    // more frames, and the user's call is the first of them in the user's code.
    entrySite = captureCaller(frames, call);
    try {
      const result = fn.apply(this, args);
      current?.onCallResult?.(result);
      return result;
    } finally {
      depth--;
      entrySite = null;
    }
  };
}

/**
 * The user's call running now: the marked bundle's current call, or else the stack of the function that calls
 * this, `frames` deep (that function and its caller by default). Only ever called directly from the function
 * whose caller is wanted, while recording, with the calls locatable (callsLocatable()).
 */
export function captureCaller(frames = 2, call = ''): UserCall {
  if (userCallRegister.at !== 0) return new MarkedCall(call, userCallRegister.at);
  const savedLimit = V8Error.stackTraceLimit;
  // One more: the first frame is this function (it is where the capture is made), which callSites() leaves out.
  V8Error.stackTraceLimit = frames + 1;
  const capture = new StackCapture(call);
  V8Error.stackTraceLimit = savedLimit;
  return capture;
}

/** One frame of a captured call stack, in the coordinates of the running (possibly bundled) JavaScript. */
export interface StackFrame {
  file: string;
  line: number;
  column: number;
  functionName: string;
}

// V8 keeps the structured frames of a captured stack and formats them only when `.stack` is read; we read them
// through a prepareStackTrace that returns the CallSite objects, so nothing is ever formatted into a string.
// The first frame is captureCaller's own.
const returnCallSites = (_: Error, sites: CallSite[]): CallSite[] => sites.slice(1);

/**
 * Captured frames, read only when asked (capturing two frames is the cheap part; reading costs as much again).
 * An Error, made by captureCaller: V8 captures the stack of every Error as it is made, into a slot Error objects
 * have, while `Error.captureStackTrace` on another object adds properties to it (about 250 bytes more per call
 * into the engine, and a recording keeps one per op). Never thrown.
 */
export class StackCapture extends Error {
  private sites: CallSite[] | undefined = undefined;

  /** `call`: the engine entry point's name ('' for a module's forward or a capture that is not an engine call). */
  constructor(readonly call = '') {
    super();
  }

  /**
   * How Node's util.inspect shows a capture (`console.log(tensor)` in a model shows its `site`): by its call, never
   * by reading `stack`, which would format the frames into a string and leave callSites() nothing to read.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `StackCapture(${this.call})`;
  }

  /** The raw frames, innermost first: [the engine entry point, the user's call]. */
  callSites(): CallSite[] {
    if (this.sites !== undefined) return this.sites;
    const saved = V8Error.prepareStackTrace;
    V8Error.prepareStackTrace = returnCallSites;
    let sites: unknown;
    try {
      // V8 formats the frames once, through prepareStackTrace, and keeps what it returned in their place.
      sites = this.stack;
    } finally {
      V8Error.prepareStackTrace = saved;
    }
    this.sites = Array.isArray(sites) ? (sites as CallSite[]) : [];
    return this.sites;
  }

  /** The user's call: the frame below the engine entry point that captured this, as plain data. */
  userFrame(): StackFrame | undefined {
    const s = this.callSites()[1];
    return s === undefined
      ? undefined
      : { file: s.getFileName() ?? '', line: s.getLineNumber() ?? 0, column: s.getColumnNumber() ?? 0, functionName: s.getFunctionName() ?? s.getMethodName() ?? '' };
  }
}
