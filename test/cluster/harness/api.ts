/**
 * The harness's own small Kubernetes client (the simulated kubelets and istiod, setup and assertions): JSON over
 * HTTPS with the cluster CA and a bearer token. Not the product's client: the product is tested, the rig is not.
 */
import { request } from 'node:https';
import type { KObj } from '../../fakebin/src/kube.js';

/** An object as the API server returns it (apiVersion/kind absent in list items). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KObj['metadata'];
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

const PLURAL: Record<string, [group: string, plural: string, namespaced: boolean]> = {
  Namespace: ['v1', 'namespaces', false],
  Node: ['v1', 'nodes', false],
  Pod: ['v1', 'pods', true],
  Service: ['v1', 'services', true],
  Endpoints: ['v1', 'endpoints', true],
  ConfigMap: ['v1', 'configmaps', true],
  Secret: ['v1', 'secrets', true],
  ServiceAccount: ['v1', 'serviceaccounts', true],
  Deployment: ['apps/v1', 'deployments', true],
  StatefulSet: ['apps/v1', 'statefulsets', true],
  DaemonSet: ['apps/v1', 'daemonsets', true],
  ReplicaSet: ['apps/v1', 'replicasets', true],
  Lease: ['coordination.k8s.io/v1', 'leases', true],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io/v1', 'mutatingwebhookconfigurations', false],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io/v1', 'validatingwebhookconfigurations', false],
  CustomResourceDefinition: ['apiextensions.k8s.io/v1', 'customresourcedefinitions', false],
  ClusterRole: ['rbac.authorization.k8s.io/v1', 'clusterroles', false],
  ClusterRoleBinding: ['rbac.authorization.k8s.io/v1', 'clusterrolebindings', false],
};

/** `/api/v1/namespaces/ns/pods[/name]` for a kind. */
export function resourcePath(kind: string, namespace?: string, name?: string): string {
  const r = PLURAL[kind];
  if (!r) throw new Error(`api.ts knows no path for kind ${kind}`);
  const [gv, plural, namespaced] = r;
  const base = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
  const ns = namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export class Api {
  constructor(
    readonly server: string,
    private readonly ca: string,
    private readonly token: string,
  ) {}

  raw(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> {
    const url = new URL(path, this.server);
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.ca,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(data !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async json<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const r = await this.raw(method, path, body, contentType);
    if (r.status < 200 || r.status >= 300) throw new ApiError(r.status, r.text, `${method} ${path}`);
    return JSON.parse(r.text) as T;
  }

  async get<T = KubeObject>(kind: string, name: string, namespace?: string): Promise<T | undefined> {
    const r = await this.raw('GET', resourcePath(kind, namespace, name));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new ApiError(r.status, r.text, `GET ${kind} ${namespace ?? ''}/${name}`);
    return JSON.parse(r.text) as T;
  }

  async list<T = KubeObject>(kind: string, namespace?: string, query: Record<string, string> = {}): Promise<T[]> {
    const q = new URLSearchParams(query).toString();
    const r = await this.json<{ items: T[] }>('GET', `${resourcePath(kind, namespace)}${q ? `?${q}` : ''}`);
    return r.items;
  }

  create<T = KubeObject>(kind: string, obj: KubeObject): Promise<T> {
    return this.json<T>('POST', resourcePath(kind, obj.metadata.namespace), obj);
  }

  /** Creates, or replaces the existing object's spec/labels (setup helper). */
  async apply(kind: string, obj: KubeObject): Promise<KubeObject> {
    const r = await this.raw('POST', resourcePath(kind, obj.metadata.namespace), obj);
    if (r.status === 201 || r.status === 200) return JSON.parse(r.text) as KubeObject;
    if (r.status !== 409) throw new ApiError(r.status, r.text, `create ${kind} ${obj.metadata.name}`);
    return this.patch(kind, obj.metadata.name, obj.metadata.namespace, obj, 'merge');
  }

  patch<T = KubeObject>(kind: string, name: string, namespace: string | undefined, body: unknown, type: 'merge' | 'strategic' | 'json' = 'merge', subresource = '', fieldManager?: string): Promise<T> {
    const ct = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json' }[type];
    const q = fieldManager ? `?fieldManager=${encodeURIComponent(fieldManager)}` : '';
    return this.json<T>('PATCH', `${resourcePath(kind, namespace, name)}${subresource ? `/${subresource}` : ''}${q}`, body, ct);
  }

  async delete(kind: string, name: string, namespace?: string, body?: unknown): Promise<void> {
    const r = await this.raw('DELETE', resourcePath(kind, namespace, name), body);
    if (r.status !== 200 && r.status !== 202 && r.status !== 404) throw new ApiError(r.status, r.text, `DELETE ${kind} ${name}`);
  }
}
