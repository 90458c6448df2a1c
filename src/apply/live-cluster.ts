import * as k8s from '@kubernetes/client-node';
import { discover } from '../k8s/discover/index.js';
import type { Inventory } from '../k8s/inventory.js';
import { LiveSource } from '../k8s/live-source.js';
import type { KubeObject } from '../k8s/objects.js';
import { collectionPath, RESOURCES, type ResourceRef } from '../k8s/resources.js';
import type { ConnectionOptions } from '../k8s/kubeconfig.js';
import type { ApiAction, VerifySpec } from '../plan/schema.js';
import { fetchManifest } from './gateway-api-bundle.js';
import { performAction, type KubeWriter } from './api-actions.js';
import type { Permission } from './permissions.js';
import { markedFailedPayload, type HelmRecordWriter } from './pending-recovery.js';
import {
  ConflictError,
  NotFoundError,
  systemClock,
  type ActionContext,
  type Clock,
  type Cluster,
  type ConfigMapPort,
  type LeasePort,
  type LeaseState,
  type StoredConfigMap,
  type VerifyContext,
  type VerifyOutcome,
} from './ports.js';
import type { ObjectWatcher, WatchEnd } from './rollout-waiter.js';
import { helmSecrets, verifySpec, type VerifyDeps } from './verify.js';
import { idempotentWrite, timedApiClient, timedOut } from './kube-api.js';

/**
 * The Cluster port over a real API server: reads go through the lean raw reader the inventory
 * uses; writes, watches and server-side apply through client-node, with the patch content type
 * named on every call (client-node 1.x would otherwise send json-patch).
 */

function statusOf(e: unknown): { code: number | undefined; message: string } {
  if (e instanceof k8s.ApiException) {
    let message = '';
    try {
      const body = JSON.parse(String(e.body)) as { message?: string; reason?: string };
      message = `${body.reason ?? ''}${body.message ? `: ${body.message}` : ''}`;
    } catch {
      message = String(e.body ?? '').slice(0, 200);
    }
    return { code: e.code, message };
  }
  if (timedOut(e)) return { code: undefined, message: 'no answer within --request-timeout' };
  const err = e as NodeJS.ErrnoException;
  return { code: undefined, message: err?.code ? `${err.code} ${err.message ?? ''}`.trim() : String(err?.message ?? e) };
}

function failure(e: unknown, what: string): Error {
  const { code, message } = statusOf(e);
  if (code === 409) return new ConflictError(`${what}: 409 ${message}`);
  if (code === 404) return new NotFoundError(`${what}: 404 ${message}`);
  return new Error(`${what} failed${code ? ` (${code})` : ''}: ${message}`.split('\n')[0]!);
}

/** An idempotent write (retried on transient failures); false when its object does not exist. */
async function orAbsent(call: () => Promise<unknown>, what: string): Promise<boolean> {
  try {
    await idempotentWrite(call);
    return true;
  } catch (e) {
    if (statusOf(e).code === 404) return false;
    throw failure(e, what);
  }
}

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

/** KubernetesObjectApi fills a missing namespace from the kube context; rendered Istio objects belong in the Istio namespace instead. */
class NamespacedObjectApi extends k8s.KubernetesObjectApi {
  useNamespace(ns: string): this {
    this.defaultNamespace = ns;
    return this;
  }
}

class LiveWriter implements KubeWriter {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly ext: k8s.ApiextensionsV1Api;
  private readonly objects: NamespacedObjectApi;

  constructor(kc: k8s.KubeConfig, istioNamespace: string, timeoutMs: number) {
    this.core = timedApiClient(kc, k8s.CoreV1Api, timeoutMs);
    this.apps = timedApiClient(kc, k8s.AppsV1Api, timeoutMs);
    this.ext = timedApiClient(kc, k8s.ApiextensionsV1Api, timeoutMs);
    this.objects = timedApiClient(kc, NamespacedObjectApi, timeoutMs).useNamespace(istioNamespace);
  }

  mergePatch(resource: ResourceRef, name: string, namespace: string | undefined, body: object): Promise<boolean> {
    const what = `merge-patch ${resource.plural} ${namespace ? `${namespace}/` : ''}${name}`;
    if (resource === RESOURCES.crds) return orAbsent(() => this.ext.patchCustomResourceDefinition({ name, body }, merge), what);
    if (resource === RESOURCES.namespaces) return orAbsent(() => this.core.patchNamespace({ name, body }, merge), what);
    const spec = { apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, kind: resource.kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...body };
    return orAbsent(() => this.objects.patch(spec, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch), what);
  }

  strategicPatch(resource: ResourceRef, name: string, namespace: string, body: object): Promise<boolean> {
    const what = `patch ${resource.kind} ${namespace}/${name}`;
    if (resource === RESOURCES.deployments) return orAbsent(() => this.apps.patchNamespacedDeployment({ name, namespace, body }, strategic), what);
    if (resource === RESOURCES.statefulSets) return orAbsent(() => this.apps.patchNamespacedStatefulSet({ name, namespace, body }, strategic), what);
    if (resource === RESOURCES.daemonSets) return orAbsent(() => this.apps.patchNamespacedDaemonSet({ name, namespace, body }, strategic), what);
    throw new Error(`strategic merge patch of ${resource.kind} is not supported`);
  }

  deleteObject(o: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<boolean> {
    return orAbsent(() => this.objects.delete({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace } }), `delete ${o.kind} ${o.namespace}/${o.name}`);
  }

  async serverSideApply(obj: KubeObject, fieldManager: string): Promise<void> {
    try {
      await idempotentWrite(() => this.objects.patch(obj as k8s.KubernetesObject, undefined, undefined, fieldManager, true, k8s.PatchStrategy.ServerSideApply));
    } catch (e) {
      throw failure(e, `server-side apply of ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`);
    }
  }
}

class LiveWatcher implements ObjectWatcher {
  constructor(
    private readonly kc: k8s.KubeConfig,
    /** Limit for the watch to be established (its response headers); the stream itself may then run long. */
    private readonly connectTimeoutMs: number,
  ) {}

  watch(resource: ResourceRef, namespace: string, name: string, resourceVersion: string | undefined, timeoutSeconds: number, onEvent: (obj: KubeObject) => void, signal: AbortSignal): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve, reject) => {
      let expired = false;
      let connected = false;
      let gaveUp = false;
      const connectTimer = setTimeout(() => {
        gaveUp = !connected;
        if (gaveUp) reject(Object.assign(new Error(`watch of ${resource.plural} ${namespace}/${name} not established within ${this.connectTimeoutMs / 1000}s (--request-timeout)`), { code: 'ETIMEDOUT' }));
      }, this.connectTimeoutMs);
      const query: Record<string, string | number | boolean> = { fieldSelector: `metadata.name=${name}`, timeoutSeconds, allowWatchBookmarks: true };
      if (resourceVersion) query.resourceVersion = resourceVersion;
      new k8s.Watch(this.kc)
        .watch(
          collectionPath(resource, namespace),
          query,
          (type: string, obj: KubeObject & { code?: number }) => {
            if (type === 'ERROR') {
              if (obj?.code === 410) expired = true;
              return;
            }
            if (type !== 'BOOKMARK') onEvent(obj);
          },
          (err: (Error & { statusCode?: number }) | null) => {
            clearTimeout(connectTimer);
            if (err?.statusCode === 410 || expired) resolve('expired');
            else if (err && !signal.aborted) reject(err);
            else resolve('ended');
          },
        )
        .then((controller) => {
          connected = true;
          clearTimeout(connectTimer);
          if (signal.aborted || gaveUp) controller.abort();
          else signal.addEventListener('abort', () => controller.abort(), { once: true });
        }, (e: unknown) => {
          clearTimeout(connectTimer);
          reject(e);
        });
    });
  }
}

function toLease(o: KubeObject): LeaseState {
  const spec = (o as { spec?: Record<string, unknown> }).spec ?? {};
  return {
    holderIdentity: String(spec.holderIdentity ?? ''),
    leaseDurationSeconds: Number(spec.leaseDurationSeconds ?? 0),
    acquireTime: String(spec.acquireTime ?? ''),
    renewTime: String(spec.renewTime ?? ''),
    annotations: o.metadata.annotations ?? {},
    ...(o.metadata.resourceVersion ? { resourceVersion: o.metadata.resourceVersion } : {}),
  };
}

class LiveLeases implements LeasePort {
  constructor(
    private readonly api: k8s.CoordinationV1Api,
    private readonly source: LiveSource,
  ) {}

  private body(name: string, namespace: string, l: LeaseState): k8s.V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, annotations: l.annotations, labels: { 'app.kubernetes.io/managed-by': 'istio-upgrade' }, ...(l.resourceVersion ? { resourceVersion: l.resourceVersion } : {}) },
      spec: {
        holderIdentity: l.holderIdentity,
        leaseDurationSeconds: l.leaseDurationSeconds,
        // MicroTime strings pass through client-node's serializer untouched.
        acquireTime: l.acquireTime as unknown as k8s.V1MicroTime,
        renewTime: l.renewTime as unknown as k8s.V1MicroTime,
      },
    };
  }

  async get(namespace: string, name: string): Promise<LeaseState | undefined> {
    const o = await this.source.get(RESOURCES.leases, name, namespace);
    return o ? toLease(o) : undefined;
  }

  async create(namespace: string, name: string, lease: LeaseState): Promise<LeaseState> {
    try {
      return toLease((await this.api.createNamespacedLease({ namespace, body: this.body(name, namespace, lease) })) as unknown as KubeObject);
    } catch (e) {
      throw failure(e, `create Lease ${namespace}/${name}`);
    }
  }

  async replace(namespace: string, name: string, lease: LeaseState): Promise<LeaseState> {
    try {
      return toLease((await idempotentWrite(() => this.api.replaceNamespacedLease({ name, namespace, body: this.body(name, namespace, lease) }))) as unknown as KubeObject);
    } catch (e) {
      throw failure(e, `update Lease ${namespace}/${name}`);
    }
  }

  async delete(namespace: string, name: string, resourceVersion: string | undefined): Promise<void> {
    await orAbsent(() => this.api.deleteNamespacedLease({ name, namespace, ...(resourceVersion ? { body: { preconditions: { resourceVersion } } } : {}) }), `delete Lease ${namespace}/${name}`);
  }
}

class LiveConfigMaps implements ConfigMapPort {
  constructor(
    private readonly api: k8s.CoreV1Api,
    private readonly source: LiveSource,
  ) {}

  private static from(o: KubeObject | k8s.V1ConfigMap): StoredConfigMap {
    const m = o.metadata ?? { name: '' };
    return { name: m.name ?? '', labels: m.labels ?? {}, data: (o as { data?: Record<string, string> }).data ?? {}, ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) };
  }

  private body(namespace: string, cm: StoredConfigMap): k8s.V1ConfigMap {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm.name, namespace, labels: cm.labels, ...(cm.resourceVersion ? { resourceVersion: cm.resourceVersion } : {}) }, data: cm.data };
  }

  async get(namespace: string, name: string): Promise<StoredConfigMap | undefined> {
    const o = await this.source.get(RESOURCES.configMaps, name, namespace);
    return o ? LiveConfigMaps.from(o) : undefined;
  }

  async create(namespace: string, cm: StoredConfigMap): Promise<StoredConfigMap> {
    try {
      return LiveConfigMaps.from(await this.api.createNamespacedConfigMap({ namespace, body: this.body(namespace, cm) }));
    } catch (e) {
      throw failure(e, `create ConfigMap ${namespace}/${cm.name}`);
    }
  }

  async replace(namespace: string, cm: StoredConfigMap): Promise<StoredConfigMap> {
    try {
      return LiveConfigMaps.from(await idempotentWrite(() => this.api.replaceNamespacedConfigMap({ name: cm.name, namespace, body: this.body(namespace, cm) })));
    } catch (e) {
      throw failure(e, `update ConfigMap ${namespace}/${cm.name}`);
    }
  }

  async list(namespace: string, labelSelector: string): Promise<StoredConfigMap[]> {
    return (await this.source.list(RESOURCES.configMaps, { namespace, labelSelector })).map((o) => LiveConfigMaps.from(o));
  }
}

/** Helm's release records, for the one change istio-upgrade makes to them: marking a stuck pending-install failed. */
class LiveHelmRecords implements HelmRecordWriter {
  constructor(private readonly api: k8s.CoreV1Api) {}

  async markFailed(namespace: string, release: string, revision: number, description: string): Promise<void> {
    const name = `sh.helm.release.v1.${release}.v${revision}`;
    try {
      const secret = await this.api.readNamespacedSecret({ name, namespace });
      const payload = secret.data?.release;
      if (!payload) throw new Error(`Secret ${namespace}/${name} holds no release record`);
      // resourceVersion kept: a helm that wrote the record meanwhile makes this a conflict, not a lost update.
      const body: k8s.V1Secret = { ...secret, metadata: { ...secret.metadata, labels: { ...secret.metadata?.labels, status: 'failed' } }, data: { ...secret.data, release: markedFailedPayload(payload, description) } };
      await this.api.replaceNamespacedSecret({ name, namespace, body });
    } catch (e) {
      throw failure(e, `mark Helm release record ${namespace}/${name} failed`);
    }
  }
}

export class LiveCluster implements Cluster {
  readonly leases: LeasePort;
  readonly configMaps: ConfigMapPort;
  readonly helmRecords: HelmRecordWriter;
  private readonly writer: LiveWriter;
  private readonly verifyDeps: VerifyDeps;

  constructor(
    readonly source: LiveSource,
    readonly istioNamespace: string,
    private readonly clock: Clock = systemClock,
  ) {
    const kc = source.resolved.kc;
    const core = timedApiClient(kc, k8s.CoreV1Api, source.http.requestTimeoutMs);
    this.leases = new LiveLeases(timedApiClient(kc, k8s.CoordinationV1Api, source.http.requestTimeoutMs), source);
    this.configMaps = new LiveConfigMaps(core, source);
    this.helmRecords = new LiveHelmRecords(core);
    this.writer = new LiveWriter(kc, istioNamespace, source.http.requestTimeoutMs);
    this.verifyDeps = { reader: source, watcher: new LiveWatcher(kc, source.http.requestTimeoutMs), clock, istioNamespace, inventory: () => this.inventory() };
  }

  static async connect(opts: ConnectionOptions, istioNamespace: string): Promise<LiveCluster> {
    return new LiveCluster(await LiveSource.connect(opts), istioNamespace);
  }

  get context(): string {
    return this.source.context;
  }

  /** The files helm and istioctl must read to reach the same cluster. */
  get kubeconfigFiles(): string[] {
    return this.source.resolved.files;
  }

  async clusterId(): Promise<string | null> {
    return (await this.source.get(RESOURCES.namespaces, 'kube-system'))?.metadata.uid ?? null;
  }

  inventory(): Promise<Inventory> {
    return discover(this.source, { istioNamespace: this.istioNamespace });
  }

  act(action: ApiAction, ctx: ActionContext): Promise<void> {
    return performAction(action, ctx, { writer: this.writer, reader: this.source, inventory: () => this.inventory(), now: () => this.clock.now(), fetchManifest: (url, signal) => this.fetchManifest(url, signal) });
  }

  /** A release manifest the plan names, bounded by --request-timeout (gateway-api-bundle.ts). */
  fetchManifest(url: string, signal?: AbortSignal): Promise<string> {
    return fetchManifest(url, this.source.http.requestTimeoutMs, signal);
  }

  verify(spec: VerifySpec, ctx: VerifyContext): Promise<VerifyOutcome> {
    return verifySpec(spec, ctx, this.verifyDeps);
  }

  /** SelfSubjectAccessReview: whether the identity in use may do `p` (a read-only question; nothing is stored). */
  async reviewAccess(p: Permission): Promise<boolean> {
    const api = timedApiClient(this.source.resolved.kc, k8s.AuthorizationV1Api, this.source.http.requestTimeoutMs);
    const r = await api.createSelfSubjectAccessReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: p.verb, group: p.group, resource: p.resource, ...(p.namespace ? { namespace: p.namespace } : {}) } } },
    });
    return r.status?.allowed === true;
  }

  async helmRevision(release: string, namespace: string): Promise<number | null> {
    return (await this.helmStatus(release, namespace))?.revision ?? null;
  }

  async helmStatus(release: string, namespace: string): Promise<{ revision: number; status: string } | null> {
    return (await this.helmHistory(release, namespace)).at(-1) ?? null;
  }

  async helmHistory(release: string, namespace: string): Promise<{ revision: number; status: string }[]> {
    return (await helmSecrets(this.verifyDeps, release, namespace))
      .map((s) => ({ revision: Number(s.metadata.labels?.version ?? 0), status: s.metadata.labels?.status ?? 'unknown' }))
      .filter((r) => r.revision > 0)
      .reverse();
  }
}
