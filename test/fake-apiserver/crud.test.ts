import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, crd, deployment, harness, ns, pod, type Harness } from './test-helpers.js';

const { PatchStrategy, setHeaderOptions } = k8s;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

let h: Harness;

beforeAll(async () => {
  h = await harness({
    objects: [ns('default'), ns('istio-system'), crd('networking.istio.io', 'virtualservices', 'VirtualService', ['v1', 'v1beta1'])],
  });
});
afterAll(async () => {
  await h.close();
});

const lastRequest = (): (typeof h.server.requests)[number] => h.server.requests[h.server.requests.length - 1]!;

describe('get', () => {
  it('answers 404 with the exact NotFound Status (group in details for grouped resources)', async () => {
    const d = await apiError(h.apps.readNamespacedDeployment({ namespace: 'default', name: 'x' }));
    expect(d.code).toBe(404);
    expect(d.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "x" not found',
      reason: 'NotFound',
      details: { name: 'x', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const p = await apiError(h.core.readNamespacedPod({ namespace: 'default', name: 'nope' }));
    expect(p.status.message).toBe('pods "nope" not found');
    expect(p.status.details).toEqual({ name: 'nope', kind: 'pods' });
    expect(lastRequest().headers['content-type']).toBeUndefined();
  });
});

describe('create', () => {
  it('creates with 201, server-assigned metadata and the namespace from the URL', async () => {
    const before = h.server.resourceVersion();
    const body = pod('ignored', 'c1');
    delete body.metadata.namespace;
    const r = await h.core.createNamespacedPodWithHttpInfo({ namespace: 'default', body });
    expect(r.httpStatusCode).toBe(201);
    expect(r.data.metadata!.namespace).toBe('default');
    expect(r.data.metadata!.uid).toMatch(/^[0-9a-f]{8}-/);
    expect(Number(r.data.metadata!.resourceVersion)).toBe(before + 1);
    expect(r.data.metadata!.creationTimestamp).toBeInstanceOf(Date);
    // status is owned by the status subresource: a created Pod starts Pending
    expect(r.data.status!.phase).toBe('Pending');
    expect(h.server.get('v1', 'Pod', 'c1', 'default')!.metadata['uid']).toBe(r.data.metadata!.uid);

    const d = await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('default', 'web') });
    expect(d.metadata!.generation).toBe(1);
  });

  it('supports generateName, AlreadyExists, missing namespace and dryRun', async () => {
    const g = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' }, data: { a: '1' } } });
    expect(g.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);

    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } });
    const dup = await apiError(h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dup' } } }));
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists', details: { name: 'dup', kind: 'configmaps' } });

    const missing = await apiError(h.core.createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'x' } } }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({ reason: 'NotFound', message: 'namespaces "nope" not found', details: { name: 'nope', kind: 'namespaces' } });

    const rv = h.server.resourceVersion();
    const dry = await h.core.createNamespacedConfigMapWithHttpInfo({ namespace: 'default', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
    expect(dry.httpStatusCode).toBe(201);
    expect(dry.data.metadata!.name).toBe('dry');
    expect(h.server.get('v1', 'ConfigMap', 'dry', 'default')).toBeUndefined();
    expect(h.server.resourceVersion()).toBe(rv);

    const invalid = await apiError(h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }));
    expect(invalid.code).toBe(422);
    expect(invalid.status.reason).toBe('Invalid');
    expect(invalid.status.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);

    const withRv = await apiError(h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'rv', resourceVersion: '5' } } }));
    expect(withRv.code).toBe(500);
    expect(withRv.status.message).toMatch(/resourceVersion should not be set on objects to be created/);
  });
});

describe('replace', () => {
  it('rejects a stale resourceVersion with 409 Conflict and bumps generation only on spec change', async () => {
    const created = await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('default', 'rep') });
    const rv1 = created.metadata!.resourceVersion!;

    const labelled = structuredClone(created);
    labelled.metadata!.labels = { ...labelled.metadata!.labels, extra: 'yes' };
    const r1 = await h.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'rep', body: labelled });
    expect(r1.metadata!.generation).toBe(1);
    expect(Number(r1.metadata!.resourceVersion)).toBeGreaterThan(Number(rv1));

    const stale = structuredClone(created);
    stale.spec!.replicas = 5;
    const c = await apiError(h.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'rep', body: stale }));
    expect(c.code).toBe(409);
    expect(c.status).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "rep": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'rep', group: 'apps', kind: 'deployments' },
    });

    const fresh = structuredClone(r1);
    fresh.spec!.replicas = 3;
    fresh.status = { replicas: 99 };
    const r2 = await h.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'rep', body: fresh });
    expect(r2.metadata!.generation).toBe(2);
    expect(r2.spec!.replicas).toBe(3);
    expect(r2.status?.replicas).toBeUndefined(); // status is only writable through /status

    // A no-op update does not bump the resourceVersion.
    const r3 = await h.apps.replaceNamespacedDeployment({ namespace: 'default', name: 'rep', body: r2 });
    expect(r3.metadata!.resourceVersion).toBe(r2.metadata!.resourceVersion);
  });

  it('writes status through the status subresource', async () => {
    const cur = await h.apps.readNamespacedDeployment({ namespace: 'default', name: 'rep' });
    cur.status = { replicas: 3, readyReplicas: 3, observedGeneration: 2 };
    cur.spec!.replicas = 7; // ignored by /status
    const s = await h.apps.replaceNamespacedDeploymentStatus({ namespace: 'default', name: 'rep', body: cur });
    expect(s.status!.readyReplicas).toBe(3);
    expect(s.spec!.replicas).toBe(3);
    expect(s.metadata!.generation).toBe(2);
    expect(lastRequest().path).toBe('/apis/apps/v1/namespaces/default/deployments/rep/status');

    const p = await h.apps.patchNamespacedDeploymentStatus({ namespace: 'default', name: 'rep', body: { status: { readyReplicas: 1 } } }, merge);
    expect(p.status!.readyReplicas).toBe(1);
    expect(p.status!.replicas).toBe(3);
    const got = await h.apps.readNamespacedDeploymentStatus({ namespace: 'default', name: 'rep' });
    expect(got.status!.readyReplicas).toBe(1);
  });

  it('requires resourceVersion on custom-resource updates (422) like the real server', async () => {
    await h.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1',
      namespace: 'default',
      plural: 'virtualservices',
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] } },
    });
    const e = await apiError(
      h.custom.replaceNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: 'default',
        plural: 'virtualservices',
        name: 'vs',
        body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['b'] } },
      }),
    );
    expect(e.code).toBe(422);
    expect(e.status.message).toBe('VirtualService.networking.istio.io "vs" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  });
});

describe('patch', () => {
  beforeEach(async () => {
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'pc' }).catch(() => undefined);
    await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pc', labels: { a: '1', b: '2' } }, data: { k: 'v' } } });
  });

  it('defaults to json-patch in client-node 1.x and applies RFC 6902 ops', async () => {
    const r = await h.core.patchNamespacedConfigMap({
      namespace: 'default',
      name: 'pc',
      body: [
        { op: 'replace', path: '/data/k', value: 'v2' },
        { op: 'add', path: '/metadata/labels/c', value: '3' },
      ],
    });
    expect(lastRequest().headers['content-type']).toBe('application/json-patch+json');
    expect(r.data).toEqual({ k: 'v2' });
    expect(r.metadata!.labels).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('rejects an object sent as json-patch with the real 400 message', async () => {
    const e = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { metadata: { labels: { x: 'y' } } } }));
    expect(e.code).toBe(400);
    expect(e.status).toMatchObject({
      reason: 'BadRequest',
      message: 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    });
  });

  it('fails a json-patch test op with 422', async () => {
    const e = await apiError(
      h.core.patchNamespacedConfigMap({
        namespace: 'default',
        name: 'pc',
        body: [
          { op: 'test', path: '/data/k', value: 'other' },
          { op: 'replace', path: '/data/k', value: 'never' },
        ],
      }),
    );
    expect(e.code).toBe(422);
    expect(e.status.reason).toBe('Invalid');
    expect(h.server.get('v1', 'ConfigMap', 'pc', 'default')!['data']).toEqual({ k: 'v' });
  });

  it('applies merge patch with null deleting keys', async () => {
    const r = await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { metadata: { labels: { a: null, z: '26' } }, data: { n: 'new' } } }, merge);
    expect(lastRequest().headers['content-type']).toBe('application/merge-patch+json');
    expect(r.metadata!.labels).toEqual({ b: '2', z: '26' });
    expect(r.data).toEqual({ k: 'v', n: 'new' });
  });

  it('applies strategic merge patch by merge key on built-in kinds and bumps generation', async () => {
    await h.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('default', 'smp') });
    const r = await h.apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'smp',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'istio-proxy', image: 'proxyv2:1.24.0' },
                  { name: 'app', env: [{ name: 'B', value: '20' }, { name: 'C', value: '3' }, { name: 'A', $patch: 'delete' }] },
                ],
              },
            },
          },
        },
      },
      strategic,
    );
    const containers = r.spec!.template.spec!.containers;
    expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=app:1', 'istio-proxy=proxyv2:1.24.0']);
    expect(containers[0]!.env!.map((e) => `${e.name}=${e.value}`)).toEqual(['B=20', 'C=3']);
    expect(containers[0]!.ports![0]!.containerPort).toBe(8080);
    expect(r.metadata!.generation).toBe(2);

    // The same body as a merge patch replaces the whole list.
    const m = await h.apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'smp', body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } } },
      merge,
    );
    expect(m.spec!.template.spec!.containers.map((c) => c.name)).toEqual(['only']);
  });

  it('merges webhooks by name under strategic merge patch', async () => {
    const admission = kcAdmission();
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'istio-sidecar-injector' },
        webhooks: [
          { name: 'rev.namespace.sidecar-injector.istio.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://a' } },
          { name: 'rev.object.sidecar-injector.istio.io', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://b' } },
        ],
      },
    });
    const r = await admission.patchMutatingWebhookConfiguration(
      { name: 'istio-sidecar-injector', body: { webhooks: [{ name: 'rev.object.sidecar-injector.istio.io', clientConfig: { url: 'https://c' } }] } },
      strategic,
    );
    expect(r.webhooks!.map((w) => `${w.name}=${w.clientConfig.url}`)).toEqual([
      'rev.namespace.sidecar-injector.istio.io=https://a',
      'rev.object.sidecar-injector.istio.io=https://c',
    ]);
  });

  it('rejects strategic merge on custom resources and unknown patch types with 415', async () => {
    const e = await apiError(
      h.custom.patchNamespacedCustomObject(
        { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'vs', body: { spec: { hosts: ['z'] } } },
        strategic,
      ),
    );
    expect(e.code).toBe(415);
    expect(e.status).toMatchObject({ reason: 'UnsupportedMediaType' });
    expect(e.status.message).toMatch(/^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);

    // Plain application/json is not a patch type.
    const plain = await apiError(
      h.custom.patchNamespacedCustomObject(
        { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'vs', body: { spec: {} } },
        setHeaderOptions('Content-Type', 'application/json'),
      ),
    );
    expect(lastRequest().headers['content-type']).toBe('application/json');
    expect(plain.code).toBe(415);
    expect(plain.status.reason).toBe('UnsupportedMediaType');

    // CustomObjectsApi.patch* also defaults to json-patch: an object body is a 400.
    const dflt = await apiError(
      h.custom.patchNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'vs', body: { spec: {} } }),
    );
    expect(lastRequest().headers['content-type']).toBe('application/json-patch+json');
    expect(dflt.code).toBe(400);

    // The header key must be exactly 'Content-Type': a lower-case key is ignored by client-node.
    const lower = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { data: { a: 'b' } } }, setHeaderOptions('content-type', PatchStrategy.MergePatch)));
    expect(lower.code).toBe(400);

    const mp = await h.custom.patchNamespacedCustomObject(
      { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'vs', body: { spec: { hosts: ['merged'] } } },
      merge,
    );
    expect(mp.spec.hosts).toEqual(['merged']);
    expect(mp.metadata.generation).toBe(2);
  });

  it('requires fieldManager for server-side apply (422 with the PatchOptions cause)', async () => {
    const e = await apiError(
      h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pc' }, data: { k: 'x' } } }, ssa),
    );
    expect(e.code).toBe(422);
    expect(e.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
      code: 422,
    });
  });

  it('creates and merges with server-side apply and records the manager', async () => {
    const created = await h.core.patchNamespacedConfigMapWithHttpInfo(
      { namespace: 'default', name: 'applied', fieldManager: 'istio-upgrade', force: true, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', labels: { x: '1' } }, data: { a: '1' } } },
      ssa,
    );
    expect(lastRequest().headers['content-type']).toBe('application/apply-patch+yaml');
    expect(lastRequest().query).toMatchObject({ fieldManager: 'istio-upgrade', force: 'true' });
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.metadata!.managedFields).toHaveLength(1);
    expect(created.data.metadata!.managedFields![0]).toMatchObject({ manager: 'istio-upgrade', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    expect(created.data.metadata!.managedFields![0]!.fieldsV1).toMatchObject({ 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } });

    const updated = await h.core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'applied', fieldManager: 'other', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { b: '2' } } },
      ssa,
    );
    expect(updated.data).toEqual({ a: '1', b: '2' });
    expect(updated.metadata!.labels).toEqual({ x: '1' });
    expect(updated.metadata!.managedFields!.map((m) => m.manager)).toEqual(['istio-upgrade', 'other']);

    const noKind = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'applied', fieldManager: 'm', body: { data: { c: '3' } } }, ssa));
    expect(noKind.code).toBe(400);
  });

  it('rejects force on a non-apply patch with 422', async () => {
    const e = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', force: true, body: { data: { a: 'b' } } }, merge));
    expect(e.code).toBe(422);
    expect(e.status.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('answers 409 for a resourceVersion mismatch in the patch body and 404 for a missing object', async () => {
    const e = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { metadata: { resourceVersion: '1' }, data: { a: 'b' } } }, merge));
    expect(e.code).toBe(409);
    expect(e.status.reason).toBe('Conflict');
    const cur = h.server.get('v1', 'ConfigMap', 'pc', 'default')!;
    const ok = await h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'pc', body: { metadata: { resourceVersion: cur.metadata['resourceVersion'] }, data: { a: 'b' } } }, merge);
    expect(ok.data!['a']).toBe('b');

    const nf = await apiError(h.core.patchNamespacedConfigMap({ namespace: 'default', name: 'missing', body: { data: {} } }, merge));
    expect(nf.code).toBe(404);
    expect(nf.status.message).toBe('configmaps "missing" not found');
  });
});

describe('delete', () => {
  it('returns the object for pods and a Success Status for configmaps/secrets', async () => {
    await h.core.createNamespacedPod({ namespace: 'default', body: pod('default', 'del-me') });
    const p = await h.core.deleteNamespacedPod({ namespace: 'default', name: 'del-me' });
    expect(p.kind).toBe('Pod');
    expect(p.metadata!.name).toBe('del-me');
    expect(h.server.get('v1', 'Pod', 'del-me', 'default')).toBeUndefined();

    const cm = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'del-cm' } } });
    const s = await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'del-cm' });
    expect(s).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del-cm', kind: 'configmaps', uid: cm.metadata!.uid } });

    const nf = await apiError(h.core.deleteNamespacedSecret({ namespace: 'default', name: 'never' }));
    expect(nf.code).toBe(404);
    expect(nf.status.message).toBe('secrets "never" not found');
  });

  it('honours preconditions.resourceVersion', async () => {
    const cm = await h.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre' } } });
    const e = await apiError(h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'pre', body: { preconditions: { resourceVersion: '1' } } }));
    expect(e.code).toBe(409);
    expect(e.status.message).toBe(`Operation cannot be fulfilled on configmaps "pre": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${cm.metadata!.resourceVersion}`);
    await h.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'pre', body: { preconditions: { resourceVersion: cm.metadata!.resourceVersion } } });
    expect(h.server.get('v1', 'ConfigMap', 'pre', 'default')).toBeUndefined();
  });

  it('deleting a namespace removes everything in it', async () => {
    await h.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await h.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'a' } } });
    await h.apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('doomed', 'd') });
    const r = await h.core.deleteNamespace({ name: 'doomed' });
    expect(r).toMatchObject({ kind: 'Namespace' });
    expect(h.server.list('v1', 'ConfigMap', 'doomed')).toEqual([]);
    expect(h.server.list('apps/v1', 'Deployment', 'doomed')).toEqual([]);
    expect((await apiError(h.core.readNamespace({ name: 'doomed' }))).code).toBe(404);
    expect(h.server.list('apps/v1', 'Deployment', 'default').length).toBeGreaterThan(0);
  });
});

describe('KubernetesObjectApi', () => {
  it('discovers the resource, then creates, reads and patches (default strategic merge)', async () => {
    h.server.clearRequests();
    const spec = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic', namespace: 'istio-system', labels: { app: 'generic' } }, spec: deployment('istio-system', 'generic')['spec'] };
    await h.objects.create(spec);
    expect(h.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1',
      'POST /apis/apps/v1/namespaces/istio-system/deployments',
    ]);
    const patched = await h.objects.patch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'generic', namespace: 'istio-system', labels: { 'istio.io/rev': '1-24' } },
    });
    expect(lastRequest().headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(patched.metadata!.labels).toEqual({ app: 'generic', 'istio.io/rev': '1-24' });
    const read = await h.objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'generic', namespace: 'istio-system' } });
    expect((read as k8s.V1Deployment).spec!.template.spec!.containers).toHaveLength(2);
  });
});

function kcAdmission(): k8s.AdmissionregistrationV1Api {
  return h.kc.makeApiClient(k8s.AdmissionregistrationV1Api);
}
