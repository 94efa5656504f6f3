// Exploding gradients: a parameter whose gradient dwarfs its own values, or has grown by orders of magnitude
// since the first step. One finding per line of code that made such parameters, at the last step.
import { formatShape } from '../../engine/format';
import type { Finding, Trace, TraceNode } from '../../engine/trace';
import { Detector, finding } from './detector';
import { groupBySite, paramGradients } from './gradient-scale';

/** A parameter's gradient explodes when it is this many times the parameter's own norm (or 1, if larger)... */
export const EXPLODING_RELATIVE = 1e2;
/** ...or has grown this much since the first step while at least as large as the parameter. */
export const EXPLODING_GROWTH = 1e3;

/** How the gradient of parameter `n` explodes at the last step ("gradient norm ..."), or null if it does not. */
export function explosion(trace: Trace, n: TraceNode): string | null {
  const first = trace.steps[0];
  const last = trace.steps[trace.steps.length - 1];
  const g = last?.gradNorms[n.key];
  if (g === undefined || g === null) return null; // NaN/Inf: reported where it started
  const r = g / Math.max(last.paramNorms[n.key] ?? 0, 1);
  const growth = g / Math.max(first.gradNorms[n.key] ?? 0, 1e-300);
  if (r < EXPLODING_RELATIVE && !(trace.steps.length >= 3 && growth >= EXPLODING_GROWTH && r >= 1)) return null;
  const grown = growth >= EXPLODING_GROWTH ? `, ${growth.toExponential(1)}x its first step's` : '';
  return `gradient norm ${g.toPrecision(3)}, ${r.toPrecision(3)}x its own norm${grown}`;
}

export function exploding(): Detector {
  return {
    findings(run) {
      const scale = paramGradients(run.trace);
      if (scale === null) return [];
      const exploding: { node: TraceNode; message: string }[] = [];
      for (const node of scale.params) {
        const message = explosion(run.trace, node);
        if (message !== null) exploding.push({ node, message });
      }
      const out: Finding[] = [];
      for (const group of groupBySite(exploding, (e) => e.node)) {
        const e = group[0];
        const more = group.length > 1 ? ` (and ${group.length - 1} more parameters made here)` : '';
        const message = `exploding gradient: parameter ${formatShape(e.node.shape)} has ${e.message}${more}`;
        out.push(finding(run, e.node, { kind: 'exploding', severity: 'warning', step: scale.last.index, message }));
      }
      return out;
    },
  };
}
