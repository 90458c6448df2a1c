import { visibleLength, wrapText } from './width.js';

const GAP = 2;

/**
 * Column layout that fits `width`: widths ignore ANSI codes so coloured cells line up. When the natural layout is
 * too wide, the last column (the free-text one: tags, namespaces, proxies) wraps inside what is left; when even
 * that leaves it too narrow, each row folds into `HEADER: value` lines, kubectl-describe style.
 */
export function table(headers: string[], rows: string[][], indent = '  ', width = Infinity): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const fixed = visibleLength(indent) + widths.slice(0, -1).reduce((s, w) => s + w + GAP, 0);
  const lastRoom = width - fixed;
  if (fixed + widths[widths.length - 1]! <= width) return lines(headers, rows, widths, indent, Infinity);
  if (lastRoom >= Math.max(12, visibleLength(headers[headers.length - 1]!))) return lines(headers, rows, widths, indent, lastRoom);
  return folded(headers, rows, indent, width);
}

function lines(headers: string[], rows: string[][], widths: number[], indent: string, lastRoom: number): string {
  const pad = (c: string, i: number) => c + ' '.repeat(widths[i]! - visibleLength(c));
  const out: string[] = [];
  for (const cells of [headers, ...rows]) {
    const last = cells.length - 1;
    const head = cells.slice(0, last).map(pad).join(' '.repeat(GAP));
    const tail = lastRoom === Infinity ? [cells[last] ?? ''] : wrapText(cells[last] ?? '', lastRoom);
    const blank = ' '.repeat(visibleLength(head));
    tail.forEach((t, i) => out.push(`${indent}${i === 0 ? head : blank}${' '.repeat(GAP)}${t}`.trimEnd()));
  }
  return out.join('\n');
}

function folded(headers: string[], rows: string[][], indent: string, width: number): string {
  const label = Math.max(...headers.map((h) => h.length)) + 2;
  return rows
    .map((r) =>
      headers
        .flatMap((h, i) => wrapText(r[i] ?? '', width, `${indent}${`${h}:`.padEnd(label)}`, `${indent}${' '.repeat(label)}`))
        .join('\n'),
    )
    .join('\n\n');
}
