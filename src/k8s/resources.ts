/** The API resources the inventory reads, with the path pieces a REST client needs. */
export interface ResourceRef {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const r = (group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceRef => ({
  group,
  version,
  plural,
  kind,
  namespaced,
});

export const RESOURCES = {
  namespaces: r('', 'v1', 'namespaces', 'Namespace', false),
  nodes: r('', 'v1', 'nodes', 'Node', false),
  pods: r('', 'v1', 'pods', 'Pod', true),
  services: r('', 'v1', 'services', 'Service', true),
  configMaps: r('', 'v1', 'configmaps', 'ConfigMap', true),
  secrets: r('', 'v1', 'secrets', 'Secret', true),
  deployments: r('apps', 'v1', 'deployments', 'Deployment', true),
  replicaSets: r('apps', 'v1', 'replicasets', 'ReplicaSet', true),
  statefulSets: r('apps', 'v1', 'statefulsets', 'StatefulSet', true),
  daemonSets: r('apps', 'v1', 'daemonsets', 'DaemonSet', true),
  jobs: r('batch', 'v1', 'jobs', 'Job', true),
  mutatingWebhooks: r('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  validatingWebhooks: r('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  crds: r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  leases: r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  gateways: r('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway', true),
  istioOperators: r('install.istio.io', 'v1alpha1', 'istiooperators', 'IstioOperator', true),
  sailIstios: r('sailoperator.io', 'v1', 'istios', 'Istio', false),
} as const satisfies Record<string, ResourceRef>;

export type ResourceName = keyof typeof RESOURCES;

export function apiVersionOf(res: ResourceRef): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/x/deployments`, … */
export function collectionPath(res: ResourceRef, namespace?: string): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  return res.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${res.plural}` : `${base}/${res.plural}`;
}

export function describeResource(res: ResourceRef): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}
