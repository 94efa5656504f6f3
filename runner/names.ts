// What a user would call each tensor, for labels, details, hovers and search: a module parameter's path
// (`blocks.0.proj.weight`); else the name the source binds it to (`const w1 = ...` → `w1`, `{ w: randn(..) }` →
// `w`, `this.scale = ...` → `scale`) when the call that made it is the whole right-hand side; else the source
// text of that call, shortened (`x.matmul(params.w)`). Read from the text of the call: no parser needed for the
// calls models are written, and a call spread over lines is read to its closing parenthesis.
import type { Site } from '../engine/trace';

const MAX_NAME = 40;

/**
 * The name of the tensor made by the call at `site`, from `line`, the text of the site's line (and of the lines
 * after it, for a call spread over them); undefined when there is no site or text.
 */
export function nameFromSource(line: string | undefined, site: Site | null): string | undefined {
  if (line === undefined || site === null) return undefined;
  const at = site.column - 1;
  // A call through a computed member or a parenthesized callee (`x["matmul"](w)`) is placed at its parenthesis.
  const callee = line[at] === '(' ? [''] : /^[A-Za-z_$][\w$]*/.exec(line.slice(at));
  if (callee === null) return undefined;
  const start = line[at] === '(' ? calleeStart(line, at) : receiverStart(line, at);
  const open = at + callee[0].length;
  const end = line[open] === '(' ? closingParen(line, open) : -1;
  const call = end < 0 ? `${line.slice(start, open)}(…)` : line.slice(start, end + 1);
  // Bound by name only when this call is all there is to the right of `=` (or `:`): `const err = a.sub(b)`. A line
  // break ends it too, unless the next line goes on with the chain (`.mul(2)`).
  const wholeRight = end >= 0 && /^[ \t]*(?:;|,|\)|\}|$|\/\/|\r?\n(?![ \t]*[.?[(]))/.test(line.slice(end + 1));
  const bound = wholeRight ? bindingBefore(line.slice(0, start)) : undefined;
  return bound ?? shorten(call);
}

/** Where the receiver of a method call at `at` starts (`params.w.matmul` → the `p`), or `at` for a plain call. */
function receiverStart(line: string, at: number): number {
  let i = at;
  while (i > 0 && line[i - 1] === '.') {
    let j = i - 2;
    if (line[j] === '?' || line[j] === '!') j--; // `a?.log()`, `a!.matmul(w)`
    // A closing bracket or parenthesis: back over the balanced group (`f(x).add`, `xs[0].mul`).
    while (j >= 0 && (line[j] === ')' || line[j] === ']')) {
      j = openingBracket(line, j) - 1;
      if (j < -1) return at;
    }
    while (j >= 0 && /[\w$]/.test(line[j])) j--;
    i = j + 1;
  }
  return i;
}

/** Where a callee that ends just before its parenthesis at `open` starts: `x["matmul"]`, `(0, f)`. */
function calleeStart(line: string, open: number): number {
  let j = open - 1;
  while (j >= 0 && (line[j] === ')' || line[j] === ']')) {
    j = openingBracket(line, j) - 1;
    if (j < -1) return open;
  }
  while (j >= 0 && /[\w$]/.test(line[j])) j--;
  return receiverStart(line, j + 1);
}

function closingParen(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i : -1;
    } else if (c === '"' || c === "'" || c === '`') {
      const close = line.indexOf(c, i + 1);
      if (close < 0) return -1;
      i = close;
    }
  }
  return -1;
}

function openingBracket(line: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = line[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The name a call is bound to, from the text before it: `const x =`, `x =`, `this.x =`, `x:` (a property). */
function bindingBefore(before: string): string | undefined {
  const m =
    /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*$/.exec(before) ??
    /(?:this\.|\b)([A-Za-z_$][\w$]*)\s*(?:\+|-|\*|\/)?=\s*$/.exec(before) ??
    /(?:^\s*|[{,]\s*)([A-Za-z_$][\w$]*)\s*:\s*$/.exec(before);
  return m?.[1];
}

/** A call's text cut to fit a label, keeping its end (the op and its arguments): `….add(params.b)`, or `tensor(…)`. */
function shorten(call: string): string {
  const text = call.replace(/\s+/g, ' ');
  if (text.length <= MAX_NAME) return text;
  // The last call of a chain starts after its last `.` outside any brackets.
  let depth = 0;
  let lastDot = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '.' && depth === 0) lastDot = i;
  }
  const last = lastDot >= 0 ? text.slice(lastDot) : text;
  const tail = lastDot >= 0 ? `…${last}` : last;
  if (tail.length <= MAX_NAME) return tail;
  // Still too long: the callee alone, its arguments elided.
  const callee = /^\.?([A-Za-z_$][\w$]*)/.exec(last)?.[1];
  return callee !== undefined ? `${lastDot >= 0 ? '….' : ''}${callee}(…)` : `${text.slice(0, MAX_NAME - 1)}…`;
}
