/**
 * Helm 3 release storage, Secrets driver (`pkg/storage/driver/secrets.go`): one Secret per revision named
 * `sh.helm.release.v1.<release>.v<N>`, type `helm.sh/release.v1`, labels name/owner/status/version plus `createdAt`
 * (written by Create) or `modifiedAt` (Update replaces the labels), `data.release` = base64(gzip(json)) (the Secret
 * adds its own base64 layer).
 */
import { decodeHelmReleaseSecret, encodeHelmRelease, helmReleaseRecord, helmSecretName, istioChart, type HelmStatus } from '../../support/istio-render/index.js';
import { isIstioChart } from './charts.js';
import { ApiError } from './errors.js';
import type { KObj, Kube } from './kube.js';
import type { Values } from './values.js';

export interface ReleaseRecord {
  name: string;
  namespace: string;
  version: number;
  info: { first_deployed: string; last_deployed: string; deleted: string; description: string; status: string; notes?: string; [k: string]: unknown };
  chart: { metadata: { name: string; version: string; appVersion?: string; [k: string]: unknown }; [k: string]: unknown };
  config?: Values;
  manifest?: string;
  [k: string]: unknown;
}

export const SECRET_TYPE = 'helm.sh/release.v1';

/** Go's time.Time JSON form with nanoseconds. */
export function goNow(): string {
  const d = new Date();
  const nanos = String(d.getUTCMilliseconds() * 1_000_000 + Number(process.hrtime.bigint() % 1_000_000n)).padStart(9, '0');
  return `${d.toISOString().slice(0, 19)}.${nanos}Z`;
}

export function newRecord(o: {
  name: string;
  namespace: string;
  revision: number;
  status: HelmStatus;
  chart: string;
  version: string;
  config: Values;
  description: string;
  manifest: string;
  firstDeployed?: string;
  /** Helm 4 only: `ssa` | `csa` (Helm 3 writes no apply_method). */
  applyMethod?: 'ssa' | 'csa';
}): ReleaseRecord {
  const now = goNow();
  const chart = isIstioChart(o.chart) ? istioChart(o.chart, o.version) : { name: o.chart, version: o.version, appVersion: o.version, apiVersion: 'v2' };
  return helmReleaseRecord({
    name: o.name,
    namespace: o.namespace,
    revision: o.revision,
    status: o.status,
    chart,
    values: o.config,
    firstDeployed: o.firstDeployed ?? now,
    lastDeployed: now,
    description: o.description,
    manifest: o.manifest,
    ...(o.applyMethod ? { applyMethod: o.applyMethod } : {}),
  }) as unknown as ReleaseRecord;
}

function secretFor(rec: ReleaseRecord, stamp: 'createdAt' | 'modifiedAt'): KObj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: helmSecretName(rec.name, rec.version),
      namespace: rec.namespace,
      labels: { name: rec.name, owner: 'helm', status: rec.info.status, version: String(rec.version), [stamp]: String(Math.floor(Date.now() / 1000)) },
    },
    type: SECRET_TYPE,
    data: { release: Buffer.from(encodeHelmRelease(rec as unknown as Record<string, unknown>), 'utf8').toString('base64') },
  };
}

export function decodeSecret(s: KObj): ReleaseRecord | undefined {
  try {
    const rec = decodeHelmReleaseSecret(s as never) as unknown as ReleaseRecord;
    if (typeof rec.name !== 'string' || typeof rec.version !== 'number' || !rec.info) return undefined;
    rec.namespace ??= s.metadata.namespace ?? '';
    return rec;
  } catch {
    return undefined; // Helm logs "failed to decode release" and skips it
  }
}

export class ReleaseStore {
  constructor(private readonly kube: Kube) {}

  /** Every revision of a release, oldest first. */
  async history(name: string, namespace: string): Promise<ReleaseRecord[]> {
    const secrets = await this.kube.list('Secret', { namespace, labelSelector: `owner=helm,name=${name}`, fieldSelector: `type=${SECRET_TYPE}` });
    return secrets
      .map(decodeSecret)
      .filter((r): r is ReleaseRecord => !!r && r.name === name)
      .sort((a, b) => a.version - b.version);
  }

  /** All revisions of all releases in a namespace (undefined = every namespace). */
  async all(namespace?: string): Promise<ReleaseRecord[]> {
    const secrets = await this.kube.list('Secret', { namespace, labelSelector: 'owner=helm', fieldSelector: `type=${SECRET_TYPE}` });
    return secrets.map(decodeSecret).filter((r): r is ReleaseRecord => !!r);
  }

  async create(rec: ReleaseRecord): Promise<void> {
    try {
      await this.kube.create(secretFor(rec, 'createdAt'));
    } catch (e) {
      if (e instanceof ApiError) throw new ApiError(e.code, `create: failed to create: ${e.message}`, e.reason);
      throw e;
    }
  }

  async update(rec: ReleaseRecord): Promise<void> {
    try {
      await this.kube.replace(secretFor(rec, 'modifiedAt'));
    } catch (e) {
      if (e instanceof ApiError) throw new ApiError(e.code, `update: failed to update: ${e.message}`, e.reason);
      throw e;
    }
  }

  async remove(rec: ReleaseRecord): Promise<void> {
    await this.kube.delete('Secret', helmSecretName(rec.name, rec.version), rec.namespace);
  }
}
