// ReLU units that output zero for every row of the batch pass no gradient back: they have stopped learning.
// Read from the last kept step, whose tensors are still live (the trace itself holds only their statistics).
import type { Finding } from '../../engine/trace';
import { Detector, finding, RunView } from './detector';

export function deadRelu(): Detector {
  return { findings: deadRelus };
}

/** ReLU units (last axis) that are zero for every row of the batch in the last kept step. */
function deadRelus(run: RunView): Finding[] {
  const step = run.lastKept;
  if (step === undefined) return [];
  const out: Finding[] = [];
  const byId = new Map(step.created.map((c) => [c.id, c]));
  for (const node of run.trace.graph.nodes) {
    if (node.op !== 'relu' || node.shape.length < 2) continue;
    const t = byId.get(node.id);
    if (t === undefined) continue; // graph node ids are unique: each tensor is checked once
    const units = t.shape[t.shape.length - 1];
    const rows = t.size / units;
    let dead = 0;
    for (let u = 0; u < units; u++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) alive = t.data[r * units + u] !== 0;
      if (!alive) dead++;
    }
    if (dead > 0) {
      out.push(finding(run, node, {
        kind: 'dead-relu',
        severity: 'info',
        step: step.index,
        message: `dead ReLU: ${dead} of ${units} units are zero for the whole batch of ${rows} (they pass no gradient)`,
      }));
    }
  }
  return out;
}
