/**
 * Deterministic metadata helpers shared by the renderers: uids, name hashes, timestamps, owner references,
 * version comparisons. Everything is derived from names and an optional per-cluster seed so that regenerated
 * fixtures are byte-identical.
 */
import { createHash } from 'node:crypto';

export type Labels = Record<string, string>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Labels;
  annotations?: Labels;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** A plain Kubernetes object as `kubectl get -o json` would show it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface RenderContext {
  /** Mixed into every uid so that two clusters do not share uids. */
  uidSeed: string;
  /** Default creationTimestamp for objects that are not given one. */
  now: string;
}

const DEFAULT_CONTEXT: RenderContext = { uidSeed: 'istio-render', now: '2025-01-06T09:00:00Z' };
let current: RenderContext = DEFAULT_CONTEXT;

/** Runs `fn` with a uid seed and default timestamp; synchronous so the context cannot leak. */
export function withRenderContext<T>(ctx: Partial<RenderContext>, fn: () => T): T {
  const saved = current;
  current = { ...saved, ...ctx };
  try {
    return fn();
  } finally {
    current = saved;
  }
}

export function renderNow(): string {
  return current.now;
}

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** A UUID-shaped uid derived from the object identity (and the current cluster seed). */
export function uidFor(...parts: string[]): string {
  const h = digest(current.uidSeed, ...parts).subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5 shape
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The alphabet Kubernetes uses for generated name suffixes (`rand.SafeEncodeString`). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A Kubernetes-style random-looking suffix, derived from `seed`. */
export function safeSuffix(length: number, ...seed: string[]): string {
  const h = digest('suffix', ...seed);
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[h[i]! % SAFE_ALPHABET.length];
  return out;
}

/** `pod-template-hash`-like value (Kubernetes: fnv32a of the template, safe-encoded, ≤10 chars). */
export function templateHash(template: unknown): string {
  return safeSuffix(10, 'template', JSON.stringify(template));
}

/** Short hex hash, e.g. for ControllerRevision-style suffixes. */
export function hexHash(length: number, ...seed: string[]): string {
  return digest('hex', ...seed).toString('hex').slice(0, length);
}

/** Adds seconds to an RFC 3339 timestamp; output has no fractional seconds (as the API server writes). */
export function addSeconds(ts: string, seconds: number): string {
  const d = new Date(Date.parse(ts) + seconds * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function unixSeconds(ts: string): number {
  return Math.floor(Date.parse(ts) / 1000);
}

export function meta(
  kind: string,
  name: string,
  opts: {
    namespace?: string;
    labels?: Labels;
    annotations?: Labels;
    createdAt?: string;
    generation?: number;
    ownerReferences?: OwnerReference[];
    uid?: string;
  } = {},
): ObjectMeta {
  const m: ObjectMeta = { name };
  if (opts.namespace !== undefined) m.namespace = opts.namespace;
  m.uid = opts.uid ?? uidFor(kind, opts.namespace ?? '', name);
  if (opts.generation !== undefined) m.generation = opts.generation;
  m.creationTimestamp = opts.createdAt ?? current.now;
  if (opts.labels && Object.keys(opts.labels).length > 0) m.labels = { ...opts.labels };
  if (opts.annotations && Object.keys(opts.annotations).length > 0) m.annotations = { ...opts.annotations };
  if (opts.ownerReferences && opts.ownerReferences.length > 0) m.ownerReferences = opts.ownerReferences.map((o) => ({ ...o }));
  return m;
}

/** An owner reference to `owner`, as controllers set it (controller + blockOwnerDeletion). */
export function ownerRef(owner: K8sObject, opts: { controller?: boolean; blockOwnerDeletion?: boolean; apiVersion?: string } = {}): OwnerReference {
  if (!owner.metadata.uid) throw new Error(`owner ${owner.kind}/${owner.metadata.name} has no uid`);
  const ref: OwnerReference = {
    apiVersion: opts.apiVersion ?? owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
  };
  if (opts.controller ?? true) ref.controller = true;
  if (opts.blockOwnerDeletion ?? true) ref.blockOwnerDeletion = true;
  return ref;
}

/** Merges label maps left to right, dropping undefined values. */
export function mergeLabels(...maps: (Record<string, string | undefined> | undefined)[]): Labels {
  const out: Labels = {};
  for (const m of maps) {
    if (!m) continue;
    for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

export interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(v: string): ParsedVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) throw new Error(`not a version: ${v}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** True when `version`'s minor is at least `minor` (e.g. atLeast('1.24.6', '1.24')). */
export function atLeast(version: string, minor: string): boolean {
  const x = parseVersion(version);
  const y = parseVersion(minor);
  return x.major > y.major || (x.major === y.major && x.minor >= y.minor);
}

/** `1.23.6` → `1-23-6` (the revision naming convention used in the Istio docs). */
export function revisionFromVersion(version: string): string {
  return version.replace(/\./g, '-');
}
