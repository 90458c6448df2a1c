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
