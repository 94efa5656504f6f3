// Exploding gradients: a parameter whose gradient dwarfs its own values, or has grown by orders of magnitude
// since the first step. Every step is checked (a run whose gradients went on to Inf/NaN is the one that most
// needs it), and the finding is at the step where the norm started to blow up. One finding per line of code that
// made such parameters.
import { namesText, tensorText } from '../../engine/format';
import type { Finding, Trace, TraceNode } from '../../engine/trace';
import { Detector, finding } from './detector';
import { groupBySite, paramGradients } from './gradient-scale';

/** A parameter's gradient explodes when it is this many times the parameter's own norm (or 1, if larger)... */
export const EXPLODING_RELATIVE = 1e2;
/** ...or has grown this much since the first step while at least as large as the parameter. */
export const EXPLODING_GROWTH = 1e3;

/**
 * Where the gradient of parameter `n` started to explode: the first step that meets the thresholds and after
 * which it never came back below that norm (it went on growing, or to NaN/Inf); that step and how ("gradient norm
 * ..."), or null if it never did. A large first gradient that training then shrinks is not an explosion.
 */
export function explosion(trace: Trace, n: TraceNode): { step: number; message: string } | null {
  const { steps } = trace;
  const norms = steps.map((s) => s.gradNorms[n.key]);
  const first = norms[0] ?? 0;
  const growth = (g: number) => g / Math.max(first, 1e-300);
  for (const [i, s] of steps.entries()) {
    const g = norms[i];
    if (g === undefined || !Number.isFinite(g)) continue; // not reached, or NaN/Inf (reported where it started)
    const r = g / Math.max(s.paramNorms[n.key] ?? 0, 1);
    if (r < EXPLODING_RELATIVE && !(i >= 2 && growth(g) >= EXPLODING_GROWTH && r >= 1)) continue;
    if (norms.slice(i + 1).some((later) => typeof later === 'number' && later < g)) continue; // it came back down
    const grown = growth(g) >= EXPLODING_GROWTH ? `, ${growth(g).toExponential(1)}x its first step's` : '';
    return { step: s.index, message: `gradient norm ${g.toPrecision(3)}, ${r.toPrecision(3)}x its own norm${grown} at step ${s.index + 1}${after(steps, norms, i, growth)}` };
  }
  return null;
}

/** How a gradient went on after step `i` where it started to blow up: where it stopped being finite, or where it got to. */
function after(steps: Trace['steps'], norms: (number | undefined)[], i: number, growth: (g: number) => number): string {
  if (i === steps.length - 1) return '';
  const broke = norms.findIndex((g, j) => j > i && g !== undefined && !Number.isFinite(g));
  if (broke >= 0) return `, where it started to blow up; from step ${steps[broke].index + 1} it is NaN or Inf`;
  const g = norms[norms.length - 1];
  if (g === undefined || !Number.isFinite(g)) return ', where it started to blow up';
  const grown = growth(g) >= EXPLODING_GROWTH ? `, ${growth(g).toExponential(1)}x its first step's` : '';
  return `, where it started to blow up; ${g.toPrecision(3)} at step ${steps[steps.length - 1].index + 1}${grown}`;
}

export function exploding(): Detector {
  return {
    findings(run) {
      const scale = paramGradients(run.trace);
      if (scale === null) return [];
      const exploding: { node: TraceNode; message: string; step: number }[] = [];
      for (const node of scale.params) {
        const e = explosion(run.trace, node);
        if (e !== null) exploding.push({ node, ...e });
      }
      const out: Finding[] = [];
      for (const group of groupBySite(exploding, (e) => e.node)) {
        const e = group.reduce((a, b) => (b.step < a.step ? b : a)); // the first to blow up
        const others = namesText(group.filter((o) => o !== e).map((o) => o.node.name));
        const more = group.length > 1 ? ` (and ${group.length - 1} more parameters made here${others === undefined ? '' : `: ${others}`})` : '';
        const message = `exploding gradient: parameter ${tensorText(e.node.name, e.node.shape)} has ${e.message}${more}`;
        out.push(finding(run, e.node, { kind: 'exploding', severity: 'warning', step: e.step, message }));
      }
      return out;
    },
  };
}
