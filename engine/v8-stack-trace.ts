// The part of V8's stack-trace API the recorder uses (https://v8.dev/docs/stack-trace-api). The engine is
// compiled without Node's types, so it declares just this, and it runs wherever V8 does: Node, workers, Chromium.
// Elsewhere `captureStackTrace` is missing and the recorder records no call sites.

/** One frame of a captured stack, as V8 hands it to `prepareStackTrace`. */
export interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
}

/** `Error` as V8 extends it. */
export interface V8ErrorConstructor {
  stackTraceLimit: number;
  /** Frames above `constructorOpt` (and it) are left out when it is given. */
  captureStackTrace?(target: object, constructorOpt?: (...args: never[]) => unknown): void;
  prepareStackTrace?: (error: Error, frames: CallSite[]) => unknown;
}

export const V8Error = Error as unknown as V8ErrorConstructor;
