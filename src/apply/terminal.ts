import { createInterface } from 'node:readline/promises';
import type { Confirmer, SignalSource } from './ports.js';

/** Typed confirmation on a terminal; without one, `interactive` is false and the executor asks for --yes instead. */
export function terminalConfirmer(stdin: NodeJS.ReadStream = process.stdin, stderr: NodeJS.WriteStream = process.stderr): Confirmer {
  const interactive = stdin.isTTY === true && stderr.isTTY === true;
  return {
    interactive,
    async confirm(question, expected) {
      if (!interactive) return false;
      const rl = createInterface({ input: stdin, output: stderr, terminal: true });
      try {
        return (await rl.question(`${question}: `)).trim() === expected;
      } finally {
        rl.close();
      }
    },
  };
}

/**
 * SIGINT/SIGTERM ask the run to stop cleanly (cancel the child, checkpoint, release the lock).
 * A second signal means the person will not wait: exit at once with 130.
 */
export function processSignals(exit: (code: number) => void = (c) => process.exit(c)): SignalSource {
  return {
    onInterrupt(handler) {
      let seen = 0;
      const on = (sig: NodeJS.Signals) => {
        seen++;
        if (seen > 1) exit(130);
        else handler(sig);
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
      return () => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      };
    },
  };
}
