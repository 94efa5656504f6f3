// The Tensor: values in a flat Float64Array with a shape, and the dependencies it was computed from, each with
// the function that maps this tensor's gradient to that dependency's gradient.
import { backward, isGradEnabled } from './autograd';
import { allocate, copy } from './memory';
import type { TensorMethods } from './methods';
import { changed, save, SavedTensor } from './in-place';
import { activeRecorder, announce, api } from './recorder';
import { checkShape, sameShape, Shape, ShapeError, sizeOf } from './shape';
import { formatShape } from './format';

/**
 * Maps the gradient of a tensor (its shape) to the gradient of one of its dependencies (that one's shape).
 * `reads` lists the tensors whose values it reads besides the gradient (`output`: the op's result); see `reading`.
 */
export interface GradFn {
  (grad: Float64Array): Float64Array;
  readonly reads?: readonly (Tensor | 'output')[];
}

/** A gradient function that reads `tensors`: backward() refuses to run it if they were changed in place since. */
export function reading(tensors: readonly (Tensor | 'output')[], fn: (grad: Float64Array) => Float64Array): GradFn {
  if (tensors.length === 0) return fn;
  // A plain store (not Object.assign): every gradient closure of an op gets the same one-property shape.
  (fn as { reads?: readonly (Tensor | 'output')[] }).reads = tensors;
  return fn;
}

/** Reads nothing but the gradient. */
export const NO_READS: readonly (Tensor | 'output')[] = [];

/** Stands for the gradient function of an input that needs none (`fromOp` keeps no gradient function for it). */
export const NO_GRADIENT: GradFn = () => {
  throw new Error('internal: a gradient was asked of an input that needs none');
};

/** One input of a computed tensor. `gradFn` is null when the input needs no gradient. */
export interface Dependency {
  readonly tensor: Tensor;
  readonly gradFn: GradFn | null;
  /** What `gradFn` reads, as the forward pass saw it (checked by backward()). */
  readonly saved?: readonly SavedTensor[];
}

export type TensorKind = 'param' | 'input' | 'const' | 'op';
export type NestedArray = number | NestedArray[];
export type TensorLike = Tensor | number;
export type Axis = number | readonly number[];

/** How a tensor came to be; every field is optional (a leaf of user data by default). */
export interface TensorInit {
  /** Gradients are accumulated for it by backward(). */
  requiresGrad?: boolean;
  /** The op that computed it ('tensor' for a leaf). */
  op?: string;
  dependencies?: readonly Dependency[];
  /** @internal The dependencies as `Tensor.links` holds them (fromOp builds them so). */
  links?: readonly Link[];
  /** A number promoted to a tensor by an op (`x.mul(2)`), as opposed to data the user made. */
  isConst?: boolean;
}

/** By input, what its gradient function reads as the forward pass saw it (undefined: it reads nothing that can change). */
type SavedList = readonly (readonly SavedTensor[] | undefined)[];
/**
 * An entry of `Tensor.links`: an input, or the gradient function that follows it (null when it needs none), or, last
 * and only when some gradient function reads tensors, their SavedList.
 */
export type Link = Tensor | GradFn | null | SavedList;

let nextId = 0;
/** The links of a leaf, and of an op's output that keeps none: one shared empty list. */
const NO_LINKS: readonly Link[] = [];

/** A dependency list as `Tensor.links` holds it, what each gradient function reads included. */
function linksOf(dependencies: readonly Dependency[]): Link[] {
  const n = dependencies.length;
  const reads = dependencies.some((d) => d.saved !== undefined);
  const links = new Array<Link>(2 * n + (reads ? 1 : 0));
  for (let i = 0; i < n; i++) {
    links[2 * i] = dependencies[i].tensor;
    links[2 * i + 1] = dependencies[i].gradFn;
  }
  if (reads) links[2 * n] = dependencies.map((d) => d.saved);
  return links;
}
/** The shape of a scalar, shared by every number an op promotes (shapes are never written). */
const SCALAR: Shape = [];

// The ops that read naturally as methods (`x.add(y)`) come from one table in methods.ts; this merges their types.
export interface Tensor extends TensorMethods {}

export class Tensor {
  // Every field is set here, in one order, for every tensor (a forward pass makes one per op): one object shape
  // for V8, and as few fields as the engine and a recording need, since a long chain keeps every tensor alive.
  /** Unique per process, in creation order. */
  readonly id: number = nextId++;
  grad: Tensor | null = null;
  /** Gradients are accumulated for this tensor by backward(): set it on a leaf to make it a parameter. */
  requiresGrad: boolean;
  /** The op that computed this tensor ('tensor' for a leaf). */
  readonly op: string;
  /**
   * @internal The tensors it was computed from, each followed by the function that passes the gradient back to it:
   * [input0, gradFn0, input1, gradFn1, ...], then a SavedList if a gradient function reads tensors. One array per op
   * rather than an object per input: a long chain keeps every op's, and the garbage collector's time grows with the
   * objects kept. `dependencies` reads it as objects.
   */
  readonly links: readonly Link[];
  /** True for numbers promoted to tensors by an op (`x.mul(2)`), as opposed to data the user made. */
  readonly isConst: boolean;
  /** How many times `data` was changed in place through the engine (optimizers, `markChanged()`). */
  version = 0;
  /** @internal What the recorder attached (a call-site capture, say); the engine never reads it. */
  site: unknown = undefined;
  /** @internal The module call the tensor was made in, while recording (see recorder.ts ModuleScope). */
  scope: unknown = undefined;
  /** @internal What a recorder keeps about this tensor (runner/trace-recorder.ts: its call's position); the engine never reads it. */
  recorded: unknown = undefined;
  /** @internal A number the recorder that keeps `recorded` keeps with it (runner/tensor-keys.ts); the engine never reads it. */
  recordedNumber = 0;
  /** @internal Stamped by each backward pass that reaches this tensor: its slot in that pass (see autograd.ts). */
  visitMark = -1;

  constructor(
    readonly data: Float64Array,
    readonly shape: Shape,
    init: TensorInit = {},
  ) {
    this.requiresGrad = init.requiresGrad ?? false;
    this.op = init.op ?? 'tensor';
    this.links = init.links ?? (init.dependencies === undefined ? NO_LINKS : linksOf(init.dependencies));
    this.isConst = init.isConst ?? false;
    // The size and the shape's check in one pass (this runs for every tensor): checkShape only says what is wrong.
    if (!Array.isArray(shape)) checkShape('tensor', shape);
    let size = 1;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i];
      if (!Number.isInteger(d) || d < 0) checkShape('tensor', shape);
      size *= d;
    }
    if (data.length !== size) {
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)}`);
    }
  }

  /** The tensors it was computed from, each with the function that passes the gradient back to it (made on each read). */
  get dependencies(): Dependency[] {
    const n = this.inputCount;
    const out = new Array<Dependency>(n);
    for (let i = 0; i < n; i++) {
      const saved = this.savedOf(i);
      out[i] = saved === undefined ? { tensor: this.input(i), gradFn: this.gradFnOf(i) } : { tensor: this.input(i), gradFn: this.gradFnOf(i), saved };
    }
    return out;
  }

  /** @internal How many inputs it was computed from. */
  get inputCount(): number {
    return this.links.length >> 1;
  }

  /** The number of values (the product of the shape): its data's length, not a field of its own. */
  get size(): number {
    return this.data.length;
  }

  /** @internal What the gradient function of its `i`th input reads, as the forward pass saw it (undefined: nothing). */
  savedOf(i: number): readonly SavedTensor[] | undefined {
    const links = this.links;
    return (links.length & 1) === 1 ? (links[links.length - 1] as SavedList)[i] : undefined;
  }

  /** @internal Its `i`th input. */
  input(i: number): Tensor {
    return this.links[2 * i] as Tensor;
  }

  /** @internal The gradient function of its `i`th input (null when that needs none). */
  gradFnOf(i: number): GradFn | null {
    return this.links[2 * i + 1] as GradFn | null;
  }

  /** param = leaf that requires grad, input = other leaf data, const = a promoted number, op = computed. */
  get kind(): TensorKind {
    if (this.links.length > 0 || this.op !== 'tensor') return 'op';
    if (this.requiresGrad) return 'param';
    return this.isConst ? 'const' : 'input';
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Builds the output of an op. Dependencies are kept when a gradient can flow or a recorder wants the graph. */
  static fromOp(op: string, data: Float64Array, shape: Shape, inputs: readonly Tensor[], gradFns: readonly GradFn[]): Tensor {
    let requiresGrad = false;
    const gradEnabled = isGradEnabled();
    if (gradEnabled) for (let i = 0; i < inputs.length; i++) requiresGrad ||= inputs[i].requiresGrad;
    let links = NO_LINKS as Link[];
    let reads = false;
    if (requiresGrad || (gradEnabled && activeRecorder() !== null)) {
      const n = inputs.length;
      // A gradient function is kept only for an input that requires grad.
      const kept = (i: number): GradFn | null => (requiresGrad && inputs[i].requiresGrad ? gradFns[i] : null);
      for (let i = 0; i < n; i++) reads ||= kept(i)?.reads !== undefined;
      // Sized once: a pushed-to array reserves 16 slots, and a chain keeps every one.
      links = new Array<Link>(2 * n + (reads ? 1 : 0));
      for (let i = 0; i < n; i++) {
        links[2 * i] = inputs[i];
        links[2 * i + 1] = kept(i);
      }
    }
    const result = new Tensor(data, shape, { requiresGrad, op, links });
    if (reads) {
      // Saved once the output exists: a gradient function may read it ('output').
      const saved = new Array<readonly SavedTensor[] | undefined>(inputs.length).fill(undefined);
      for (let i = 0; i < inputs.length; i++) {
        const fnReads = result.gradFnOf(i)?.reads;
        if (fnReads !== undefined) saved[i] = save(fnReads, result);
      }
      links[links.length - 1] = saved;
    }
    return announce(result);
  }

  /** Number of elements is 1: its value. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${formatShape(this.shape)} is not a scalar`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const inner = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * inner));
    };
    return build(0, 0);
  }

  /**
   * Call after writing `data` directly (`w.data[0] = 5`): a later backward() through an op that used the old
   * values then says so instead of computing a gradient from the new ones. The optimizers call it for you.
   */
  markChanged(): void {
    changed(this, 'markChanged');
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** Back-propagates from this tensor: gradient 1 for a scalar, or `grad` (same shape) otherwise. */
  backward(grad?: Tensor | Float64Array | NestedArray): void {
    backward(this, grad === undefined ? undefined : gradientSeed(this, grad));
  }

  /** @internal Adds `g` (this tensor's shape) into `grad`; `owned` says `g` may be kept rather than copied. */
  accumulateGrad(g: Float64Array, owned = false): void {
    if (g.length !== this.size) {
      throw new ShapeError(`backward: gradient of ${g.length} values for a tensor of shape ${formatShape(this.shape)}`);
    }
    if (this.grad === null) {
      this.grad = new Tensor(owned ? g : copy(g), this.shape);
      return;
    }
    const acc = this.grad.data;
    for (let i = 0; i < acc.length; i++) acc[i] += g[i];
  }

  toString(): string {
    return `Tensor(${this.op} ${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

// A recorded entry point, so that a change's site is the user's markChanged() call.
Tensor.prototype.markChanged = api(Tensor.prototype.markChanged);

/** Promotes a number to a constant scalar tensor; tensors pass through. */
export function asTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  return announce(new Tensor(constValues(x), SCALAR, { isConst: true }));
}

/**
 * The values of promoted numbers, one array per number. A constant's values are never written (nothing outside the
 * engine holds it), so the constants of a number (`x.mul(0.5)` in every layer and step) share them: a long chain
 * keeps an object fewer per op. Each constant is still a tensor of its own, a node of its own in a recording.
 */
const valuesOfNumbers = new Map<number, Float64Array>();
/** Past this many numbers, the map starts again (a model that promotes ever new numbers must not grow it). */
const NUMBERS_KEPT = 1024;

function constValues(x: number): Float64Array {
  // 0 is never shared: the map does not tell -0 from 0.
  let data = x === 0 ? undefined : valuesOfNumbers.get(x);
  if (data === undefined) {
    data = allocate(1);
    data[0] = x;
    if (x !== 0) {
      if (valuesOfNumbers.size >= NUMBERS_KEPT) valuesOfNumbers.clear();
      valuesOfNumbers.set(x, data);
    }
  }
  return data;
}

function gradientSeed(t: Tensor, grad: Tensor | Float64Array | NestedArray): Float64Array {
  if (grad instanceof Tensor) {
    if (!sameShape(grad.shape, t.shape)) {
      throw new ShapeError(`backward: gradient of shape ${formatShape(grad.shape)} for a tensor of shape ${formatShape(t.shape)}`);
    }
    return grad.data;
  }
  const flat = grad instanceof Float64Array ? grad : Float64Array.from(flattenNested(grad));
  if (flat.length !== t.size) {
    throw new ShapeError(`backward: gradient of ${flat.length} values for a tensor of shape ${formatShape(t.shape)}`);
  }
  return flat;
}

function flattenNested(x: NestedArray, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const v of x) flattenNested(v, out);
  else out.push(x);
  return out;
}
