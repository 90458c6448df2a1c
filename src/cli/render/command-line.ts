import type { PlanCommand } from '../../plans/plan-schema.js';

const SAFE = /^[\w@%+=:,./-]+$/;
const PLACEHOLDER = /^<values-of:[^>]+>$/;

/** Quotes argv for display the way a shell user would type it; value placeholders stay readable. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (SAFE.test(a) || PLACEHOLDER.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

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
