/**
 * The serialisable form of an op (TensorFlow's NodeDef): what the client sends to the master and
 * the master sends to devices. Inputs are `"op:idx"` names; control inputs `"^op"`.
 */
export interface NodeDef {
  name: string;
  /** Op type, e.g. 'MatMul'. */
  op: string;
  inputs: string[];
  /** Requested device (after device functions), '' if none. Placement fills in the rest. */
  device: string;
  attrs: Record<string, unknown>;
  /** Names of ops this op must share a device with (TensorFlow's `_class: loc:@x`). */
  colocate?: string[];
  /** dtypes of the op's outputs (placement checks kernels for the consumer's input dtypes). */
  outputDtypes?: string[];
}
