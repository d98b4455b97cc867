/**
 * Variable collections and initializers: `tf.globalVariables()`, `tf.trainableVariables()`,
 * `tf.localVariables()`, `tf.variablesInitializer(vars)` (a NoOp with a control input on each
 * initializer, as TensorFlow's group), the global/local shorthands, and
 * `tf.reportUninitializedVariables()`.
 */
import { InvalidArgumentError } from '../framework/errors.js';
import { getDefaultGraph, GraphKeys, type Graph, type Operation, type SymbolicTensor } from '../framework/graph.js';
import { hasOpDef, registerKernel, registerOp } from '../framework/op_registry.js';
import { Variable } from './variable.js';
import { isVariableInitialized } from './state_ops.js';

/** Members of a collection that are variables, optionally those whose name starts with `scope`. */
function collected(key: string, scope?: string, graph: Graph = getDefaultGraph()): Variable[] {
  const all = graph.getCollection(key).filter((v): v is Variable => v instanceof Variable);
  if (scope === undefined || scope === '') return all;
  // TensorFlow matches the scope as a regular expression anchored at the start of the name.
  const re = new RegExp(`^(?:${scope})`);
  return all.filter((v) => re.test(v.name));
}

/** `tf.globalVariables(scope?)`: the GLOBAL_VARIABLES collection. */
export function globalVariables(scope?: string): Variable[] { return collected(GraphKeys.GLOBAL_VARIABLES, scope); }
/** `tf.trainableVariables(scope?)`: the TRAINABLE_VARIABLES collection. */
export function trainableVariables(scope?: string): Variable[] { return collected(GraphKeys.TRAINABLE_VARIABLES, scope); }
/** `tf.localVariables(scope?)`: the LOCAL_VARIABLES collection. */
export function localVariables(scope?: string): Variable[] { return collected(GraphKeys.LOCAL_VARIABLES, scope); }

/**
 * The NoOp that groups initializers. The ops module normally registers NoOp (tf.group); it is
 * registered here only if nobody has, so variables work on their own.
 */
function ensureNoOp(): void {
  if (hasOpDef('NoOp')) return;
  registerOp({ type: 'NoOp', inferOutputs: () => [] });
  registerKernel({ type: 'NoOp', deviceType: 'CPU', compute: () => [] });
}

/** `tf.variablesInitializer(varList, name?)`: one op that runs every variable's initializer. */
export function variablesInitializer(varList: readonly Variable[], name = 'init'): Operation {
  if (!Array.isArray(varList)) throw new InvalidArgumentError('tf.variablesInitializer expects a list of variables');
  const inits = varList.map((v, i) => {
    if (!(v instanceof Variable)) throw new InvalidArgumentError(`tf.variablesInitializer: item ${i} is not a tf.Variable`);
    return v.initializer;
  });
  ensureNoOp();
  const graph = varList[0]?.graph ?? getDefaultGraph();
  return graph.createOp('NoOp', [], { name, controlInputs: inits });
}

/** `tf.globalVariablesInitializer()`: initializes every variable in GLOBAL_VARIABLES. */
export function globalVariablesInitializer(): Operation {
  return variablesInitializer(globalVariables(), 'init');
}

/** `tf.localVariablesInitializer()`: initializes every variable in LOCAL_VARIABLES (epoch counters). */
export function localVariablesInitializer(): Operation {
  return variablesInitializer(localVariables(), 'init');
}

/**
 * `tf.reportUninitializedVariables(varList?)`: a 1-D string tensor with the op names of the
 * variables (default: global and local) that hold no value yet.
 */
export function reportUninitializedVariables(varList?: readonly Variable[], name = 'report_uninitialized_variables'): SymbolicTensor {
  const vars = varList ?? [...globalVariables(), ...localVariables()];
  const graph = vars[0]?.graph ?? getDefaultGraph();
  return graph.nameScope(name, () => {
    const flags = vars.map((v) => isVariableInitialized(v));
    return graph.createOp('UninitializedVariableNames', flags, {
      name: 'names', attrs: { names: vars.map((v) => v.op.name) },
    }).outputs[0]!;
  });
}
