/**
 * Simulated istiod webhooks. For every istiod pod the simulated kubelet runs, an HTTPS admission server on loopback
 * plays that pod's injector and validator: it injects an `istio-proxy` of the hub/tag its revision's injector
 * ConfigMap holds (as istiod does), into exactly the pods the API server sends it — the webhook configurations'
 * selectors decide, as in a real cluster. While a revision has a running pod, its webhook configurations (those
 * labelled `istio.io/rev=<rev>`, tags included) get the simulator's CA bundle patched in, as istiod's webhook
 * controllers do.
 *
 * The API server reaches a webhook at its Service's ClusterIP through the egress proxy; `resolve` follows the
 * Service to its Endpoints (kept by the real endpoints controller from ready pods) and to the server of the pod
 * listed there. No ready endpoint = the connection is refused, and a `failurePolicy: Fail` webhook rejects the pod.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import fastJsonPatch from 'fast-json-patch';
import { injectSidecar } from '../../support/istio-render/index.js';
import type { K8sObject } from '../../support/istio-render/index.js';
import type { Api, KubeObject } from './api.js';
import type { Pki } from './pki.js';
import { pollLoop } from './procs.js';

interface WebhookServer {
  pod: string;
  namespace: string;
  revision: string;
  server: Server;
  port: number;
}

type Pod = KubeObject & { spec: { containers: { image: string }[] }; status?: { phase?: string; conditions?: { type: string; status: string }[] } };
type Webhook = { name: string; clientConfig: { caBundle?: string }; failurePolicy?: string };
type WebhookConfig = KubeObject & { webhooks?: Webhook[] };

export interface Injection {
  at: number;
  revision: string;
  namespace: string;
  pod: string;
  image: string | null;
}

export class IstiodSim {
  private readonly servers = new Map<string, WebhookServer>();
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly caBundle: string;
  readonly injections: Injection[] = [];
  readonly errors: string[] = [];

  constructor(
    private readonly api: Api,
    private readonly pki: Pki,
  ) {
    this.caBundle = Buffer.from(pki.caPem()).toString('base64');
  }

  start(): void {
    this.loops.push(this.every(250, () => this.syncServers()));
    this.loops.push(this.every(500, () => this.patchWebhooks()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    for (const s of this.servers.values()) s.server.close();
    this.servers.clear();
  }

  /** Revisions with a serving webhook now. */
  revisions(): string[] {
    return [...new Set([...this.servers.values()].map((s) => s.revision))].sort();
  }

  /** For the egress proxy: ClusterIP:port → the loopback port of a ready istiod pod behind that Service. */
  readonly resolve = async (host: string, _port: number): Promise<number | undefined> => {
    const svc = (await this.api.list('Service')).find((s) => (s.spec as { clusterIP?: string }).clusterIP === host);
    if (!svc) return undefined;
    const ep = (await this.api.get<KubeObject & { subsets?: { addresses?: { targetRef?: { name: string; namespace: string } }[] }[] }>('Endpoints', svc.metadata.name, svc.metadata.namespace)) ?? {
      subsets: [],
    };
    for (const sub of ep.subsets ?? []) {
      for (const a of sub.addresses ?? []) {
        const s = a.targetRef && this.servers.get(`${a.targetRef.namespace}/${a.targetRef.name}`);
        if (s) return s.port;
      }
    }
    return undefined;
  };

  private every(ms: number, fn: () => Promise<void>): Promise<void> {
    return pollLoop(ms, fn, () => this.stopped, this.errors);
  }

  private async syncServers(): Promise<void> {
    const pods = await this.api.list<Pod>('Pod', undefined, { labelSelector: 'app=istiod' });
    const running = new Map<string, Pod>();
    for (const p of pods) {
      const ready = p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ready && !p.metadata.deletionTimestamp) running.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
    }
    for (const [key, s] of this.servers) {
      if (!running.has(key)) {
        s.server.close();
        this.servers.delete(key);
      }
    }
    for (const [key, p] of running) {
      if (this.servers.has(key)) continue;
      const revision = p.metadata.labels?.['istio.io/rev'] ?? 'default';
      this.servers.set(key, await this.serve(p.metadata.namespace!, p.metadata.name, revision));
    }
  }

  private async serve(namespace: string, pod: string, revision: string): Promise<WebhookServer> {
    const names = [`istiod.${namespace}.svc`, `istiod-${revision}.${namespace}.svc`, `istio-pilot.${namespace}.svc`];
    const cert = this.pki.issue(`istiod-${pod}`, { cn: `istiod-${revision}`, dns: names });
    const server = createServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (req, res) => void this.handle(req, res, namespace, revision));
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    return { pod, namespace, revision, server, port };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, istioNamespace: string, revision: string): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const review = JSON.parse(body) as { apiVersion: string; kind: string; request: { uid: string; object: K8sObject; namespace?: string } };
    const response: Record<string, unknown> = { uid: review.request.uid, allowed: true };
    const path = (req.url ?? '').split('?')[0];
    if (path === '/inject' || path?.startsWith('/inject/')) {
      try {
        const pod = review.request.object;
        const injected = await this.inject(pod, istioNamespace, revision, review.request.namespace ?? pod.metadata.namespace ?? '');
        const patch = fastJsonPatch.compare(pod, injected);
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
      } catch (e) {
        response.allowed = false;
        response.status = { code: 500, message: `injection failed: ${String(e)}` };
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, response }));
  }

  /** What istiod's injector does with the revision's ConfigMap values (`global.hub`, `global.tag`, `global.variant`). */
  private async inject(pod: K8sObject, istioNamespace: string, revision: string, namespace: string): Promise<K8sObject> {
    const cmName = revision === 'default' ? 'istio-sidecar-injector' : `istio-sidecar-injector-${revision}`;
    const cm = await this.api.get<KubeObject & { data?: { values?: string } }>('ConfigMap', cmName, istioNamespace);
    if (!cm?.data?.values) throw new Error(`ConfigMap ${istioNamespace}/${cmName} has no values`);
    const g = (JSON.parse(cm.data.values) as { global?: { hub?: string; tag?: string; variant?: string } }).global ?? {};
    if (!g.tag) throw new Error(`ConfigMap ${istioNamespace}/${cmName} has no global.tag`);
    const template = pod.metadata.annotations?.['inject.istio.io/templates'] === 'gateway' ? 'gateway' : 'sidecar';
    const workload = pod.metadata.labels?.app ?? (pod.metadata as { generateName?: string }).generateName?.replace(/-[a-z0-9]+-$/, '') ?? pod.metadata.name ?? 'pod';
    const injected = injectSidecar({ ...pod, metadata: { ...pod.metadata, namespace } }, { revision, version: g.tag, hub: g.hub, variant: g.variant || undefined, template }, workload);
    injected.metadata.namespace = pod.metadata.namespace;
    if (pod.metadata.namespace === undefined) delete injected.metadata.namespace;
    const proxy = [...((injected.spec as { containers?: { name: string; image: string }[] }).containers ?? [])].find((c) => c.name === 'istio-proxy');
    this.injections.push({ at: Date.now(), revision, namespace, pod: pod.metadata.name ?? String((pod.metadata as { generateName?: string }).generateName), image: proxy?.image ?? null });
    return injected;
  }

  private async patchWebhooks(): Promise<void> {
    for (const revision of this.revisions()) {
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
        for (const wc of await this.api.list<WebhookConfig>(kind, undefined, { labelSelector: `istio.io/rev=${revision}` })) {
          const hooks = wc.webhooks ?? [];
          const stale = hooks.some((h) => h.clientConfig.caBundle !== this.caBundle || (kind === 'ValidatingWebhookConfiguration' && h.failurePolicy !== 'Fail'));
          if (!stale) continue;
          const ops = hooks.flatMap((h, i) => [
            { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: this.caBundle },
            // istiod's validation controller turns Ignore into Fail once it serves
            ...(kind === 'ValidatingWebhookConfiguration' ? [{ op: 'replace', path: `/webhooks/${i}/failurePolicy`, value: 'Fail' }] : []),
          ]);
          // istiod writes as field manager pilot-discovery: under server-side apply (Helm 4) it owns these fields
          await this.api.patch(kind, wc.metadata.name, undefined, [{ op: 'test', path: '/metadata/resourceVersion', value: wc.metadata.resourceVersion }, ...ops], 'json', '', 'pilot-discovery');
        }
      }
    }
  }
}
