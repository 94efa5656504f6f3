// How a step's graph folds into boxes the way people think of a model: one box per module call and per composite op
// call (the trace's scopes: `blocks.0.attn`, `crossEntropy`), repeated structure folded into one box (three calls of
// the same module, twelve identical blocks, the thirty tensors one line of a loop made: "×30"), each opened on click.
// Which boxes start open is chosen for readability: as many as fit a screenful. Pure functions over the trace.
import type { StepGraph, TraceNode, TraceScope } from '../engine/trace';
import { shapeText } from '../engine/format';

export type FoldKind = 'module' | 'call' | 'repeat' | 'line';

export interface Fold {
  /** Stable across runs of unchanged code: built from scope keys and sites, never from node ids. */
  id: string;
  kind: FoldKind;
  /** What the box says: a module's path and class, an op's name, `h ×30`. */
  label: string;
  /** What is inside, in creation order: folds and trace node ids. */
  children: Item[];
  /** Every trace node inside, at any depth. */
  members: number[];
  /** For a repeat or a line fold: how many times the structure repeats. */
  repeats?: number;
}

export type Item = Fold | number;

export interface FoldTree {
  top: Item[];
  folds: Map<string, Fold>;
  /** The folds around each trace node that is inside any, outermost first (their ids). */
  path: Map<number, string[]>;
}

/** Fewer repetitions than this are shown as they are: two blocks read better as two boxes than as "×2". */
export const MIN_REPEATS = 3;

export const isFold = (item: Item): item is Fold => typeof item !== 'number';

/** The folds of a step's graph (see the top of this file). */
export function foldTree(graph: StepGraph): FoldTree {
  const folds = new Map<string, Fold>();
  const scopeFolds = new Map<number, Fold>();
  const top: Item[] = [];
  const scopes = graph.scopes ?? [];
  const byId = new Map(scopes.map((s) => [s.id, s]));
  const containerOf = (scope: number | undefined): Item[] => (scope === undefined || !scopeFolds.has(scope) ? top : scopeFolds.get(scope)!.children);
  for (const s of scopes) {
    const fold: Fold = { id: `s:${s.key}`, kind: s.kind, label: scopeLabel(s), children: [], members: [] };
    scopeFolds.set(s.id, fold);
    containerOf(s.parent).push(fold);
  }
  for (const n of graph.nodes) containerOf(n.scope !== undefined && byId.has(n.scope) ? n.scope : undefined).push(n.id);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const fold = (id: string, items: Item[]): Item[] => foldRepeats(id, items, nodes);
  const tree: FoldTree = { top: fold('', top), folds, path: new Map() };
  // Repeats are folded inside out, so a repeated block's own repeated lines are folded too.
  const visit = (items: Item[], around: string[]): void => {
    for (const item of items) {
      if (!isFold(item)) {
        if (around.length > 0) tree.path.set(item, around);
        continue;
      }
      folds.set(item.id, item);
      const inner = [...around, item.id];
      visit(item.children, inner);
    }
  };
  const refold = (items: Item[]): void => {
    for (const item of items) {
      if (!isFold(item)) continue;
      refold(item.children);
      if (item.kind !== 'repeat' && item.kind !== 'line') item.children = fold(item.id, item.children);
    }
  };
  refold(tree.top);
  visit(tree.top, []);
  for (const f of folds.values()) f.members = membersOf(f);
  return tree;
}

function scopeLabel(s: TraceScope): string {
  return s.kind === 'module' && s.op !== s.name ? `${s.name} · ${s.op}` : s.name;
}

function membersOf(f: Fold): number[] {
  return f.children.flatMap((c) => (isFold(c) ? membersOf(c) : [c]));
}

/**
 * Folds repeated structure among the items of one container: sibling folds of the same kind and class whose names
 * differ only in their indices (`cell`, `cell`, `cell`; `blocks.0` … `blocks.11`), and the tensors one line made
 * again and again (a loop), parameters excepted (each keeps its name in view).
 */
function foldRepeats(container: string, items: Item[], nodes: Map<number, TraceNode>): Item[] {
  const groups = new Map<string, Item[]>();
  const signatureOf = (item: Item): string | null => {
    if (isFold(item)) return item.kind === 'module' || item.kind === 'call' ? `${item.kind}|${item.label.replace(/\.\d+(?=\.|$| )/g, '.*')}` : null;
    const n = nodes.get(item);
    if (n === undefined || n.site === null || n.kind === 'param') return null;
    // The same op on the same shape, again and again from one line: a loop (a composite call's parts differ).
    return `line|${n.site.file}:${n.site.line}:${n.site.column}|${n.op}|${n.shape.join(',')}`;
  };
  for (const item of items) {
    const sig = signatureOf(item);
    if (sig === null) continue;
    const group = groups.get(sig);
    if (group === undefined) groups.set(sig, [item]);
    else group.push(item);
  }
  const replaced = new Map<Item, Fold | null>();
  for (const [sig, group] of groups) {
    if (group.length < MIN_REPEATS) continue;
    const first = group[0];
    const line = !isFold(first);
    const label = line ? lineLabel(group.map((item) => nodes.get(item as number)!)) : sig.slice(sig.indexOf('|') + 1);
    const f: Fold = { id: `${line ? 'l' : 'r'}:${container}>${sig}`, kind: line ? 'line' : 'repeat', label: `${label} ×${group.length}`, children: group, members: [], repeats: group.length };
    replaced.set(first, f);
    for (const item of group.slice(1)) replaced.set(item, null);
  }
  const out: Item[] = [];
  for (const item of items) {
    const r = replaced.get(item);
    if (r === undefined) out.push(item);
    else if (r !== null) out.push(r);
  }
  return out;
}

/**
 * What a box of the tensors one line made says: their name (or op) and shape; the first and last names when they
 * differ (the numbers a loop promoted, `t + 1`: `1…30`).
 */
function lineLabel(made: readonly TraceNode[]): string {
  const first = made[0].name ?? made[0].op;
  const last = made[made.length - 1].name ?? made[made.length - 1].op;
  return `${first === last ? first : `${first}…${last}`} ${shapeText(made[0].shape)}`;
}

/** What is drawn, given the open folds: each item is a trace node or a closed fold. */
export function visibleItems(tree: FoldTree, open: ReadonlySet<string>): Item[] {
  const out: Item[] = [];
  const walk = (items: readonly Item[]): void => {
    for (const item of items) {
      if (isFold(item) && open.has(item.id)) walk(item.children);
      else out.push(item);
    }
  };
  walk(tree.top);
  return out;
}

/**
 * The folds to open for a view of at most `budget` boxes, starting from those in `open`: the biggest closed fold
 * first, as long as opening it keeps the count within the budget (a view of one box always opens it); composite
 * op calls stay closed. `within`:
 * only folds inside that one (the box the user just opened, whose contents open as far as they fit).
 */
export function foldsToOpen(tree: FoldTree, budget: number, open: ReadonlySet<string> = new Set(), within?: string): string[] {
  const opened = new Set(open);
  const inside = (f: Fold) => within === undefined || f.id === within || f.members.some((m) => tree.path.get(m)?.includes(within));
  let shown = visibleItems(tree, opened);
  for (;;) {
    // A composite op (crossEntropy) stays one box unless it is what the user opened: its parts are its own business.
    const closed = shown
      .filter(isFold)
      .filter((f) => inside(f) && (f.kind !== 'call' || f.id === within))
      .sort((a, b) => b.members.length - a.members.length);
    const next = closed.find((f) => shown.length - 1 + f.children.length <= budget || (shown.length === 1 && f.children.length <= budget * 2));
    if (next === undefined) return [...opened];
    opened.add(next.id);
    shown = visibleItems(tree, opened);
  }
}

