import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, crd, harness, ns, type Harness } from './test-helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await harness({
    kubernetesVersion: '1.29.4',
    objects: [
      ns('default'),
      ns('istio-system'),
      // Loaded without their CRDs: must still be served, plural inferred.
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny', namespace: 'istio-system' }, spec: {} },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
      { apiVersion: 'example.com/v1', kind: 'Proxy', metadata: { name: 'p', namespace: 'default' } },
    ],
  });
});
afterAll(async () => {
  await h.close();
});

describe('version and core discovery', () => {
  it('serves /version', async () => {
    const v = await h.kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v).toMatchObject({ major: '1', minor: '29', gitVersion: 'v1.29.4', platform: 'linux/amd64' });
  });

  it('serves /api and /api/v1 with subresources, verbs, shortNames', async () => {
    const api = await h.kc.makeApiClient(k8s.CoreApi).getAPIVersions();
    expect(api.versions).toEqual(['v1']);
    const core = await h.core.getAPIResources();
    expect(core.groupVersion).toBe('v1');
    const pods = core.resources.find((r) => r.name === 'pods')!;
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, singularName: 'pod', shortNames: ['po'] });
    expect(pods.verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(core.resources.find((r) => r.name === 'pods/status')).toMatchObject({ kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    expect(core.resources.find((r) => r.name === 'namespaces')!.namespaced).toBe(false);
    expect(core.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['configmaps', 'secrets', 'services', 'serviceaccounts', 'events', 'nodes', 'namespaces']),
    );
  });

  it('serves /apis, /apis/<group> and /apis/<group>/<version>', async () => {
    const groups = await h.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    expect(names.slice(0, 6)).toEqual(['apps', 'batch', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'coordination.k8s.io', 'example.com']);
    expect(names).toEqual(expect.arrayContaining(['security.istio.io', 'gateway.networking.k8s.io']));
    const apps = await h.kc.makeApiClient(k8s.AppsApi).getAPIGroup();
    expect(apps.preferredVersion).toEqual({ groupVersion: 'apps/v1', version: 'v1' });
    const res = await h.apps.getAPIResources();
    expect(res.resources.map((r) => r.name)).toEqual([
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/status',
      'replicasets',
      'replicasets/status',
      'statefulsets',
      'statefulsets/status',
    ]);
    const webhooks = await h.kc.makeApiClient(k8s.AdmissionregistrationV1Api).getAPIResources();
    expect(webhooks.resources.find((r) => r.name === 'mutatingwebhookconfigurations')!.namespaced).toBe(false);
  });

  it('answers unknown groups, versions and resources with a 404 Status', async () => {
    const g = await apiError(h.custom.listClusterCustomObject({ group: 'nope.io', version: 'v1', plural: 'things' }));
    expect(g.code).toBe(404);
    expect(g.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
    const v = await apiError(h.custom.listClusterCustomObject({ group: 'apps', version: 'v2', plural: 'deployments' }));
    expect(v.code).toBe(404);
    const r = await apiError(h.custom.listClusterCustomObject({ group: 'apps', version: 'v1', plural: 'widgets' }));
    expect(r.code).toBe(404);
  });
});

describe('CRD-driven resources', () => {
  it('serves a CRD created over the API, in all its versions, with version-converted apiVersion', async () => {
    const ext = h.kc.makeApiClient(k8s.ApiextensionsV1Api);
    const created = await ext.createCustomResourceDefinition({ body: crd('networking.istio.io', 'virtualservices', 'VirtualService', ['v1', 'v1beta1', 'v1alpha3']) });
    expect(created.status!.conditions!.find((c) => c.type === 'Established')!.status).toBe('True');

    const group = await h.objects.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    expect(group.items.map((i) => i.metadata!.name)).toContain('virtualservices.networking.istio.io');

    const apis = await h.kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const net = apis.groups.find((x) => x.name === 'networking.istio.io')!;
    expect(net.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha3']);
    expect(net.preferredVersion!.version).toBe('v1');

    await h.custom.createNamespacedCustomObject({
      group: 'networking.istio.io',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'virtualservices',
      body: { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'reviews' }, spec: { hosts: ['reviews'] } },
    });
    const list = await h.custom.listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices' });
    expect(list.kind).toBe('VirtualServiceList');
    expect(list.items).toHaveLength(1);
    // custom-resource list items keep kind/apiVersion, in the requested version
    expect(list.items[0]).toMatchObject({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'default', generation: 1 } });
    const all = await h.custom.listClusterCustomObject({ group: 'networking.istio.io', version: 'v1alpha3', plural: 'virtualservices' });
    expect(all.items[0].apiVersion).toBe('networking.istio.io/v1alpha3');

    // KubernetesObjectApi finds the kind through discovery.
    const generic = await h.objects.list('networking.istio.io/v1', 'VirtualService', 'default');
    expect(generic.items.map((i) => i.metadata!.name)).toEqual(['reviews']);
  });

  it('serves cluster-scoped CRDs at cluster paths only', async () => {
    const ext = h.kc.makeApiClient(k8s.ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: crd('sailoperator.io', 'istios', 'Istio', ['v1'], 'Cluster') });
    await h.custom.createClusterCustomObject({
      group: 'sailoperator.io',
      version: 'v1',
      plural: 'istios',
      body: { apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name: 'default' }, spec: { version: 'v1.24.0' } },
    });
    const got = await h.custom.getClusterCustomObject({ group: 'sailoperator.io', version: 'v1', plural: 'istios', name: 'default' });
    expect(got.spec.version).toBe('v1.24.0');
    expect(got.metadata.namespace).toBeUndefined();
    const res = await h.kc.makeApiClient(k8s.CustomObjectsApi).getAPIResources({ group: 'sailoperator.io', version: 'v1' });
    expect(res.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'istios', namespaced: false, kind: 'Istio' }), expect.objectContaining({ name: 'istios/status' })]),
    );
    const e = await apiError(h.custom.listNamespacedCustomObject({ group: 'sailoperator.io', version: 'v1', namespace: 'default', plural: 'istios' }));
    expect(e.code).toBe(404);
  });

  it('validates CRD names and removes the kind and its objects when the CRD is deleted', async () => {
    const ext = h.kc.makeApiClient(k8s.ApiextensionsV1Api);
    const bad = crd('install.istio.io', 'istiooperators', 'IstioOperator', ['v1alpha1']);
    bad.metadata.name = 'wrong-name';
    const e = await apiError(ext.createCustomResourceDefinition({ body: bad }));
    expect(e.code).toBe(422);
    expect(e.status.message).toContain('must be spec.names.plural+"."+spec.group');

    await ext.createCustomResourceDefinition({ body: crd('install.istio.io', 'istiooperators', 'IstioOperator', ['v1alpha1']) });
    await h.custom.createNamespacedCustomObject({
      group: 'install.istio.io',
      version: 'v1alpha1',
      namespace: 'istio-system',
      plural: 'istiooperators',
      body: { apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: { name: 'installed-state' }, spec: {} },
    });
    expect(h.server.list('install.istio.io/v1alpha1', 'IstioOperator')).toHaveLength(1);
    await ext.deleteCustomResourceDefinition({ name: 'istiooperators.install.istio.io' });
    expect(h.server.list('install.istio.io/v1alpha1', 'IstioOperator')).toHaveLength(0);
    const gone = await apiError(h.custom.listClusterCustomObject({ group: 'install.istio.io', version: 'v1alpha1', plural: 'istiooperators' }));
    expect(gone.code).toBe(404);
  });

  it('serves loaded objects of unknown kinds with an inferred plural and scope', async () => {
    const ap = await h.custom.listNamespacedCustomObject({ group: 'security.istio.io', version: 'v1', namespace: 'istio-system', plural: 'authorizationpolicies' });
    expect(ap.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['deny']);
    const gc = await h.custom.listClusterCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses' });
    expect(gc.items[0]).toMatchObject({ kind: 'GatewayClass', metadata: { name: 'istio' } });
    expect((await apiError(h.custom.listNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'default', plural: 'gatewayclasses' }))).code).toBe(404);
    const px = await h.custom.getNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'default', plural: 'proxies', name: 'p' });
    expect(px.metadata.uid).toBeTruthy();
  });

  it('keeps objects loaded before their CRD and adopts the CRD definition', async () => {
    h.server.load([
      { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: {} },
      crd('gateway.networking.k8s.io', 'gateways', 'Gateway', ['v1', 'v1beta1']),
    ]);
    const v1 = await h.custom.listNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: 'istio-system', plural: 'gateways' });
    expect(v1.items.map((i: { apiVersion: string; metadata: { name: string } }) => `${i.apiVersion} ${i.metadata.name}`)).toEqual(['gateway.networking.k8s.io/v1 gw']);
    expect(h.server.get('gateway.networking.k8s.io/v1', 'Gateway', 'gw', 'istio-system')!.apiVersion).toBe('gateway.networking.k8s.io/v1');
  });
});
