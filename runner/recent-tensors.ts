// What the recorder holds of the tensors made since the last backward(): only the latest, bounded in count and in
// bytes. A step's graph is walked from its loss, so it needs none of them; they are only drawn when no backward
// ever runs (a forward-only run), and a forward-only loop (evaluation, inference, a script without backward) must
// not grow until the memory limit stops it when the same code runs fine on the engine alone.
import type { Tensor } from '../engine/tensor';

/** At most this many bytes of tensor data are held for a forward-only graph (always at least the latest tensor). */
export const RECENT_BYTES = 32 * 2 ** 20;

export class RecentTensors {
  private items: (Tensor | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  /** `onDrop` sees each tensor that leaves the window, in creation order, while it is still alive. */
  constructor(
    private readonly maxCount: number,
    private readonly onDrop: (t: Tensor) => void,
    private readonly maxBytes = RECENT_BYTES,
  ) {}

  push(t: Tensor): void {
    this.items.push(t);
    this.bytes += t.size * 8;
    while (this.items.length - this.head > 1 && (this.items.length - this.head > this.maxCount || this.bytes > this.maxBytes)) {
      const old = this.items[this.head]!;
      this.items[this.head++] = undefined;
      this.bytes -= old.size * 8;
      this.onDrop(old);
    }
    // Drop the emptied front now and then (amortised O(1) per tensor).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The tensors held, oldest first. */
  list(): Tensor[] {
    return this.items.slice(this.head) as Tensor[];
  }

  /** Forgets every tensor held (a backward pass started: its graph is walked from the loss). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
