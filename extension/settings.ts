// The extension's settings, read when they are needed. Unset ones fall back to SETTING_DEFAULTS (the same
// values package.json declares; a test keeps the two equal).
import * as vscode from 'vscode';
import { parseSteps, RUN_DEFAULTS, RunOptions } from '../runner/options';
import { SETTING_DEFAULTS } from './setting-defaults';

type Setting = keyof typeof SETTING_DEFAULTS;

function get<K extends Setting>(name: K): (typeof SETTING_DEFAULTS)[K] {
  return vscode.workspace.getConfiguration('gradscope').get(name, SETTING_DEFAULTS[name]);
}

export function runOptions(): RunOptions {
  return {
    steps: parseSteps(get('recordedSteps')) ?? RUN_DEFAULTS.steps,
    timeoutMs: get('timeLimitSeconds') * 1000,
    memoryMb: get('memoryLimitMb'),
    heapMb: get('heapLimitMb'),
    nodeLimit: get('nodeLimit'),
  };
}

export const setting = (name: 'rerunOnSave' | 'inlineGradients'): boolean => get(name);
