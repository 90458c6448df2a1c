/**
 * One owner of SIGINT, SIGTERM and SIGHUP for the whole process, installed before anything else loads.
 * While a run listens (it has a lock or a record to leave tidy) the first signal asks it to stop at a
 * checkpoint; with no listener nothing has been changed, so the process exits at once with the signal's code.
 * A second signal means the person will not wait.
 */

import { setMaxListeners } from 'node:events';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * Listeners one run's stop signal may hold at once. Every subprocess (execa's cancelSignal), watch and wait of the
 * run listens to it, and the prerequisites fan out (a `helm show chart` per chart, a version query per istioctl
 * minor, the Gateway API fetches), so Node's default of 10 printed a MaxListenersExceededWarning on every apply.
 * A bound rather than none, so a real leak (a listener per step never removed) still warns.
 */
const RUN_SIGNAL_LISTENERS = 100;

/** The controller whose signal stops one run's work: aborted on SIGINT/SIGTERM/SIGHUP by the caller. */
export function runStopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(RUN_SIGNAL_LISTENERS, controller.signal);
  return controller;
}

/** SIGHUP is 128+1 (the terminal went away); Ctrl-C and SIGTERM keep the documented 130. */
export function exitCodeOf(signal: string): number {
  return signal === 'SIGHUP' ? 129 : 130;
}

/** The exit code of a run stopped through an AbortController aborted with `new Error(signal name)`. */
export function exitCodeOfAbort(signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  return exitCodeOf(reason instanceof Error ? reason.message : String(reason));
}

type Handler = (signal: StopSignal) => void;

const handlers = new Set<Handler>();
let installed = false;
let seen = 0;

export function installSignalHub(exit: (code: number) => void = (c) => process.exit(c)): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      seen++;
      if (seen > 1 || handlers.size === 0) return exit(exitCodeOf(sig));
      for (const h of [...handlers]) h(sig);
    });
  }
}

/** Subscribes to stop signals; returns the unsubscribe function. */
export function onStopSignal(handler: Handler): () => void {
  installSignalHub();
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
}
