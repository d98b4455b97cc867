// Variables: state that lives in the cluster (actors/variable_actor.ts), found by container and name.
import './variable_ops.js';

export { Variable, localVariable, isVariable, type VariableOptions, type InitialValue } from './variable.js';
export {
  assign, assignAdd, assignSub, countUpTo, isVariableInitialized, readVariable, isVariableLike,
  type AssignOptions, type VariableLike,
} from './state_ops.js';
export {
  globalVariables, trainableVariables, localVariables, variablesInitializer,
  globalVariablesInitializer, localVariablesInitializer, reportUninitializedVariables,
} from './initializers.js';
