// Evaluating a bundled model in this thread (the worker's, or a benchmark's): `import ... from "gradscope"` is
// this thread's engine, the one its recorder watches, and the bundle's marked calls (runner/instrument.ts) write
// that engine's register.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as vm from 'node:vm';
import * as engine from '../engine/index';
import { MarkedCall, UserCall, userCallRegister } from '../engine/recorder';
import type { Site } from '../engine/trace';
import { REGISTER } from './instrument';
import type { Bundle, Locator } from './locate';

/** Runs the bundle's top level and returns its exports (the engine reads its marked calls: one bundle per thread). */
export function loadBundle(bundle: Bundle): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const userRequire = createRequire(bundle.file);
  const require = (id: string): unknown => (id === 'gradscope' ? engine : userRequire(id));
  const evaluate = vm.compileFunction(bundle.code, ['exports', 'require', 'module', '__filename', '__dirname', REGISTER], { filename: bundle.name });
  evaluate(module.exports, require, module, bundle.file, dirname(bundle.file), userCallRegister);
  return module.exports;
}

/** Where a user's call into the engine is in the user's sources: by its mark, or its captured stack. */
export function callLocator(locator: Locator): (call: UserCall) => Site | null {
  return (call) => (call instanceof MarkedCall ? locator.siteOfMarkedCall(call.at) : locator.firstUserSite(call.callSites()));
}
