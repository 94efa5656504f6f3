// The extension's settings. Their defaults are the runner's (RUN_DEFAULTS) and package.json's, which a test
// keeps equal; a setting that is unset or invalid falls back to them.
import * as vscode from 'vscode';
import { parseSteps, RUN_DEFAULTS, RunOptions } from '../runner/options';

/** Settings that are not run options, with their defaults. */
export const EDITOR_DEFAULTS = { rerunOnSave: false, inlineGradients: false };

const config = () => vscode.workspace.getConfiguration('gradscope');

export function runOptions(): RunOptions {
  const c = config();
  return {
    steps: parseSteps(c.get<string>('recordedSteps')) ?? RUN_DEFAULTS.steps,
    timeoutMs: c.get<number>('timeLimitSeconds', RUN_DEFAULTS.timeoutMs / 1000) * 1000,
    memoryMb: c.get<number>('memoryLimitMb', RUN_DEFAULTS.memoryMb),
    heapMb: c.get<number>('heapLimitMb', RUN_DEFAULTS.heapMb),
    nodeLimit: c.get<number>('nodeLimit', RUN_DEFAULTS.nodeLimit),
  };
}

export const setting = (name: keyof typeof EDITOR_DEFAULTS): boolean => config().get<boolean>(name, EDITOR_DEFAULTS[name]);
