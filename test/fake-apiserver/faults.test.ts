import http from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiError, harness, ns, pod, type Harness } from './test-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await harness({ objects: [ns('default'), pod('default', 'p1')] });
});
afterEach(() => {
  h.server.faults.clear();
  h.server.clearRequests();
});
afterAll(async () => {
  await h.close();
});

const list = (): Promise<k8s.V1PodList> => h.core.listNamespacedPod({ namespace: 'default' });

describe('fault injection', () => {
  it('fails N times with 500 and then succeeds', async () => {
    h.server.faults.add({ path: '/api/v1/namespaces/default/pods', status: 500, times: 2 });
    const e1 = await apiError(list());
    expect(e1.code).toBe(500);
    expect(e1.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', code: 500 });
    expect((await apiError(list())).code).toBe(500);
    expect((await list()).items.map((p) => p.metadata!.name)).toEqual(['p1']);
    expect(h.server.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('sends 429 with a Retry-After header and details.retryAfterSeconds', async () => {
    h.server.faults.add({ path: /\/pods(\?|$)/, status: 429, retryAfterSeconds: 3 });
    const e = await apiError(list());
    expect(e.code).toBe(429);
    expect(e.headers['retry-after']).toBe('3');
    expect(e.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429 });
    expect(e.headers['content-type']).toBe('application/json');
    expect((await list()).items).toHaveLength(1);
  });

  it('defaults Retry-After to 1 for 429 and matches method and path+search', async () => {
    h.server.faults.add({ method: 'GET', path: '/api/v1/namespaces/default/pods?limit=1', status: 429 });
    expect((await list()).items).toHaveLength(1); // different query: no match
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'm' } } }); // POST: no match
    const e = await apiError(h.core.listNamespacedPod({ namespace: 'default', limit: 1 }));
    expect(e.code).toBe(429);
    expect(e.headers['retry-after']).toBe('1');
  });

  it('delays a response and then handles it normally', async () => {
    h.server.faults.add({ path: '/api/v1/namespaces/default/pods/p1', delayMs: 400 });
    const t0 = Date.now();
    const p = await h.core.readNamespacedPod({ namespace: 'default', name: 'p1' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(p.metadata!.name).toBe('p1');
    const t1 = Date.now();
    await h.core.readNamespacedPod({ namespace: 'default', name: 'p1' }); // times defaults to 1
    expect(Date.now() - t1).toBeLessThan(390);
  });

  it('delays and then fails when a status is given too', async () => {
    h.server.faults.add({ path: /pods/, delayMs: 100, status: 503 });
    const t0 = Date.now();
    const e = await apiError(list());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(e.status).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
  });

  it('matches on the request body with `when`, and ends a held request when its client goes away', async () => {
    const body = (name: string) => ({ metadata: { name }, data: { step: name } });
    h.server.faults.add({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', when: (r) => (r.body ?? '').includes('"held"'), delayMs: 60_000 });
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: body('passes') }); // no match: handled at once
    const payload = JSON.stringify(body('held'));
    const req = http.request(`${h.server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
    });
    req.on('error', () => undefined);
    req.end(payload);
    const t0 = Date.now();
    const held = () => h.server.requests.find((r) => (r.body ?? '').includes('"held"'));
    while (!held()) await new Promise((r) => setTimeout(r, 5));
    req.destroy(); // the client goes away (e.g. killed) while its request is held
    await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(held()!.status).toBe(0);
    const names = (await h.core.listNamespacedConfigMap({ namespace: 'default' })).items.map((c) => c.metadata!.name);
    expect(names).toContain('passes');
    expect(names).not.toContain('held');
  });

  it('drops the connection without a response', async () => {
    h.server.faults.add({ path: '/api/v1/namespaces/default/pods', drop: true });
    const err = await list().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(err).not.toBeInstanceOf(k8s.ApiException);
    expect((err as { code?: string }).code).toBe('ECONNRESET');
    expect(h.server.requests[0]!.status).toBe(0);
    expect((await list()).items).toHaveLength(1);
  });

  it('sends a custom body, and keeps failing with times: Infinity until cleared', async () => {
    h.server.faults.add({ path: /pods/, status: 500, times: Infinity, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: leader changed', reason: 'InternalError', code: 500 } });
    for (let i = 0; i < 3; i++) {
      const e = await apiError(list());
      expect(e.status.message).toBe('etcdserver: leader changed');
    }
    h.server.faults.clear();
    expect((await list()).items).toHaveLength(1);
  });
});

describe('request log', () => {
  it('records method, path, parsed query, lower-cased headers, raw body and status', async () => {
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'logged' }, data: { a: 'b' } }, fieldManager: 'istio-upgrade' });
    await h.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=x', limit: 5 });
    const [create, get] = h.server.requests;
    expect(create).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', query: { fieldManager: 'istio-upgrade' }, status: 201 });
    expect(create!.headers['authorization']).toBe('Bearer test-token');
    expect(create!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(create!.body!)).toEqual({ metadata: { name: 'logged' }, data: { a: 'b' } });
    expect(get).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/default/pods', query: { labelSelector: 'app=x', limit: '5' }, status: 200 });
    expect(get!.body).toBeUndefined();
    expect(get!.headers['accept']).toBe('application/json, */*;q=0.8');
    expect(typeof get!.at).toBe('number');
    expect(get!.at).toBeGreaterThanOrEqual(create!.at);
  });
});
