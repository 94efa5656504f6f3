// ReLU units that output zero for every row of the batch pass no gradient back: they have stopped learning. A
// ReLU whose units are all dead passes no gradient at all to the layers before it: a warning, not information.
// ReLUs made on one line (a loop over layers or time steps) are one finding. Read from the last kept step, whose
// tensors are still live (the trace itself holds only their statistics).
import { namesText, tensorText } from '../../engine/format';
import type { Finding, TraceNode } from '../../engine/trace';
import { reachable } from '../graph';
import { deadUnits } from '../stats';
import { Detector, finding, RunView } from './detector';
import { groupBySite } from './gradient-scale';

export function deadRelu(): Detector {
  return { findings: deadRelus };
}

interface DeadUnits {
  node: TraceNode;
  dead: number;
  units: number;
  rows: number;
  /** What a unit is: a channel of an image batch, else a unit (a feature along the last axis). */
  noun: 'units' | 'channels';
}

/** ReLU units (channels of an image batch, else the last axis) zero for the whole batch in the last kept step, one finding per line. */
function deadRelus(run: RunView): Finding[] {
  const step = run.lastKept;
  if (step === undefined) return [];
  const byId = new Map(reachable(step.roots).map((t) => [t.id, t]));
  const found: DeadUnits[] = [];
  for (const node of run.trace.graph.nodes) {
    if (node.op !== 'relu' || node.shape.length < 2) continue;
    const t = byId.get(node.id);
    if (t === undefined) continue; // graph node ids are unique: each tensor is checked once
    // An image batch [N, C, H, W] (what conv2d makes) has its units along its channels: a channel is dead when it is
    // zero at every position of every image. Other tensors have theirs along the last axis.
    const image = t.shape.length === 4;
    const units = image ? t.shape[1] : t.shape[t.shape.length - 1];
    const rows = image ? t.shape[0] : t.size / units;
    const dead = deadUnits(t.data, units, image ? t.shape[2] * t.shape[3] : 1);
    if (dead > 0) found.push({ node, dead, units, rows, noun: image ? 'channels' : 'units' });
  }
  return groupBySite(found, (d) => d.node).map((group) => {
    const allDead = group.filter((d) => d.dead === d.units).length;
    const worst = group.reduce((a, b) => (b.dead / b.units > a.dead / a.units ? b : a));
    let message: string;
    if (group.length > 1) {
      const names = namesText(group.map((d) => d.node.name));
      const made = `made here${names === undefined ? '' : ` (${names})`}`;
      const dead = group.reduce((n, d) => n + d.dead, 0);
      const units = group.reduce((n, d) => n + d.units, 0);
      const noun = group[0].noun;
      message = allDead === group.length
        ? `dead ReLU: all ${units} ${noun} of the ${group.length} ReLUs ${made} are zero for the whole batch: no gradient passes back through them`
        : `dead ReLU: ${group.length} ReLUs ${made} have ${noun} that are zero for the whole batch, ${dead} of ${units} ${noun} (they pass no gradient)` +
          (allDead > 0 ? `; ${allDead} of them are entirely dead and pass no gradient back at all` : '');
    } else {
      // One ReLU is named, with its shape, before the colon: "dead ReLU `h` [32, 8]: ...".
      const which = worst.node.name === undefined ? 'dead ReLU:' : `dead ReLU ${tensorText(worst.node.name, worst.node.shape)}:`;
      message = allDead > 0
        ? `${which} all ${worst.units} ${worst.noun} are zero for the whole batch of ${worst.rows}: no gradient passes back through this layer to the ones before it`
        : `${which} ${worst.dead} of ${worst.units} ${worst.noun} are zero for the whole batch of ${worst.rows} (they pass no gradient)`;
    }
    return finding(run, worst.node, { kind: 'dead-relu', severity: allDead > 0 ? 'warning' : 'info', step: step.index, message });
  });
}
