import type { PlanCommand } from '../../plan/schema.js';
import { shellLine, shellQuote } from '../../plan/shell.js';
import { feedsNext } from '../../plan/by-hand.js';

/** How a command is run, said after it (`# via the Kubernetes API`), or nothing. */
const note = (c: PlanCommand) => (c.via === 'kubernetes-api' ? '# via the Kubernetes API' : c.optional ? '# optional' : '');

export function commandLine(c: PlanCommand): string {
  const line = shellLine(c.argv);
  return note(c) ? `${line}   ${note(c)}` : line;
}


/** A line a person runs, as shell-quoted words plus its trailing note, for layouts that wrap it. */
export interface CommandParts {
  words: string[];
  note: string;
}

/** The lines a person runs for a step's commands: a rendered manifest and its apply become one pipe. */
export function commandParts(commands: PlanCommand[]): CommandParts[] {
  const out: CommandParts[] = [];
  const words = (c: PlanCommand) => c.argv.map(shellQuote);
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    const next = commands[i + 1];
    if (feedsNext(c, next)) {
      out.push({ words: [...words(c), '|', ...words(next!)], note: note(next!) });
      i++;
    } else out.push({ words: words(c), note: note(c) });
  }
  return out;
}

export function commandLines(commands: PlanCommand[]): string[] {
  return commandParts(commands).map((p) => (p.note ? `${p.words.join(' ')}   ${p.note}` : p.words.join(' ')));
}
