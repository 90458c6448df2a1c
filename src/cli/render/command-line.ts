import type { PlanCommand } from '../../plan/schema.js';
import { shellLine } from '../../plan/shell.js';

export function commandLine(c: PlanCommand): string {
  const line = shellLine(c.argv);
  return c.via === 'kubernetes-api' ? `${line}   # via the Kubernetes API` : c.optional ? `${line}   # optional` : line;
}

/** `helm template … | kubectl apply -f -`: the template's output is what the API action applies. */
const feedsNext = (c: PlanCommand, next: PlanCommand | undefined) =>
  c.via === 'helm' && c.argv[1] === 'template' && next?.via === 'kubernetes-api' && next.argv.slice(-2).join(' ') === '-f -';

/** The lines a person runs for a step's commands: a rendered manifest and its apply become one pipe. */
export function commandLines(commands: PlanCommand[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (feedsNext(c, commands[i + 1])) {
      out.push(`${shellLine(c.argv)} | ${commandLine(commands[i + 1]!)}`);
      i++;
    } else out.push(commandLine(c));
  }
  return out;
}
