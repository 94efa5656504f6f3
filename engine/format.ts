// How trace data reads as text, one definition each: shapes in messages and in labels, source places, numbers,
// and HTML escaping. Pure functions, shared by the engine's errors, the runner, the extension and the webview.

/** A shape in messages and errors, as NumPy and PyTorch print it: `[2, 3]` (a scalar is `[]`). */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A shape in labels, where space is short: `[2×3]`. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join('×')}]`;
}

/**
 * A tensor in a finding's message: its name as code, then its shape (`` `fc1.weight` [16, 16] ``); the shape
 * alone when it has none, as messages read before tensors were named.
 */
export function tensorText(name: string | undefined, shape: readonly number[]): string {
  return name === undefined ? formatShape(shape) : `\`${name}\` ${formatShape(shape)}`;
}

/**
 * The names of several tensors a message speaks of (a layer made in a loop), as code: each name once, the first
 * `max` of them and `…` for the rest; undefined when none is named.
 */
export function namesText(names: readonly (string | undefined)[], max = 2): string | undefined {
  const distinct = [...new Set(names.filter((n) => n !== undefined))];
  if (distinct.length === 0) return undefined;
  return distinct.slice(0, max).map((n) => `\`${n}\``).join(', ') + (distinct.length > max ? ', …' : '');
}

/** The last part of a path (either separator). */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** What a node is called where it is shown: its name, else its op (a leaf: its kind, as every leaf's op is 'tensor'). */
export function nodeTitle(node: { name?: string; op: string; kind: string }): string {
  return node.name ?? (node.kind === 'op' ? node.op : node.kind);
}

interface Place {
  file: string;
  line: number;
  column: number;
}

/** `file:line:column`, the form editors and terminals turn into links. */
export function formatSite(site: Place | null): string {
  return site === null ? '(unknown location)' : `${site.file}:${site.line}:${site.column}`;
}

/** `model.ts:12:5`: a place named by its file's base name, for labels. */
export function shortSite(site: Place): string {
  return `${baseName(site.file)}:${site.line}:${site.column}`;
}

/** A magnitude to `digits` significant digits, in exponent form beyond 1e4 or below 1e-3: `0.0123`, `4.5e-7`. */
export function formatMagnitude(v: number, digits = 3): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(digits - 2) : String(Number(v.toPrecision(digits)));
}

/** Text made safe inside HTML or XML markup (element content and quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
