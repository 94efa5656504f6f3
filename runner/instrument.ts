// Marks every call in a bundled model with its position, so the engine knows the user's line of each call into it
// without capturing a stack (a V8 stack capture costs more than the op it locates). Every call and `new`
// expression `f(x)` becomes
//
//     __gradscope.back(__gradscope.at, (__gradscope.at = 17, f(x)))
//
// where 17 is the call's id: while `f` runs, the register holds 17; when it returns (or its arguments' own calls
// return), the register holds the enclosing call's id again. So whenever the engine is entered, the register
// names the innermost call of the user's code that is running: exactly the frame a stack capture would find.
// Only text is inserted, never a line break, so a position in the instrumented code maps back to the bundle by
// its line's insertions (`unshift`), and from there through the bundle's source map.
import { parse } from 'acorn';

/** The name the instrumented bundle reads its register by (a parameter of the function the worker compiles). */
export const REGISTER = '__gradscope';

/** What the instrumented bundle writes to: `at` is the id of the innermost running call, 0 for none. */
export interface CallRegister {
  at: number;
  /** Puts `saved` back in `at` and returns `value`: the end of an instrumented call. */
  back<T>(saved: number, value: T): T;
}

export interface InstrumentedCode {
  code: string;
  /** Per call id (from 1): its position in the bundle as V8 reports a call's frame, [line, column] 1-based, flat. */
  calls: number[];
  /** Per call id: the name of the function it is made in ('' at the top level or in an anonymous function). */
  functions: string[];
  /** Per line of the code (1-based) with insertions: [bundle column (0-based), inserted length] pairs, in order. */
  insertions: Record<number, number[]>;
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';

/** `code` (an esbuild bundle, CommonJS) with its calls marked; throws acorn's SyntaxError if it does not parse. */
export function instrumentCalls(code: string): InstrumentedCode {
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true }) as unknown as Node;
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const calls: number[] = [0, 0];
  const functions: string[] = [''];
  // Insertions in the order text is written: by offset, and at one offset in the order the walk made them (an
  // outer call opens before the inner one that starts where it does, and an inner call closes first).
  const inserts: { at: number; text: string; order: number }[] = [];
  const names: string[] = [''];

  const mark = (node: Node, span: Node) => {
    const id = functions.length;
    const at = callPosition(code, node);
    const line = lineOf(at);
    calls.push(line + 1, at - lineStarts[line] + 1);
    functions.push(names[names.length - 1]);
    inserts.push({ at: span.start, text: `${REGISTER}.back(${REGISTER}.at,(${REGISTER}.at=${id},`, order: inserts.length });
    return () => inserts.push({ at: span.end, text: '))', order: inserts.length });
  };

  const walk = (node: Node, inChain: boolean, name: string) => {
    const fn = node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
    if (fn) names.push(((node.id as Node | null)?.name as string | undefined) ?? name);
    let close: (() => void) | null = null;
    // Inside an optional chain (`a?.b().c()`) only the whole chain is marked: a call in the middle of it must stay
    // in the chain, or a short-circuit would go on to call the rest.
    if ((node.type === 'CallExpression' && (node.callee as Node).type !== 'Super') || node.type === 'NewExpression') {
      if (!inChain) close = mark(node, node);
    } else if (node.type === 'ChainExpression' && (node.expression as Node).type === 'CallExpression') {
      close = mark(node.expression as Node, node);
    }
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const child = node[key];
      // The chain goes on through a call's callee and a member's object; arguments and keys are new expressions.
      const chainLink = (node.type === 'ChainExpression' && key === 'expression') || (inChain && (key === 'callee' || key === 'object'));
      const childName = nameFor(node, key) ?? '';
      if (Array.isArray(child)) for (const c of child) isNode(c) && walk(c, false, childName);
      else if (isNode(child)) walk(child, chainLink, childName);
    }
    close?.();
    if (fn) names.pop();
  };
  walk(ast, false, '');

  inserts.sort((a, b) => a.at - b.at || a.order - b.order);
  const parts: string[] = [];
  const insertions: Record<number, number[]> = {};
  let from = 0;
  for (const { at, text } of inserts) {
    parts.push(code.slice(from, at), text);
    from = at;
    const line = lineOf(at);
    (insertions[line + 1] ??= []).push(at - lineStarts[line], text.length);
  }
  parts.push(code.slice(from));
  return { code: parts.join(''), calls, functions, insertions };
}

/** The name a function gets from where it is written (`const f = () => ...`, a method, a property), if any. */
function nameFor(parent: Node, key: string): string | undefined {
  if (parent.type === 'VariableDeclarator' && key === 'init') return (parent.id as Node).name as string | undefined;
  if ((parent.type === 'MethodDefinition' || parent.type === 'Property' || parent.type === 'PropertyDefinition') && key === 'value') {
    const k = parent.key as Node;
    return parent.computed ? undefined : ((k.name ?? k.value) as string | undefined);
  }
  return undefined;
}

/**
 * Where V8 places a call's frame: at the property of a method call (`x.matmul(w)`: `matmul`), at `new`, at the
 * name of a called identifier, and otherwise at the call's opening parenthesis.
 */
function callPosition(code: string, call: Node): number {
  if (call.type === 'NewExpression') return call.start;
  const callee = call.callee as Node;
  if (callee.type === 'Identifier') return callee.start;
  if (callee.type === 'MemberExpression' && !callee.computed) return (callee.property as Node).start;
  let i = callee.end;
  while (i < code.length && code[i] !== '(') i++;
  return i;
}

/** A column of the instrumented code (1-based) as the column of the bundle it was made from. */
export function unshift(insertions: Record<number, number[]>, line: number, column: number): number {
  const marks = insertions[line];
  if (marks === undefined) return column;
  let c = column - 1;
  let shift = 0;
  for (let i = 0; i < marks.length; i += 2) {
    const at = marks[i] + shift;
    if (c < at) break;
    // Inside inserted text (never a frame's position): the place it was inserted.
    if (c < at + marks[i + 1]) return marks[i] + 1;
    shift += marks[i + 1];
  }
  return c - shift + 1;
}
