// Marks every call in a bundled model with its position, so the engine knows the user's line of each call into it
// without capturing a stack (a V8 stack capture costs more than the op it locates). Each call and `new`
// expression gets a marker as its last argument is evaluated, the moment before the call is made:
//
//     f(a, b)  ->  f(a, __gradscope.last(b, 17))        x.relu()  ->  x.relu(...__gradscope.none(17))
//
// where 17 is the call's id. So whenever the engine is entered, the register names the call the user's code
// made last: the engine's entry point itself, or the user's function the engine runs inside (a module's
// forward). A call in an argument sets it before the call around it does, an `await` in an argument resumes
// before the marker, an optional chain skips a call's marker with the call, and the calls of the code stay as
// written (V8's messages name them as in the user's source: `x.relu(...).sigmod is not a function`). Only text
// is inserted, never a line break, so a position in the marked code maps back to the bundle by its line's
// insertions (`unshift`), and from there through the bundle's source map.
import { parse } from 'acorn';

/** The name the marked bundle reads its register by (a parameter of the function the worker compiles). */
export const REGISTER = '__gradscope';

/** What the marked bundle writes to: `at` is the id of the call the user's code made last (0: none yet). */
export interface CallRegister {
  at: number;
  /** Notes call `id` and returns its last argument's `value`. */
  last<T>(value: T, id: number): T;
  /** Notes call `id` and returns nothing to spread: the marker of a call without arguments. */
  none(id: number): readonly never[];
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
  // Insertions in the order text is written: by offset, and at one offset in the order the walk made them.
  const inserts: { at: number; text: string; order: number }[] = [];
  const insert = (at: number, text: string) => inserts.push({ at, text, order: inserts.length });
  const names: string[] = [''];

  const mark = (call: Node) => {
    const id = functions.length;
    const at = callPosition(code, call);
    const line = lineOf(at);
    calls.push(line + 1, at - lineStarts[line] + 1);
    functions.push(names[names.length - 1]);
    const args = call.arguments as Node[];
    const lastArg = args[args.length - 1];
    if (lastArg !== undefined) {
      // A spread's marker goes around what is spread (`...xs` -> `...__gradscope.last(xs, 17)`).
      const value = lastArg.type === 'SpreadElement' ? (lastArg.argument as Node) : lastArg;
      insert(value.start, `${REGISTER}.last(`);
      // After everything inside the argument closes (its own calls' markers are inserted as the walk goes on).
      return () => insert(value.end, `,${id})`);
    }
    const none = `...${REGISTER}.none(${id})`;
    if (hasArgumentList(code, call)) insert(call.end - 1, none);
    else insert(call.end, `(${none})`); // `new C` without parentheses
    return null;
  };

  const walk = (node: Node, name: string) => {
    const fn = node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
    if (fn) names.push(((node.id as Node | null)?.name as string | undefined) ?? name);
    const close = node.type === 'CallExpression' || node.type === 'NewExpression' ? mark(node) : null;
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      const child = node[key];
      const childName = nameFor(node, key) ?? '';
      if (Array.isArray(child)) for (const c of child) isNode(c) && walk(c, childName);
      else if (isNode(child)) walk(child, childName);
    }
    close?.();
    if (fn) names.pop();
  };
  walk(ast, '');

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

/** Whether a call without arguments has its parentheses: `new C` may leave them out (`new (f())` too). */
function hasArgumentList(code: string, call: Node): boolean {
  if (call.type === 'CallExpression') return true;
  const after = code.slice((call.callee as Node).end, call.end).replace(/\s+|\/\*[\s\S]*?\*\//g, '');
  return after.endsWith('()');
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
 * name of a called identifier or `super`, and otherwise at the call's opening parenthesis.
 */
function callPosition(code: string, call: Node): number {
  if (call.type === 'NewExpression') return call.start;
  const callee = call.callee as Node;
  if (callee.type === 'Identifier' || callee.type === 'Super') return callee.start;
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
