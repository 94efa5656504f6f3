// What the recorder holds of the tensors made since the last backward(): only the latest, bounded in count and in
// bytes. A step's graph is walked from its loss, so it needs none of them; they are only drawn when no backward
// ever runs (a forward-only run), and a forward-only loop (evaluation, inference, a script without backward) must
// not grow until the memory limit stops it when the same code runs fine on the engine alone.
import type { Tensor } from '../engine/tensor';

/** At most this many bytes of tensor data are held for a forward-only graph (always at least the latest tensor). */
export const RECENT_BYTES = 32 * 2 ** 20;

/** Whether `t` is an input of `op`: a look through its few inputs, or through `many`, a set of them (a cat of thousands). */
function isInputOf(t: Tensor, op: Tensor, many: Set<Tensor> | null): boolean {
  if (many !== null) return many.has(t);
  for (let i = 0; i < op.inputCount; i++) if (op.input(i) === t) return true;
  return false;
}

/** The inputs of `op`, as a set. */
function inputSet(op: Tensor): Set<Tensor> {
  const set = new Set<Tensor>();
  for (let i = 0; i < op.inputCount; i++) set.add(op.input(i));
  return set;
}

export class RecentTensors {
  /** A ring: `count` tensors from `head` on, wrapping; it grows (doubling) up to `maxCount` as tensors come. */
  private ring: (Tensor | undefined)[];
  /** By slot: how many tensors the one there holds (itself, and the inputs it took the slots of), and their bytes. */
  private held: Int32Array;
  private heldBytes: Float64Array;
  private head = 0;
  private count = 0;
  /** Tensors held, in a slot or through the one in a slot, and their bytes: what the bounds are on. */
  private tensors = 0;
  private bytes = 0;

  /** `onDrop` sees each tensor as the window stops holding it in a slot of its own, while it is still alive. */
  constructor(
    private readonly maxCount: number,
    private readonly onDrop: (t: Tensor) => void,
    private readonly maxBytes = RECENT_BYTES,
  ) {
    const size = Math.min(64, maxCount);
    this.ring = new Array<Tensor | undefined>(size);
    this.held = new Int32Array(size);
    this.heldBytes = new Float64Array(size);
  }

  push(t: Tensor): void {
    let held = 1;
    let heldBytes = t.size * 8;
    // The op's inputs made just before it (its promoted numbers, the op before it in a chain) give their slots up to
    // it: it holds them. So a chain of ops takes one slot, not one per tensor. This array is old in V8's heap, and
    // its every slot pointing at a young tensor is work for each young-generation collection: a 200,000-op chain
    // recorded spent more on that than on everything else the recording did.
    const many = t.inputCount > 8 ? inputSet(t) : null;
    while (t.inputCount > 0 && this.count > 0) {
      const slot = (this.head + this.count - 1) % this.ring.length;
      const newest = this.ring[slot]!;
      if (!isInputOf(newest, t, many)) break;
      held += this.held[slot];
      heldBytes += this.heldBytes[slot];
      this.ring[slot] = undefined;
      this.count--;
      this.onDrop(newest);
    }
    if (this.count === this.ring.length && this.count < this.maxCount) this.grow();
    if (this.count === this.ring.length) this.dropOldest();
    const slot = (this.head + this.count) % this.ring.length;
    this.ring[slot] = t;
    this.held[slot] = held;
    this.heldBytes[slot] = heldBytes;
    this.count++;
    this.tensors++;
    this.bytes += t.size * 8;
    // A slot goes only while what the others hold still reaches a bound: a slot holds a whole chain, and dropping
    // it at the first tensor over would leave far fewer than the bound (a forward-only graph would lose a chain).
    while (this.count > 1 && (this.tensors - this.held[this.head] >= this.maxCount || this.bytes - this.heldBytes[this.head] >= this.maxBytes)) this.dropOldest();
  }

  /** The tensors held in slots, oldest first (the others are their inputs, or inputs of those). */
  list(): Tensor[] {
    const out = new Array<Tensor>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.ring[(this.head + i) % this.ring.length]!;
    return out;
  }

  /** Forgets every tensor held (a backward pass started: its graph is walked from the loss). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.ring[(this.head + i) % this.ring.length] = undefined;
    this.head = 0;
    this.count = 0;
    this.tensors = 0;
    this.bytes = 0;
  }

  private dropOldest(): void {
    const slot = this.head;
    const old = this.ring[slot]!;
    this.ring[slot] = undefined;
    this.head = (slot + 1) % this.ring.length;
    this.count--;
    this.tensors -= this.held[slot];
    this.bytes -= this.heldBytes[slot];
    this.onDrop(old);
  }

  private grow(): void {
    const size = Math.min(this.maxCount, this.ring.length * 2);
    const ring = new Array<Tensor | undefined>(size);
    const held = new Int32Array(size);
    const heldBytes = new Float64Array(size);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.ring.length;
      ring[i] = this.ring[from];
      held[i] = this.held[from];
      heldBytes[i] = this.heldBytes[from];
    }
    this.ring = ring;
    this.held = held;
    this.heldBytes = heldBytes;
    this.head = 0;
  }
}
