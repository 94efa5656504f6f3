// The calls a step's tensors were made in, for the graph to show each as one box that opens: every module call
// (the engine marks the tensors made during a module's forward with that call, engine/recorder.ts ModuleScope)
// and every composite op call (one user call into the engine that made more than one op: crossEntropy, layerNorm).
import type { ModuleScope, UserCall } from '../engine/recorder';
import type { ModuleNames } from '../engine/nn/module';
import type { Tensor } from '../engine/tensor';
import type { Site, TraceScope } from '../engine/trace';

export interface ScopeNaming {
  names: ModuleNames;
  siteOfCapture(capture: UserCall | null): Site | null;
  keyOf(t: Tensor): string;
}

/** The scopes of these tensors (a step's graph, in creation order) and the innermost scope of each tensor in one. */
export function scopesOf(tensors: readonly Tensor[], naming: ScopeNaming): { scopes: TraceScope[]; scopeOf: Map<Tensor, number> } {
  const scopes: TraceScope[] = [];
  const scopeOf = new Map<Tensor, number>();
  const moduleIds = new Map<ModuleScope, number>();
  /** The calls of each module path in this step, by scope id. */
  const callsOfPath = new Map<string, number[]>();
  const occurrences = new Map<string, number>();

  const moduleScope = (ms: ModuleScope): number => {
    let id = moduleIds.get(ms);
    if (id !== undefined) return id;
    const parent = ms.parent !== null ? moduleScope(ms.parent) : undefined;
    const module = ms.module;
    const path = naming.names.modules.get(module as never);
    const op = module.constructor.name;
    // The model itself (path '') and a module no recording saw made are named by their class.
    const name = path === undefined || path === '' ? op : path;
    const k = occurrences.get(name) ?? 0;
    occurrences.set(name, k + 1);
    id = scopes.length;
    const scope: TraceScope = { id, kind: 'module', name, op, key: `module:${name}#${k}`, site: naming.siteOfCapture(ms.site) };
    if (parent !== undefined) scope.parent = parent;
    scopes.push(scope);
    moduleIds.set(ms, id);
    if (path !== undefined) {
      const calls = callsOfPath.get(path) ?? [];
      calls.push(id);
      callsOfPath.set(path, calls);
    }
    return id;
  };

  // Composite op calls: the tensors made by one outermost engine call (they share its capture), when more than
  // one of them is an op; a call that made one op (`x.add(y)`, with its promoted constant) is just that node.
  const byCall = new Map<UserCall, Tensor[]>();
  for (const t of tensors) {
    const capture = t.site as UserCall | null | undefined;
    if (capture === null || capture === undefined || capture.call === '') continue;
    const made = byCall.get(capture);
    if (made === undefined) byCall.set(capture, [t]);
    else made.push(t);
  }
  for (const t of tensors) {
    const ms = t.scope as ModuleScope | null | undefined;
    if (ms !== null && ms !== undefined) scopeOf.set(t, moduleScope(ms));
  }
  for (const [capture, made] of byCall) {
    if (made.filter((t) => t.kind === 'op').length < 2) continue;
    const id = scopes.length;
    const scope: TraceScope = { id, kind: 'call', name: capture.call, op: capture.call, key: `call:${naming.keyOf(made[0])}`, site: naming.siteOfCapture(capture) };
    const parent = scopeOf.get(made[0]);
    if (parent !== undefined) scope.parent = parent;
    scopes.push(scope);
    for (const t of made) scopeOf.set(t, id);
  }

  // A module's parameters and buffers are made outside its forward, and one parameter may feed many calls (an RNN
  // cell run 30 times): each goes in the innermost module around it that ran exactly once in this step.
  for (const t of tensors) {
    const path = naming.names.tensors.get(t);
    if (path === undefined) continue;
    scopeOf.delete(t);
    const parts = path.split('.');
    for (let n = parts.length - 1; n >= 0; n--) {
      const calls = callsOfPath.get(parts.slice(0, n).join('.'));
      if (calls?.length === 1) {
        scopeOf.set(t, calls[0]);
        break;
      }
    }
  }
  return { scopes, scopeOf };
}
