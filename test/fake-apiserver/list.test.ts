import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, harness, ns, pod, PARTIAL, PARTIAL_LIST, type Harness } from './test-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await harness({
    objects: [
      ns('a'),
      ns('b'),
      ns('default'),
      ...['p7', 'p1', 'p3', 'p2', 'p5', 'p4', 'p6'].map((n) => pod('a', n)),
      pod('b', 'q1'),
      pod('b', 'q2'),
      pod('b', 'q3'),
    ],
  });
});
afterAll(async () => {
  await h.close();
});

const names = (items: { metadata?: { name?: string; namespace?: string } }[]): string[] =>
  items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`);

describe('pagination', () => {
  it('pages with limit/continue over a consistent snapshot, in (namespace, name) order', async () => {
    const seen: string[] = [];
    const rvs = new Set<string>();
    const remaining: (number | undefined)[] = [];
    let cont: string | undefined;
    let page = 0;
    do {
      const r = await h.core.listPodForAllNamespaces({ limit: 3, _continue: cont });
      seen.push(...names(r.items));
      rvs.add(r.metadata!.resourceVersion!);
      remaining.push(r.metadata?.remainingItemCount);
      cont = r.metadata?._continue;
      if (page === 0) {
        // A write between pages must not show up in later pages of the same list.
        await h.core.createNamespacedPod({ namespace: 'a', body: pod('a', 'p9') });
        await h.core.deleteNamespacedPod({ namespace: 'b', name: 'q3' });
      }
      page++;
    } while (cont);
    expect(seen).toEqual(['a/p1', 'a/p2', 'a/p3', 'a/p4', 'a/p5', 'a/p6', 'a/p7', 'b/q1', 'b/q2', 'b/q3']);
    expect(page).toBe(4);
    expect(rvs.size).toBe(1);
    expect(remaining).toEqual([7, 4, 1, undefined]);

    const fresh = await h.core.listPodForAllNamespaces({});
    expect(names(fresh.items)).toContain('a/p9');
    expect(names(fresh.items)).not.toContain('b/q3');
    expect(Number(fresh.metadata!.resourceVersion)).toBeGreaterThan(Number([...rvs][0]));
    expect(fresh.metadata?._continue).toBeUndefined();
    // restore
    await h.core.deleteNamespacedPod({ namespace: 'a', name: 'p9' });
    h.server.load([pod('b', 'q3')]);
  });

  it('pages a namespaced list and omits remainingItemCount when a selector is used', async () => {
    const r1 = await h.core.listNamespacedPod({ namespace: 'a', limit: 5 });
    expect(names(r1.items)).toEqual(['a/p1', 'a/p2', 'a/p3', 'a/p4', 'a/p5']);
    expect(r1.metadata?.remainingItemCount).toBe(2);
    const r2 = await h.core.listNamespacedPod({ namespace: 'a', limit: 5, _continue: r1.metadata!._continue });
    expect(names(r2.items)).toEqual(['a/p6', 'a/p7']);
    expect(r2.metadata?._continue).toBeUndefined();

    const s1 = await h.core.listPodForAllNamespaces({ limit: 2, fieldSelector: 'metadata.namespace=b' });
    expect(names(s1.items)).toEqual(['b/q1', 'b/q2']);
    expect(s1.metadata?._continue).toBeTruthy();
    expect(s1.metadata?.remainingItemCount).toBeUndefined();
    const s2 = await h.core.listPodForAllNamespaces({ limit: 2, fieldSelector: 'metadata.namespace=b', _continue: s1.metadata!._continue });
    expect(names(s2.items)).toEqual(['b/q3']);
    expect(s2.metadata?._continue).toBeUndefined();
  });

  it('answers a garbage or expired continue token with 410 Expired', async () => {
    const garbage = await apiError(h.core.listPodForAllNamespaces({ limit: 2, _continue: 'not-a-token' }));
    expect(garbage.code).toBe(410);
    expect(garbage.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });

    const first = await h.core.listPodForAllNamespaces({ limit: 2 });
    h.server.expireContinueTokens();
    const expired = await apiError(h.core.listPodForAllNamespaces({ limit: 2, _continue: first.metadata!._continue }));
    expect(expired.code).toBe(410);
    expect(expired.status.reason).toBe('Expired');
    expect(expired.status.message).toMatch(/continue parameter is too old/);
  });
});

describe('label selectors', () => {
  let k: Harness;
  beforeAll(async () => {
    k = await harness({
      objects: [
        ns('s'),
        pod('s', 'web-front', { app: 'web', tier: 'front', rank: '3' }),
        pod('s', 'web-back', { app: 'web', tier: 'back', rank: '1' }),
        pod('s', 'db', { app: 'db', tier: 'back' }),
        pod('s', 'cache', { app: 'cache' }),
        pod('s', 'bare', {}),
      ],
    });
  });
  afterAll(async () => {
    await k.close();
  });

  const cases: [string, string[]][] = [
    ['app=web', ['web-back', 'web-front']],
    ['app==web', ['web-back', 'web-front']],
    ['app!=web', ['bare', 'cache', 'db']],
    ['app in (web,db)', ['db', 'web-back', 'web-front']],
    ['app notin (web, db)', ['bare', 'cache']],
    ['tier', ['db', 'web-back', 'web-front']],
    ['!tier', ['bare', 'cache']],
    ['app=web,tier=back', ['web-back']],
    ['tier,app!=db', ['web-back', 'web-front']],
    ['rank>2', ['web-front']],
    ['rank<2', ['web-back']],
    ['', ['bare', 'cache', 'db', 'web-back', 'web-front']],
  ];
  for (const [sel, want] of cases) {
    it(`selects ${JSON.stringify(sel)}`, async () => {
      const r = await k.core.listNamespacedPod({ namespace: 's', labelSelector: sel });
      expect(r.items.map((p) => p.metadata!.name)).toEqual(want);
    });
  }

  for (const bad of ['app in (web', 'app=(x)', '=web', 'app=web,', 'app in ()', 'a b', 'app=w e', 'Bad_/x=1', 'app=-x']) {
    it(`rejects ${JSON.stringify(bad)} with 400 BadRequest`, async () => {
      const e = await apiError(k.core.listNamespacedPod({ namespace: 's', labelSelector: bad }));
      expect(e.code).toBe(400);
      expect(e.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
      expect(e.status.message).toBeTruthy();
    });
  }
});

describe('field selectors', () => {
  let k: Harness;
  beforeAll(async () => {
    k = await harness({
      objects: [
        ns('f'),
        ns('g'),
        pod('f', 'run1', {}, { status: { phase: 'Running', podIP: '10.0.0.5' } }),
        pod('f', 'pend', {}, { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'node-2', serviceAccountName: 'sa1' }, status: { phase: 'Pending' } }),
        pod('g', 'run2', {}, { status: { phase: 'Running' } }),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.istiod.v1', namespace: 'f', labels: { owner: 'helm' } }, type: 'helm.sh/release.v1', data: {} },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain', namespace: 'f' }, data: {} },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'f' }, data: { x: '1' } },
      ],
    });
  });
  afterAll(async () => {
    await k.close();
  });

  it('filters pods on allow-listed fields with =, == and !=', async () => {
    const podNames = async (fieldSelector: string): Promise<string[]> =>
      (await k.core.listPodForAllNamespaces({ fieldSelector })).items.map((p) => p.metadata!.name!);
    expect(await podNames('status.phase=Running')).toEqual(['run1', 'run2']);
    expect(await podNames('status.phase!=Running')).toEqual(['pend']);
    expect(await podNames('spec.nodeName==node-2')).toEqual(['pend']);
    expect(await podNames('spec.serviceAccountName=sa1')).toEqual(['pend']);
    expect(await podNames('status.podIP=10.0.0.5')).toEqual(['run1']);
    expect(await podNames('metadata.namespace=g')).toEqual(['run2']);
    expect(await podNames('metadata.name=run1,status.phase=Running')).toEqual(['run1']);
    expect(await podNames('metadata.name=run1,status.phase=Pending')).toEqual([]);
  });

  it('supports the secret type field and defaults it to Opaque', async () => {
    const helm = await k.core.listSecretForAllNamespaces({ fieldSelector: 'type=helm.sh/release.v1', labelSelector: 'owner=helm' });
    expect(helm.items.map((s) => s.metadata!.name)).toEqual(['sh.helm.release.v1.istiod.v1']);
    const opaque = await k.core.listNamespacedSecret({ namespace: 'f', fieldSelector: 'type=Opaque' });
    expect(opaque.items.map((s) => s.metadata!.name)).toEqual(['plain']);
  });

  it('rejects unsupported fields with 400 "field label not supported"', async () => {
    const e1 = await apiError(k.core.listNamespacedPod({ namespace: 'f', fieldSelector: 'spec.containers=x' }));
    expect(e1.code).toBe(400);
    expect(e1.status).toMatchObject({ reason: 'BadRequest', message: 'field label not supported: spec.containers' });
    const e2 = await apiError(k.core.listNamespacedConfigMap({ namespace: 'f', fieldSelector: 'type=x' }));
    expect(e2.status.message).toBe('field label not supported: type');
    const e3 = await apiError(k.core.listNamespacedPod({ namespace: 'f', fieldSelector: 'nonsense' }));
    expect(e3.code).toBe(400);
  });
});

describe('list shape and metadata-only lists', () => {
  it('returns built-in list items without kind/apiVersion, as the real server does', async () => {
    h.server.clearRequests();
    const r = await h.core.listNamespacedPodWithHttpInfo({ namespace: 'b' });
    expect(r.httpStatusCode).toBe(200);
    expect(r.data.kind).toBe('PodList');
    expect(r.data.apiVersion).toBe('v1');
    expect(r.data.items[0]!.kind).toBeUndefined();
    expect(r.data.items[0]!.apiVersion).toBeUndefined();
    expect(r.data.items[0]!.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.server.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/b/pods', status: 200 });
  });

  it('serves PartialObjectMetadataList when Accept asks for it', async () => {
    const r = await h.core.listNamespacedPodWithHttpInfo({ namespace: 'a', limit: 2 }, k8s.setHeaderOptions('Accept', PARTIAL_LIST));
    expect(r.headers['content-type']).toBe(PARTIAL_LIST);
    expect(r.data.kind).toBe('PartialObjectMetadataList');
    expect(r.data.apiVersion).toBe('meta.k8s.io/v1');
    expect(r.data.items.map((i) => i.metadata!.name)).toEqual(['p1', 'p2']);
    expect(r.data.items[0]!.kind).toBe('PartialObjectMetadata');
    expect(r.data.items[0]!.apiVersion).toBe('meta.k8s.io/v1');
    expect(r.data.items[0]!.spec).toBeUndefined();
    expect(r.data.items[0]!.status).toBeUndefined();
    expect(r.data.metadata?._continue).toBeTruthy();
    expect(r.data.metadata?.remainingItemCount).toBe(5);
  });

  it('serves PartialObjectMetadata for a single GET', async () => {
    const r = await h.core.readNamespacedPodWithHttpInfo({ namespace: 'a', name: 'p1' }, k8s.setHeaderOptions('Accept', PARTIAL));
    expect(r.headers['content-type']).toBe(PARTIAL);
    expect(r.data.kind).toBe('PartialObjectMetadata');
    expect(r.data.metadata!.name).toBe('p1');
    expect(r.data.spec).toBeUndefined();
    const full = await h.core.readNamespacedPodWithHttpInfo({ namespace: 'a', name: 'p1' });
    expect(full.headers['content-type']).toBe('application/json');
    expect(full.data.kind).toBe('Pod');
    expect(full.data.spec!.containers[0]!.image).toBe('app:1');
  });

  it('answers 406 when no acceptable media type is offered', async () => {
    const e = await apiError(h.core.listNamespacedPod({ namespace: 'a' }, k8s.setHeaderOptions('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io')));
    expect(e.code).toBe(406);
    expect(e.status.reason).toBe('NotAcceptable');
  });
});

describe('authentication and RBAC', () => {
  it('rejects a wrong bearer token with 401 Unauthorized', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: h.server.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'wrong' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    // The generic client keeps the body; typed APIs declare 401 in their spec and drop it (body undefined).
    const e = await apiError(k8s.KubernetesObjectApi.makeApiClient(kc).list('v1', 'Namespace'));
    expect(e.code).toBe(401);
    expect(e.status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', details: {}, code: 401 });
    await expect(kc.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401, body: undefined });
    await expect(kc.makeApiClient(k8s.VersionApi).getCode()).rejects.toMatchObject({ code: 401 });
    const rec = h.server.requests.filter((r) => r.headers['authorization'] === 'Bearer wrong');
    expect(rec.map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it('forbids per verb/resource/namespace with the real 403 message', async () => {
    h.server.forbid({ verb: 'list', resource: 'pods' });
    h.server.forbid({ verb: 'get', resource: 'deployments', group: 'apps', namespace: 'a' });
    try {
      const e = await apiError(h.core.listPodForAllNamespaces({}));
      expect(e.code).toBe(403);
      expect(e.status).toMatchObject({
        reason: 'Forbidden',
        message: 'pods is forbidden: User "test-user" cannot list resource "pods" in API group "" at the cluster scope',
        details: { kind: 'pods' },
      });
      const e2 = await apiError(h.core.listNamespacedPod({ namespace: 'a' }));
      expect(e2.status.message).toBe('pods is forbidden: User "test-user" cannot list resource "pods" in API group "" in the namespace "a"');
      const e3 = await apiError(h.apps.readNamespacedDeployment({ namespace: 'a', name: 'x' }));
      expect(e3.status.message).toBe('deployments.apps "x" is forbidden: User "test-user" cannot get resource "deployments" in API group "apps" in the namespace "a"');
      expect(e3.status.details).toEqual({ name: 'x', group: 'apps', kind: 'deployments' });
      // Other verbs and namespaces are unaffected.
      expect((await h.core.readNamespacedPod({ namespace: 'a', name: 'p1' })).metadata!.name).toBe('p1');
      expect((await apiError(h.apps.readNamespacedDeployment({ namespace: 'b', name: 'x' }))).code).toBe(404);
    } finally {
      h.server.clearForbidden();
    }
    expect((await h.core.listPodForAllNamespaces({})).items.length).toBe(10);
  });
});
