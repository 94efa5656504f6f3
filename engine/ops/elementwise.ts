// Elementwise ops. Each says how to compute its output and, beside it, the local derivative that carries the
// gradient back. Binary ops broadcast (NumPy rules) and sum the gradient back to each operand's shape.
import { api } from '../recorder';
import { allocate } from '../memory';
import { broadcastIndex, broadcastShapes, reduceToShape, sameShape, Shape } from '../shape';
import { hasBinaryKernel, MIN_ELEMENTS, wasmBinary, wasmSumRows } from './wasm-elementwise';
import { asTensor, GradFn, NO_GRADIENT, NO_READS, reading, Tensor, TensorLike } from '../tensor';

type Binary = (a: number, b: number) => number;
/**
 * Local derivative of a binary op's output with respect to one operand, given operands and output, and which of
 * them it reads ('a', 'b', 'y'): backward() checks that those were not changed in place since.
 */
export interface BinaryDerivative {
  reads: string;
  at: (a: number, b: number, y: number) => number;
}
/** The derivative is the constant 1 or -1: the gradient passes through, possibly negated. */
type PassThrough = 1 | -1;

/**
 * What a derivative reads among `a`, `b` and the output, leaving out promoted numbers (nothing outside the engine
 * can change them). At module level, so the closures an op keeps for its gradient do not keep this too.
 */
function readsOf(d: BinaryDerivative | PassThrough, a: Tensor, b: Tensor): readonly (Tensor | 'output')[] {
  if (typeof d === 'number') return NO_READS;
  const list: (Tensor | 'output')[] = [];
  for (const r of d.reads) {
    const t = r === 'a' ? a : r === 'b' ? b : 'output';
    if (t === 'output' || !t.isConst) list.push(t);
  }
  return list;
}

/**
 * Whether a tensor of shape `small` broadcast to `shape` repeats whole along its leading axes (after leading 1s,
 * `small` is the end of `shape`): a bias over rows, a scalar, or the same shape. Such an operand is one contiguous
 * block read again for each row, which the WebAssembly kernels take without an index map.
 */
function repeatsAlongRows(small: Shape, shape: Shape): boolean {
  let s = 0;
  while (s < small.length && small[s] === 1) s++;
  const tail = small.length - s;
  if (tail > shape.length) return false;
  for (let i = 0; i < tail; i++) if (small[s + i] !== shape[shape.length - tail + i]) return false;
  return true;
}

/** A gradient of `shape` summed back to the shape `to` it was broadcast from: over rows in WebAssembly where it can. */
function sumToShape(g: Float64Array, shape: Shape, to: Shape): Float64Array {
  if (!sameShape(shape, to) && repeatsAlongRows(to, shape)) {
    const size = to.reduce((x, y) => x * y, 1);
    const rows = size > 1 ? wasmSumRows(g, size) : null;
    if (rows !== null) return rows;
  }
  return reduceToShape(g, shape, to);
}

/**
 * out = a op b in WebAssembly when one operand is full-size and the other repeats along rows (add, sub, mul, div
 * above a size); false to leave it to the JavaScript loop.
 */
function wasmBinaryOp(op: string, ad: Float64Array, aShape: Shape, bd: Float64Array, bShape: Shape, shape: Shape, out: Float64Array): boolean {
  if (out.length < MIN_ELEMENTS.arithmetic || !hasBinaryKernel(op)) return false;
  if (ad.length === out.length && repeatsAlongRows(bShape, shape)) return wasmBinary(op, ad, bd, out, false);
  if (bd.length === out.length && repeatsAlongRows(aShape, shape)) return wasmBinary(op, bd, ad, out, true);
  return false;
}

/** Where each output element reads an operand: null, in order; undefined, a scalar (element 0); else an index map. */
type IndexMap = Int32Array | null | undefined;

/** The maps of the usual pairs, shared: a chain's gradient functions keep their op's maps, one array each otherwise. */
const SAME_SHAPES: readonly [IndexMap, IndexMap] = [null, null];
const SCALAR_SECOND: readonly [IndexMap, IndexMap] = [null, undefined];
const SCALAR_FIRST: readonly [IndexMap, IndexMap] = [undefined, null];

/** The index maps of a and b broadcast to `shape`, made only where an operand is really broadcast. */
function indexMapsOf(a: Tensor, b: Tensor, shape: Shape, n: number): readonly [IndexMap, IndexMap] {
  const ia = a.size === n ? null : a.size === 1 ? undefined : broadcastIndex(a.shape, shape);
  const ib = b.size === n ? null : b.size === 1 ? undefined : broadcastIndex(b.shape, shape);
  if (ia === null) return ib === null ? SAME_SHAPES : ib === undefined ? SCALAR_SECOND : [ia, ib];
  return ia === undefined && ib === null ? SCALAR_FIRST : [ia, ib];
}

export function binaryOp(op: string, aLike: TensorLike, bLike: TensorLike, f: Binary, da: BinaryDerivative | PassThrough, db: BinaryDerivative | PassThrough): Tensor {
  const a = asTensor(aLike);
  const b = asTensor(bLike);
  const ad = a.data;
  const bd = b.data;
  const same = sameShape(a.shape, b.shape);
  const shape = same ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const n = same ? a.size : shape.reduce((x, y) => x * y, 1);
  const out = allocate(n);
  // The WebAssembly kernels read a row operand without an index map: the maps are made only for a JavaScript loop.
  const maps = wasmBinaryOp(op, ad, a.shape, bd, b.shape, shape, out) ? undefined : indexMapsOf(a, b, shape, n);
  if (maps !== undefined) {
    const [ia, ib] = maps;
    if (ia === null && ib === null) {
      for (let i = 0; i < n; i++) out[i] = f(ad[i], bd[i]);
    } else if (ia === null && ib === undefined) {
      const bv = bd[0];
      for (let i = 0; i < n; i++) out[i] = f(ad[i], bv);
    } else {
      for (let i = 0; i < n; i++) out[i] = f(ad[ia ? ia[i] : ia === null ? i : 0], bd[ib ? ib[i] : ib === null ? i : 0]);
    }
  }
  // Gradient functions only for operands that need one (fromOp drops the others): nothing to build on a no-grad path.
  const gradA = a.requiresGrad ? binaryGradient(op, a, da, a, b, maps, out, shape) : NO_GRADIENT;
  const gradB = b.requiresGrad ? binaryGradient(op, b, db, a, b, maps, out, shape) : NO_GRADIENT;
  return Tensor.fromOp(op, out, shape, [a, b], [gradA, gradB]);
}

/** The gradient function of an operand the op passes through unchanged (`x` in `x.add(1)`): one for every such op. */
const PASSES_GRADIENT: GradFn = (g) => g;

/**
 * The gradient function of a binary op for its operand `t` (a or b), given the op's index maps if the forward made
 * them (see binaryOp). At module level, not a closure made inside binaryOp per call: a chain keeps each op's
 * closure and what it holds.
 */
function binaryGradient(op: string, t: Tensor, d: BinaryDerivative | PassThrough, a: Tensor, b: Tensor, known: readonly [IndexMap, IndexMap] | undefined, out: Float64Array, shape: Shape): GradFn {
  if (d === 1 && sameShape(t.shape, shape)) return PASSES_GRADIENT;
  const ad = a.data;
  const bd = b.data;
  const n = out.length;
  let maps = known;
  return reading(readsOf(d, a, b), (g) => {
    let local: Float64Array;
    if (d === 1) local = g;
    else if (d === -1) {
      local = allocate(n);
      for (let i = 0; i < n; i++) local[i] = -g[i];
    } else {
      local = allocate(n);
      const other = t === a ? b : a; // mul's local derivative is the other operand: g · it in WebAssembly if it can
      if (op === 'mul' && wasmBinaryOp(op, g, shape, other.data, other.shape, shape, local)) return sumToShape(local, shape, t.shape);
      const [ia, ib] = (maps ??= indexMapsOf(a, b, shape, n));
      for (let i = 0; i < n; i++) {
        local[i] = g[i] * d.at(ad[ia ? ia[i] : ia === null ? i : 0], bd[ib ? ib[i] : ib === null ? i : 0], out[i]);
      }
    }
    return sumToShape(local, shape, t.shape);
  });
}

/** Local derivative of a unary op, given its input and output. */
type UnaryDerivative = (x: number, y: number) => number;

/** `reads` says which of input and output the derivative reads ('x', 'y' or ''), for backward() to check. */
export function unaryOp(op: string, xLike: TensorLike, f: (x: number) => number, d: UnaryDerivative, reads: 'x' | 'y' | ''): Tensor {
  const x = asTensor(xLike);
  const xd = x.data;
  const n = x.size;
  const out = allocate(n);
  for (let i = 0; i < n; i++) out[i] = f(xd[i]);
  const gradFn = x.requiresGrad ? reading(reads === 'x' ? [x] : reads === 'y' ? ['output'] : NO_READS, (g) => {
    const dx = allocate(n);
    for (let i = 0; i < n; i++) dx[i] = g[i] * d(xd[i], out[i]);
    return dx;
  }) : NO_GRADIENT;
  return Tensor.fromOp(op, out, x.shape, [x], [gradFn]);
}

/** Elementwise sum with broadcasting. `add(tensor([1, 2]), 1)` -> [2, 3] */
export const add = api(function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('add', a, b, (x, y) => x + y, 1, 1);
});

/** Elementwise difference with broadcasting. `sub(tensor([3, 4]), tensor([1]))` -> [2, 3] */
export const sub = api(function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('sub', a, b, (x, y) => x - y, 1, -1);
});

// Derivatives made once, not per call (a chain keeps each op's).
const MUL_DA: BinaryDerivative = { reads: 'b', at: (_, y) => y };
const MUL_DB: BinaryDerivative = { reads: 'a', at: (x) => x };

/** Elementwise product with broadcasting. `mul(tensor([[1], [2]]), tensor([1, 10]))` -> [[1, 10], [2, 20]] */
export const mul = api(function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, (x, y) => x * y, MUL_DA, MUL_DB);
});

/** Elementwise quotient with broadcasting. `div(tensor([2, 4]), 2)` -> [1, 2] */
export const div = api(function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('div', a, b, (x, y) => x / y, { reads: 'b', at: (_, y) => 1 / y }, { reads: 'ab', at: (x, y) => -x / (y * y) });
});

/** Elementwise power; the exponent may be a tensor (its gradient is y·ln(x)). `pow(tensor([2, 3]), 2)` -> [4, 9] */
export const pow = api(function pow(base: TensorLike, exponent: TensorLike): Tensor {
  return binaryOp(
    'pow',
    base,
    exponent,
    Math.pow,
    { reads: 'ab', at: (x, p) => (p === 0 ? 0 : p * Math.pow(x, p - 1)) },
    { reads: 'ay', at: (x, _, y) => (y === 0 ? 0 : y * Math.log(x)) },
  );
});

/** -x. */
export const neg = api(function neg(x: TensorLike): Tensor {
  return unaryOp('neg', x, (v) => -v, () => -1, '');
});

/** e^x. */
export const exp = api(function exp(x: TensorLike): Tensor {
  return unaryOp('exp', x, Math.exp, (_, y) => y, 'y');
});

/** Natural logarithm (NaN below 0, -Infinity at 0, like NumPy). */
export const log = api(function log(x: TensorLike): Tensor {
  return unaryOp('log', x, Math.log, (v) => 1 / v, 'x');
});

/** Square root. */
export const sqrt = api(function sqrt(x: TensorLike): Tensor {
  return unaryOp('sqrt', x, Math.sqrt, (_, y) => 0.5 / y, 'y');
});

/** |x|; the gradient at 0 is 0. */
export const abs = api(function abs(x: TensorLike): Tensor {
  return unaryOp('abs', x, Math.abs, (v) => Math.sign(v), 'x');
});

/** max(x, 0); the gradient at 0 is 0. */
export const relu = api(function relu(x: TensorLike): Tensor {
  return unaryOp('relu', x, (v) => (v <= 0 ? 0 : v), (v) => (v > 0 ? 1 : 0), 'x'); // NaN stays NaN, as in PyTorch
});

/** The logistic function 1 / (1 + e^-v) of one number, without overflow for large |v| (sigmoid, silu, losses). */
export const logistic = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** log(1 + e^v) of one number, as max(v, 0) + log1p(e^-|v|): neither overflows nor loses small values. */
export const logOnePlusExp = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

/** 1 / (1 + e^-x), computed without overflow for large |x|. */
export const sigmoid = api(function sigmoid(x: TensorLike): Tensor {
  return unaryOp('sigmoid', x, logistic, (_, y) => y * (1 - y), 'y');
});

/** Hyperbolic tangent. */
export const tanh = api(function tanh(x: TensorLike): Tensor {
  return unaryOp('tanh', x, Math.tanh, (_, y) => 1 - y * y, 'y');
});

