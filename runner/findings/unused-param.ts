// Parameters that no backward pass reached: nothing the loss depends on uses them, so they never learn.
import { tensorText } from '../../engine/format';
import { Detector, finding } from './detector';

export function unusedParam(): Detector {
  return {
    findings: (run) =>
      run.trace.steps.length === 0
        ? [] // no backward ran: nothing could have reached them
        : run.params
            .filter((p) => !run.reachedParams.has(p))
            .map((p) => finding(run, p, {
              kind: 'unused-param',
              severity: 'warning',
              message: `parameter ${tensorText(run.nameOf(p), p.shape)} received no gradient: no loss that backward() ran on depends on it`,
            })),
  };
}
