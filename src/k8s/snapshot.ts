import { load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { ExitCode, UserError } from '../errors.js';
import type { KubeObject } from './objects.js';
import type { ClusterSource, ListOptions } from './source.js';
import type { ResourceRef } from './resources.js';
import { matchesFields, matchesLabels, parseLabelSelector } from './selectors.js';
import { formatZodIssue } from '../util/zod-errors.js';
import { readRegularFile } from '../util/regular-file.js';
import { sha256Of } from '../util/canonical-json.js';

export const SNAPSHOT_API_VERSION = 'istio-upgrade/v1';

const objectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z
      .object({
        // What no API server accepts cannot come from a cluster: a 100k-character name, a right-to-left override.
        name: z.string().min(1).max(253).regex(/^[^\p{C}\s]+$/u, 'not a Kubernetes object name (no spaces or control characters)'),
        namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'not a namespace name (a DNS-1123 label: lowercase letters, digits and -, at most 63)').optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .loose(),
  })
  .loose();

const k8sVersion = z.string().regex(/^v?\d+\.\d+(\.\d+)?([-+].*)?$/, 'expected a Kubernetes version such as 1.30.2');

export const clusterSnapshotSchema = z.object({
  apiVersion: z.literal(SNAPSHOT_API_VERSION),
  kind: z.literal('ClusterSnapshot'),
  kubernetesVersion: k8sVersion,
  capturedAt: z.string().optional(),
  context: z.string().optional(),
  clusterId: z.string().optional(),
  /** Written by `snapshot`: how many items, and their digest, so a file cut at an item boundary is caught. */
  integrity: z.object({ items: z.number().int().min(0), digest: z.string() }).optional(),
  items: z.array(objectSchema),
});

const kubectlListSchema = z.object({
  apiVersion: z.string(),
  kind: z.literal('List'),
  items: z.array(objectSchema),
});

export interface ClusterSnapshot {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: 'ClusterSnapshot';
  kubernetesVersion: string;
  capturedAt?: string;
  context?: string;
  clusterId?: string;
  integrity?: { items: number; digest: string };
  items: KubeObject[];
  /** Not serialised: whether the item count and digest were present and matched (a plain List never is). */
  verified?: boolean;
}

export function snapshotIntegrity(items: KubeObject[]): { items: number; digest: string } {
  return { items: items.length, digest: sha256Of(items) };
}

/** Parses a ClusterSnapshot (YAML or JSON) or a `kubectl get -o yaml` List. */
export function parseSnapshot(text: string, origin: string, kubernetesVersion?: string): ClusterSnapshot {
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new UserError(`${origin}: not valid YAML or JSON: ${reason}`);
  }
  if (!doc || typeof doc !== 'object') throw new UserError(`${origin}: expected a ClusterSnapshot or a List, got ${doc === null ? 'nothing' : typeof doc}`);
  const kind = (doc as { kind?: unknown }).kind;
  if (kind === 'List') {
    const parsed = kubectlListSchema.safeParse(doc);
    if (!parsed.success) throw new UserError(`${origin}: ${formatZodIssue(parsed.error)}`);
    if (!kubernetesVersion) {
      throw new UserError(`${origin} is a plain List with no server version: pass --kubernetes-version (e.g. 1.30.2)`, ExitCode.usage);
    }
    const version = k8sVersion.safeParse(kubernetesVersion);
    if (!version.success) throw new UserError(`--kubernetes-version "${kubernetesVersion}": expected a version such as 1.30.2`, ExitCode.usage);
    return {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'ClusterSnapshot',
      kubernetesVersion: kubernetesVersion.replace(/^v/, ''),
      items: parsed.data.items as KubeObject[],
      verified: false,
    };
  }
  const parsed = clusterSnapshotSchema.safeParse(doc);
  if (!parsed.success) throw new UserError(`${origin}: ${formatZodIssue(parsed.error)}`);
  const snap = parsed.data as ClusterSnapshot;
  if (snap.integrity) {
    const found = snapshotIntegrity(snap.items);
    if (found.items !== snap.integrity.items) {
      throw new UserError(`${origin} is damaged: it says ${snap.integrity.items} items but holds ${found.items} (cut short or edited); write it again with istio-upgrade snapshot --out`);
    }
    if (found.digest !== snap.integrity.digest) {
      throw new UserError(`${origin} is damaged: its items do not match the digest it records (edited after it was written); write it again with istio-upgrade snapshot --out`);
    }
  }
  snap.verified = snap.integrity !== undefined;
  if (kubernetesVersion) snap.kubernetesVersion = kubernetesVersion;
  snap.kubernetesVersion = snap.kubernetesVersion.replace(/^v/, '');
  return snap;
}

export async function readSnapshotFile(path: string, kubernetesVersion?: string): Promise<ClusterSnapshot> {
  // Node cannot hold a string much over 512 MiB; a snapshot of a 50k-pod cluster is a few tens of MiB.
  const text = await readRegularFile(path, { what: 'snapshot', maxBytes: 256 * 1024 * 1024, fix: 'pass a file written by istio-upgrade snapshot --out' });
  if (!text.trim()) throw new UserError(`snapshot ${path} is empty: write one with istio-upgrade snapshot --out ${path}`);
  return parseSnapshot(text, path, kubernetesVersion);
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Serves a snapshot with the same list semantics as the API server (selectors, scoping). */
export class SnapshotSource implements ClusterSource {
  readonly kind = 'snapshot' as const;
  private readonly byKind = new Map<string, KubeObject[]>();

  constructor(readonly snapshot: ClusterSnapshot) {
    for (const item of snapshot.items) {
      const key = `${groupOf(item.apiVersion)}/${item.kind}`;
      let bucket = this.byKind.get(key);
      if (!bucket) this.byKind.set(key, (bucket = []));
      bucket.push(item);
    }
  }

  get context(): string | undefined {
    return this.snapshot.context;
  }

  get capturedAt(): string | undefined {
    return this.snapshot.capturedAt;
  }

  /** The file carried an item count and digest that matched; a plain List or an older snapshot did not. */
  get verified(): boolean {
    return this.snapshot.verified === true;
  }

  async kubernetesVersion(): Promise<string> {
    return this.snapshot.kubernetesVersion;
  }

  requestCount(): number {
    return 0;
  }

  async listMapped<T>(resource: ResourceRef, options: ListOptions, map: (o: KubeObject) => T): Promise<T[]> {
    return (await this.list(resource, options)).map(map);
  }

  async list(resource: ResourceRef, options: ListOptions = {}): Promise<KubeObject[]> {
    const items = this.byKind.get(`${resource.group}/${resource.kind}`) ?? [];
    const labelReqs = parseLabelSelector(options.labelSelector);
    return items.filter(
      (o) =>
        (!options.namespace || o.metadata.namespace === options.namespace) &&
        matchesLabels(labelReqs, o.metadata.labels) &&
        matchesFields(options.fieldSelector, (path) => snapshotField(o, path)),
    );
  }

  async get(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const items = this.byKind.get(`${resource.group}/${resource.kind}`) ?? [];
    return items.find((o) => o.metadata.name === name && (!resource.namespaced || o.metadata.namespace === namespace));
  }
}

function snapshotField(o: KubeObject, path: string): string | undefined {
  if (path === 'metadata.name') return o.metadata.name;
  if (path === 'metadata.namespace') return o.metadata.namespace;
  let cur: unknown = o;
  for (const key of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur === undefined ? undefined : String(cur);
}
