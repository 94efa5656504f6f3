// Which steps' graphs a run keeps until it ends (`--steps`): the last; one asked for by index (the last one
// instead, with a warning, when the run ends before it); or all of them, sampled down to MAX_KEPT_GRAPHS spread
// over the run so that a long run does not write hundreds of MB.
import type { StepsOption } from './options';

/** `--steps all` keeps at most this many graphs: the first step, every k-th step after it, and the last. */
export const MAX_KEPT_GRAPHS = 50;

export class KeptSteps<S extends { index: number }> {
  private kept: S[] = [];
  /** With `all`: the steps kept are the multiples of this (doubled whenever there would be too many), and the last. */
  private every = 1;
  private seen = 0;

  constructor(private readonly steps: StepsOption) {}

  add(step: S): void {
    this.seen++;
    const { steps } = this;
    if (steps === 'last') this.kept = [step];
    else if (typeof steps === 'number') {
      // The asked step once it came; until then the latest, to draw if the run ends first.
      if (this.kept[0]?.index !== steps) this.kept = [step];
    } else {
      const latest = this.kept[this.kept.length - 1];
      if (latest !== undefined && latest.index % this.every !== 0) this.kept.pop();
      this.kept.push(step);
      while (this.kept.length > MAX_KEPT_GRAPHS) {
        this.every *= 2;
        this.kept = this.kept.filter((s, i, all) => s.index % this.every === 0 || i === all.length - 1);
      }
    }
  }

  /** The kept steps, oldest first. */
  list(): readonly S[] {
    return this.kept;
  }

  /** With `all`, when not every step was kept: how they were chosen. */
  sampling(): { every: number; reason: string } | undefined {
    if (this.steps !== 'all' || this.kept.length === this.seen) return undefined;
    return {
      every: this.every,
      reason: `${this.seen} steps, at most ${MAX_KEPT_GRAPHS} graphs kept: the first step, one every ${this.every} steps after it, and the last`,
    };
  }

  /** What the user should know about the graph drawn (an index past the end of the run), if anything. */
  warning(drawn: number): string | undefined {
    const { steps } = this;
    if (typeof steps !== 'number' || drawn === steps) return undefined;
    return this.seen === 0
      ? `--steps ${steps}: no backward() ran, so there is no step ${steps}; the graph is the forward pass`
      : `--steps ${steps}: the run has ${this.seen} step${this.seen === 1 ? '' : 's'} (indices 0 to ${this.seen - 1}), so there is no step ${steps}; the graph is of the last step, ${drawn}`;
  }
}
