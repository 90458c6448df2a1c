/** Kubernetes writes of a run go through the real client path to the fake API server, with faults injected there. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { LiveCluster } from '../../src/apply/live-cluster.js';
import { LiveSource } from '../../src/k8s/live-source.js';
import type { ActionContext } from '../../src/apply/ports.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-writes-'));
const CRD = 'gateways.networking.istio.io';
let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeApiServer({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'uid-1' } },
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: CRD }, spec: { group: 'networking.istio.io', scope: 'Namespaced', names: { plural: 'gateways', kind: 'Gateway' }, versions: [{ name: 'v1', served: true, storage: true }] } },
    ],
  });
  kubeconfig = join(tmp, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { context: 'fake' });
});
afterAll(async () => server.close());
afterEach(() => server.faults.clear());

const ctx = (previousOutput?: string): ActionContext => ({ previousOutput, signal: new AbortController().signal, deadline: Date.now() + 60_000, helmValues: async () => '' });

async function cluster(requestTimeoutMs?: number): Promise<LiveCluster> {
  return new LiveCluster(await LiveSource.connect({ kubeconfig, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }), 'istio-system');
}

const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`;
const writes = (method: string, path: string | RegExp) => server.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));

describe('idempotent Kubernetes writes are retried like reads', () => {
  it('three transient 500s on the CRD label patch: the fourth attempt lands', async () => {
    const c = await cluster();
    server.clearRequests();
    server.faults.add({ method: 'PATCH', path: crdPath, status: 500, times: 3 });
    await c.act({ type: 'label-crds', crds: [CRD], labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: {} }, ctx());
    expect(writes('PATCH', crdPath).map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect((server.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', CRD) as { metadata: { labels?: Record<string, string> } }).metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'Helm' });
  });

  it('server-side apply survives a 503, a 429 with Retry-After and a dropped connection', async () => {
    const c = await cluster();
    server.clearRequests();
    const path = /\/mutatingwebhookconfigurations\/istio-revision-tag-prod(\?|$)/;
    server.faults.add({ method: 'PATCH', path, status: 503, times: 1 });
    server.faults.add({ method: 'PATCH', path, status: 429, retryAfterSeconds: 0, times: 1 });
    server.faults.add({ method: 'PATCH', path, drop: true, times: 1 });
    const manifest = 'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: istio-revision-tag-prod\nwebhooks: []\n';
    await c.act({ type: 'apply-rendered', fieldManager: 'istio-upgrade' }, ctx(manifest));
    expect(writes('PATCH', path).length).toBe(4);
    expect(server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod')).toBeDefined();
  });

  it('a final answer (422) is not retried', async () => {
    const c = await cluster();
    server.clearRequests();
    server.faults.add({ method: 'PATCH', path: crdPath, status: 422, times: 5 });
    await expect(c.act({ type: 'label-crds', crds: [CRD], labels: { a: 'b' }, annotations: {} }, ctx())).rejects.toThrow(/422/);
    expect(writes('PATCH', crdPath)).toHaveLength(1);
  });

  it('a persistent 500 gives up after the bounded number of attempts', async () => {
    const c = await cluster();
    server.clearRequests();
    server.faults.add({ method: 'PATCH', path: crdPath, status: 500, times: Infinity });
    await expect(c.act({ type: 'label-crds', crds: [CRD], labels: { a: 'c' }, annotations: {} }, ctx())).rejects.toThrow(/500/);
    expect(writes('PATCH', crdPath)).toHaveLength(5);
  });

  it('lease renewals (updates with a resourceVersion) are retried', async () => {
    const c = await cluster();
    const lease = { holderIdentity: 'me', leaseDurationSeconds: 60, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z', annotations: { 'istio-upgrade.io/lock-id': 'x' } };
    const created = await c.leases.create('istio-system', 'istio-upgrade-lock', lease);
    server.clearRequests();
    server.faults.add({ method: 'PUT', path: /\/leases\/istio-upgrade-lock$/, status: 503, times: 2 });
    const renewed = await c.leases.replace('istio-system', 'istio-upgrade-lock', { ...created, renewTime: '2026-01-01T00:00:15.000000Z' });
    expect(renewed.renewTime).toBe('2026-01-01T00:00:15.000000Z');
    expect(writes('PUT', /\/leases\/istio-upgrade-lock$/).map((r) => r.status)).toEqual([503, 503, 200]);
  });
});

describe('requests that never answer', () => {
  it('a write to a server that accepts but never answers fails within the request timeout, not minutes later', async () => {
    const c = await cluster(300);
    server.clearRequests();
    server.faults.add({ method: 'PATCH', path: crdPath, delayMs: 20_000, times: Infinity });
    const started = Date.now();
    await expect(c.act({ type: 'label-crds', crds: [CRD], labels: { a: 'd' }, annotations: {} }, ctx())).rejects.toThrow('merge-patch customresourcedefinitions gateways.networking.istio.io failed: no answer within --request-timeout');
    expect(writes('PATCH', crdPath)).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a read states the request timeout and the attempts it made', async () => {
    const c = await cluster(300);
    server.faults.add({ method: 'GET', path: '/api/v1/namespaces/kube-system', delayMs: 20_000, times: Infinity });
    const e = await c.clusterId().catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/did not answer GET \/api\/v1\/namespaces\/kube-system within 0\.3s \(--request-timeout\) — 2 attempts in \d+(\.\d)?s/);
  });
});
