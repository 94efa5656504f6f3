// The timeline under the graph: a step slider, the step's label (its loss, whether it is the recorded one) and
// the loss curve with the step marked. Dragging the slider or clicking the curve picks a step.
import type { Trace } from '../engine/trace';
import { formatMagnitude } from '../engine/format';
import { stepIndex } from './elements';
import type { Dom } from './page';
import { chartSvg } from './timeline';

export class StepScrubber {
  private trace: Trace | null = null;
  private step = -1;

  /** `onStep` is told the step the user picked. */
  constructor(private readonly dom: Pick<Dom, 'step' | 'stepLabel' | 'lossCurve'>, onStep: (step: number) => void) {
    dom.step.addEventListener('input', () => onStep(Number(dom.step.value)));
    dom.lossCurve.addEventListener('click', (e) => {
      const steps = this.trace?.steps.length ?? 0;
      const box = dom.lossCurve.getBoundingClientRect();
      if (steps > 1) onStep(Math.round(((e.clientX - box.left) / box.width) * (steps - 1)));
    });
    // The curve is drawn at the width its box has in the timeline (the layout narrows it in a narrow panel), and
    // again when that changes: scaling a fixed-size drawing would clip it or stretch its line.
    let width = 0;
    new ResizeObserver(() => {
      if (dom.lossCurve.clientWidth !== width) {
        width = dom.lossCurve.clientWidth;
        this.update(this.step);
      }
    }).observe(dom.lossCurve);
  }

  /** Sets the slider's range for a new trace and shows `step` (a view state's step: -1 is the recorded one). */
  show(trace: Trace, step: number): void {
    this.trace = trace;
    const n = trace.steps.length;
    this.dom.step.min = '0';
    this.dom.step.max = String(Math.max(n - 1, 0));
    this.dom.step.disabled = n <= 1;
    this.update(step);
  }

  /** Moves the slider, the label and the curve's marker to `step`. */
  update(step: number): void {
    this.step = step;
    const trace = this.trace;
    if (trace === null) return;
    const s = stepIndex(trace, step);
    this.dom.step.value = String(Math.max(s, 0));
    const loss = s >= 0 ? trace.steps[s].loss : null;
    this.dom.stepLabel.textContent = s < 0 ? 'no backward pass: forward graph only' : `step ${s + 1} of ${trace.steps.length}${loss === null ? '' : ` · loss ${formatMagnitude(loss)}`}${s === trace.graph.step ? ' (recorded)' : ''}`;
    this.dom.lossCurve.innerHTML = chartSvg(trace.steps.map((st) => st.loss), { width: this.dom.lossCurve.clientWidth || 240, height: 36, mark: s, className: 'loss-line' });
  }
}
