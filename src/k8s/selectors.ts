import { UserError } from '../errors.js';

/** One requirement of a Kubernetes label selector. */
export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

/** Parses the label-selector grammar kubectl and the API server accept. */
export function parseLabelSelector(selector: string | undefined): Requirement[] {
  if (!selector || !selector.trim()) return [];
  const reqs: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    const s = part.trim();
    let m: RegExpMatchArray | null;
    if ((m = s.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      reqs.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = s.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] });
    } else if ((m = s.match(/^!\s*([\w./-]+)$/))) {
      reqs.push({ key: m[1]!, op: '!exists' });
    } else if ((m = s.match(/^([\w./-]+)$/))) {
      reqs.push({ key: m[1]!, op: 'exists' });
    } else {
      throw new UserError(`invalid label selector "${selector}" near "${s}"`);
    }
  }
  return reqs;
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function matchesLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    switch (req.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && req.values.includes(l[req.key]!);
      case 'notin':
        return !has || !req.values.includes(l[req.key]!);
    }
  });
}

/** Field selectors as the server applies them: `a=b`, `a==b`, `a!=b`, comma = AND. */
export function matchesFields(selector: string | undefined, lookup: (path: string) => string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = term.trim().match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new UserError(`invalid field selector "${selector}"`);
    const actual = lookup(m[1]!) ?? '';
    return m[2] === '!=' ? actual !== m[3] : actual === m[3];
  });
}
