/**
 * Helm's user values: `-f/--values` files merged in order, then `--set-json`, `--set`, `--set-string` (the order of
 * `pkg/cli/values.Options.MergeValues`, whatever the order on the command line). `--set` follows `pkg/strvals`:
 * `a.b=c`, `a[0]=x`, `a={x,y}`, `\,` escapes, typed scalars (true/false/null, integers without a leading zero;
 * `1.23` stays a string). A `null` stays in the user values (`helm get values` shows it); the chart sees the key
 * deleted (`chartutil.CoalesceValues`), which is what `effectiveValues` returns.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { CliError } from './errors.js';

export type Values = Record<string, unknown>;

const isMap = (v: unknown): v is Values => !!v && typeof v === 'object' && !Array.isArray(v);

/** Helm's mergeMaps: maps merge recursively, anything else replaces. */
export function mergeMaps(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isMap(v) && isMap(cur) ? mergeMaps(cur, v) : v;
  }
  return out;
}

function typedVal(v: string, asString: boolean): unknown {
  if (asString) return v;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  if (l === 'null') return null;
  if (v === '0') return 0;
  if (v.length > 0 && v[0] !== '0' && /^[-+]?\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  return v;
}

type Segment = string | number;

function setPath(target: Values, path: Segment[], value: unknown): void {
  let cur: unknown = target;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const lastSeg = i === path.length - 1;
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (typeof seg === 'number') {
      const arr = cur as unknown[];
      while (arr.length <= seg) arr.push(null);
      if (lastSeg) arr[seg] = value;
      else {
        if (nextIsIndex ? !Array.isArray(arr[seg]) : !isMap(arr[seg])) arr[seg] = nextIsIndex ? [] : {};
        cur = arr[seg];
      }
    } else {
      const m = cur as Values;
      if (lastSeg) m[seg] = value;
      else {
        if (nextIsIndex ? !Array.isArray(m[seg]) : !isMap(m[seg])) m[seg] = nextIsIndex ? [] : {};
        cur = m[seg];
      }
    }
  }
}

/** Parses one `--set`/`--set-string` argument into `target`. */
export function parseSet(expr: string, target: Values, asString = false): void {
  let i = 0;
  const n = expr.length;
  const err = (msg: string): CliError => new CliError(`failed parsing --set data: ${msg}`);
  while (i < n) {
    // key path
    const path: Segment[] = [];
    let seg = '';
    let done = false;
    while (i < n && !done) {
      const c = expr[i]!;
      if (c === '\\' && i + 1 < n) {
        seg += expr[i + 1];
        i += 2;
      } else if (c === '.') {
        path.push(seg);
        seg = '';
        i++;
      } else if (c === '[') {
        if (seg) path.push(seg);
        seg = '';
        const close = expr.indexOf(']', i);
        if (close < 0) throw err(`key "${expr}" has no closing bracket`);
        const idx = Number(expr.slice(i + 1, close));
        if (!Number.isInteger(idx) || idx < 0) throw err(`negative or invalid index in "${expr}"`);
        path.push(idx);
        i = close + 1;
        if (expr[i] === '.') i++;
      } else if (c === '=') {
        if (seg) path.push(seg);
        i++;
        done = true;
      } else if (c === ',') {
        throw err(`key "${seg}" has no value (cannot end with ,)`);
      } else {
        seg += c;
        i++;
      }
    }
    if (!done) throw err(`key "${seg || expr}" has no value`);
    // value
    let value: unknown;
    if (expr[i] === '{') {
      const list: unknown[] = [];
      i++;
      let item = '';
      let closed = false;
      while (i < n) {
        const c = expr[i]!;
        if (c === '\\' && i + 1 < n) {
          item += expr[i + 1];
          i += 2;
        } else if (c === ',') {
          list.push(typedVal(item, asString));
          item = '';
          i++;
        } else if (c === '}') {
          if (item !== '' || list.length) list.push(typedVal(item, asString));
          i++;
          closed = true;
          break;
        } else {
          item += c;
          i++;
        }
      }
      if (!closed) throw err(`list must terminate with '}'`);
      value = list;
    } else {
      let v = '';
      while (i < n && expr[i] !== ',') {
        if (expr[i] === '\\' && i + 1 < n) {
          v += expr[i + 1];
          i += 2;
        } else v += expr[i++];
      }
      value = typedVal(v, asString);
    }
    setPath(target, path, value);
    if (expr[i] === ',') i++;
  }
}

/** Parses one `--set-json key=<json>` (or a whole JSON object) into `target`. */
export function parseSetJson(expr: string, target: Values): void {
  const trimmed = expr.trim();
  if (trimmed.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch (e) {
      throw new CliError(`failed parsing --set-json data JSON: ${(e as Error).message}`);
    }
    if (isMap(obj)) Object.assign(target, mergeMaps(target, obj));
    return;
  }
  const eq = expr.indexOf('=');
  if (eq < 0) throw new CliError(`failed parsing --set-json data ${expr}`);
  let value: unknown;
  try {
    value = JSON.parse(expr.slice(eq + 1));
  } catch (e) {
    throw new CliError(`failed parsing --set-json data ${expr}: ${(e as Error).message}`);
  }
  const holder: Values = {};
  parseSet(`${expr.slice(0, eq)}=__json__`, holder, true);
  // replace the placeholder with the parsed JSON value
  const replace = (o: unknown): unknown => {
    if (o === '__json__') return value;
    if (Array.isArray(o)) return o.map(replace);
    if (isMap(o)) return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, replace(v)]));
    return o;
  };
  Object.assign(target, mergeMaps(target, replace(holder) as Values));
}

export function readValuesFile(path: string): Values {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`open ${path}: no such file or directory`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new CliError(`failed to parse ${path}: error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) throw new CliError(`failed to parse ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(doc) ? 'array' : typeof doc} into Go value of type map[string]interface {}`);
  return doc;
}

export interface ValueFlags {
  files: string[];
  json: string[];
  set: string[];
  setString: string[];
}

/** The user-supplied values of one command (Helm's MergeValues). */
export function mergeUserValues(f: ValueFlags): Values {
  let base: Values = {};
  for (const file of f.files) base = mergeMaps(base, readValuesFile(file));
  for (const j of f.json) parseSetJson(j, base);
  for (const s of f.set) parseSet(s, base, false);
  for (const s of f.setString) parseSet(s, base, true);
  return base;
}

/** What the templates see: user values with nulls removing keys. */
export function effectiveValues(v: Values): Values {
  const out: Values = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    out[k] = isMap(val) ? effectiveValues(val) : val;
  }
  return out;
}

export function valueAt(v: Values, path: string): unknown {
  let cur: unknown = v;
  for (const p of path.split('.')) {
    if (!isMap(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** YAML the way Helm prints values (sigs.k8s.io/yaml: sorted keys, sequences not indented). */
export function toYaml(v: unknown): string {
  return yaml.dump(v, { sortKeys: true, noArrayIndent: true, lineWidth: -1, noRefs: true });
}
