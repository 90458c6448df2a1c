import type { KubeObject } from './objects.js';
import type { ClusterSource, ListOptions } from './source.js';
import { apiVersionOf, collectionPath, type ResourceRef } from './resources.js';
import { ApiRequestError } from './api-errors.js';
import { KubeHttpClient } from './http-client.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY, realSleep } from './retry.js';
import { loadKubeConfig, type ConnectionOptions, type ResolvedKubeConfig } from './kubeconfig.js';
import { UserError } from '../errors.js';
import { Semaphore } from '../util/semaphore.js';

const PAGE_SIZE = 500;
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

interface ListBody {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: KubeObject[];
}

/** Reads a live cluster: paginated, selector-filtered, a few requests in flight at once. */
export class LiveSource implements ClusterSource {
  readonly kind = 'live' as const;
  private readonly gate = new Semaphore(6);

  constructor(
    readonly http: KubeHttpClient,
    readonly resolved: ResolvedKubeConfig,
  ) {}

  static async connect(opts: ConnectionOptions): Promise<LiveSource> {
    const resolved = await loadKubeConfig(opts);
    return new LiveSource(new KubeHttpClient(resolved.kc, resolved.contextName, resolved.server, DEFAULT_RETRY, realSleep, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS), resolved);
  }

  get context(): string {
    return this.resolved.contextName;
  }

  requestCount(): number {
    return this.http.requestCount();
  }

  async kubernetesVersion(): Promise<string> {
    const v = await this.call(() => this.http.getJson<{ gitVersion?: string; major?: string; minor?: string }>('/version'));
    const text = v?.gitVersion?.replace(/^v/, '') ?? (v?.major && v.minor ? `${v.major}.${v.minor.replace(/\D+$/, '')}.0` : undefined);
    if (!text) throw new UserError('the API server did not report its version (/version)');
    return text;
  }

  async get(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const path = `${collectionPath(resource, namespace)}/${encodeURIComponent(name)}`;
    const obj = await this.call(() => this.http.getJson<KubeObject>(path));
    return obj ? withType(obj, resource) : undefined;
  }

  async list(resource: ResourceRef, options: ListOptions = {}): Promise<KubeObject[]> {
    return this.listMapped(resource, options, (o) => o);
  }

  async listMapped<T>(resource: ResourceRef, options: ListOptions, map: (o: KubeObject) => T): Promise<T[]> {
    return this.gate.run(() => this.call(() => this.listAll(resource, options, map, true)));
  }

  /** Pages through a list; each page is projected and released before the next one is read. */
  private async listAll<T>(resource: ResourceRef, options: ListOptions, map: (o: KubeObject) => T, mayRestart: boolean): Promise<T[]> {
    const path = collectionPath(resource, options.namespace);
    const accept = options.metadataOnly ? METADATA_ONLY : 'application/json';
    const out: T[] = [];
    let cont: string | undefined;
    do {
      let page: ListBody | undefined;
      try {
        page = await this.http.getJson<ListBody>(
          path,
          { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: PAGE_SIZE, continue: cont },
          accept,
        );
      } catch (e) {
        // An expired continue token (410) means the snapshot is gone: start the list over once.
        if (e instanceof ApiRequestError && e.status === 410 && cont && mayRestart) return this.listAll(resource, options, map, false);
        throw e;
      }
      if (!page) return []; // resource not served: its CRD is not installed
      for (const item of page.items ?? []) out.push(map(withType(item, resource)));
      cont = page.metadata?.continue || undefined;
      page = undefined; // not kept alive while the next page is fetched and parsed
    } while (cont);
    return out;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.http.explain(e);
    }
  }
}

/** Built-in list items arrive without kind/apiVersion; metadata-only items say PartialObjectMetadata. */
function withType(obj: KubeObject, resource: ResourceRef): KubeObject {
  if (obj.kind !== resource.kind) {
    obj.kind = resource.kind;
    obj.apiVersion = apiVersionOf(resource);
  }
  return obj;
}
