import type { KubeObject } from './objects.js';
import type { ClusterSource, ListOptions } from './source.js';
import type { ResourceRef } from './resources.js';
import { decodeReleasePayload, encodeReleasePayload, HELM_SECRET_TYPE } from './helm-release.js';
import { leavesOfDigestsText, leavesOfMeshText, meshDigestsText } from './mesh-config.js';
import { redactValues } from './redact.js';
import { SNAPSHOT_API_VERSION, snapshotIntegrity, type ClusterSnapshot } from './snapshot.js';

export const REDACTED_ANNOTATION = 'istio-upgrade.io/redacted';
/** The annotation a snapshot puts on a mesh ConfigMap whose `mesh` holds leaf digests instead of values. */
export const MESH_DIGESTS: [string, string] = [REDACTED_ANNOTATION, 'mesh-digests'];

/**
 * Wraps a source and keeps every object the inventory read, so a snapshot holds exactly what
 * discovery needs — and replaying it through SnapshotSource asks the same questions.
 */
export class RecordingSource implements ClusterSource {
  readonly kind: 'live' | 'snapshot';
  private readonly seen = new Map<string, KubeObject>();

  constructor(private readonly inner: ClusterSource) {
    this.kind = inner.kind;
  }

  get context(): string | undefined {
    return this.inner.context;
  }

  kubernetesVersion(): Promise<string> {
    return this.inner.kubernetesVersion();
  }

  requestCount(): number {
    return this.inner.requestCount();
  }

  async list(resource: ResourceRef, options?: ListOptions): Promise<KubeObject[]> {
    const items = await this.inner.list(resource, options);
    for (const item of items) this.keep(item, options?.metadataOnly ?? false);
    return items;
  }

  /** Records the full objects (the snapshot needs them), then projects. */
  listMapped<T>(resource: ResourceRef, options: ListOptions, map: (o: KubeObject) => T): Promise<T[]> {
    return this.inner.listMapped(resource, options, (item) => {
      this.keep(item, options.metadataOnly ?? false);
      return map(item);
    });
  }

  async get(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const item = await this.inner.get(resource, name, namespace);
    if (item) this.keep(item, false);
    return item;
  }

  /** A full object replaces a metadata-only copy; never the other way round. */
  private keep(item: KubeObject, metadataOnly: boolean): void {
    const key = `${item.apiVersion.split('/')[0]}/${item.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`;
    const prev = this.seen.get(key);
    if (prev && metadataOnly) return;
    this.seen.set(key, metadataOnly ? { apiVersion: item.apiVersion, kind: item.kind, metadata: item.metadata } : item);
  }

  recorded(): KubeObject[] {
    return [...this.seen.values()];
  }
}

export function buildSnapshot(items: KubeObject[], meta: { kubernetesVersion: string; context: string | undefined; clusterId: string | null; now?: Date }): ClusterSnapshot {
  const sanitized = items.map(sanitize).filter((o): o is KubeObject => o !== null);
  sanitized.sort((a, b) => a.kind.localeCompare(b.kind) || (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'ClusterSnapshot',
    kubernetesVersion: meta.kubernetesVersion,
    capturedAt: (meta.now ?? new Date()).toISOString(),
    ...(meta.context ? { context: meta.context } : {}),
    ...(meta.clusterId ? { clusterId: meta.clusterId } : {}),
    integrity: snapshotIntegrity(sanitized),
    items: sanitized,
  };
}

/**
 * Keeps what discovery reads and nothing sensitive: managedFields go; Secrets other than Helm
 * release records are dropped (remote secrets keep their metadata only, `cacerts` its key names); Helm records are re-encoded without manifests or templates and
 * with values redacted, so a snapshot can be attached to a ticket.
 */
function sanitize(obj: KubeObject): KubeObject | null {
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  if (metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    const { ['kubectl.kubernetes.io/last-applied-configuration']: _dropped, ...rest } = metadata.annotations;
    metadata.annotations = rest;
  }
  const out: KubeObject = { ...obj, metadata };
  if (obj.kind === 'Secret') {
    // A remote secret's data is a kubeconfig with credentials: only its metadata (which cluster it names) is kept.
    if (metadata.labels?.['istio/multiCluster'] === 'true') return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, type: (obj as { type?: string }).type ?? 'Opaque' } as KubeObject;
    // The plugged-in CA: which keys it has decides whether istiod 1.26+ starts; the keys are kept, every value emptied.
    if (metadata.name === 'cacerts') {
      const keys = Object.keys((obj as { data?: Record<string, string> }).data ?? {});
      return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, type: (obj as { type?: string }).type ?? 'Opaque', data: Object.fromEntries(keys.map((k) => [k, ''])) } as KubeObject;
    }
    if ((obj as { type?: string }).type !== HELM_SECRET_TYPE && metadata.labels?.owner !== 'helm') return null;
    const data = (obj as { data?: Record<string, string> }).data;
    if (!data?.release) return { apiVersion: obj.apiVersion, kind: obj.kind, metadata, type: HELM_SECRET_TYPE } as KubeObject;
    return { ...out, type: HELM_SECRET_TYPE, data: { release: redactedRelease(data.release) }, metadata: { ...metadata, annotations: { ...metadata.annotations, [REDACTED_ANNOTATION]: 'values' } } };
  }
  if (obj.kind === 'Pod') return leanPodObject(out);
  if (obj.kind === 'ConfigMap') {
    const mesh = (out as { data?: Record<string, string> }).data?.mesh;
    delete (out as { data?: unknown }).data;
    delete (out as { binaryData?: unknown }).binaryData;
    // A mesh ConfigMap keeps which settings it has, as digests, so a plan from the snapshot can still compare an IstioOperator file with it.
    const already = out.metadata.annotations?.[MESH_DIGESTS[0]] === MESH_DIGESTS[1];
    const leaves = mesh === undefined ? null : already ? leavesOfDigestsText(mesh) : leavesOfMeshText(mesh);
    if (leaves) return { ...out, metadata: { ...out.metadata, annotations: { ...out.metadata.annotations, [MESH_DIGESTS[0]]: MESH_DIGESTS[1] } }, data: { mesh: meshDigestsText(leaves) } } as KubeObject;
  }
  return out;
}

function redactedRelease(payload: string): string {
  const rel = decodeReleasePayload(payload);
  const chart = (rel.chart ?? {}) as Record<string, unknown>;
  const slim = {
    name: rel.name,
    namespace: rel.namespace,
    version: rel.version,
    info: rel.info,
    chart: { metadata: chart.metadata },
    config: redactValues((rel.config ?? {}) as Record<string, unknown>),
    ...(rel.apply_method !== undefined ? { apply_method: rel.apply_method } : {}),
  };
  return encodeReleasePayload(slim);
}

function leanPodObject(pod: KubeObject): KubeObject {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const slimContainers = (v: unknown) => (Array.isArray(v) ? v.map((c: Record<string, unknown>) => ({ name: c.name, image: c.image })) : undefined);
  const status = (pod.status ?? {}) as Record<string, unknown>;
  return {
    apiVersion: pod.apiVersion,
    kind: pod.kind,
    metadata: pod.metadata,
    ...(pod.spec ? { spec: { containers: slimContainers(spec.containers), ...(spec.initContainers ? { initContainers: slimContainers(spec.initContainers) } : {}) } } : {}),
    ...(status.phase ? { status: { phase: status.phase } } : {}),
  };
}
