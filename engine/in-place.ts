// Values changed in place after an op saved them for its gradient. Every tensor has a version that the engine
// bumps whenever it writes the tensor's data in place (optimizers, `markChanged()`); an op whose gradient reads
// a tensor records the version it saw, and backward() refuses to run that gradient on other values (PyTorch's
// `_version`). Parameters are small and the usual victims, so a checksum of each saved parameter also catches a
// direct write (`w.data[0] = 5`) that bumped nothing.
import { formatShape } from './format';
import { callSite } from './recorder';
import type { Tensor } from './tensor';

/** Who changed a tensor's data in place, and the user's call that did it (a recorder's capture, when recording). */
export interface Change {
  by: string;
  site: unknown;
}

/** A tensor a gradient function reads, as the forward pass saw it. */
export interface SavedTensor {
  readonly tensor: Tensor;
  readonly version: number;
  /** For parameters: a checksum of the data, to catch writes that bypassed `markChanged()`. */
  readonly checksum?: number;
}

/** What the engine's optimizers call themselves in a change's `by`, to suggest the right fix. */
const OPTIMIZERS = new Set(['sgd', 'SGD.step', 'Adam.step']);

/** Thrown by backward() when a gradient would read values changed in place since the forward pass. */
export class InPlaceChangeError extends Error {
  constructor(
    /** The tensor whose values changed. */
    readonly tensor: Tensor,
    /** The op whose gradient needed the old values. */
    readonly usedBy: Tensor,
    /** What changed it; undefined for a direct write to `data` (caught by the checksum). */
    readonly change: Change | undefined,
  ) {
    super('');
    this.name = 'InPlaceChangeError';
    this.message = this.describe();
  }

  /** The message, with the user's lines where `where` can place the recorder's captures (`model.ts:14:5`). */
  describe(where: (site: unknown) => string | null = () => null): string {
    const t = this.tensor;
    const name = t.kind === 'param' ? 'parameter' : t.kind === 'op' ? `output of ${t.op}` : t.kind === 'const' ? 'constant' : 'input';
    const at = (site: unknown) => {
      const text = site === undefined || site === null ? null : where(site);
      return text === null ? '' : ` at ${text}`;
    };
    const how = this.change === undefined ? 'by a direct write to its data' : `by ${this.change.by}${at(this.change.site)}`;
    const fix = this.change !== undefined && OPTIMIZERS.has(this.change.by) ? 'call backward() before the optimizer step' : 'call backward() before changing it, or change a detach()ed copy';
    return `backward: ${name} ${formatShape(t.shape)} was changed in place (${how}) after ${this.usedBy.op}${at(this.usedBy.site)} used it; ${fix}`;
  }
}

/** Records that `t`'s data was just changed in place by `by` (the user's call is captured when recording). */
export function changed(t: Tensor, by: string): void {
  t.version++;
  lastChanges.set(t, { by, site: callSite() });
}

/** The latest change of each tensor changed in place: beside the tensors, since few ever are and every tensor would carry the field. */
const lastChanges = new WeakMap<Tensor, Change>();

/** The tensors a gradient function reads (`output`: the op's own result), with what the forward pass saw; undefined for none. */
export function save(reads: readonly (Tensor | 'output')[], output: Tensor): SavedTensor[] | undefined {
  let saved: SavedTensor[] | undefined;
  for (const r of reads) {
    const tensor = r === 'output' ? output : r;
    if (tensor.isConst) continue; // a number the engine promoted: nothing outside the engine holds it to change it
    (saved ??= []).push({ tensor, version: tensor.version, checksum: tensor.kind === 'param' ? checksum(tensor.data) : undefined });
  }
  return saved;
}

/** Throws an InPlaceChangeError if any gradient function about to run in this pass would read changed values. */
export function checkSaved(order: readonly Tensor[]): void {
  let sums: Map<Tensor, number> | undefined;
  for (const node of order) {
    for (let i = 0; i < node.inputCount; i++) {
      const saved = node.savedOf(i);
      if (node.gradFnOf(i) === null || saved === undefined) continue;
      for (const s of saved) {
        const t = s.tensor;
        if (t.version !== s.version) throw new InPlaceChangeError(t, node, lastChanges.get(t));
        if (s.checksum === undefined) continue;
        sums ??= new Map();
        let sum = sums.get(t);
        if (sum === undefined) sums.set(t, (sum = checksum(t.data)));
        if (sum !== s.checksum) throw new InPlaceChangeError(t, node, undefined);
      }
    }
  }
}

/** FNV-1a over the 32-bit words of the values: any change to any bit of any value changes it (but for 1 in 2^32). */
function checksum(data: Float64Array): number {
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h;
}
