/**
 * Helm 3 release storage (Secrets driver), as `pkg/storage/driver/secrets.go` + `util.go` write it:
 *
 * - Secret `sh.helm.release.v1.<release>.v<revision>` in the release namespace, type `helm.sh/release.v1`;
 * - labels `name`, `owner=helm`, `status`, `version`, and `createdAt` (set by Create) or `modifiedAt` (set by Update —
 *   a record that reached a final state was updated at least once, a stuck `pending-*` one never was);
 * - `data.release` = base64( base64( gzip( json(release) ) ) ) — Helm's own base64 plus the Secret's. Helm
 *   compresses with gzip.BestCompression; we use a deterministic pure-JS deflate (`gzip.ts`) so fixtures are
 *   byte-identical on every machine — any gunzip reads both.
 *
 * The JSON mirrors Go's encoding of `release.Release`: struct field order, sorted map keys, `<>&` HTML-escaped,
 * `info.deleted` as the zero time. Chart templates, default values and files are left empty (fixtures only need
 * metadata and the user values in `config`).
 */
import { gunzipSync } from 'node:zlib';
import { gzipDeterministic } from './gzip.js';
import { addSeconds, hexHash, meta, unixSeconds, type K8sObject } from './meta.js';

export type HelmStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export interface HelmChartRef {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  keywords?: string[];
  sources?: string[];
  icon?: string;
  apiVersion?: string;
  kubeVersion?: string;
  type?: string;
  dependencies?: { name: string; version: string; repository?: string; condition?: string }[];
}

export interface HelmReleaseSpec {
  name: string;
  namespace: string;
  revision: number;
  status: HelmStatus;
  chart: HelmChartRef;
  /** User-supplied values (Helm's `config`). */
  values: Record<string, unknown>;
  /** RFC 3339 (fractional seconds allowed). */
  firstDeployed: string;
  lastDeployed: string;
  description?: string;
  notes?: string;
  /** Rendered manifest (YAML documents). */
  manifest?: string;
  /** Helm 4 records how it applied (`ssa` | `csa`, `pkg/release/v1/release.go` ApplyMethod); Helm 3 writes nothing. */
  applyMethod?: 'ssa' | 'csa';
  /** When the record was last written (label createdAt/modifiedAt); default lastDeployed. */
  recordedAt?: string;
}

const ISTIO_CHARTS: Record<string, { description: string; keywords: string[]; type?: string }> = {
  base: { description: 'Helm chart for deploying Istio cluster resources and CRDs', keywords: ['istio'] },
  istiod: { description: 'Helm chart for istio control plane', keywords: ['istio', 'istiod', 'istio-discovery'] },
  cni: { description: 'Helm chart for istio-cni components', keywords: ['istio-cni', 'istio'] },
  ztunnel: { description: 'Helm chart for istio ztunnel components', keywords: ['istio-ztunnel', 'istio'] },
  gateway: { description: 'Helm chart for deploying Istio gateways', keywords: ['istio', 'gateways'], type: 'application' },
  'istiod-remote': { description: 'Helm chart for a remote cluster using an external istio control plane', keywords: ['istio', 'external-istiod'] },
  ambient: { description: 'Helm umbrella chart for ambient', keywords: ['istio-cni', 'istio', 'ambient'], type: 'application' },
};

/** Chart metadata of an Istio chart as published (version = appVersion = the Istio version). */
export function istioChart(name: 'base' | 'istiod' | 'istiod-remote' | 'cni' | 'ztunnel' | 'gateway' | 'ambient', version: string): HelmChartRef {
  const c = ISTIO_CHARTS[name]!;
  const ref: HelmChartRef = {
    name,
    version,
    appVersion: version,
    description: c.description,
    keywords: c.keywords,
    sources: ['https://github.com/istio/istio'],
    icon: 'https://istio.io/latest/favicons/android-192x192.png',
    apiVersion: 'v2',
  };
  if (c.type) ref.type = c.type;
  if (name === 'ambient') {
    ref.kubeVersion = '>= 1.23.0-0';
    ref.dependencies = [
      { name: 'base', version, repository: 'file://../../charts/base' },
      { name: 'cni', version, repository: 'file://../../charts/istio-cni' },
      { name: 'istiod', version, repository: 'file://../../charts/istio-control/istio-discovery', condition: 'istiod.enabled' },
      { name: 'ztunnel', version, repository: 'file://../../charts/ztunnel' },
    ];
  }
  return ref;
}

function defaultDescription(status: HelmStatus, revision: number): string {
  switch (status) {
    case 'pending-install':
      return 'Initial install underway';
    case 'pending-upgrade':
      return 'Preparing upgrade';
    case 'pending-rollback':
      return 'Preparing rollback';
    case 'failed':
      return 'Upgrade "release" failed: context deadline exceeded';
    case 'uninstalling':
      return 'Deletion in progress (or silently failed)';
    case 'uninstalled':
      return 'Uninstallation complete';
    default:
      return revision === 1 ? 'Install complete' : 'Upgrade complete';
  }
}

/** Go's encoding/json escapes <, > and & (and U+2028/2029) by default. */
function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Go marshals maps with sorted keys. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** The release record (`release.Release`) as Helm marshals it. */
export function helmReleaseRecord(s: HelmReleaseSpec): Record<string, unknown> {
  const md: Record<string, unknown> = { name: s.chart.name };
  if (s.chart.sources) md.sources = s.chart.sources;
  md.version = s.chart.version;
  if (s.chart.description) md.description = s.chart.description;
  if (s.chart.keywords) md.keywords = s.chart.keywords;
  if (s.chart.icon) md.icon = s.chart.icon;
  md.apiVersion = s.chart.apiVersion ?? 'v2';
  if (s.chart.appVersion) md.appVersion = s.chart.appVersion;
  if (s.chart.kubeVersion) md.kubeVersion = s.chart.kubeVersion;
  if (s.chart.dependencies) md.dependencies = s.chart.dependencies;
  if (s.chart.type) md.type = s.chart.type;
  const info: Record<string, unknown> = {
    first_deployed: s.firstDeployed,
    last_deployed: s.lastDeployed,
    deleted: '0001-01-01T00:00:00Z',
    description: s.description ?? defaultDescription(s.status, s.revision),
    status: s.status,
  };
  if (s.notes) info.notes = s.notes;
  const rel: Record<string, unknown> = {
    name: s.name,
    info,
    chart: { metadata: md, lock: null, templates: [], values: {}, schema: null, files: [] },
  };
  if (Object.keys(s.values).length > 0) rel.config = sortKeysDeep(s.values);
  if (s.manifest) rel.manifest = s.manifest;
  rel.version = s.revision;
  rel.namespace = s.namespace;
  if (s.applyMethod) rel.apply_method = s.applyMethod;
  return rel;
}

/** Helm's `encodeRelease`: JSON → gzip (best compression) → base64. This is the string Helm stores; the Secret base64s it again. */
export function encodeHelmRelease(release: Record<string, unknown>): string {
  // Deterministic across Node versions/CPUs (see gzip.ts); header like Go's: mtime 0, XFL 2, OS 255.
  return gzipDeterministic(Buffer.from(goJson(release), 'utf8')).toString('base64');
}

/** Helm's `decodeRelease`: base64 → gunzip when the gzip magic is present (old releases are plain JSON) → JSON. */
export function decodeHelmRelease(encoded: string): Record<string, unknown> {
  let raw = Buffer.from(encoded, 'base64');
  if (raw.length >= 3 && raw[0] === 0x1f && raw[1] === 0x8b && raw[2] === 0x08) raw = gunzipSync(raw);
  return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
}

/** Decodes a release Secret's `data.release` (undoing the Secret's base64 first). */
export function decodeHelmReleaseSecret(secret: K8sObject): Record<string, unknown> {
  const data = (secret as { data?: Record<string, string> }).data;
  if (!data?.release) throw new Error(`Secret ${secret.metadata.namespace}/${secret.metadata.name} has no data.release`);
  return decodeHelmRelease(Buffer.from(data.release, 'base64').toString('utf8'));
}

export function helmSecretName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** The Secret Helm stores for one release revision. */
export function helmReleaseSecret(s: HelmReleaseSpec): K8sObject {
  const recordedAt = s.recordedAt ?? s.lastDeployed;
  const pending = s.status.startsWith('pending-');
  const created = s.lastDeployed.replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta('Secret', helmSecretName(s.name, s.revision), {
      namespace: s.namespace,
      labels: {
        [pending ? 'createdAt' : 'modifiedAt']: String(unixSeconds(recordedAt)),
        name: s.name,
        owner: 'helm',
        status: s.status,
        version: String(s.revision),
      },
      createdAt: created,
    }),
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(encodeHelmRelease(helmReleaseRecord(s)), 'utf8').toString('base64') },
  };
}

/** A timestamp with Go-style nanoseconds (deterministic, derived from the seed). */
export function goTime(ts: string, ...seed: string[]): string {
  const nanos = String(parseInt(hexHash(8, 'nanos', ts, ...seed), 16) % 1_000_000_000).padStart(9, '0').replace(/0+$/, '');
  const base = ts.replace(/Z$/, '');
  return nanos ? `${base}.${nanos}Z` : `${base}Z`;
}

export interface HelmHistoryRevision {
  chart: HelmChartRef;
  values: Record<string, unknown>;
  /** When this revision was installed/upgraded (RFC 3339, whole seconds). */
  deployedAt: string;
  /** Default: the newest revision not marked pending/failed is `deployed`, older ones `superseded`. */
  status?: HelmStatus;
  description?: string;
  manifest?: string;
  notes?: string;
}

export interface HelmHistoryOptions {
  name: string;
  namespace: string;
  revisions: HelmHistoryRevision[];
}

/** Specs for a release history (revisions 1..N); older ones superseded when the next one was deployed. */
export function helmHistorySpecs(o: HelmHistoryOptions): HelmReleaseSpec[] {
  const first = goTime(o.revisions[0]!.deployedAt, o.name, o.namespace, '1');
  // The newest revision that completed stays `deployed`; a later pending/failed one does not supersede it
  // (Helm marks the previous release superseded only after the new one succeeded).
  let newestDone = -1;
  o.revisions.forEach((r, i) => {
    if (r.status === undefined || r.status === 'deployed' || r.status === 'superseded') newestDone = i;
  });
  return o.revisions.map((r, i) => {
    const revision = i + 1;
    const next = o.revisions[i + 1];
    const status: HelmStatus = r.status ?? (i === newestDone ? 'deployed' : 'superseded');
    return {
      name: o.name,
      namespace: o.namespace,
      revision,
      status,
      chart: r.chart,
      values: r.values,
      firstDeployed: first,
      lastDeployed: goTime(r.deployedAt, o.name, o.namespace, String(revision)),
      description: r.description,
      notes: r.notes,
      manifest: r.manifest,
      // superseded records are rewritten when the next revision is deployed; final states a few seconds after start
      recordedAt: status === 'superseded' && next ? addSeconds(next.deployedAt, 12) : status.startsWith('pending-') ? r.deployedAt : addSeconds(r.deployedAt, 25),
    };
  });
}

/** Release Secrets for a history (revision 1..N). */
export function helmReleaseHistory(o: HelmHistoryOptions): K8sObject[] {
  return helmHistorySpecs(o).map(helmReleaseSecret);
}

/** One `helm list -o json` element for a spec (what a fake `helm` prints). */
export function helmListElement(s: HelmReleaseSpec): Record<string, string> {
  const d = new Date(Date.parse(s.lastDeployed));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = /\.(\d+)Z$/.exec(s.lastDeployed)?.[1]?.padEnd(9, '0') ?? '000000000';
  const updated = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac} +0000 UTC`;
  return {
    name: s.name,
    namespace: s.namespace,
    revision: String(s.revision),
    updated,
    status: s.status,
    chart: `${s.chart.name}-${s.chart.version}`,
    app_version: s.chart.appVersion ?? '',
  };
}
