/**
 * Observers of session runs. The input-pipeline code uses this to warn once when a run blocks on
 * a queue whose queue runners were registered but never started (TensorFlow hangs silently there).
 */
import type { Operation } from '../framework/graph.js';

export type RunObserver = (session: object, ops: Operation[]) => (() => void) | void;

const observers: RunObserver[] = [];

export function addRunObserver(fn: RunObserver): () => void {
  observers.push(fn);
  return () => {
    const i = observers.indexOf(fn);
    if (i >= 0) observers.splice(i, 1);
  };
}

/** Called by Session.run; returns the function to call when the run ends. */
export function notifyRunStarted(session: object, ops: Operation[]): () => void {
  if (observers.length === 0) return () => {};
  const ends: (() => void)[] = [];
  for (const o of observers) {
    const e = o(session, ops);
    if (e) ends.push(e);
  }
  return () => { for (const e of ends) e(); };
}
