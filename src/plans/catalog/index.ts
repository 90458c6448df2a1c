// Query API over the release catalog. Pure functions; no zod at import time (see validate.ts).
import { minorOf } from '../../util/version.js';
import { UPGRADE_POLICY } from './policy.js';
import { NEWEST_KNOWN, RELEASES } from './releases.js';
import type {
  Catalog,
  ComponentName,
  Condition,
  DataPlaneMode,
  GatewayApi,
  InstallMethod,
  Note,
  Release,
  UpgradePolicy,
} from './schema.js';

export type {
  ChartKey,
  ComponentName,
  Condition,
  DataPlaneMode,
  Effect,
  GatewayApi,
  InstallMethod,
  Note,
  NoteKind,
  Phase,
  Provenance,
  Release,
  StepKind,
  UpgradePolicy,
} from './schema.js';

export type CatalogErrorCode = 'invalid-version' | 'unknown-patch' | 'unknown-minor';

/** Error with a one-line, user-presentable message. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ── version helpers ──────────────────────────────────────────────────────────────────────────────────────
interface Parsed {
  major: number;
  minor: number;
  patch: number | undefined;
}

const ISTIO_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/i;

function parseIstio(spec: string): Parsed | undefined {
  const m = ISTIO_RE.exec(spec.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? undefined : Number(m[3]) };
}

function parseIstioOrThrow(spec: string): Parsed {
  const p = parseIstio(spec);
  if (!p || p.major !== 1)
    throw new CatalogError('invalid-version', `invalid Istio version "${spec}": expected 1.N, 1.N.P, v1.N.P or "latest"`);
  return p;
}

/** Numeric tuple of a dotted version ('v0.12.0', '1.33', '1.30.4-eks-1'); missing parts are undefined. */
function nums(v: string): number[] {
  return v
    .trim()
    .replace(/^v/i, '')
    .split(/[-+]/)[0]!
    .split('.')
    .map((x) => Number.parseInt(x, 10))
    .filter((n) => Number.isFinite(n));
}

/** Compares on the parts present in BOTH versions (so '0.12' vs '0.12.3' is equal). */
function cmpPrefix(a: string, b: string): number {
  const x = nums(a);
  const y = nums(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

/** Full comparison, missing parts = 0. */
function cmp(a: string, b: string): number {
  const x = nums(a);
  const y = nums(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const minorNum = (minor: string): number => Number(minor.split('.')[1]);

// ── the catalog in use ───────────────────────────────────────────────────────────────────────────────────
/** The data a catalog consists of: the built-in one, or one read from a `--catalog` file (see catalog-file.ts). */
export interface CatalogData {
  releases: readonly Release[];
  newestKnown: string;
  policy: UpgradePolicy;
}

/** Where a catalog read from a file came from; plans made with it record this. */
export interface CatalogOrigin {
  /** The file's own version label, e.g. `2027-01-20`. */
  version: string;
  /** Where its data was taken from (the file's `generatedFrom`). */
  source: string;
  /** `merge` (its releases over the built-in ones) or `replace` (the file is the whole catalog). */
  mode: 'merge' | 'replace';
  /** sha256 of the file's bytes: apply checks a plan's catalog is the one it is given. */
  digest: string;
}

interface Active extends CatalogData {
  byMinor: ReadonlyMap<string, Release>;
  oldest: Release;
  newest: Release;
  origin: CatalogOrigin | undefined;
}

function activate(data: CatalogData, origin: CatalogOrigin | undefined): Active {
  const byMinor = new Map(data.releases.map((r) => [r.minor, r]));
  return { ...data, byMinor, oldest: data.releases[0]!, newest: data.releases[data.releases.length - 1]!, origin };
}

const BUILT_IN: CatalogData = { releases: RELEASES, newestKnown: NEWEST_KNOWN, policy: UPGRADE_POLICY };
let active = activate(BUILT_IN, undefined);

/** The catalog compiled into this version of the tool. */
export function builtInCatalog(): CatalogData {
  return BUILT_IN;
}

/**
 * Makes every query below answer from `data` (a validated catalog file) for the rest of the process, or from the
 * built-in catalog again when called without arguments. The CLI calls it once, before planning.
 */
export function useCatalog(data?: CatalogData, origin?: CatalogOrigin): void {
  active = data ? activate(data, origin) : activate(BUILT_IN, undefined);
}

/** Where the catalog in use came from; undefined for the built-in one. */
export function catalogOrigin(): CatalogOrigin | undefined {
  return active.origin;
}

// ── basic queries ────────────────────────────────────────────────────────────────────────────────────────
/** Minors in the catalog, ascending ('1.18' … '1.31'). */
export function listMinors(): string[] {
  return active.releases.map((r) => r.minor);
}

/** Release for a minor or any version of it ('1.24', '1.24.3', 'v1.24.3'); undefined when not in the catalog. */
export function getRelease(minorOrVersion: string): Release | undefined {
  const p = parseIstio(minorOrVersion);
  return p && p.major === 1 ? active.byMinor.get(`1.${p.minor}`) : undefined;
}

/** Newest release known to the catalog ('1.31.1'). */
export function newestKnown(): string {
  return active.newestKnown;
}

export function upgradePolicy(): UpgradePolicy {
  return active.policy;
}

/** Validates the whole catalog with its zod schema (loaded lazily, result cached). */
export async function validateCatalog(): Promise<Catalog> {
  const { validateCatalog: validate } = await import('./validate.js');
  return validate();
}

/**
 * A minor newer than the catalog (planned only with --allow-unknown-version) follows the general rules: the
 * newest known release's chart layout, Kubernetes range and compatibility versions, and no notes and no
 * Gateway API bundle, since nothing is known about them. The plan carries a loud warning saying so.
 */
function beyondCatalog(minor: string): Release {
  return { ...active.newest, minor, latestPatch: `${minor}.0`, patches: undefined, notes: [], gatewayApi: undefined, eol: undefined } as Release;
}

function requireRelease(version: string): Release {
  const p = parseIstioOrThrow(version);
  if (p.minor > minorNum(active.newest.minor)) return beyondCatalog(`1.${p.minor}`);
  const rel = getRelease(version);
  if (!rel)
    throw new CatalogError(
      'unknown-minor',
      `Istio ${minorOf(version)} is not in the release catalog (${active.oldest.minor}–${active.newest.minor})`,
    );
  return rel;
}

/** Release whose chart layout applies; minors newer than the catalog are assumed to keep the newest layout. */
function layoutRelease(version: string): Release {
  const p = parseIstioOrThrow(version);
  if (p.minor > minorNum(active.newest.minor)) return active.newest;
  return requireRelease(version);
}

// ── resolveTarget ────────────────────────────────────────────────────────────────────────────────────────
export interface ResolvedTarget {
  version: string;
  minor: string;
  known: boolean;
  warning?: string;
}

function knownPatches(rel: Release): string[] {
  return rel.patches ?? [rel.latestPatch];
}

/**
 * Resolves '1.24' (newest known patch), '1.24.2', 'v1.24.2' or 'latest'.
 * Unknown patches of known minors and minors outside the catalog throw unless `allowUnknown`, in which case
 * the result has `known: false` and a loud `warning`. A minor without patch outside the catalog resolves to `.0`.
 */
export function resolveTarget(spec: string, opts: { allowUnknown: boolean }): ResolvedTarget {
  if (spec.trim().toLowerCase() === 'latest') return { version: active.newestKnown, minor: minorOf(active.newestKnown), known: true };
  const p = parseIstioOrThrow(spec);
  const minor = `1.${p.minor}`;
  const rel = active.byMinor.get(minor);
  if (rel) {
    if (p.patch === undefined) return { version: rel.latestPatch, minor, known: true };
    const version = `${minor}.${p.patch}`;
    if (knownPatches(rel).includes(version)) return { version, minor, known: true };
    const newer = cmp(version, rel.latestPatch) > 0;
    const what = newer ? `newer than the newest known ${minor} patch (${rel.latestPatch})` : `not a known ${minor} patch`;
    if (!opts.allowUnknown)
      throw new CatalogError('unknown-patch', `Istio ${version} is not in the release catalog: ${what}`);
    return {
      version,
      minor,
      known: false,
      warning: `Istio ${version} is not in the release catalog (${what}); ${minor} upgrade notes apply but patch-level changes are unknown`,
    };
  }
  const version = `${minor}.${p.patch ?? 0}`;
  if (p.minor > minorNum(active.newest.minor)) {
    if (!opts.allowUnknown)
      throw new CatalogError('unknown-minor', `Istio ${minor} is newer than the release catalog (newest known: ${active.newestKnown})`);
    return {
      version,
      minor,
      known: false,
      warning: `Istio ${minor} is newer than the release catalog (newest known: ${active.newestKnown}): planned by the general rules with ${active.newest.minor}'s chart names, tag templates, Kubernetes range and policy; no ${minor} upgrade notes are known, so read the official ${minor} upgrade notes before applying`,
    };
  }
  if (!opts.allowUnknown)
    throw new CatalogError('unknown-minor', `Istio ${minor} is older than the release catalog (${active.oldest.minor}–${active.newest.minor})`);
  return { version, minor, known: false, warning: `no upgrade notes are known for ${minor}: it is older than the release catalog (${active.oldest.minor})` };
}

// ── notesForHop ──────────────────────────────────────────────────────────────────────────────────────────
export type HopNote = Note & { minor: string };

/** Whether `version` carries the change described by a note filed under `minor`. */
function hasChange(note: Note, minor: string, version: string): boolean {
  const intro = note.introducedIn ?? [`${minor}.0`];
  const vm = minorOf(version);
  const same = intro.find((p) => minorOf(p) === vm);
  if (same) return cmp(version, same) >= 0;
  const listed = intro.map((p) => minorNum(minorOf(p)));
  const v = minorNum(vm);
  if (v < Math.min(...listed)) return false;
  return true; // newer than (or between) the listed lines: assume carried forward
}

function hopVersion(spec: string, role: 'from' | 'to'): string {
  const p = parseIstioOrThrow(spec);
  if (p.patch !== undefined) return `1.${p.minor}.${p.patch}`;
  const rel = active.byMinor.get(`1.${p.minor}`);
  return role === 'to' && rel ? rel.latestPatch : `1.${p.minor}.0`;
}

/**
 * Notes for upgrading fromVersion → toVersion: every note whose change is in the target but not in the source
 * (i.e. the notes of each minor crossed, from exclusive → to inclusive, plus patch-introduced notes), ordered by
 * minor then data order, each tagged with the minor it is filed under. A note whose `sameAs` is also present is
 * dropped. Minor-only inputs mean `<from>.0` and `<to>`'s newest known patch. Returns [] when to <= from.
 */
export function notesForHop(fromVersion: string, toVersion: string): HopNote[] {
  const from = hopVersion(fromVersion, 'from');
  const to = hopVersion(toVersion, 'to');
  if (cmp(to, from) <= 0) return [];
  const out: HopNote[] = [];
  for (const rel of active.releases)
    for (const note of rel.notes)
      if (!hasChange(note, rel.minor, from) && hasChange(note, rel.minor, to)) out.push({ ...note, minor: rel.minor });
  const ids = new Set(out.map((n) => n.id));
  return out.filter((n) => !(n.sameAs && ids.has(n.sameAs)));
}

/**
 * Helm values `version` no longer reads, from the notes of every release up to it: removed ones (forbiddenHelmValues)
 * and renamed ones (renamedHelmValues, with the new name). Paths are in the unified values tree.
 */
export function retiredHelmValues(version: string): { path: string; renamedTo?: string; noteId: string; minor: string }[] {
  const to = hopVersion(version, 'to');
  const out: { path: string; renamedTo?: string; noteId: string; minor: string }[] = [];
  for (const rel of active.releases)
    for (const note of rel.notes) {
      if (!hasChange(note, rel.minor, to)) continue;
      const renamed = note.effect?.renamedHelmValues ?? [];
      for (const r of renamed) out.push({ path: r.from, renamedTo: r.to, noteId: note.id, minor: rel.minor });
      for (const path of note.effect?.forbiddenHelmValues ?? [])
        if (!renamed.some((r) => r.from === path)) out.push({ path, noteId: note.id, minor: rel.minor });
    }
  return out;
}

/** The plain-language explanation of a note of the catalog in use; undefined when it has none. */
export function explanationOf(noteId: string): string | undefined {
  for (const rel of active.releases) for (const note of rel.notes) if (note.id === noteId) return note.explanation;
  return undefined;
}

// ── Kubernetes ───────────────────────────────────────────────────────────────────────────────────────────
export interface KubernetesSupport {
  supported: boolean;
  belowMin: boolean;
  aboveMax: boolean;
  range: { min: string; max: string };
}

/** Officially supported Kubernetes range of an Istio minor vs a cluster version ('1.30', 'v1.30.4-eks-…'). */
export function kubernetesSupport(istioVersion: string, k8sVersion: string): KubernetesSupport {
  const rel = requireRelease(istioVersion);
  const m = /^v?(\d+)\.(\d+)/i.exec(k8sVersion.trim());
  if (!m) throw new CatalogError('invalid-version', `invalid Kubernetes version "${k8sVersion}": expected 1.N or v1.N.P`);
  const k = `${m[1]}.${m[2]}`;
  const belowMin = cmp(k, rel.kubernetes.min) < 0;
  const aboveMax = cmp(k, rel.kubernetes.max) > 0;
  return { supported: !belowMin && !aboveMax, belowMin, aboveMax, range: { ...rel.kubernetes } };
}

// ── compatibility, EOL, chart layout ─────────────────────────────────────────────────────────────────────
/** Values accepted by `compatibilityVersion` in the target minor (empty before 1.21). */
export function compatibilityVersionsFor(targetMinor: string): string[] {
  return [...requireRelease(targetMinor).compatibilityVersions];
}

const DAY_MS = 86_400_000;

/**
 * Whether a minor is end-of-life on `date`. Uses the published EOL date; without one, the support-window policy
 * (N+2.0 release + 6 weeks) when N+2 is in the catalog, else false. Minors older than the catalog are EOL.
 */
export function isEol(minor: string, date: Date | string): boolean {
  const p = parseIstioOrThrow(minor);
  const when = typeof date === 'string' ? Date.parse(date) : date.getTime();
  if (Number.isNaN(when)) throw new CatalogError('invalid-version', `invalid date "${String(date)}"`);
  if (p.minor < minorNum(active.oldest.minor)) return true;
  const rel = active.byMinor.get(`1.${p.minor}`);
  if (!rel) return false;
  if (rel.eol) return when >= Date.parse(rel.eol);
  const policy = active.policy.supportWindow;
  const successor = active.byMinor.get(`1.${p.minor + policy.minorsAfter}`);
  if (!successor) return false;
  return when >= Date.parse(successor.released) + policy.weeksAfter * 7 * DAY_MS;
}

export type SecurityFix = NonNullable<Release['securityFixes']>[number];

/** Security fixes published in later patches of the same minor: what `version` lacks. Empty for unknown minors. */
export function securityFixesMissing(version: string): SecurityFix[] {
  const rel = getRelease(version);
  if (!rel) return [];
  return (rel.securityFixes ?? []).filter((fix) => cmp(fix.patch, version) > 0);
}

/** Newest patch of the oldest minor newer than `minor` that is still supported on `date`; undefined when none. */
export function nearestSupportedAfter(minor: string, date: Date | string): string | undefined {
  const p = parseIstioOrThrow(minor);
  return active.releases.find((r) => minorNum(r.minor) > p.minor && !isEol(r.minor, date))?.latestPatch;
}

/** istiod chart template(s) rendering revision tags, for `helm template -s`. */
export function revisionTagTemplates(version: string): string[] {
  return [...layoutRelease(version).revisionTagTemplates];
}

/** Whether revision tags also get a Service `istiod-revision-tag-<tag>` (1.28+). */
export function usesTagServices(version: string): boolean {
  return layoutRelease(version).tagServices;
}

/** Whether the base chart renders CRDs as templates with Helm labels (1.24+). */
export function crdsHelmTemplated(version: string): boolean {
  return layoutRelease(version).crdsHelmTemplated;
}

/** Gateway API data of a release with CRD bounds narrowed to the given patch. */
export function gatewayApiFor(version: string): GatewayApi | undefined {
  const rel = requireRelease(version);
  if (!rel.gatewayApi) return undefined;
  const p = parseIstioOrThrow(version);
  const v = p.patch === undefined ? rel.latestPatch : `${rel.minor}.${p.patch}`;
  return {
    ...rel.gatewayApi,
    crdBounds: rel.gatewayApi.crdBounds.filter(
      (b) => (!b.sincePatch || cmp(v, b.sincePatch) >= 0) && (!b.untilPatch || cmp(v, b.untilPatch) <= 0),
    ),
  };
}

// ── condition evaluation ─────────────────────────────────────────────────────────────────────────────────
export type Tri = 'yes' | 'no' | 'unknown';

/**
 * What the planner knows about the cluster. Omit a field when it is not known (⇒ 'unknown').
 *   components: name → version string | true (present, version unknown) | false (absent); missing key ⇒ unknown
 *   helmValues: effective values in the unified Istio values tree (nested objects or dotted keys)
 *   env: istiod env / proxyMetadata variables explicitly set (complete when given)
 *   resources: kinds present in the cluster (complete when given)
 */
export interface ClusterFacts {
  modes?: DataPlaneMode[];
  installMethod?: InstallMethod;
  components?: Partial<Record<ComponentName, string | boolean>>;
  helmValues?: Record<string, unknown>;
  env?: Record<string, string>;
  crdsHelmOwned?: boolean;
  resources?: { kind: string; group?: string }[];
  platform?: string;
  kubernetesVersion?: string;
  features?: Record<string, boolean>;
}

const tri = (b: boolean): Tri => (b ? 'yes' : 'no');
function and3(xs: Tri[]): Tri {
  if (xs.includes('no')) return 'no';
  return xs.includes('unknown') ? 'unknown' : 'yes';
}
function or3(xs: Tri[]): Tri {
  if (xs.includes('yes')) return 'yes';
  return xs.includes('unknown') ? 'unknown' : 'no';
}
const not3 = (x: Tri): Tri => (x === 'yes' ? 'no' : x === 'no' ? 'yes' : 'unknown');

function lookup(values: Record<string, unknown>, path: string): unknown {
  if (path in values) return values[path];
  let cur: unknown = values;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const same = (a: unknown, b: unknown): boolean => a !== undefined && String(a) === String(b);

/** Three-valued evaluation of a note condition (AND of all keys present). Undefined condition ⇒ 'yes'. */
export function evaluateCondition(cond: Condition | undefined, facts: ClusterFacts): Tri {
  if (!cond) return 'yes';
  const r: Tri[] = [];
  if (cond.mode !== undefined) r.push(facts.modes ? tri(facts.modes.includes(cond.mode)) : 'unknown');
  if (cond.installMethod !== undefined) {
    const wanted = Array.isArray(cond.installMethod) ? cond.installMethod : [cond.installMethod];
    r.push(facts.installMethod ? tri(wanted.includes(facts.installMethod)) : 'unknown');
  }
  if (cond.component !== undefined) {
    const c = facts.components?.[cond.component];
    if (c === undefined) r.push('unknown');
    else if (c === false) r.push('no');
    else {
      const bounds: [string | undefined, (d: number) => boolean][] = [
        [cond.versionAtMost, (d) => d <= 0],
        [cond.versionAtLeast, (d) => d >= 0],
        [cond.versionBelow, (d) => d < 0],
      ];
      for (const [bound, ok] of bounds) {
        if (bound === undefined) continue;
        r.push(c === true ? 'unknown' : tri(ok(cmpPrefix(c, bound))));
      }
      r.push('yes');
    }
  }
  if (cond.helmValue !== undefined) {
    if (!facts.helmValues) r.push('unknown');
    else {
      const v = lookup(facts.helmValues, cond.helmValue.path);
      const { equals, notEquals, set } = cond.helmValue;
      if (set !== undefined) r.push(tri((v !== undefined) === set));
      if (equals !== undefined) r.push(tri(same(v, equals)));
      if (notEquals !== undefined) r.push(tri(!same(v, notEquals)));
    }
  }
  if (cond.env !== undefined) {
    if (!facts.env) r.push('unknown');
    else {
      const v = facts.env[cond.env.name];
      if (cond.env.set !== undefined) r.push(tri((v !== undefined) === cond.env.set));
      if (cond.env.equals !== undefined) r.push(tri(v === cond.env.equals));
      if (cond.env.set === undefined && cond.env.equals === undefined) r.push(tri(v !== undefined));
    }
  }
  if (cond.crdsHelmOwned !== undefined)
    r.push(facts.crdsHelmOwned === undefined ? 'unknown' : tri(facts.crdsHelmOwned === cond.crdsHelmOwned));
  if (cond.resourceExists !== undefined) {
    const { kind, group } = cond.resourceExists;
    r.push(facts.resources ? tri(facts.resources.some((x) => x.kind === kind && (!group || !x.group || x.group === group))) : 'unknown');
  }
  if (cond.platform !== undefined) r.push(facts.platform ? tri(facts.platform === cond.platform) : 'unknown');
  if (cond.kubernetesAtLeast !== undefined)
    r.push(facts.kubernetesVersion ? tri(cmpPrefix(facts.kubernetesVersion, cond.kubernetesAtLeast) >= 0) : 'unknown');
  if (cond.feature !== undefined) {
    const f = facts.features?.[cond.feature];
    r.push(f === undefined ? 'unknown' : tri(f));
  }
  if (cond.allOf) r.push(and3(cond.allOf.map((c) => evaluateCondition(c, facts))));
  if (cond.anyOf) r.push(or3(cond.anyOf.map((c) => evaluateCondition(c, facts))));
  if (cond.not) r.push(not3(evaluateCondition(cond.not, facts)));
  return and3(r);
}
