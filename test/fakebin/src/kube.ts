/** A small Kubernetes REST client over node:http (no client library: the fakes must start fast). */
import http from 'node:http';
import https from 'node:https';
import { ApiError, UnreachableError } from './errors.js';
import type { ClusterTarget } from './kubeconfig.js';

export interface KObj {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

interface Kind {
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

/** The kinds the fakes read or write. */
export const KINDS: Record<string, Kind> = {
  Namespace: { apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  Node: { apiVersion: 'v1', plural: 'nodes', namespaced: false },
  Pod: { apiVersion: 'v1', plural: 'pods', namespaced: true },
  Service: { apiVersion: 'v1', plural: 'services', namespaced: true },
  ConfigMap: { apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  Secret: { apiVersion: 'v1', plural: 'secrets', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  MutatingWebhookConfiguration: { apiVersion: 'admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations', namespaced: false },
  ValidatingWebhookConfiguration: { apiVersion: 'admissionregistration.k8s.io/v1', plural: 'validatingwebhookconfigurations', namespaced: false },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false },
};

export function kindInfo(kind: string): Kind {
  const k = KINDS[kind];
  if (!k) throw new Error(`fake: unsupported kind ${kind}`);
  return k;
}

export function isNamespaced(kind: string): boolean {
  return kindInfo(kind).namespaced;
}

function basePath(kind: string, ns?: string): string {
  const k = kindInfo(kind);
  const prefix = k.apiVersion === 'v1' ? '/api/v1' : `/apis/${k.apiVersion}`;
  return k.namespaced && ns !== undefined ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${k.plural}` : `${prefix}/${k.plural}`;
}

export function objectPath(kind: string, name: string, ns?: string): string {
  return `${basePath(kind, kindInfo(kind).namespaced ? (ns ?? 'default') : undefined)}/${encodeURIComponent(name)}`;
}

export const key = (o: { kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${o.kind}/${isNamespaced(o.kind) ? (o.metadata.namespace ?? '') : ''}/${o.metadata.name}`;

export class Kube {
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly url: URL;
  private version?: { major: string; minor: string; gitVersion: string };

  constructor(readonly target: ClusterTarget) {
    this.url = new URL(target.server);
    const secure = this.url.protocol === 'https:';
    this.mod = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true, rejectUnauthorized: !target.insecure }) : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: unknown; text: string }> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.target.token) headers.Authorization = `Bearer ${this.target.token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = this.mod.request(
        { protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path: `${this.url.pathname.replace(/\/$/, '')}${path}`, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => {
        const host = `${this.url.hostname}:${this.url.port || (this.url.protocol === 'https:' ? 443 : 80)}`;
        const verb = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.code === 'ECONNRESET' ? 'read: connection reset by peer' : e.message;
        reject(new UnreachableError(`Get "${this.target.server}/version": dial tcp ${host}: ${verb}`));
      });
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private async call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r = await this.request(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return r.json;
    const st = r.json as { message?: string; reason?: string } | undefined;
    throw new ApiError(r.status, st?.message ?? (r.text || `the server responded with HTTP ${r.status}`), st?.reason);
  }

  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    this.version ??= (await this.call('GET', '/version')) as { major: string; minor: string; gitVersion: string };
    return this.version;
  }

  async get(kind: string, name: string, ns?: string): Promise<KObj | undefined> {
    try {
      return withKind((await this.call('GET', objectPath(kind, name, ns))) as KObj, kind);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(kind: string, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<KObj[]> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    const out: KObj[] = [];
    let cont: string | undefined;
    do {
      q.set('limit', '500');
      if (cont) q.set('continue', cont);
      else q.delete('continue');
      const r = (await this.call('GET', `${basePath(kind, opts.namespace)}?${q}`)) as { items?: KObj[]; metadata?: { continue?: string } };
      for (const it of r.items ?? []) out.push(withKind(it, kind));
      cont = r.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  async create(obj: KObj): Promise<KObj> {
    const o = structuredClone(obj);
    delete o.metadata.resourceVersion;
    delete o.metadata.uid;
    delete o.metadata.creationTimestamp;
    return withKind((await this.call('POST', basePath(o.kind, o.metadata.namespace ?? 'default'), o)) as KObj, o.kind);
  }

  async mergePatch(kind: string, name: string, ns: string | undefined, patch: unknown): Promise<KObj> {
    return withKind((await this.call('PATCH', objectPath(kind, name, ns), patch, 'application/merge-patch+json')) as KObj, kind);
  }

  async patchStatus(kind: string, name: string, ns: string | undefined, status: unknown): Promise<KObj> {
    return withKind((await this.call('PATCH', `${objectPath(kind, name, ns)}/status`, { status }, 'application/merge-patch+json')) as KObj, kind);
  }

  async replace(obj: KObj): Promise<KObj> {
    return withKind((await this.call('PUT', objectPath(obj.kind, obj.metadata.name, obj.metadata.namespace), obj)) as KObj, obj.kind);
  }

  /** Deletes; false when it was already gone. */
  async delete(kind: string, name: string, ns?: string): Promise<boolean> {
    try {
      await this.call('DELETE', objectPath(kind, name, ns));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
  }
}

function withKind(o: KObj, kind: string): KObj {
  if (!o.kind) o.kind = kind;
  if (!o.apiVersion) o.apiVersion = kindInfo(kind).apiVersion;
  return o;
}
