// What the recorder holds of the tensors made since the last backward(): only the latest, bounded in count and in
// bytes. A step's graph is walked from its loss, so it needs none of them; they are only drawn when no backward
// ever runs (a forward-only run), and a forward-only loop (evaluation, inference, a script without backward) must
// not grow until the memory limit stops it when the same code runs fine on the engine alone.
import type { Tensor } from '../engine/tensor';

/** At most this many bytes of tensor data are held for a forward-only graph (always at least the latest tensor). */
export const RECENT_BYTES = 32 * 2 ** 20;

export class RecentTensors {
  /** A ring: `count` tensors from `head` on, wrapping; it grows (doubling) up to `maxCount` as tensors come. */
  private ring: (Tensor | undefined)[];
  private head = 0;
  private count = 0;
  private bytes = 0;

  /** `onDrop` sees each tensor that leaves the window, in creation order, while it is still alive. */
  constructor(
    private readonly maxCount: number,
    private readonly onDrop: (t: Tensor) => void,
    private readonly maxBytes = RECENT_BYTES,
  ) {
    this.ring = new Array<Tensor | undefined>(Math.min(64, maxCount));
  }

  push(t: Tensor): void {
    if (this.count === this.ring.length && this.count < this.maxCount) this.grow();
    const { ring } = this;
    if (this.count === ring.length) this.dropOldest();
    ring[(this.head + this.count) % ring.length] = t;
    this.count++;
    this.bytes += t.size * 8;
    while (this.count > 1 && this.bytes > this.maxBytes) this.dropOldest();
  }

  /** The tensors held, oldest first. */
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
    this.bytes = 0;
  }

  private dropOldest(): void {
    const old = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.count--;
    this.bytes -= old.size * 8;
    this.onDrop(old);
  }

  private grow(): void {
    const bigger = new Array<Tensor | undefined>(Math.min(this.maxCount, this.ring.length * 2));
    for (let i = 0; i < this.count; i++) bigger[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = bigger;
    this.head = 0;
  }
}
