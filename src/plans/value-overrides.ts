// Helm value overrides per component (`--set COMPONENT:key=value`, `--values COMPONENT=FILE`): parsed, checked
// against the values the catalog knows were removed or renamed, merged per component in the order given, and
// described by key and digest only, since values may be secrets and plans never hold them.
import { createHash } from 'node:crypto';
import { ExitCode, UserError } from '../errors.js';
import { isOverrideComponent } from '../plan/names.js';

/** base, istiod, cni, ztunnel or gateway/NAME: the charts the planner upgrades with Helm. */
export type OverrideComponent = string;

const SEGMENT_RE = /^[A-Za-z0-9_-]+$/;

export type ValueTree = { [key: string]: unknown };

/** Where one override came from, as the user wrote the flag (values are not part of it). */
export type OverrideOrigin = { flag: '--set' } | { flag: '--values'; file: string };

/** One flag as given, by digest: what apply must be given again (the plan holds no value). Files first, as helm reads them. */
export type OverrideSource =
  | { flag: '--values'; component: OverrideComponent; file: string; sha256: string }
  | { flag: '--set'; component: OverrideComponent; key: string; digest: string };

/** A `--values` file as read: its parsed content and the sha256 of its bytes. */
export interface ValuesFileInput {
  component: OverrideComponent;
  file: string;
  content: unknown;
  sha256: string;
}

export interface ValueOverrides {
  /** Per component, the merged tree to lay over the values a release already has. */
  byComponent: Map<OverrideComponent, ValueTree>;
  sources: OverrideSource[];
  /** Every leaf key set, for the plan: component, dotted key, flag, and a digest of the value (never the value). */
  keys: OverrideKey[];
}

export interface OverrideKey {
  component: OverrideComponent;
  key: string;
  from: string;
  digest: string;
}

/** A value the catalog knows the target no longer reads (removed), or reads under another name (renamed). */
export interface RetiredValue {
  path: string;
  renamedTo?: string;
  noteId: string;
  minor: string;
}

const usage = (message: string, hint?: string): UserError => new UserError(message, ExitCode.usage, hint);

export function parseComponent(text: string, flag: string): OverrideComponent {
  if (isOverrideComponent(text)) return text;
  throw usage(`${flag}: unknown component "${text}": expected base, istiod, cni, ztunnel or gateway/NAME (the gateway's Helm release name)`);
}

function parseKey(key: string, flag: string): string[] {
  const parts = key.split('.');
  if (!key || parts.some((p) => !SEGMENT_RE.test(p)))
    throw usage(`${flag}: "${key}" is not a value key like pilot.env.NAME (dotted names of letters, digits, _ and -; lists go in a --values file)`);
  return parts;
}

/** Helm's --set typing for a single value: true/false, integers and null are typed, everything else is text. */
function typedValue(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^(0|-?[1-9]\d{0,14})$/.test(text)) return Number(text);
  return text;
}

/** `istiod:pilot.env.FOO=bar` → component, key path and typed value. One key per flag: a comma is part of the value. */
export function parseSet(text: string): { component: OverrideComponent; path: string[]; value: unknown } {
  const flag = `--set ${text}`;
  const colon = text.indexOf(':');
  const eq = text.indexOf('=', colon + 1);
  if (colon < 1 || eq < 0) throw usage(`${flag}: expected COMPONENT:key=value, e.g. istiod:pilot.env.PILOT_ENABLE_AMBIENT=true`);
  return { component: parseComponent(text.slice(0, colon), flag), path: parseKey(text.slice(colon + 1, eq), flag), value: typedValue(text.slice(eq + 1)) };
}

/** `istiod=values.yaml` → component and file name. */
export function parseValuesFlag(text: string): { component: OverrideComponent; file: string } {
  const eq = text.indexOf('=');
  if (eq < 1 || eq === text.length - 1) throw usage(`--values ${text}: expected COMPONENT=FILE, e.g. istiod=istiod-values.yaml`);
  return { component: parseComponent(text.slice(0, eq), `--values ${text}`), file: text.slice(eq + 1) };
}

function isTree(v: unknown): v is ValueTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's merge of a later values source over an earlier one: maps merge key by key, anything else replaces. */
function mergeInto(target: ValueTree, over: ValueTree): void {
  for (const [k, v] of Object.entries(over)) {
    const cur = target[k];
    if (isTree(cur) && isTree(v)) mergeInto(cur, v);
    else target[k] = isTree(v) ? structuredClone(v) : v;
  }
}

function leaves(tree: ValueTree, prefix: string[] = []): { path: string[]; value: unknown }[] {
  return Object.entries(tree).flatMap(([k, v]) => (isTree(v) && Object.keys(v).length ? leaves(v, [...prefix, k]) : [{ path: [...prefix, k], value: v }]));
}

export const digestOf = (value: unknown): string => `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;

/** Unified values-tree paths a chart-local key can stand for (the cni chart keeps `cni.*` at its top level). */
function unifiedPaths(component: OverrideComponent, key: string): string[] {
  return component === 'cni' ? [key, `cni.${key}`] : [key];
}

/** How an error names one override key: `--set istiod:a.b`, or `--values istiod=f.yaml sets istiod:a.b`. */
export function overrideNamed(from: string, component: OverrideComponent, key: string): string {
  return from === '--set' ? `--set ${component}:${key}` : `${from} sets ${component}:${key}`;
}

const covers = (path: string, key: string): boolean => key === path || key.startsWith(`${path}.`);

function checkRetired(component: OverrideComponent, key: string, from: string, retired: readonly RetiredValue[], target: string): void {
  for (const r of retired) {
    const hit = unifiedPaths(component, key).find((k) => covers(r.path, k));
    if (!hit) continue;
    const what = overrideNamed(from, component, key);
    if (r.renamedTo) throw usage(`${what}: Istio ${r.minor} renamed ${r.path} to ${r.renamedTo}; set ${r.renamedTo}${hit.slice(r.path.length)} instead [${r.noteId}]`);
    throw usage(`${what}: Istio ${r.minor} removed ${r.path} (the target ${target} no longer reads it) [${r.noteId}]`);
  }
}

/**
 * Builds the overrides from the flags, in the order helm applies them: every --values file of a component in the
 * order given, then every --set in the order given, later ones winning. `files` holds the already parsed content
 * of each --values file (a mapping). Throws a one-line usage error for a malformed flag or a retired key.
 */
export function buildOverrides(
  sets: readonly string[],
  valuesFlags: readonly ValuesFileInput[],
  retired: readonly RetiredValue[],
  target: string,
): ValueOverrides {
  const byComponent = new Map<OverrideComponent, ValueTree>();
  const origins = new Map<string, string>();
  const sources: OverrideSource[] = valuesFlags.map((v) => ({ flag: '--values', component: v.component, file: v.file, sha256: v.sha256 }));
  const treeOf = (c: OverrideComponent): ValueTree => {
    let t = byComponent.get(c);
    if (!t) byComponent.set(c, (t = {}));
    return t;
  };
  for (const v of valuesFlags) {
    const from = `--values ${v.component}=${v.file}`;
    if (!isTree(v.content)) throw usage(`${from}: expected a YAML mapping of values, got ${v.content === null || v.content === undefined ? 'nothing' : Array.isArray(v.content) ? 'a list' : typeof v.content}`);
    for (const leaf of leaves(v.content)) {
      // No form check: a file's keys never reach a command line, and annotation keys (`eks.amazonaws.com/role-arn`) are legitimate.
      checkRetired(v.component, leaf.path.join('.'), from, retired, target);
      origins.set(`${v.component}:${leaf.path.join('.')}`, from);
    }
    mergeInto(treeOf(v.component), v.content);
  }
  for (const text of sets) {
    const s = parseSet(text);
    const key = s.path.join('.');
    sources.push({ flag: '--set', component: s.component, key, digest: digestOf(s.value) });
    checkRetired(s.component, key, `--set`, retired, target);
    const tree = treeOf(s.component);
    let node = tree;
    for (const part of s.path.slice(0, -1)) {
      if (!isTree(node[part])) node[part] = {};
      node = node[part] as ValueTree;
    }
    node[s.path[s.path.length - 1]!] = s.value;
    // A --set over a key a file set below it: the keys under it are gone, so they are no longer the file's.
    for (const k of origins.keys()) if (k.startsWith(`${s.component}:${key}.`)) origins.delete(k);
    origins.set(`${s.component}:${key}`, '--set');
  }
  const keys: OverrideKey[] = [];
  for (const [component, tree] of [...byComponent].sort(([a], [b]) => a.localeCompare(b)))
    for (const leaf of leaves(tree)) {
      const key = leaf.path.join('.');
      keys.push({ component, key, from: origins.get(`${component}:${key}`) ?? '--values', digest: digestOf(leaf.value) });
    }
  return { byComponent, sources, keys };
}
