// Modules, as in PyTorch: a class to extend whose parameters and child modules, assigned as properties, are
// found and named by their property path (`blocks.1.proj.weight`), and `parameter()` to make a trainable leaf.
import { activeRecorder, api, callsLocatable, callSite, captureCaller, inModule } from '../recorder';
import { Shape } from '../shape';
import { Tensor } from '../tensor';
import { zeros as zerosTensor } from '../factories';
import { detach } from '../ops/movement';

/**
 * A trainable tensor: a detached copy of `init` (a tensor), or a new tensor of this shape filled by `fill`
 * (zeros by default), that requires grad. `parameter(randn([3, 3]).mul(0.1))`, `parameter([16], nn.init.zeros)`
 */
export const parameter = api(function parameter(init: Tensor | Shape, fill?: (t: Tensor) => unknown): Tensor {
  const t = init instanceof Tensor ? detach(init) : zerosTensor(init);
  if (!(init instanceof Tensor) && fill !== undefined) fill(t);
  t.requiresGrad = true;
  return t;
}, 8); // called from layers' constructors too: their caller (`new nn.Linear(...)`) is a few frames up

/** Anything with a forward of one tensor: what Sequential chains. */
export interface Layer {
  forward(x: Tensor): Tensor;
}

/** A property path and the tensor or module at it. */
type Named<T> = [name: string, value: T][];

/**
 * The base of every model part. Parameters (tensors that require grad), buffers (other tensors, like running
 * statistics) and child modules assigned to properties, or held in arrays, are found by walking the properties,
 * in the order they were assigned: `namedParameters()` gives `['fc1.weight', w], ...`.
 */
export class Module {
  /** Training mode (dropout, batch norm); `eval()` turns it off for every module inside. */
  training = true;

  constructor() {
    // Only a recording names tensors by module path and scopes: without one, nothing is kept or wrapped.
    if (activeRecorder() === null) return;
    made.add(new WeakRef(this));
    // A user's forward (the subclass's, already on the prototype chain) runs as this module's call, so that the
    // tensors it makes belong to this module. Engine modules' forwards do that themselves (recordForward).
    const forward: unknown = (this as Partial<Layer>).forward;
    if (typeof forward === 'function' && !engineForwards.has(forward)) {
      Object.defineProperty(this, 'forward', { value: userForward(forward as Forward), writable: true, configurable: true });
    }
  }

  /** @internal Every tensor and module below this one, each once, with its path. */
  walk(): { tensors: Named<Tensor>; modules: Named<Module> } {
    const tensors: Named<Tensor> = [];
    const modules: Named<Module> = [['', this]];
    const seen = new Set<unknown>([this]);
    const visit = (value: unknown, path: string): void => {
      if (value instanceof Tensor) {
        if (!seen.has(value)) tensors.push([path, value]);
        seen.add(value);
      } else if (value instanceof Module) {
        if (seen.has(value)) return;
        seen.add(value);
        modules.push([path, value]);
        for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`);
      } else if (Array.isArray(value)) {
        value.forEach((child, i) => visit(child, `${path}.${i}`));
      }
    };
    for (const [key, child] of Object.entries(this)) visit(child, key);
    return { tensors, modules };
  }

  /** The parameters below this module with their paths, in the order they were assigned. */
  namedParameters(): Named<Tensor> {
    return this.walk().tensors.filter(([, t]) => t.requiresGrad);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Tensors that are state but not trained (running statistics), with their paths. */
  namedBuffers(): Named<Tensor> {
    return this.walk().tensors.filter(([, t]) => !t.requiresGrad);
  }

  /** This module ('') and every module below it, with their paths. */
  namedModules(): Named<Module> {
    return this.walk().modules;
  }

  /** Sets training mode here and in every module below (dropout drops, batch norm uses batch statistics). */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }
}

/** Every module made while recording (weakly held), so that the recording can name module tensors by their path. */
const made = new Set<WeakRef<Module>>();

/** What a recording calls module tensors and module calls: paths from the outermost module that holds them. */
export interface ModuleNames {
  /** `blocks.0.proj.weight` for every tensor a live module holds. */
  tensors: Map<Tensor, string>;
  /** `blocks.0.proj` for every live module ('' for an outermost one: it is the model). */
  modules: Map<Module, string>;
}

/** The paths of every tensor and module held by a live module made while recording (see ModuleNames). */
export function moduleNames(): ModuleNames {
  const live: Module[] = [];
  for (const ref of made) {
    const m = ref.deref();
    if (m === undefined) made.delete(ref);
    else live.push(m);
  }
  const inner = new Set<Module>();
  for (const m of live) for (const [path, child] of m.namedModules()) if (path !== '') inner.add(child);
  const names: ModuleNames = { tensors: new Map(), modules: new Map() };
  for (const m of live) {
    if (inner.has(m)) continue;
    const { tensors, modules } = m.walk();
    for (const [path, t] of tensors) if (!names.tensors.has(t)) names.tensors.set(t, path);
    for (const [path, child] of modules) if (!names.modules.has(child)) names.modules.set(child, path);
  }
  return names;
}

/** Modules by index, named `0`, `1`, ... in paths (`layers.0.weight`). */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  get length(): number {
    let n = 0;
    while (Object.hasOwn(this, String(n))) n++;
    return n;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    const i = index < 0 ? this.length + index : index;
    const m = (this as unknown as Record<string, M>)[String(i)];
    if (!(m instanceof Module)) throw new RangeError(`ModuleList: index ${index} is out of range for ${this.length} modules`);
    return m;
  }

  push(module: M): this {
    Object.defineProperty(this, String(this.length), { value: module, enumerable: true, configurable: true });
    return this;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/** Layers applied in order: `new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2)).forward(x)`. */
export class Sequential extends ModuleList<Module & Layer> {
  constructor(...layers: (Module & Layer)[]) {
    super(layers);
  }

  forward(x: Tensor): Tensor {
    for (const layer of this) x = layer.forward(x);
    return x;
  }
}

type Forward = (this: unknown, ...args: unknown[]) => unknown;

/** The forwards of engine modules: recorded entry points that run as their module's call already. */
const engineForwards = new WeakSet<object>();

/** A user module's forward, run as a call of its module while recording (the call's site is the caller's line). */
function userForward(forward: Forward): Forward {
  return function scopedForward(this: unknown, ...args: unknown[]): unknown {
    if (activeRecorder() === null || !(this instanceof Module) || !callsLocatable()) return forward.apply(this, args);
    // Called from inside the engine (nn.Sequential), the call's line is the engine call's: the user's.
    return inModule(this, callSite() ?? captureCaller(), () => forward.apply(this, args), true);
  };
}

/**
 * Marks the forward of an engine module as a recorded entry point: its tensors carry the user's call site, and
 * belong to the module's call (one box in the graph, named by the module's path).
 */
export function recordForward(...classes: { prototype: { forward(...args: never[]): unknown } }[]): void {
  for (const c of classes) {
    const forward = c.prototype.forward as Forward;
    const scoped = function (this: unknown, ...args: unknown[]): unknown {
      return activeRecorder() === null ? forward.apply(this, args) : inModule(this as object, callSite(), () => forward.apply(this, args));
    };
    const entry = api(scoped, 2, '');
    engineForwards.add(entry);
    Object.defineProperty(c.prototype, 'forward', { value: entry, writable: true, configurable: true });
  }
}

recordForward(Sequential);
