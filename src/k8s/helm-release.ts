import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from './objects.js';

/** What we read from Helm's release record (Helm 3/4 Secrets driver). */
export interface DecodedHelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion: string | undefined;
  description: string | undefined;
  lastDeployed: string | undefined;
  /** User-supplied values (Helm's `config`); never printed unredacted. */
  values: Record<string, unknown>;
  secretName: string;
  /** Helm 4 only: `ssa` | `csa`, how the revision was applied (its next `upgrade`/`rollback` keeps that method by default). */
  applyMethod: string | undefined;
}

export const HELM_SECRET_TYPE = 'helm.sh/release.v1';

/**
 * A release whose revision is `pending-install`, `pending-upgrade` or `pending-rollback`: a helm operation is running, or
 * was killed mid-way and never cleared; Helm 3 and Helm 4 refuse every further operation on it until it is recovered.
 */
export function isPendingRelease(rel: { status: string }): boolean {
  return rel.status.startsWith('pending-');
}

const GOOD_STATUSES = new Set(['deployed', 'superseded']);

/** The newest revision of `history` below `below` that Helm completed (deployed, or superseded by a later one); null if none. */
export function lastGoodRevision(history: { revision: number; status: string }[], below = Infinity): number | null {
  const good = history.filter((h) => h.revision < below && GOOD_STATUSES.has(h.status)).map((h) => h.revision);
  return good.length ? Math.max(...good) : null;
}
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

export class HelmDecodeError extends Error {}

/** The Secret's `data.release` is base64 (Kubernetes) of base64 (Helm) of gzip'd JSON; gzip is optional for old releases. */
export function decodeReleasePayload(dataRelease: string): Record<string, unknown> {
  const helmText = Buffer.from(dataRelease, 'base64').toString('utf8');
  let raw = Buffer.from(helmText, 'base64');
  if (raw.length >= 3 && GZIP_MAGIC.every((b, i) => raw[i] === b)) raw = gunzipSync(raw);
  const parsed = JSON.parse(raw.toString('utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object') throw new HelmDecodeError('release payload is not an object');
  return parsed as Record<string, unknown>;
}

/** The inverse of decodeReleasePayload (gzip'd, as Helm writes it). */
export function encodeReleasePayload(release: Record<string, unknown>): string {
  const helmText = gzipSync(Buffer.from(JSON.stringify(release)), { level: 9 }).toString('base64');
  return Buffer.from(helmText).toString('base64');
}

/** Decodes one `sh.helm.release.v1.<name>.v<N>` Secret; throws HelmDecodeError on a corrupt one. */
export function decodeHelmReleaseSecret(secret: KubeObject): DecodedHelmRelease {
  const data = (secret as { data?: Record<string, string> }).data;
  const payload = data?.release;
  if (!payload) throw new HelmDecodeError(`Secret ${secret.metadata.namespace}/${secret.metadata.name} has no data.release`);
  let rel: Record<string, unknown>;
  try {
    rel = decodeReleasePayload(payload);
  } catch (e) {
    throw new HelmDecodeError(`Secret ${secret.metadata.namespace}/${secret.metadata.name}: cannot decode release (${(e as Error).message})`);
  }
  const info = (rel.info ?? {}) as Record<string, unknown>;
  const meta = ((rel.chart as Record<string, unknown> | undefined)?.metadata ?? {}) as Record<string, unknown>;
  const labels = secret.metadata.labels ?? {};
  return {
    name: String(rel.name ?? labels.name ?? ''),
    namespace: String(rel.namespace ?? secret.metadata.namespace ?? ''),
    revision: Number(rel.version ?? labels.version ?? 0),
    status: String(info.status ?? labels.status ?? 'unknown'),
    chartName: String(meta.name ?? ''),
    chartVersion: String(meta.version ?? ''),
    appVersion: meta.appVersion === undefined ? undefined : String(meta.appVersion),
    description: info.description === undefined ? undefined : String(info.description),
    lastDeployed: info.last_deployed === undefined ? undefined : String(info.last_deployed),
    values: (rel.config && typeof rel.config === 'object' ? rel.config : {}) as Record<string, unknown>,
    secretName: secret.metadata.name,
    applyMethod: typeof rel.apply_method === 'string' && rel.apply_method ? rel.apply_method : undefined,
  };
}

/** Reads a dotted path (`cni.ambient.dnsCapture`) out of Helm values. */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  let cur: unknown = values;
  for (const key of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
