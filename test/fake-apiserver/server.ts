/** The HTTP side of the fake kube-apiserver: routing, verbs, content negotiation, watch, faults, RBAC, auth. */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import fjp, { type Operation } from 'fast-json-patch';
import yaml from 'js-yaml';
import { writeKubeconfig as writeKubeconfigFile } from '../support/kubeconfig.js';
import { applyMerge, deepEqual, fieldsV1, isObj, mergePatch, strategicMerge } from './patch.js';
import { apiVersionOf, CRD_GK, NAMESPACE_GK, splitApiVersion, type ResourceType } from './registry.js';
import { matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { ApiError, errors, failureStatus, qualified, reasonFor } from './status.js';
import { Store, type Entry, type StoreEvent } from './store.js';
import type { Fault, FakeApiServer, FakeApiServerOptions, ForbidRule, KubeconfigOptions, KubeObject, RequestRecord } from './types.js';

type Obj = Record<string, unknown>;

const JSON_PATCH = 'application/json-patch+json';
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
const APPLY_PATCH = 'application/apply-patch+yaml';
const PARTIAL_LIST_CT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const PARTIAL_CT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const MAX_SNAPSHOTS = 256;
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  rec: RequestRecord;
  url: URL;
  q: URLSearchParams;
  body: string;
}

interface Target {
  group: string;
  version: string;
  plural: string;
  ns: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  watch: boolean;
}

interface Snapshot {
  id: string;
  gk: string;
  ns: string | undefined;
  entries: Entry[];
  rv: number;
}

interface Watcher {
  rt: ResourceType;
  apiVersion: string;
  ns: string | undefined;
  match: (o: KubeObject) => boolean;
  partial: boolean;
  res: http.ServerResponse;
  timers: NodeJS.Timeout[];
  closed: boolean;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The object as served under `apiVersion` (kind/apiVersion first, like the real server). */
function withVersion(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  if (obj.apiVersion === apiVersion && obj.kind === kind) return obj;
  return { ...obj, apiVersion, kind };
}

/** Strips `time` from managedFields and the resourceVersion, for no-op detection. */
function comparable(o: KubeObject): Obj {
  const meta: Obj = { ...o.metadata };
  delete meta['resourceVersion'];
  if (Array.isArray(meta['managedFields'])) {
    meta['managedFields'] = (meta['managedFields'] as Obj[]).map((m) => {
      const c = { ...m };
      delete c['time'];
      return c;
    });
  }
  return { ...o, metadata: meta };
}

/** Everything except metadata and status (what a generation bump looks at). */
function specPart(o: KubeObject): Obj {
  const c: Obj = { ...o };
  delete c['metadata'];
  delete c['status'];
  delete c['apiVersion'];
  delete c['kind'];
  return c;
}

export class FakeApiServerImpl implements FakeApiServer {
  url = '';
  port = 0;
  readonly requests: RequestRecord[] = [];
  readonly store: Store;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly activeFaults: ActiveFault[] = [];
  private readonly forbidden: ForbidRule[] = [];
  private readonly token: string;
  private readonly user: string;
  private readonly kubeVersion: string;
  private readonly bookmarkIntervalMs: number;
  private snapshotSeq = 0;
  private closing = false;

  readonly faults = {
    add: (f: Fault): void => {
      this.activeFaults.push({ fault: f, remaining: f.times ?? 1 });
    },
    clear: (): void => {
      this.activeFaults.length = 0;
    },
  };

  constructor(private readonly opts: FakeApiServerOptions = {}) {
    this.store = new Store(opts.eventLogSize ?? 10_000);
    this.token = opts.token ?? 'test-token';
    this.user = opts.user ?? 'test-user';
    this.kubeVersion = (opts.kubernetesVersion ?? '1.30.2').replace(/^v/, '');
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (s: Socket) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.store.listeners.add((ev) => this.dispatch(ev));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('fake apiserver: no TCP address');
    this.port = addr.port;
    const host = this.opts.host && this.opts.host !== '0.0.0.0' ? this.opts.host : '127.0.0.1';
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  }

  // ---------------------------------------------------------------- public API

  load(objects: KubeObject[]): void {
    for (const o of objects) this.loadOne(clone(o));
  }

  loadWithoutCopy(objects: KubeObject[]): void {
    for (const o of objects) this.loadOne(o);
  }

  private loadOne(obj: KubeObject): void {
    if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !isObj(obj.metadata) || typeof obj.metadata.name !== 'string') {
      throw new Error(`fake apiserver: cannot load an object without apiVersion, kind and metadata.name: ${JSON.stringify(obj).slice(0, 200)}`);
    }
    const [group] = splitApiVersion(obj.apiVersion);
    const meta = obj.metadata;
    const rt = this.store.registry.byKind(group, obj.kind) ?? this.store.registry.infer(obj.apiVersion, obj.kind, !!meta.namespace);
    if (rt.namespaced) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    const existing = this.store.get(rt.gk, meta.namespace ?? '', meta.name)?.obj.metadata;
    if (meta['uid'] === undefined) meta['uid'] = existing?.['uid'] ?? randomUUID();
    if (meta['creationTimestamp'] === undefined) meta['creationTimestamp'] = existing?.['creationTimestamp'] ?? nowIso();
    const rv = meta['resourceVersion'];
    if (typeof rv === 'string' && /^\d+$/.test(rv)) this.store.observeRv(Number(rv));
    const seq = this.store.nextRv();
    if (rv === undefined || rv === '') meta['resourceVersion'] = String(seq);
    this.store.put(rt, obj, seq);
  }

  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    const [group] = splitApiVersion(apiVersion);
    const rt = this.store.registry.byKind(group, kind);
    if (!rt) return undefined;
    const e = this.store.get(rt.gk, rt.namespaced ? (namespace ?? 'default') : '', name);
    return e ? { ...clone(e.obj), apiVersion } : undefined;
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const [group] = splitApiVersion(apiVersion);
    const rt = this.store.registry.byKind(group, kind);
    if (!rt) return [];
    return this.store.sorted(rt.gk, rt.namespaced ? namespace : undefined).map((e) => ({ ...clone(e.obj), apiVersion }));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  forbid(rule: ForbidRule): void {
    this.forbidden.push({ ...rule });
  }

  clearForbidden(): void {
    this.forbidden.length = 0;
  }

  expireContinueTokens(): void {
    this.snapshots.clear();
  }

  resourceVersion(): number {
    return this.store.resourceVersion;
  }

  onChange(listener: (change: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; kind: string; namespace: string; name: string }) => void): () => void {
    const l = (ev: StoreEvent) => {
      const meta = (ev.cur.obj as KubeObject).metadata;
      listener({ type: ev.type, kind: (ev.cur.obj as KubeObject).kind, namespace: meta.namespace ?? '', name: meta.name });
    };
    this.store.listeners.add(l);
    return () => this.store.listeners.delete(l);
  }

  prewarm(): void {
    for (const rt of this.store.registry.all()) {
      const av = apiVersionOf(rt.group, rt.versions[0] ?? 'v1');
      for (const e of this.store.sorted(rt.gk)) {
        this.itemJson(rt, e, av);
        this.metaJson(e);
      }
    }
  }

  writeKubeconfig(path: string, opts: KubeconfigOptions = {}): void {
    writeKubeconfigFile(path, { server: this.url, token: this.token, ...opts });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const w of [...this.watchers]) this.endWatch(w);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // ---------------------------------------------------------------- request plumbing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const rec: RequestRecord = { method: req.method ?? 'GET', path: url.pathname, query, headers: flattenHeaders(req.headers), status: 0, at: Date.now() };
    this.requests.push(rec);
    const ctx: Ctx = { req, res, rec, url, q: url.searchParams, body: '' };
    try {
      ctx.body = await readBody(req);
      if (ctx.body) rec.body = ctx.body;
      const fault = this.takeFault(rec, url.pathname + url.search);
      if (fault && (await this.applyFault(ctx, fault))) return;
      if (req.headers.authorization !== `Bearer ${this.token}`) throw errors.unauthorized();
      await this.route(ctx);
    } catch (e) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (e instanceof ApiError) this.sendStatus(ctx, e);
      else this.sendStatus(ctx, new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private send(ctx: Ctx, code: number, body: string, contentType = 'application/json', headers: Record<string, string> = {}): void {
    ctx.rec.status = code;
    if (ctx.res.destroyed) return;
    ctx.res.writeHead(code, {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-cache, private',
      ...headers,
    });
    ctx.res.end(body);
  }

  private sendJson(ctx: Ctx, code: number, value: unknown, contentType?: string): void {
    this.send(ctx, code, JSON.stringify(value), contentType);
  }

  private sendStatus(ctx: Ctx, e: ApiError): void {
    this.send(ctx, e.code, JSON.stringify(e.toStatus()), 'application/json', e.headers);
  }

  private takeFault(rec: RequestRecord, full: string): Fault | undefined {
    for (let i = 0; i < this.activeFaults.length; i++) {
      const af = this.activeFaults[i]!;
      const f = af.fault;
      if (af.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== rec.method.toUpperCase()) continue;
      let hit: boolean;
      if (typeof f.path === 'string') hit = f.path === full || f.path === rec.path;
      else {
        f.path.lastIndex = 0;
        hit = f.path.test(full);
      }
      if (!hit || (f.when && !f.when(rec))) continue;
      af.remaining--;
      if (af.remaining <= 0) this.activeFaults.splice(i, 1);
      return f;
    }
    return undefined;
  }

  /** Returns true when the fault produced the response (or dropped the connection). */
  private async applyFault(ctx: Ctx, f: Fault): Promise<boolean> {
    if (f.delayMs && f.delayMs > 0) {
      // A client that goes away while the request is held ends its handling, as a real server's request context would.
      const socket = ctx.req.socket;
      let onClose: () => void = () => undefined;
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        new Promise<false>((r) => (timer = setTimeout(() => r(false), f.delayMs))),
        new Promise<true>((r) => {
          onClose = () => r(true);
          if (socket.destroyed) r(true);
          else socket.once('close', onClose);
        }),
      ]);
      clearTimeout(timer);
      socket.off('close', onClose);
      if (gone) {
        ctx.rec.status = 0;
        return true;
      }
    }
    if (f.drop) {
      ctx.rec.status = 0;
      ctx.req.socket.destroy();
      return true;
    }
    if (f.status !== undefined) {
      const { reason, message } = reasonFor(f.status);
      const headers: Record<string, string> = {};
      let retry = f.retryAfterSeconds;
      if (retry === undefined && f.status === 429) retry = 1;
      if (retry !== undefined) headers['Retry-After'] = String(retry);
      let body: unknown;
      if (f.body) body = f.body;
      else if (f.status >= 400) body = failureStatus(f.status, reason, message, retry !== undefined ? { retryAfterSeconds: retry } : {});
      else body = {};
      this.send(ctx, f.status, JSON.stringify(body), 'application/json', headers);
      return true;
    }
    if (f.body) {
      this.sendJson(ctx, 200, f.body);
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- routing

  private async route(ctx: Ctx): Promise<void> {
    let segs: string[];
    try {
      segs = ctx.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw errors.badRequest('malformed URL path');
    }
    const method = ctx.rec.method;
    const head = segs[0];
    if (head === 'version' && segs.length === 1) return this.discoveryGet(ctx, () => this.versionInfo());
    if ((head === 'healthz' || head === 'livez' || head === 'readyz') && segs.length === 1) {
      if (method !== 'GET') throw errors.methodNotAllowed();
      return this.send(ctx, 200, 'ok', 'text/plain; charset=utf-8');
    }
    if (head === 'api') {
      if (segs.length === 1) {
        return this.discoveryGet(ctx, () => ({
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
        }));
      }
      if (segs[1] !== 'v1') throw errors.pathNotFound();
      if (segs.length === 2) return this.discoveryGet(ctx, () => this.resourceList('', 'v1'));
      return this.resource(ctx, '', 'v1', segs.slice(2));
    }
    if (head === 'apis' && segs.slice(1).join('/') === 'authorization.k8s.io/v1/selfsubjectaccessreviews') return this.selfSubjectAccessReview(ctx);
    if (head === 'apis' && segs.slice(1).join('/') === 'authentication.k8s.io/v1/selfsubjectreviews' && this.servesSelfSubjectReview()) return this.selfSubjectReview(ctx);
    if (head === 'apis') {
      if (segs.length === 1) {
        return this.discoveryGet(ctx, () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: this.store.registry.groups().map((g) => this.apiGroup(g)) }));
      }
      const group = segs[1]!;
      const g = this.store.registry.groups().find((x) => x.name === group);
      if (!g) throw errors.pathNotFound();
      if (segs.length === 2) return this.discoveryGet(ctx, () => ({ kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroup(g) }));
      const version = segs[2]!;
      if (!g.versions.includes(version)) throw errors.pathNotFound();
      if (segs.length === 3) return this.discoveryGet(ctx, () => this.resourceList(group, version));
      return this.resource(ctx, group, version, segs.slice(3));
    }
    throw errors.pathNotFound();
  }

  private discoveryGet(ctx: Ctx, build: () => unknown): void {
    if (ctx.rec.method !== 'GET') throw errors.methodNotAllowed();
    this.sendJson(ctx, 200, build());
  }

  private versionInfo(): Obj {
    const [major = '1', minor = '30'] = this.kubeVersion.split('.');
    return {
      major,
      minor,
      gitVersion: `v${this.kubeVersion}`,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2024-06-11T20:20:00Z',
      goVersion: 'go1.22.4',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }

  private apiGroup(g: { name: string; versions: string[] }): Obj {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
    return { name: g.name, versions, preferredVersion: versions[0] };
  }

  private resourceList(group: string, version: string): Obj {
    const resources = this.store.registry.resourcesFor(group, version);
    if (!resources) throw errors.pathNotFound();
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
  }

  private resource(ctx: Ctx, group: string, version: string, segsIn: string[]): Promise<void> | void {
    let segs = segsIn;
    let watch = false;
    if (segs[0] === 'watch') {
      watch = true;
      segs = segs.slice(1);
    }
    const wq = ctx.q.get('watch');
    if (wq === 'true' || wq === '1') watch = true;
    let t: Target;
    if (segs[0] === 'namespaces' && segs.length >= 3 && !(segs.length === 3 && (segs[2] === 'status' || segs[2] === 'finalize'))) {
      if (segs.length > 5) throw errors.pathNotFound();
      t = { group, version, ns: segs[1], plural: segs[2]!, name: segs[3], sub: segs[4], watch };
    } else {
      if (segs.length > 3 || segs.length === 0) throw errors.pathNotFound();
      t = { group, version, ns: undefined, plural: segs[0]!, name: segs[1], sub: segs[2], watch };
    }
    const method = ctx.rec.method;
    let verb: string;
    if (method === 'GET') verb = t.watch ? 'watch' : t.name ? 'get' : 'list';
    else if (method === 'POST' && !t.name) verb = 'create';
    else if (method === 'PUT' && t.name) verb = 'update';
    else if (method === 'PATCH' && t.name) verb = 'patch';
    else if (method === 'DELETE') verb = t.name ? 'delete' : 'deletecollection';
    else throw errors.methodNotAllowed();
    this.authorize(verb, t);

    const rt = this.store.registry.lookup(group, version, t.plural);
    if (!rt) throw errors.pathNotFound();
    if (t.ns !== undefined && !rt.namespaced) throw errors.pathNotFound();
    if (rt.namespaced && t.name !== undefined && t.ns === undefined) throw errors.pathNotFound();
    if (t.sub !== undefined && !(t.sub === 'status' && rt.status)) throw errors.pathNotFound();
    if (rt.namespaced && t.ns === undefined && verb !== 'list' && verb !== 'watch') throw errors.methodNotAllowed();
    if (t.sub && (verb === 'create' || verb === 'delete' || verb === 'watch')) throw errors.methodNotAllowed();
    const av = apiVersionOf(group, version);

    switch (verb) {
      case 'list':
        return this.listHandler(ctx, rt, av, t.ns);
      case 'watch':
        return this.watch(ctx, rt, av, t.ns, t.name);
      case 'get':
        return this.getOne(ctx, rt, av, t.ns ?? '', t.name!);
      case 'create':
        return this.create(ctx, rt, av, t.ns);
      case 'update':
        return this.replace(ctx, rt, av, t.ns ?? '', t.name!, t.sub);
      case 'patch':
        return this.patch(ctx, rt, av, t.ns ?? '', t.name!, t.sub);
      case 'delete':
        return this.deleteOne(ctx, rt, av, t.ns ?? '', t.name!);
      default:
        return this.deleteCollection(ctx, rt, av, t.ns);
    }
  }

  private forbiddenBy(verb: string, res: string, group: string, ns: string | undefined): ForbidRule | undefined {
    return this.forbidden.find(
      (r) =>
        (r.verb === '*' || r.verb === verb) &&
        (r.resource === '*' || r.resource === res) &&
        (r.group === undefined || r.group === group) &&
        (r.namespace === undefined || r.namespace === ns),
    );
  }

  private authorize(verb: string, t: Target): void {
    const res = t.sub ? `${t.plural}/${t.sub}` : t.plural;
    const rule = this.forbiddenBy(verb, res, t.group, t.ns);
    if (!rule) return;
    const subject = t.name !== undefined ? `${qualified(t.plural, t.group)} "${t.name}"` : qualified(t.plural, t.group);
    const scope = t.ns !== undefined ? `in the namespace "${t.ns}"` : 'at the cluster scope';
    throw new ApiError(403, 'Forbidden', `${subject} is forbidden: User "${this.user}" cannot ${verb} resource "${res}" in API group "${t.group}" ${scope}`, {
      ...(t.name !== undefined ? { name: t.name } : {}),
      ...(t.group ? { group: t.group } : {}),
      kind: t.plural,
    });
  }

  /**
   * `SelfSubjectAccessReview` (create only, nothing stored): allowed unless a forbid rule covers the attributes, as the
   * same rules deny the request itself. A review of a non-resource URL is always allowed.
   */
  private selfSubjectAccessReview(ctx: Ctx): void {
    if (ctx.rec.method !== 'POST') throw errors.methodNotAllowed();
    let review: { spec?: { resourceAttributes?: Record<string, string | undefined>; nonResourceAttributes?: unknown } };
    try {
      review = JSON.parse(ctx.body) as typeof review;
    } catch {
      throw errors.badRequest('the body of the request was in an unknown format');
    }
    const a = review.spec?.resourceAttributes;
    if (!a && !review.spec?.nonResourceAttributes) {
      throw errors.invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [{ field: 'spec.resourceAttributes', reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
    }
    let status: Record<string, unknown> = { allowed: true };
    if (a) {
      const res = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
      const rule = this.forbiddenBy(a.verb ?? '', res, a.group ?? '', a.namespace || undefined);
      status = rule ? { allowed: false, reason: '' } : { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "fake-admin" of ClusterRole "cluster-admin" to User "' + this.user + '"' };
    }
    this.send(ctx, 201, JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: review.spec, status }));
  }

  /** authentication.k8s.io/v1 SelfSubjectReview is GA (served) from Kubernetes 1.28; older servers answer 404. */
  private servesSelfSubjectReview(): boolean {
    const [major = 1, minor = 0] = this.kubeVersion.split('.').map((x) => parseInt(x, 10));
    return major > 1 || minor >= 28;
  }

  /** `SelfSubjectReview` (create only, nothing stored): the user the bearer token authenticates, as the real server says. */
  private selfSubjectReview(ctx: Ctx): void {
    if (ctx.rec.method !== 'POST') throw errors.methodNotAllowed();
    try {
      JSON.parse(ctx.body);
    } catch {
      throw errors.badRequest('the body of the request was in an unknown format');
    }
    const userInfo = { username: this.user, groups: this.opts.groups ?? ['system:masters', 'system:authenticated'] };
    this.send(ctx, 201, JSON.stringify({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo } }));
  }

  // ---------------------------------------------------------------- content negotiation & serialization

  /** 'partial' when Accept asks for PartialObjectMetadata(List); throws 406 when nothing acceptable. */
  private negotiate(ctx: Ctx, want: 'list' | 'object' | 'watch'): 'full' | 'partial' {
    const accept = ctx.req.headers.accept;
    if (!accept || !accept.trim()) return 'full';
    const entries = accept
      .split(',')
      .map((raw, i) => {
        const [type = '', ...params] = raw.split(';').map((s) => s.trim());
        const p: Record<string, string> = {};
        for (const kv of params) {
          const eq = kv.indexOf('=');
          if (eq > 0) p[kv.slice(0, eq).trim().toLowerCase()] = kv.slice(eq + 1).trim();
        }
        const q = p['q'] === undefined ? 1 : Number(p['q']);
        return { type: type.toLowerCase(), p, q: Number.isFinite(q) ? q : 0, i };
      })
      .filter((e) => e.q > 0)
      .sort((a, b) => b.q - a.q || a.i - b.i);
    for (const e of entries) {
      if (e.type !== 'application/json' && e.type !== '*/*' && e.type !== 'application/*') continue;
      const as = e.p['as'];
      if (!as) return 'full';
      if (e.p['g'] !== 'meta.k8s.io' || (e.p['v'] !== 'v1' && e.p['v'] !== 'v1beta1')) continue;
      if (as === 'PartialObjectMetadataList' && want !== 'object') return 'partial';
      if (as === 'PartialObjectMetadata' && want !== 'list') return 'partial';
    }
    throw errors.notAcceptable();
  }

  private objectJson(rt: ResourceType, obj: KubeObject, av: string, partial: boolean): string {
    if (partial) return JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata });
    return JSON.stringify(withVersion(obj, av, rt.kind));
  }

  private itemJson(rt: ResourceType, e: Entry, av: string): string {
    const c = e.itemJson;
    if (c && c.apiVersion === av) return c.json;
    let json: string;
    if (rt.builtin) {
      const rest: Obj = { ...e.obj };
      delete rest['kind'];
      delete rest['apiVersion'];
      json = JSON.stringify(rest);
    } else {
      json = JSON.stringify(withVersion(e.obj, av, rt.kind));
    }
    e.itemJson = { apiVersion: av, json };
    return json;
  }

  private metaJson(e: Entry): string {
    return (e.metaJson ??= JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: e.obj.metadata }));
  }

  // ---------------------------------------------------------------- selectors

  private matcher(rt: ResourceType, ctx: Ctx, extraName?: string): ((o: KubeObject) => boolean) | undefined {
    let labels: LabelRequirement[];
    let fields: FieldRequirement[];
    try {
      labels = parseLabelSelector(ctx.q.get('labelSelector') ?? '');
      fields = parseFieldSelector(ctx.q.get('fieldSelector') ?? '');
    } catch (e) {
      if (e instanceof SelectorError) throw errors.badRequest(e.message);
      throw e;
    }
    if (extraName !== undefined) fields.push({ field: 'metadata.name', op: '=', value: extraName });
    const getters = fields.map((f) => {
      if (f.field === 'metadata.name') return (o: KubeObject): string => o.metadata.name;
      if (f.field === 'metadata.namespace') return (o: KubeObject): string => o.metadata.namespace ?? '';
      const g = rt.fields[f.field];
      if (!g) throw errors.badRequest(`field label not supported: ${f.field}`);
      return g;
    });
    if (labels.length === 0 && fields.length === 0) return undefined;
    return (o) => {
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const v = getters[i]!(o);
        if (f.op === '=' ? v !== f.value : v === f.value) return false;
      }
      return labels.length === 0 || matchesLabels(labels, o.metadata.labels);
    };
  }

  // ---------------------------------------------------------------- list / get

  private parseLimit(ctx: Ctx): number {
    const raw = ctx.q.get('limit');
    if (raw === null || raw === '') return 0;
    if (!/^-?\d+$/.test(raw)) throw errors.badRequest(`invalid value for limit: ${raw}`);
    return Math.max(0, Number(raw));
  }

  private listHandler(ctx: Ctx, rt: ResourceType, av: string, ns: string | undefined): void {
    const mode = this.negotiate(ctx, 'list');
    const match = this.matcher(rt, ctx);
    const limit = this.parseLimit(ctx);
    const cont = ctx.q.get('continue');
    let snap: Snapshot | undefined;
    let entries: Entry[];
    let rv: number;
    let start = 0;
    if (cont) {
      const d = this.decodeContinue(cont, rt, ns);
      snap = d.snap;
      entries = snap.entries;
      rv = snap.rv;
      start = d.offset;
    } else {
      entries = this.store.sorted(rt.gk, ns);
      rv = this.store.resourceVersion;
    }
    const page: Entry[] = [];
    let i = start;
    for (; i < entries.length && (limit === 0 || page.length < limit); i++) {
      const e = entries[i]!;
      if (!match || match(e.obj)) page.push(e);
    }
    let next = -1;
    if (limit > 0) {
      for (let j = i; j < entries.length; j++) {
        if (!match || match(entries[j]!.obj)) {
          next = j;
          break;
        }
      }
    }
    const meta: Obj = { resourceVersion: String(rv) };
    if (next >= 0) {
      snap ??= this.newSnapshot(rt.gk, ns, entries, rv);
      meta['continue'] = this.encodeContinue(snap, next, entries[next]!);
      if (!match) meta['remainingItemCount'] = entries.length - next;
    }
    let body: string;
    if (mode === 'partial') {
      body = `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(meta)},"items":[${page.map((e) => this.metaJson(e)).join(',')}]}`;
      return this.send(ctx, 200, body, PARTIAL_LIST_CT);
    }
    body = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(av)},"metadata":${JSON.stringify(meta)},"items":[${page.map((e) => this.itemJson(rt, e, av)).join(',')}]}`;
    this.send(ctx, 200, body);
  }

  private newSnapshot(gk: string, ns: string | undefined, entries: Entry[], rv: number): Snapshot {
    const id = `${++this.snapshotSeq}`;
    const snap: Snapshot = { id, gk, ns, entries, rv };
    this.snapshots.set(id, snap);
    if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
    return snap;
  }

  private encodeContinue(snap: Snapshot, offset: number, at: Entry): string {
    const start = at.ns ? `${at.ns}/${at.name}` : at.name;
    return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: snap.rv, start, s: snap.id, o: offset })).toString('base64url');
  }

  private decodeContinue(token: string, rt: ResourceType, ns: string | undefined): { snap: Snapshot; offset: number } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw errors.expired();
    }
    if (!isObj(parsed) || typeof parsed['s'] !== 'string' || typeof parsed['o'] !== 'number') throw errors.expired();
    const snap = this.snapshots.get(parsed['s']);
    if (!snap || snap.gk !== rt.gk || snap.ns !== ns || parsed['o'] < 0 || parsed['o'] > snap.entries.length) throw errors.expired();
    return { snap, offset: parsed['o'] };
  }

  private getOne(ctx: Ctx, rt: ResourceType, av: string, ns: string, name: string): void {
    const e = this.store.get(rt.gk, ns, name);
    if (!e) throw errors.notFound(rt.plural, rt.group, name);
    const mode = this.negotiate(ctx, 'object');
    if (mode === 'partial') return this.send(ctx, 200, this.metaJson(e), PARTIAL_CT);
    this.send(ctx, 200, this.objectJson(rt, e.obj, av, false));
  }

  // ---------------------------------------------------------------- writes: helpers

  private decodeObjectBody(ctx: Ctx): Obj {
    const ct = mediaType(ctx.req.headers['content-type']);
    let parsed: unknown;
    if (ct === 'application/json') {
      try {
        parsed = JSON.parse(ctx.body);
      } catch (e) {
        throw errors.badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else if (ct === 'application/yaml') {
      try {
        parsed = yaml.load(ctx.body);
      } catch (e) {
        throw errors.badRequest(`error decoding request body: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      throw errors.unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    }
    if (!isObj(parsed)) throw errors.badRequest(`Object 'Kind' is missing in '${ctx.body.slice(0, 200)}'`);
    return parsed;
  }

  /** Checks kind/apiVersion of a body against the endpoint and fills them in when missing. */
  private checkTypeMeta(body: Obj, rt: ResourceType, av: string, requireBoth = false): void {
    if (requireBoth && (typeof body['apiVersion'] !== 'string' || !body['apiVersion'])) throw errors.badRequest(`Object 'apiVersion' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
    if (requireBoth && (typeof body['kind'] !== 'string' || !body['kind'])) throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== av) {
      throw errors.badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${av})`);
    }
    if (body['kind'] !== undefined && body['kind'] !== rt.kind) {
      throw errors.badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${rt.kind})`);
    }
    body['apiVersion'] = av;
    body['kind'] = rt.kind;
    if (!isObj(body['metadata'])) body['metadata'] = {};
  }

  private checkNamespace(meta: Obj, rt: ResourceType, ns: string | undefined): void {
    if (!rt.namespaced) {
      delete meta['namespace'];
      return;
    }
    if (meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta['namespace'] = ns;
  }

  private dryRun(ctx: Ctx): boolean {
    const d = ctx.q.getAll('dryRun');
    if (d.length === 0) return false;
    if (d.some((x) => x !== 'All')) {
      throw new ApiError(400, 'BadRequest', `dryRun: Unsupported value: "${d.find((x) => x !== 'All')}": supported values: "All"`, {});
    }
    return true;
  }

  private managedEntry(manager: string, operation: 'Apply' | 'Update', av: string, obj: Obj, builtin: boolean, sub?: string): Obj {
    const e: Obj = { manager, operation, apiVersion: av, time: nowIso(), fieldsType: 'FieldsV1', fieldsV1: fieldsV1(obj, builtin) };
    if (sub) e['subresource'] = sub;
    return e;
  }

  private upsertManaged(meta: Obj, entry: Obj): void {
    const list = Array.isArray(meta['managedFields']) ? [...(meta['managedFields'] as Obj[])] : [];
    const i = list.findIndex((m) => m['manager'] === entry['manager'] && m['operation'] === entry['operation'] && m['subresource'] === entry['subresource']);
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    meta['managedFields'] = list;
  }

  private validateName(rt: ResourceType, obj: Obj): void {
    const meta = obj['metadata'] as Obj;
    const name = meta['name'];
    if (typeof name !== 'string' || !name) {
      throw errors.invalid(rt.kind, rt.group, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    }
    const labelOnly = rt.gk === NAMESPACE_GK || rt.gk === '/Service';
    if (rt.builtin) {
      const ok = labelOnly ? name.length <= 63 && DNS_LABEL.test(name) : name.length <= 253 && DNS_SUBDOMAIN.test(name);
      if (!ok) {
        const what = labelOnly
          ? `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
          : `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
        throw errors.invalid(rt.kind, rt.group, name, [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${what}` }]);
      }
    } else if (/[/%]/.test(name) || name === '.' || name === '..') {
      throw errors.invalid(rt.kind, rt.group, name, [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": may not contain '/' or '%'` }]);
    }
    if (rt.gk === CRD_GK) this.validateCrd(obj, name);
  }

  private validateCrd(obj: Obj, name: string): void {
    const spec = isObj(obj['spec']) ? obj['spec'] : {};
    const names = isObj(spec['names']) ? spec['names'] : {};
    const causes: { field: string; reason: string; message: string }[] = [];
    const req = (field: string, v: unknown): void => {
      if (typeof v !== 'string' || !v) causes.push({ field, reason: 'FieldValueRequired', message: 'Required value' });
    };
    req('spec.group', spec['group']);
    req('spec.names.plural', names['plural']);
    req('spec.names.kind', names['kind']);
    if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') {
      causes.push({ field: 'spec.scope', reason: 'FieldValueNotSupported', message: `Unsupported value: "${String(spec['scope'] ?? '')}": supported values: "Cluster", "Namespaced"` });
    }
    const versions = Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]) : [];
    if (versions.length === 0) causes.push({ field: 'spec.versions', reason: 'FieldValueInvalid', message: 'Invalid value: null: must have exactly one version marked as storage version' });
    else if (versions.filter((v) => isObj(v) && v['storage'] === true).length !== 1) {
      causes.push({ field: 'spec.versions', reason: 'FieldValueInvalid', message: 'Invalid value: must have exactly one version marked as storage version' });
    }
    if (typeof names['plural'] === 'string' && typeof spec['group'] === 'string' && name !== `${names['plural']}.${spec['group']}`) {
      causes.push({ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group` });
    }
    if (causes.length) throw errors.invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, causes);
  }

  /** Status the server sets on create for kinds with a status subresource (client-sent status is dropped). */
  private initialStatus(rt: ResourceType, obj: Obj): void {
    if (!rt.status || rt.gk === '/Node') return;
    if (rt.gk === '/Pod') obj['status'] = { phase: 'Pending' };
    else if (rt.gk === NAMESPACE_GK) obj['status'] = { phase: 'Active' };
    else if (rt.gk === CRD_GK) {
      const spec = isObj(obj['spec']) ? obj['spec'] : {};
      const versions = Array.isArray(spec['versions']) ? (spec['versions'] as Obj[]) : [];
      const t = nowIso();
      obj['status'] = {
        conditions: [
          { type: 'NamesAccepted', status: 'True', lastTransitionTime: t, reason: 'NoConflicts', message: 'no conflicts found' },
          { type: 'Established', status: 'True', lastTransitionTime: t, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
        ],
        acceptedNames: spec['names'] ?? {},
        storedVersions: versions.filter((v) => v['storage'] === true).map((v) => v['name']),
      };
    } else if (rt.builtin) obj['status'] = {};
    else delete obj['status'];
  }

  private ensureNamespace(rt: ResourceType, ns: string | undefined): void {
    if (rt.namespaced && ns !== undefined && !this.store.namespaceExists(ns)) throw errors.notFound('namespaces', '', ns);
  }

  /** Finishes a new object and stores it (unless dry-run); replies 201. */
  private commitCreate(ctx: Ctx, rt: ResourceType, av: string, obj: Obj, manager?: { name: string; op: 'Apply' | 'Update'; applied: Obj }): void {
    const meta = obj['metadata'] as Obj;
    if (meta['resourceVersion'] !== undefined && meta['resourceVersion'] !== '') {
      throw new ApiError(500, 'InternalError', 'Internal error occurred: resourceVersion should not be set on objects to be created', {});
    }
    if ((!meta['name'] || meta['name'] === '') && typeof meta['generateName'] === 'string' && meta['generateName']) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
      meta['name'] = `${meta['generateName']}${suffix}`;
    }
    this.validateName(rt, obj);
    const name = meta['name'] as string;
    const ns = rt.namespaced ? (meta['namespace'] as string) : '';
    this.ensureNamespace(rt, rt.namespaced ? ns : undefined);
    if (this.store.get(rt.gk, ns, name)) throw errors.alreadyExists(rt.plural, rt.group, name);
    meta['uid'] = randomUUID();
    meta['creationTimestamp'] = nowIso();
    delete meta['deletionTimestamp'];
    if (rt.generation) meta['generation'] = 1;
    else delete meta['generation'];
    if (rt.gk === '/Secret' && obj['type'] === undefined) obj['type'] = 'Opaque';
    this.initialStatus(rt, obj);
    delete meta['managedFields'];
    if (manager) meta['managedFields'] = [this.managedEntry(manager.name, manager.op, av, manager.applied, rt.builtin)];
    const finished = obj as KubeObject;
    if (this.dryRun(ctx)) return this.send(ctx, 201, this.objectJson(rt, finished, av, false));
    const seq = this.store.nextRv();
    meta['resourceVersion'] = String(seq);
    this.store.put(rt, finished, seq);
    this.send(ctx, 201, this.objectJson(rt, finished, av, false));
  }

  /**
   * Finishes an update of `existing` to `next` (a fresh object) and stores it unless it is a no-op or dry-run.
   * For the status subresource only `status` is taken from `next`; otherwise status is kept for kinds with one.
   */
  private commitUpdate(ctx: Ctx, rt: ResourceType, av: string, existing: Entry, nextIn: Obj, sub: string | undefined, code = 200): void {
    const old = existing.obj;
    let next: Obj;
    if (sub === 'status') {
      next = clone(old) as Obj;
      if (nextIn['status'] === undefined) delete next['status'];
      else next['status'] = nextIn['status'];
      if (isObj(nextIn['metadata']) && Array.isArray(nextIn['metadata']['managedFields'])) (next['metadata'] as Obj)['managedFields'] = nextIn['metadata']['managedFields'];
    } else {
      next = nextIn;
      if (rt.status) {
        if (old['status'] === undefined) delete next['status'];
        else next['status'] = clone(old['status']);
      }
    }
    next['apiVersion'] = old.apiVersion;
    next['kind'] = rt.kind;
    const meta = (isObj(next['metadata']) ? next['metadata'] : (next['metadata'] = {})) as Obj;
    const om = old.metadata;
    meta['name'] = om.name;
    if (rt.namespaced) meta['namespace'] = om.namespace;
    else delete meta['namespace'];
    meta['uid'] = om['uid'];
    meta['creationTimestamp'] = om['creationTimestamp'];
    if (om['deletionTimestamp'] !== undefined) meta['deletionTimestamp'] = om['deletionTimestamp'];
    if (meta['managedFields'] === undefined && om['managedFields'] !== undefined) meta['managedFields'] = clone(om['managedFields']);
    if (rt.generation && sub !== 'status') {
      const gen = typeof om['generation'] === 'number' ? om['generation'] : 1;
      meta['generation'] = deepEqual(specPart(old), specPart(next as KubeObject)) ? gen : gen + 1;
    } else if (om['generation'] !== undefined) meta['generation'] = om['generation'];
    else delete meta['generation'];
    meta['resourceVersion'] = om['resourceVersion'];
    const finished = next as KubeObject;
    if (deepEqual(comparable(old), comparable(finished))) return this.send(ctx, code, this.objectJson(rt, old, av, false));
    if (this.dryRun(ctx)) return this.send(ctx, code, this.objectJson(rt, finished, av, false));
    const seq = this.store.nextRv();
    meta['resourceVersion'] = String(seq);
    this.store.put(rt, finished, seq);
    this.send(ctx, code, this.objectJson(rt, finished, av, false));
  }

  // ---------------------------------------------------------------- create / replace / patch / delete

  private create(ctx: Ctx, rt: ResourceType, av: string, ns: string | undefined): void {
    const obj = this.decodeObjectBody(ctx);
    this.checkTypeMeta(obj, rt, av);
    this.checkNamespace(obj['metadata'] as Obj, rt, ns);
    const fm = ctx.q.get('fieldManager');
    this.commitCreate(ctx, rt, av, obj, fm ? { name: fm, op: 'Update', applied: clone(obj) } : undefined);
  }

  private replace(ctx: Ctx, rt: ResourceType, av: string, ns: string, name: string, sub: string | undefined): void {
    const obj = this.decodeObjectBody(ctx);
    this.checkTypeMeta(obj, rt, av);
    const meta = obj['metadata'] as Obj;
    if (meta['name'] !== undefined && meta['name'] !== '' && meta['name'] !== name) {
      throw errors.badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(meta, rt, rt.namespaced ? ns : undefined);
    const existing = this.store.get(rt.gk, ns, name);
    if (!existing) throw errors.notFound(rt.plural, rt.group, name);
    const rv = meta['resourceVersion'];
    if (rv === undefined || rv === '') {
      if (!rt.unconditionalUpdate) {
        throw errors.invalid(rt.kind, rt.group, name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
    } else if (rv !== existing.obj.metadata['resourceVersion']) {
      throw errors.conflict(rt.plural, rt.group, name);
    }
    const fm = ctx.q.get('fieldManager');
    if (fm) this.upsertManaged(meta, this.managedEntry(fm, 'Update', av, obj, rt.builtin, sub));
    else if (meta['managedFields'] === undefined && existing.obj.metadata['managedFields'] !== undefined) meta['managedFields'] = clone(existing.obj.metadata['managedFields']);
    this.commitUpdate(ctx, rt, av, existing, obj, sub);
  }

  private patch(ctx: Ctx, rt: ResourceType, av: string, ns: string, name: string, sub: string | undefined): void {
    const ct = mediaType(ctx.req.headers['content-type']);
    const accepted = rt.builtin ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
    if (!accepted.includes(ct)) throw errors.unsupportedMediaType(accepted.concat('application/apply-patch+cbor'));
    if (ct !== APPLY_PATCH && ctx.q.has('force')) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [{ field: 'force', reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' }]);
    }
    const fm = ctx.q.get('fieldManager');
    if (ct === APPLY_PATCH && !fm) {
      throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]);
    }
    const existing = this.store.get(rt.gk, ns, name);

    if (ct === APPLY_PATCH) return this.apply(ctx, rt, av, ns, name, sub, existing, fm!);
    if (!existing) throw errors.notFound(rt.plural, rt.group, name);

    let patched: unknown;
    if (ct === JSON_PATCH) {
      let ops: unknown;
      try {
        ops = JSON.parse(ctx.body);
      } catch (e) {
        throw errors.badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!Array.isArray(ops)) {
        const what = ops === null ? 'null' : isObj(ops) ? 'object' : typeof ops === 'string' ? 'string' : typeof ops === 'number' ? 'number' : 'bool';
        throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${what} into Go value of type []handlers.jsonPatchOp`);
      }
      try {
        patched = fjp.applyPatch(clone(existing.obj), ops as Operation[], true, true).newDocument;
      } catch (e) {
        const detail = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', { causes: [{ reason: 'FieldValueInvalid', message: detail }] });
      }
    } else {
      let p: unknown;
      try {
        p = JSON.parse(ctx.body);
      } catch (e) {
        throw errors.badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!isObj(p)) throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${Array.isArray(p) ? 'array' : typeof p} into Go value of type map[string]interface {}`);
      patched = ct === MERGE_PATCH ? mergePatch(existing.obj, p) : strategicMerge(existing.obj, p);
    }
    if (!isObj(patched)) throw errors.badRequest('patch did not produce an object');
    const next = clone(patched);
    const meta = isObj(next['metadata']) ? next['metadata'] : (next['metadata'] = {});
    if (meta['name'] !== name) throw errors.badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    const rv = meta['resourceVersion'];
    if (rv !== undefined && rv !== '' && rv !== existing.obj.metadata['resourceVersion']) throw errors.conflict(rt.plural, rt.group, name);
    if (fm) this.upsertManaged(meta, this.managedEntry(fm, 'Update', av, next, rt.builtin, sub));
    this.commitUpdate(ctx, rt, av, existing, next, sub);
  }

  /** Server-side apply, approximated as create-or-merge (no field-ownership conflicts). */
  private apply(ctx: Ctx, rt: ResourceType, av: string, ns: string, name: string, sub: string | undefined, existing: Entry | undefined, manager: string): void {
    let applied: unknown;
    try {
      applied = yaml.load(ctx.body);
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isObj(applied)) throw errors.badRequest(`Object 'Kind' is missing in '${ctx.body.slice(0, 200)}'`);
    this.checkTypeMeta(applied, rt, av, true);
    const meta = applied['metadata'] as Obj;
    if (meta['name'] !== undefined && meta['name'] !== name) {
      throw errors.badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    }
    meta['name'] = name;
    this.checkNamespace(meta, rt, rt.namespaced ? ns : undefined);
    if (!existing) {
      if (sub) throw errors.notFound(rt.plural, rt.group, name);
      const obj = clone(applied);
      return this.commitCreate(ctx, rt, av, obj, { name: manager, op: 'Apply', applied });
    }
    const rv = meta['resourceVersion'];
    if (rv !== undefined && rv !== '' && rv !== existing.obj.metadata['resourceVersion']) throw errors.conflict(rt.plural, rt.group, name);
    const cleaned = clone(applied);
    const cm = cleaned['metadata'] as Obj;
    for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) delete cm[k];
    const merged = clone(applyMerge(existing.obj, cleaned, rt.builtin) as Obj);
    const mm = merged['metadata'] as Obj;
    mm['managedFields'] = clone(existing.obj.metadata['managedFields']);
    this.upsertManaged(mm, this.managedEntry(manager, 'Apply', av, applied, rt.builtin, sub));
    this.commitUpdate(ctx, rt, av, existing, merged, sub);
  }

  private deleteOptions(ctx: Ctx): Obj {
    if (!ctx.body.trim()) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(ctx.body);
    } catch (e) {
      throw errors.badRequest(`error decoding DeleteOptions: ${e instanceof Error ? e.message : String(e)}`);
    }
    return isObj(parsed) ? parsed : {};
  }

  private deleteOne(ctx: Ctx, rt: ResourceType, av: string, ns: string, name: string): void {
    const opts = this.deleteOptions(ctx);
    const existing = this.store.get(rt.gk, ns, name);
    if (!existing) throw errors.notFound(rt.plural, rt.group, name);
    const pre = isObj(opts['preconditions']) ? opts['preconditions'] : {};
    const om = existing.obj.metadata;
    if (typeof pre['resourceVersion'] === 'string' && pre['resourceVersion'] !== om['resourceVersion']) {
      throw errors.conflict(rt.plural, rt.group, name, `Precondition failed: ResourceVersion in precondition: ${pre['resourceVersion']}, ResourceVersion in object meta: ${String(om['resourceVersion'])}`);
    }
    if (typeof pre['uid'] === 'string' && pre['uid'] !== om['uid']) {
      throw errors.conflict(rt.plural, rt.group, name, `Precondition failed: UID in precondition: ${pre['uid']}, UID in object meta: ${String(om['uid'])}`);
    }
    const dry = this.dryRun(ctx) || (Array.isArray(opts['dryRun']) && (opts['dryRun'] as unknown[]).includes('All'));
    if (!dry) this.store.remove(rt, ns, name);
    if (!rt.deleteReturnsObject) {
      return this.sendJson(ctx, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, ...(rt.group ? { group: rt.group } : {}), kind: rt.plural, uid: om['uid'] },
      });
    }
    let shown: KubeObject = existing.obj;
    if (rt.gk === NAMESPACE_GK || rt.gk === CRD_GK) {
      shown = { ...shown, metadata: { ...shown.metadata, deletionTimestamp: nowIso() } };
      if (rt.gk === NAMESPACE_GK) shown = { ...shown, status: { phase: 'Terminating' } };
    }
    this.send(ctx, 200, this.objectJson(rt, shown, av, false));
  }

  private deleteCollection(ctx: Ctx, rt: ResourceType, av: string, ns: string | undefined): void {
    const match = this.matcher(rt, ctx);
    const dry = this.dryRun(ctx);
    const victims = this.store.sorted(rt.gk, ns).filter((e) => !match || match(e.obj));
    if (!dry) for (const e of victims) this.store.remove(rt, e.ns, e.name);
    const body = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(av)},"metadata":{"resourceVersion":"${this.store.resourceVersion}"},"items":[${victims
      .map((e) => this.objectJson(rt, e.obj, av, false))
      .join(',')}]}`;
    this.send(ctx, 200, body);
  }

  // ---------------------------------------------------------------- watch

  private watch(ctx: Ctx, rt: ResourceType, av: string, ns: string | undefined, name: string | undefined): void {
    const partial = this.negotiate(ctx, 'watch') === 'partial';
    const match = this.matcher(rt, ctx, name) ?? ((): boolean => true);
    const rvParam = ctx.q.get('resourceVersion') ?? '';
    const timeoutRaw = ctx.q.get('timeoutSeconds');
    let timeoutSeconds = 0;
    if (timeoutRaw !== null && timeoutRaw !== '') {
      if (!/^\d+$/.test(timeoutRaw)) throw errors.badRequest(`invalid value for timeoutSeconds: ${timeoutRaw}`);
      timeoutSeconds = Number(timeoutRaw);
    }
    let replay: StoreEvent[] | 'expired' | undefined;
    if (rvParam !== '' && rvParam !== '0') {
      if (!/^\d+$/.test(rvParam)) throw errors.badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
      replay = this.store.eventsAfter(Number(rvParam));
    }
    const bookmarks = ctx.q.get('allowWatchBookmarks') === 'true';
    const sendInitial = ctx.q.get('sendInitialEvents') === 'true';

    const res = ctx.res;
    ctx.rec.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { rt, apiVersion: av, ns, match, partial, res, timers: [], closed: false };

    if (replay === 'expired') {
      const st = failureStatus(410, 'Expired', `too old resource version: ${rvParam} (${this.store.oldestReplayableRv + 1})`);
      this.writeEvent(w, 'ERROR', JSON.stringify(st));
      res.end();
      return;
    }
    if (replay) {
      for (const ev of replay) this.deliver(w, ev);
    }
    if (!replay || sendInitial) {
      for (const e of this.store.sorted(rt.gk, ns)) {
        if (match(e.obj)) this.writeEvent(w, 'ADDED', this.objectJson(rt, e.obj, av, partial));
      }
      if (sendInitial && bookmarks) {
        this.writeEvent(w, 'BOOKMARK', JSON.stringify(this.bookmarkObject(w, { 'k8s.io/initial-events-end': 'true' })));
      }
    }
    this.watchers.add(w);
    if (bookmarks) {
      const t = setInterval(() => this.writeEvent(w, 'BOOKMARK', JSON.stringify(this.bookmarkObject(w))), this.bookmarkIntervalMs);
      w.timers.push(t);
    }
    if (timeoutSeconds > 0) w.timers.push(setTimeout(() => this.endWatch(w), timeoutSeconds * 1000));
    res.on('close', () => this.endWatch(w));
  }

  private bookmarkObject(w: Watcher, annotations?: Record<string, string>): Obj {
    const metadata: Obj = { resourceVersion: String(this.store.resourceVersion) };
    if (annotations) metadata['annotations'] = annotations;
    return w.partial
      ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata }
      : { kind: w.rt.kind, apiVersion: w.apiVersion, metadata };
  }

  private writeEvent(w: Watcher, type: string, objectJson: string): void {
    if (w.closed || w.res.destroyed) return;
    w.res.write(`{"type":"${type}","object":${objectJson}}\n`);
  }

  private deliver(w: Watcher, ev: StoreEvent): void {
    if (ev.gk !== w.rt.gk) return;
    if (w.ns !== undefined && ev.cur.ns !== w.ns) return;
    const oldMatch = ev.old ? w.match(ev.old.obj) : false;
    const json = (o: KubeObject): string => this.objectJson(w.rt, o, w.apiVersion, w.partial);
    if (ev.type === 'DELETED') {
      if (oldMatch) this.writeEvent(w, 'DELETED', json(ev.cur.obj));
      return;
    }
    const newMatch = w.match(ev.cur.obj);
    if (ev.type === 'ADDED') {
      if (newMatch) this.writeEvent(w, 'ADDED', json(ev.cur.obj));
    } else if (oldMatch && newMatch) this.writeEvent(w, 'MODIFIED', json(ev.cur.obj));
    else if (newMatch) this.writeEvent(w, 'ADDED', json(ev.cur.obj));
    else if (oldMatch) {
      const gone = { ...ev.old!.obj, metadata: { ...ev.old!.obj.metadata, resourceVersion: String(ev.seq) } };
      this.writeEvent(w, 'DELETED', json(gone));
    }
  }

  private dispatch(ev: StoreEvent): void {
    for (const w of this.watchers) this.deliver(w, ev);
  }

  private endWatch(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    for (const t of w.timers) clearTimeout(t);
    this.watchers.delete(w);
    if (!w.res.destroyed && !w.res.writableEnded) w.res.end();
  }
}

