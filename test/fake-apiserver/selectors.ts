/** Label and field selectors, parsed the way apimachinery does (independent of product code). */

export class SelectorError extends Error {}

export type LabelOp = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

type Tok =
  | { t: 'id'; v: string }
  | { t: 'in' | 'notin' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '<' | '>' | 'eos'; v: string };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '<', '>']);

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: two, v: two });
        i += 2;
      } else {
        out.push({ t: c as '=', v: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j]!) && !/\s/.test(s[j]!)) j++;
    const word = s.slice(i, j);
    if (word === 'in' || word === 'notin') out.push({ t: word, v: word });
    else out.push({ t: 'id', v: word });
    i = j;
  }
  out.push({ t: 'eos', v: '' });
  return out;
}

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (!prefix || prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) {
    throw new SelectorError(`unable to parse requirement: Invalid value: "${key}": prefix part must be a lowercase RFC 1123 subdomain`);
  }
  if (!name || name.length > 63 || !NAME_RE.test(name)) {
    throw new SelectorError(
      `unable to parse requirement: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}

function validateValue(key: string, v: string): void {
  if (v.length > 63 || (v !== '' && !NAME_RE.test(v))) {
    throw new SelectorError(
      `unable to parse requirement: values[0][${key}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Parses a label selector; an empty string selects everything. Throws SelectorError on bad syntax. */
export function parseLabelSelector(input: string): LabelRequirement[] {
  const toks = lex(input);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const reqs: LabelRequirement[] = [];
  if (peek().t === 'eos') return reqs;
  for (;;) {
    const tok = peek();
    if (tok.t === '!') {
      next();
      const k = next();
      if (k.t !== 'id') throw new SelectorError(`found '${k.v}', expected: identifier after '!'`);
      validateKey(k.v);
      reqs.push({ key: k.v, op: '!', values: [] });
    } else if (tok.t === 'id') {
      next();
      const key = tok.v;
      validateKey(key);
      const op = peek();
      if (op.t === ',' || op.t === 'eos') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (op.t === '=' || op.t === '==' || op.t === '!=') {
        next();
        const v = peek();
        let value = '';
        if (v.t === 'id') {
          next();
          value = v.v;
        } else if (v.t !== ',' && v.t !== 'eos') {
          throw new SelectorError(`found '${v.v}', expected: identifier`);
        }
        validateValue(key, value);
        reqs.push({ key, op: op.t === '!=' ? '!=' : '=', values: [value] });
      } else if (op.t === 'in' || op.t === 'notin') {
        next();
        const open = next();
        if (open.t !== '(') throw new SelectorError(`found '${open.v}', expected: '('`);
        const values: string[] = [];
        let expectValue = true;
        for (;;) {
          const t = next();
          if (t.t === ')') {
            if (expectValue && values.length > 0) values.push('');
            break;
          }
          if (t.t === ',') {
            if (expectValue) values.push('');
            expectValue = true;
            continue;
          }
          if (t.t === 'id' && expectValue) {
            values.push(t.v);
            expectValue = false;
            continue;
          }
          throw new SelectorError(`found '${t.v || 'end of string'}', expected: ',', ')' or identifier`);
        }
        if (values.length === 0) throw new SelectorError(`for 'in', 'notin' operators, values set can't be empty`);
        for (const v of values) validateValue(key, v);
        reqs.push({ key, op: op.t, values });
      } else if (op.t === '<' || op.t === '>') {
        next();
        const v = next();
        if (v.t !== 'id' || !/^-?\d+$/.test(v.v)) throw new SelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        reqs.push({ key, op: op.t === '>' ? 'gt' : 'lt', values: [v.v] });
      } else {
        throw new SelectorError(`found '${op.v}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      throw new SelectorError(`found '${tok.v || 'end of string'}', expected: !, identifier, or 'end of string'`);
    }
    const sep = next();
    if (sep.t === 'eos') return reqs;
    if (sep.t !== ',') throw new SelectorError(`found '${sep.v}', expected: ',' or 'end of string'`);
    if (peek().t === 'eos') throw new SelectorError(`found '', expected: !, identifier`);
  }
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key]! : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case '=':
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case '!=':
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const want = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > want) : !(n < want)) return false;
        break;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses a field selector (`a=b,c!=d`, `\` escapes `,` `=` `\`). Field names are validated by the caller. */
export function parseFieldSelector(input: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (input.trim() === '') return out;
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1]!;
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  for (const term of terms) {
    let found: FieldRequirement | undefined;
    for (let i = 0; i < term.length && !found; i++) {
      if (term[i] === '\\') {
        i++;
        continue;
      }
      for (const op of ['!=', '==', '='] as const) {
        if (term.startsWith(op, i)) {
          found = { field: term.slice(0, i).trim(), op: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length)) };
          break;
        }
      }
    }
    if (!found || !found.field) throw new SelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    out.push(found);
  }
  return out;
}

function unescape(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[i + 1];
      if (n === '\\' || n === ',' || n === '=') {
        out += n;
        i++;
        continue;
      }
      throw new SelectorError(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
    }
    if (c === ',' || c === '=') throw new SelectorError(`invalid field selector: unescaped ${c} in value`);
    out += c;
  }
  return out;
}
