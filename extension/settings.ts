// The extension's settings, read when a run starts.
import * as vscode from 'vscode';
import type { RunOptions } from '../runner/run';
import type { StepsOption } from '../runner/trace-recorder';

export function runOptions(): RunOptions {
  const c = vscode.workspace.getConfiguration('gradscope');
  const steps = c.get<string>('recordedSteps', 'last');
  const parsed: StepsOption = steps === 'all' || steps === 'last' ? steps : /^\d+$/.test(steps) ? Number(steps) : 'last';
  return {
    steps: parsed,
    timeoutMs: c.get<number>('timeLimitSeconds', 60) * 1000,
    memoryMb: c.get<number>('memoryLimitMb', 4096),
    heapMb: c.get<number>('heapLimitMb', 2048),
    nodeLimit: c.get<number>('nodeLimit', 20_000),
  };
}

export const setting = <T>(name: string, fallback: T): T => vscode.workspace.getConfiguration('gradscope').get<T>(name, fallback);
