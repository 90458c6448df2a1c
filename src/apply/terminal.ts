import { createInterface } from 'node:readline/promises';
import { ExitCode, UserError } from '../errors.js';
import type { Confirmer, SignalSource } from './ports.js';
import { onStopSignal } from './signal-hub.js';

/** Ctrl-C at a prompt: nothing was changed by the prompt; callers stop with exit 130. */
export class PromptInterrupted extends Error {
  constructor() {
    super('interrupted at the prompt');
    this.name = 'PromptInterrupted';
  }
}

/** Typed confirmation on a terminal; without one, `interactive` is false and the executor asks for --yes instead. */
export function terminalConfirmer(stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Confirmer {
  const interactive = stdin.isTTY === true && stderr.isTTY === true;
  return {
    interactive,
    async confirm(question, expected) {
      if (!interactive) return false;
      const rl = createInterface({ input: stdin, output: stderr, terminal: true });
      // The terminal is in raw mode while asking, so Ctrl-C reaches readline, not the process; Ctrl-D closes it.
      const aborted = new AbortController();
      rl.on('SIGINT', () => aborted.abort());
      rl.on('close', () => aborted.abort());
      try {
        return (await rl.question(`${question}: `, { signal: aborted.signal })).trim() === expected;
      } catch (e) {
        if (aborted.signal.aborted) throw new PromptInterrupted();
        throw e;
      } finally {
        rl.close();
      }
    },
  };
}

/** A prompt before anything changed: Ctrl-C there is exit 130 with nothing changed. */
export async function askOrInterrupted(confirmer: Confirmer, question: string, expected: string): Promise<boolean> {
  try {
    return await confirmer.confirm(question, expected);
  } catch (e) {
    if (e instanceof PromptInterrupted) throw new UserError('interrupted at the prompt; nothing was changed', ExitCode.interrupted);
    throw e;
  }
}

/**
 * SIGINT/SIGTERM/SIGHUP ask the run to stop cleanly (cancel the child, checkpoint, release the lock).
 * The process-wide hub exits at once on a second signal, or on a first one while nobody listens.
 */
export function processSignals(): SignalSource {
  return { onInterrupt: (handler) => onStopSignal(handler) };
}
