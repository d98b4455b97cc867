/**
 * Cancellation inside the runtime: the part of AbortSignal the actors use, and a source of it
 * that costs a fraction of an AbortController.
 *
 * Why: every request a node serves, every step and every partition of a step can be cancelled
 * (deadline, client gone, session closed, a failing partition). With an AbortController for each
 * and an event listener per waiting party, a trivial step spent ~25 us of its ~140 us creating
 * controllers and adding and removing listeners (Node 20: ~3 us per controller, ~4 us per
 * listener pair). A Cancellation is a flag and an array of callbacks; it makes a real
 * AbortSignal only when something outside the runtime asks for one (the transport, a user).
 */

/** What the runtime needs of a cancellation signal; an AbortSignal is one. */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A cancellation source and its signal in one object: abort() runs the listeners in order, once. */
export class Cancellation implements CancelSignal {
  private abortedFlag = false;
  private why: unknown = undefined;
  /** Removed entries become null while abort() runs them, so the loop's indices stay valid. */
  private listeners: ((() => void) | null)[] | null = null;
  private dispatching = false;
  private controller: AbortController | null = null;

  get aborted(): boolean { return this.abortedFlag; }
  get reason(): unknown { return this.why; }

  abort(reason: unknown): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    this.why = reason;
    const ls = this.listeners;
    if (ls) {
      this.dispatching = true;
      // A listener removed by an earlier one no longer runs, as with EventTarget.
      for (let i = 0; i < ls.length; i++) {
        const fn = ls[i];
        if (!fn) continue;
        try { fn(); } catch { /* one listener's failure must not keep the others from running */ }
      }
      this.dispatching = false;
      this.listeners = null;
    }
    this.controller?.abort(reason);
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.abortedFlag) return; // as with AbortSignal: an aborted signal fires no more events
    const ls = (this.listeners ??= []);
    if (!ls.includes(listener)) ls.push(listener); // as with EventTarget: a listener is added once
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const ls = this.listeners;
    if (!ls) return;
    const i = ls.indexOf(listener);
    if (i < 0) return;
    if (this.dispatching) ls[i] = null;
    else ls.splice(i, 1);
  }

  /** A real AbortSignal that follows this one (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedFlag) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }
}

/** The AbortSignal for APIs that need a real one (the transport, AbortSignal.any, users). */
export function toAbortSignal(s: CancelSignal): AbortSignal {
  if (s instanceof Cancellation) return s.signal;
  if (s === NEVER) return NEVER_SIGNAL;
  return s as AbortSignal;
}

const NEVER_SIGNAL = new AbortController().signal;

/** A signal that never aborts (the default of messages nobody can cancel); it keeps no listeners. */
export const NEVER: CancelSignal = Object.freeze({
  aborted: false,
  reason: undefined,
  addEventListener(): void { /* never fires */ },
  removeEventListener(): void { /* nothing kept */ },
});
