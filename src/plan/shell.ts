/** The one renderer of argv as a POSIX shell line, for everything printed: plans, dry runs, hints. */

const SAFE = /^[\w@%+=:,./-]+$/;
/** Our placeholders (`<values-of:ns/release>`, `<revision-before:ns/release>`) stay readable. */
const PLACEHOLDER = /^<[a-z-]+:[^<>\s']+>$/;

export function shellQuote(arg: string): string {
  if (SAFE.test(arg) || PLACEHOLDER.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}
