// The default of every `gradscope.*` setting, from the runner's own defaults where it is a run option. Kept
// free of the vscode module so a test can check package.json's configuration against it.
import { RUN_DEFAULTS } from '../runner/options';

export const SETTING_DEFAULTS = {
  timeLimitSeconds: RUN_DEFAULTS.timeoutMs / 1000,
  memoryLimitMb: RUN_DEFAULTS.memoryMb,
  heapLimitMb: RUN_DEFAULTS.heapMb,
  recordedSteps: RUN_DEFAULTS.steps,
  nodeLimit: RUN_DEFAULTS.nodeLimit,
  rerunOnSave: false,
  inlineGradients: false,
};
