/**
 * Multi-cluster pieces as the istio.io multicluster guides leave them: the remote-profile install (`istiod-remote`
 * chart until 1.23, `istiod` with profile=remote from 1.24), the east-west gateway (`gateway` chart with
 * `networkGateway`), and the remote secrets `istioctl create-remote-secret` writes (kept as metadata only, as a
 * snapshot holds them).
 */
import { decorate, helmInstaller, istioChartLabels } from './installer.js';
import { gatewayDeployment } from './dataplane.js';
import { atLeast, meta, mergeLabels, type K8sObject, type Labels } from './meta.js';
import { injectorWebhookName, istiodName } from './istiod.js';

export interface RemoteProfileOptions {
  version: string;
  /** Helm release (`istiod-remote` before 1.24, `istiod` after the conversion). */
  release: string;
  revision?: string;
  namespace?: string;
  clusterName: string;
  network: string;
  /** The primary's east-west gateway address (`global.remotePilotAddress`). */
  remotePilotAddress: string;
  createdAt?: string;
}

/**
 * What a remote-profile release renders in the remote cluster: an injector webhook calling Service `istiod[-rev]`
 * on the injection path that names the cluster and network; that Service has no selector, its Endpoints point at
 * the primary's east-west gateway (the Endpoints are left out: discovery never reads them, so a snapshot has none);
 * the mesh ConfigMap sends proxies to the same address.
 */
export function remoteProfileInstall(o: RemoteProfileOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const rev = o.revision ?? 'default';
  const name = istiodName(o.revision);
  const installer = helmInstaller(o.release, ns);
  const chart = atLeast(o.version, '1.24') ? 'istiod' : 'istiod-remote';
  const base: Labels = mergeLabels({ 'istio.io/rev': rev, release: o.release }, atLeast(o.version, '1.24') ? istioChartLabels(o.version, chart, o.release) : {});
  const injectionPath = `/inject/cluster/${o.clusterName}/net/${o.network}`;
  const webhook = (prefix: string, nsExprs: Record<string, unknown>[], objExprs: Record<string, unknown>[]) => ({
    name: `${prefix}sidecar-injector.istio.io`,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name, namespace: ns, path: injectionPath, port: 443 } },
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    namespaceSelector: { matchExpressions: nsExprs },
    objectSelector: { matchExpressions: objExprs },
    reinvocationPolicy: 'Never',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
    sideEffects: 'None',
    timeoutSeconds: 10,
  });
  const notDisabled = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
  const webhooks = [
    webhook('rev.namespace.', [{ key: 'istio.io/rev', operator: 'In', values: [rev] }, { key: 'istio-injection', operator: 'DoesNotExist' }], [notDisabled]),
    webhook('rev.object.', [{ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }], [notDisabled, { key: 'istio.io/rev', operator: 'In', values: [rev] }]),
    ...(o.revision ? [] : [webhook('namespace.', [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }], [notDisabled])]),
  ];
  return [
    decorate(
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: meta('MutatingWebhookConfiguration', injectorWebhookName(o.revision, ns), { labels: mergeLabels(base, { app: 'sidecar-injector' }), createdAt: o.createdAt, generation: 1 }),
        webhooks,
      },
      installer,
    ),
    decorate(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta('ConfigMap', o.revision ? `istio-${o.revision}` : 'istio', { namespace: ns, labels: base, createdAt: o.createdAt }),
        data: { mesh: [`defaultConfig:`, `  discoveryAddress: ${name}.${ns}.svc:15012`, `rootNamespace: ${ns}`, 'trustDomain: cluster.local', ''].join('\n'), meshNetworks: 'networks: {}' },
      },
      installer,
    ),
    decorate(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('Service', name, { namespace: ns, labels: mergeLabels(base, { app: 'istiod', istio: 'pilot' }), createdAt: o.createdAt }),
        spec: {
          ports: [
            { name: 'tcp-istiod', port: 15012, protocol: 'TCP' },
            { name: 'tcp-webhook', port: 443, protocol: 'TCP', targetPort: 15017 },
          ],
          type: 'ClusterIP',
        },
      },
      installer,
    ),
  ];
}

/** Values of a remote-profile release, as the primary-remote guide sets them. */
export function remoteProfileValues(o: Pick<RemoteProfileOptions, 'version' | 'clusterName' | 'network' | 'remotePilotAddress' | 'revision'>): Record<string, unknown> {
  return {
    ...(atLeast(o.version, '1.24') ? { profile: 'remote' } : { pilot: { enabled: false } }),
    ...(o.revision ? { revision: o.revision } : {}),
    global: { configCluster: true, multiCluster: { clusterName: o.clusterName }, network: o.network, remotePilotAddress: o.remotePilotAddress },
    istiodRemote: { injectionPath: `/inject/cluster/${o.clusterName}/net/${o.network}` },
  };
}

export interface EastWestGatewayOptions {
  version: string;
  network: string;
  namespace?: string;
  nodes?: string[];
  createdAt?: string;
  loadBalancerIp: string;
  /** The istiod revision that injected the gateway pods (default: the revision-less `default`). */
  injectedByRevision?: string;
}

/**
 * `helm install istio-eastwestgateway istio/gateway --set name=istio-eastwestgateway --set networkGateway=<net>`: with
 * networkGateway the chart's Service carries `topology.istio.io/network` and always opens 15021, 15443, 15012 and
 * 15017 (manifests/charts/gateway/templates/service.yaml); whether istiod is routed through 15012/15017 is decided by
 * the expose-istiod Gateway/VirtualService, not by the chart.
 */
export function eastWestGateway(o: EastWestGatewayOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const objects = gatewayDeployment({
    name: 'istio-eastwestgateway',
    namespace: ns,
    version: o.version,
    replicas: 2,
    nodes: o.nodes,
    createdAt: o.createdAt,
    injectedBy: { revision: o.injectedByRevision ?? 'default', version: o.version },
  });
  const service = objects.find((x) => x.kind === 'Service')!;
  (service.spec as Record<string, unknown>).ports = [
    { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
    { name: 'tls', port: 15443, protocol: 'TCP', targetPort: 15443 },
    { name: 'tls-istiod', port: 15012, protocol: 'TCP', targetPort: 15012 },
    { name: 'tls-webhook', port: 15017, protocol: 'TCP', targetPort: 15017 },
  ];
  service.metadata.labels = { ...service.metadata.labels, 'topology.istio.io/network': o.network };
  (service as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: o.loadBalancerIp }] } };
  return objects;
}

/** `istioctl create-remote-secret --name <cluster>` applied in the cluster whose istiod reads `<cluster>`. */
export function remoteSecret(o: { cluster: string; namespace?: string; createdAt?: string }): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta('Secret', `istio-remote-secret-${o.cluster}`, {
      namespace: o.namespace ?? 'istio-system',
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': o.cluster },
      createdAt: o.createdAt,
    }),
    type: 'Opaque',
  };
}
