/**
 * The width text is laid out for: COLUMNS when set (the user's explicit choice, also what shells export), else
 * the terminal's width, else 80 (a pipe, a file, a CI log). Never narrower than 40, where nothing reads well.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS && Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(40, fromEnv);
  if (stream.isTTY && stream.columns) return Math.max(40, stream.columns);
  return 80;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on screen: ANSI colour codes take none. */
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/**
 * Packs units (words, or whole shell arguments) into lines of at most `width` columns: the first line starts with
 * `first`, the others with `rest`. A line that continues ends with `mark` (room is kept for it). A unit wider than
 * a line keeps a line of its own, whole.
 */
function pack(units: string[], width: number, first: string, rest: string, mark = ''): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const [i, unit] of units.entries()) {
    const room = width - (i === units.length - 1 ? 0 : mark.length);
    if (!empty && unit !== '' && visibleLength(line) + 1 + visibleLength(unit) > room) {
      lines.push(line.trimEnd() + mark);
      line = rest;
      empty = true;
    }
    line += (empty ? '' : ' ') + unit;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Word-wraps prose to `width`, with a hanging indent `rest`; lines break at spaces only. */
export function wrapText(text: string, width: number, first = '', rest = first): string[] {
  // Single spaces separate words; a run of spaces (a column gap) stays inside the line it is on.
  const words = text.trim().split(' ');
  return pack(words, width, first, rest);
}

/**
 * Lays out a shell command that is too wide as continuation lines a user can paste: arguments are kept whole
 * (quoted ones included), each line but the last ends with ` \`, continuations are indented by four more spaces.
 * A flag stays on the line of its value (`--version 1.24.6`) when the pair fits a line; `suffix` (a comment) stays last.
 */
export function wrapCommand(tokens: string[], width: number, first: string, rest = `${' '.repeat(visibleLength(first))}    `, suffix = ''): string[] {
  const units: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const pairFits = next !== undefined && visibleLength(rest) + t.length + 1 + next.length + 2 <= width;
    if (i > 0 && /^--?[A-Za-z]/.test(t) && !t.includes('=') && next !== undefined && !next.startsWith('-') && pairFits) {
      units.push(`${t} ${next}`);
      i++;
    } else units.push(t);
  }
  return pack(suffix ? [...units, suffix] : units, width, first, rest, ' \\');
}
