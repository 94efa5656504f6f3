// Each recorded tensor's key: the position of the user's call that made it and how many tensors came from that
// position before it since the last step ended (`12:5#3`; `1/12:5#3` in the first other file). A recording stamps
// every tensor a model makes, so this is kept on the tensor (its position's record and its number), not in a map
// per tensor; the key's text is made only when asked, once per position and number.
import type { Tensor } from '../engine/tensor';
import type { Site } from '../engine/trace';

/**
 * The tensor's `recordedNumber`: twice its number, plus this bit once a user's call returned it (markReturned). One
 * field, not two: every tensor carries it.
 */
const RETURNED = 1;

/** One position of the user's code (or none: `?`), as one recording counts the tensors made there. */
class Position {
  /** Tensors made here in the step being counted (`epoch`). */
  count = 0;
  epoch = 0;
  /** Key texts by number, made when first asked (the same numbers come back every step). */
  readonly keys: string[] = [];

  constructor(
    readonly owner: TensorKeys,
    readonly site: Site | null,
    /** `line:column`, after the file's prefix when it is not the model's. */
    readonly at: string,
  ) {}

  /** How `console.log(tensor)` in a model shows it: its position, not the recording it belongs to. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Position(${this.at})`;
  }
}

export class TensorKeys {
  private readonly positions = new Map<Site | null, Position>();
  /** The key prefix of each file other than the model's (`1/`, `2/`... in the order tensors were first made there). */
  private readonly filePrefixes = new Map<string, string>();
  private epoch = 0;

  constructor(private readonly file: string) {}

  /** Stamps `t`, just made by the user's call at `site`. */
  stamp(t: Tensor, site: Site | null): void {
    const position = this.positionOf(site);
    if (position.epoch !== this.epoch) {
      position.epoch = this.epoch;
      position.count = 0;
    }
    t.recorded = position;
    t.recordedNumber = 2 * position.count++;
  }

  /** A step ended: the next tensors are counted from 0 again at every position. */
  stepEnded(): void {
    this.epoch++;
  }

  /** Whether this recording stamped `t`. */
  has(t: Tensor): boolean {
    return this.own(t) !== undefined;
  }

  /**
   * Marks what a user's call into the engine returned, when it is a tensor this recording stamped (the tensors a
   * line of code names); false for anything else.
   */
  markReturned(value: object): boolean {
    const t = value as Tensor;
    if (this.own(t) === undefined) return false;
    t.recordedNumber |= RETURNED;
    return true;
  }

  /** Whether markReturned marked `t`. */
  returned(t: Tensor): boolean {
    return this.own(t) !== undefined && (t.recordedNumber & RETURNED) !== 0;
  }

  /** The site `t` was stamped with: null for none, undefined when this recording did not stamp it. */
  siteOf(t: Tensor): Site | null | undefined {
    return this.own(t)?.site;
  }

  keyOf(t: Tensor): string {
    const position = this.own(t);
    if (position === undefined) return `?#${t.id}`;
    const k = t.recordedNumber >> 1;
    return (position.keys[k] ??= `${position.at}#${k}`);
  }

  private own(t: Tensor): Position | undefined {
    const position = t.recorded;
    return position instanceof Position && position.owner === this ? position : undefined;
  }

  private positionOf(site: Site | null): Position {
    let position = this.positions.get(site);
    if (position === undefined) {
      let at = '?';
      if (site !== null) {
        let prefix = site.file === this.file ? '' : this.filePrefixes.get(site.file);
        if (prefix === undefined) this.filePrefixes.set(site.file, (prefix = `${this.filePrefixes.size + 1}/`));
        at = `${prefix}${site.line}:${site.column}`;
      }
      this.positions.set(site, (position = new Position(this, site, at)));
    }
    return position;
  }
}
