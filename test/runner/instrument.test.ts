// Marking a bundle's calls (runner/instrument.ts) must give each call the position a stack capture would (also
// after an await in its arguments, inside optional chains, for super calls), leave what the code does and the
// messages V8 writes about it unchanged, and let a stack frame of the marked code be mapped back to the bundle.
import * as assert from 'node:assert/strict';
import * as vm from 'node:vm';
import type { CallRegister } from '../../runner/instrument';
import { instrumentCalls, REGISTER, unshift } from '../../runner/instrument';
import type { CallSite, V8ErrorConstructor } from '../../engine/v8-stack-trace';
import { tensor } from '../../engine';
import { setRecorder, StackCapture, userCallRegister } from '../../engine/recorder';

// Every way of calling a function a model might write; `probe` is what is called, and records where from.
const CORPUS = `
const o = { probe, inner: { probe }, self() { return o; }, nothing: undefined };
class Made { constructor(v) { this.v = probe(v); } twice(v) { return probe(probe(v) + 1); } }
class Derived extends Made { constructor() { super(1); this.w = super.twice(2); } }
class FromBase extends ProbeBase { constructor() { super(26); } }
const arrow = (v) => probe(v);
function outer(v) { return probe(v) * 2; }
const results = [
  probe(1), o.probe(2), o.inner.probe(3), o['probe'](4), (0, o.probe)(5),
  o.self().probe(6), o
    .self()
    .probe(7),
  o.nothing?.probe(8), o.inner?.probe(9), o?.self().inner.probe(10), o.nothing?.self().probe(11),
  new Made(12).v, new Derived().w, arrow(13), outer(probe(14)), \`\${probe(15)}\`,
  [16, 17].map((v) => probe(v)).join(), probe(probe(18) + probe(19)), (() => probe)()(20),
  o.inner?.probe(21).toString(), o.inner?.probe(22, probe(23)).toFixed(1), new FromBase().v, probe(...[24, 25]),
];
return results;
`;

type Where = [line: number, column: number];

/**
 * Runs `code` with `probe` and `ProbeBase` (which record `where()` when called, or constructed by a subclass's
 * super call) and returns what it evaluated to, and the records.
 */
function run(code: string, filename: string, where: () => Where, register?: CallRegister): { value: unknown; seen: Where[] } {
  const seen: Where[] = [];
  const probe = (v: unknown) => {
    seen.push(where());
    return v;
  };
  class ProbeBase {
    v: unknown;
    constructor(v: unknown) {
      seen.push(where());
      this.v = v;
    }
  }
  const params = register === undefined ? ['probe', 'ProbeBase'] : ['probe', 'ProbeBase', REGISTER];
  const value = vm.compileFunction(code, params, { filename })(probe, ProbeBase, register);
  return { value, seen };
}

/** The position of the frame that called the function calling this, as V8 reports it. */
function callerFrame(): Where {
  const E = Error as unknown as V8ErrorConstructor;
  const saved = E.prepareStackTrace;
  E.prepareStackTrace = (_, sites: CallSite[]) => sites;
  const holder: { stack?: CallSite[] } = {};
  E.captureStackTrace!(holder, callerFrame);
  const frame = holder.stack![1];
  E.prepareStackTrace = saved;
  return [frame.getLineNumber()!, frame.getColumnNumber()!];
}

function register(): CallRegister {
  const r: CallRegister = {
    at: 0,
    last(value, id) {
      r.at = id;
      return value;
    },
    none(id) {
      r.at = id;
      return [];
    },
  };
  return r;
}

/** Runs `code` plain and marked, with `probe`, and asserts that each call of probe was placed where V8 places it. */
function assertPlacedAsV8Does(code: string, calls: number): void {
  const marked = instrumentCalls(code);
  const plain = run(code, 'plain.js', callerFrame);
  const r = register();
  const withMarks = run(marked.code, 'marked.js', () => [marked.calls[2 * r.at], marked.calls[2 * r.at + 1]], r);
  assert.deepEqual(withMarks.value, plain.value);
  assert.equal(plain.seen.length, calls);
  assert.deepEqual(withMarks.seen, plain.seen);
}

describe('marking the calls of a bundle', () => {
  it('gives every call the position a stack capture finds for it, and leaves what the code does unchanged', () => {
    assertPlacedAsV8Does(CORPUS, 28); // every call but the two an optional chain skips
  });

  it('places a call whose arguments await where it is, however the awaits interleave', async () => {
    const code = `
const tick = (v) => new Promise((resolve) => setTimeout(() => resolve(v), 1));
async function first() { return probe(await tick(1)) + probe(2, await tick(3), probe(4)); }
async function second() { await tick(0); probe(5); return probe(await tick(6)); }
return Promise.all([first(), second(), (async () => probe(await tick(7)))()]);
`;
    const marked = instrumentCalls(code);
    const plain = run(code, 'plain.js', callerFrame);
    const r = register();
    const withMarks = run(marked.code, 'marked.js', () => [marked.calls[2 * r.at], marked.calls[2 * r.at + 1]], r);
    assert.deepEqual(await withMarks.value, await plain.value);
    assert.equal(plain.seen.length, 6);
    assert.deepEqual(withMarks.seen, plain.seen);
  });

  it('leaves the messages V8 writes about a failed call as they are without the marks', () => {
    const failing = ['const x = { a: () => x }; x.a().nothere();', 'const f = () => undefined; const { p } = f();', 'const g = () => 1; const [a] = g();', 'new (class { constructor() { null.x; } })();'];
    for (const code of failing) {
      const message = (source: string, params: string[]) => {
        try {
          vm.compileFunction(source, params)(register());
        } catch (e) {
          return (e as Error).message;
        }
        return 'did not throw';
      };
      assert.equal(message(instrumentCalls(code).code, [REGISTER]), message(code, []), code);
    }
  });

  it('names the function each call is made in', () => {
    const marked = instrumentCalls('function train() { f(); }\nclass M { forward(x) { g(x); } }\nconst step = () => h();\nk();');
    assert.deepEqual(marked.functions.slice(1), ['train', 'forward', 'step', '']);
  });

  it('maps a position of the marked code back to the bundle, for stack frames of errors', () => {
    const code = "const f = (v) => v;\nfunction fails() { f(f(1)) + f(2); throw new Error('here'); }\nfails();";
    const positionOf = (source: string, filename: string): Where => {
      try {
        vm.compileFunction(source, [REGISTER], { filename })(register());
      } catch (e) {
        const m = new RegExp(`${filename}:(\\d+):(\\d+)`).exec((e as Error).stack ?? '');
        return [Number(m![1]), Number(m![2])];
      }
      assert.fail('the code should throw');
    };
    const marked = instrumentCalls(code);
    const [line, column] = positionOf(marked.code, 'marked.js');
    assert.deepEqual([line, unshift(marked.insertions, line, column)], positionOf(code, 'plain.js'));
  });

  it('a recording started after marked code ran locates the calls of unmarked code by their stacks', () => {
    userCallRegister.last(undefined, 5); // what a marked bundle leaves behind when its code returns
    const sites: unknown[] = [];
    setRecorder({ onTensor: (t) => sites.push(t.site) });
    try {
      tensor([1, 2]).mul(2);
    } finally {
      setRecorder(null);
    }
    assert.ok(sites.length > 0 && sites.every((s) => s instanceof StackCapture), `sites: ${sites.map((s) => s?.constructor.name).join(', ')}`);
  });

  it('throws on code it cannot parse (the bundle then runs unmarked)', () => {
    assert.throws(() => instrumentCalls('f(;'), SyntaxError);
  });
});
