import { valuesPlaceholderRelease } from './placeholders.js';
import type { PlanCommand } from './schema.js';

/** `helm template …` whose output the next command, an `apply-rendered` API action, applies: shown and run as one pipe. */
export function feedsNext(c: PlanCommand, next: PlanCommand | undefined): boolean {
  return c.helm?.op === 'template' && next?.api?.type === 'apply-rendered';
}

/** A release's values saved to a file for a command run by hand: `helm get values` has no output-file flag, so it is redirected. */
export function valuesToFile(namespace: string, release: string): { file: string; argv: string[] } {
  const file = `${release}-values.yaml`;
  return { file, argv: ['helm', 'get', 'values', release, '-n', namespace, '-o', 'yaml', '>', file] };
}

/**
 * A plan's commands as a person runs them later (follow-ups): the release values apply would fill in are fetched
 * into a file first, and a rendered manifest is piped into its apply. Each line is a shell line's words.
 */
export function byHand(commands: PlanCommand[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    const argv = c.argv.map((a) => {
      const ref = valuesPlaceholderRelease(a);
      if (!ref) return a;
      const saved = valuesToFile(ref.namespace, ref.release);
      out.push(saved.argv);
      return saved.file;
    });
    const next = commands[i + 1];
    if (feedsNext(c, next)) {
      out.push([...argv, '|', ...next!.argv]);
      i++;
    } else out.push(argv);
  }
  return out;
}
