/**
 * Installers and neighbours that run in the cluster: the in-cluster IstioOperator controller (≤ 1.23), the Sail
 * Operator (`sailoperator.io/v1`), cert-manager and cert-manager istio-csr.
 */
import { namespace } from './cluster.js';
import { helmReleaseSecret, type HelmReleaseSpec } from './helm.js';
import { decorate, helmInstaller } from './installer.js';
import { meta, mergeLabels, ownerRef, renderNow, type K8sObject, type Labels, type OwnerReference } from './meta.js';
import { deploymentWithPods } from './workloads.js';

function simpleCrd(o: {
  group: string;
  plural: string;
  kind: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  versions: { name: string; served: boolean; storage: boolean }[];
  shortNames?: string[];
  categories?: string[];
  labels?: Labels;
  annotations?: Labels;
  createdAt?: string;
}): K8sObject {
  const names: Record<string, unknown> = {};
  if (o.categories) names.categories = o.categories;
  names.kind = o.kind;
  names.listKind = `${o.kind}List`;
  names.plural = o.plural;
  if (o.shortNames) names.shortNames = o.shortNames;
  names.singular = o.singular;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: meta('CustomResourceDefinition', `${o.plural}.${o.group}`, {
      labels: o.labels,
      annotations: o.annotations,
      createdAt: o.createdAt,
      generation: 1,
    }),
    spec: { group: o.group, names, scope: o.scope, versions: o.versions },
    status: {
      acceptedNames: names,
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
      ],
      storedVersions: [o.versions.find((v) => v.storage)!.name],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// In-cluster IstioOperator controller (`istioctl operator init`, chart manifests/charts/istio-operator, ≤ 1.23)

export interface InClusterOperatorOptions {
  version: string;
  /** Operator revision (`istio-operator-<rev>`, env REVISION) and the IOP's `spec.revision`. */
  revision?: string;
  operatorNamespace?: string;
  iopName?: string;
  iopNamespace?: string;
  profile?: string;
  /** Extra IstioOperator spec fields (components, meshConfig, values). */
  spec?: Record<string, unknown>;
  hub?: string;
  createdAt?: string;
  nodes?: string[];
  /** Include the `istio-operator` Namespace object (default true). */
  includeNamespace?: boolean;
}

/** Namespace `istio-operator`, CRD `istiooperators.install.istio.io`, Deployment `istio-operator[-<rev>]`, and the IstioOperator CR. */
export function inClusterOperator(o: InClusterOperatorOptions): K8sObject[] {
  const opNs = o.operatorNamespace ?? 'istio-operator';
  const createdAt = o.createdAt ?? renderNow();
  const name = `istio-operator${o.revision ? `-${o.revision}` : ''}`;
  const out: K8sObject[] = [];
  // operatorutil.CreateNamespace labels namespaces it creates with istio-injection=disabled
  if (o.includeNamespace ?? true) out.push(namespace(opNs, { 'istio-injection': 'disabled' }, { createdAt }));
  out.push(
    simpleCrd({
      group: 'install.istio.io',
      plural: 'istiooperators',
      kind: 'IstioOperator',
      singular: 'istiooperator',
      scope: 'Namespaced',
      shortNames: ['iop', 'io'],
      versions: [{ name: 'v1alpha1', served: true, storage: true }],
      labels: { release: 'istio' },
      createdAt,
    }),
  );
  out.push(
    ...deploymentWithPods({
      namespace: opNs,
      name,
      selector: { name: 'istio-operator' },
      template: {
        labels: { name: 'istio-operator' },
        annotations: { 'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true' },
        serviceAccountName: name,
        containers: [{ name: 'istio-operator', image: `${o.hub ?? 'docker.io/istio'}/operator:${o.version}` }],
      },
      replicas: 1,
      createdAt,
      nodes: o.nodes,
    }),
  );
  const iopNs = o.iopNamespace ?? 'istio-system';
  const spec: Record<string, unknown> = { profile: o.profile ?? 'default', ...(o.revision ? { revision: o.revision } : {}), ...(o.spec ?? {}) };
  out.push({
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: meta('IstioOperator', o.iopName ?? 'istio-controlplane', { namespace: iopNs, createdAt: createdAtPlus(createdAt, 120), generation: 1 }),
    spec,
    status: {
      componentStatus: {
        Base: { status: 'HEALTHY' },
        IngressGateways: { status: 'HEALTHY' },
        Pilot: { status: 'HEALTHY' },
      },
      status: 'HEALTHY',
    },
  });
  return out;
}

function createdAtPlus(ts: string, seconds: number): string {
  return new Date(Date.parse(ts) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------------------------
// Sail Operator (istio-ecosystem/sail-operator)

export interface SailOperatorOptions {
  /** Sail Operator release (chart `sail-operator`, image quay.io/sail-dev/sail-operator:<v>). */
  operatorVersion: string;
  /** `Istio.spec.version` without the leading v (e.g. 1.24.6). */
  istioVersion: string;
  istioName?: string;
  namespace?: string;
  operatorNamespace?: string;
  profile?: string;
  updateStrategy?: 'InPlace' | 'RevisionBased';
  values?: Record<string, unknown>;
  createdAt?: string;
  nodes?: string[];
}

export interface SailOperatorRender {
  /** Namespace, Sail CRDs, operator Deployment/ReplicaSet/Pod, Istio and IstioRevision CRs. */
  objects: K8sObject[];
  istio: K8sObject;
  istioRevision: K8sObject;
  /** IstioRevision name: the Istio name (InPlace) or `<name>-v<x>-<y>-<z>` (RevisionBased). */
  revisionName: string;
  /** ownerReference the Sail post-renderer puts on every object of the revision's releases. */
  revisionOwner: OwnerReference;
  /** Image hub Sail passes to the charts (from the operator Deployment's `images.*` annotations). */
  hub: string;
}

const SAIL_CRDS: [plural: string, kind: string, singular: string][] = [
  ['istiocnis', 'IstioCNI', 'istiocni'],
  ['istiorevisions', 'IstioRevision', 'istiorevision'],
  ['istiorevisiontags', 'IstioRevisionTag', 'istiorevisiontag'],
  ['istios', 'Istio', 'istio'],
  ['ztunnels', 'ZTunnel', 'ztunnel'],
];

export function sailOperator(o: SailOperatorOptions): SailOperatorRender {
  const opNs = o.operatorNamespace ?? 'sail-operator';
  const istioNs = o.namespace ?? 'istio-system';
  const name = o.istioName ?? 'default';
  const createdAt = o.createdAt ?? renderNow();
  const strategy = o.updateStrategy ?? 'InPlace';
  const revisionName = strategy === 'InPlace' ? name : `${name}-v${o.istioVersion.replace(/\./g, '-')}`;
  const hub = 'gcr.io/istio-release';
  const opInstaller = helmInstaller('sail-operator', opNs);
  const objects: K8sObject[] = [namespace(opNs, {}, { createdAt })];
  for (const [plural, kind, singular] of SAIL_CRDS) {
    objects.push(
      simpleCrd({
        group: 'sailoperator.io',
        plural,
        kind,
        singular,
        scope: 'Cluster',
        categories: ['istio-io'],
        versions: [{ name: 'v1', served: true, storage: true }],
        annotations: { 'controller-gen.kubebuilder.io/version': 'v0.18.0' },
        createdAt,
      }),
    );
  }
  const imageAnnotations: Labels = {};
  const key = `v${o.istioVersion.replace(/\./g, '_')}`;
  for (const [comp, img] of [
    ['cni', 'install-cni'],
    ['istiod', 'pilot'],
    ['proxy', 'proxyv2'],
    ['ztunnel', 'ztunnel'],
  ] as const) {
    imageAnnotations[`images.${key}.${comp}`] = `${hub}/${img}:${o.istioVersion}`;
  }
  const opLabels: Labels = { 'app.kubernetes.io/created-by': 'sailoperator', 'app.kubernetes.io/part-of': 'sailoperator', 'control-plane': 'sail-operator' };
  const op = deploymentWithPods({
    namespace: opNs,
    name: 'sail-operator',
    labels: mergeLabels(
      {
        'app.kubernetes.io/component': 'sail-operator',
        'app.kubernetes.io/instance': 'sail-operator',
        'app.kubernetes.io/managed-by': 'helm',
        'app.kubernetes.io/name': 'deployment',
      },
      opLabels,
    ),
    selector: opLabels,
    template: {
      labels: opLabels,
      annotations: mergeLabels({ 'kubectl.kubernetes.io/default-container': 'sail-operator' }, imageAnnotations),
      serviceAccountName: 'sail-operator',
      containers: [{ name: 'sail-operator', image: `quay.io/sail-dev/sail-operator:${o.operatorVersion}` }],
    },
    replicas: 1,
    createdAt,
    nodes: o.nodes,
  });
  decorate(op[0]!, opInstaller);
  objects.push(...op);

  const istioCreated = createdAtPlus(createdAt, 600);
  const values = o.values ?? {};
  const istio: K8sObject = {
    apiVersion: 'sailoperator.io/v1',
    kind: 'Istio',
    metadata: meta('Istio', name, { createdAt: istioCreated, generation: 1 }),
    spec: {
      namespace: istioNs,
      ...(o.profile ? { profile: o.profile } : {}),
      updateStrategy: { inactiveRevisionDeletionGracePeriodSeconds: 30, type: strategy },
      values,
      version: `v${o.istioVersion}`,
    },
    status: {
      activeRevisionName: revisionName,
      conditions: [
        { type: 'Reconciled', status: 'True', lastTransitionTime: istioCreated },
        { type: 'Ready', status: 'True', lastTransitionTime: createdAtPlus(istioCreated, 40) },
      ],
      observedGeneration: 1,
      revisions: { inUse: 1, ready: 1, total: 1 },
      state: 'Healthy',
    },
  };
  const istioRevision: K8sObject = {
    apiVersion: 'sailoperator.io/v1',
    kind: 'IstioRevision',
    metadata: meta('IstioRevision', revisionName, {
      createdAt: createdAtPlus(istioCreated, 1),
      generation: 1,
      labels: { 'app.kubernetes.io/managed-by': 'sail-operator' },
      ownerReferences: [ownerRef(istio)],
    }),
    spec: {
      namespace: istioNs,
      values: {
        ...values,
        global: {
          ...((values.global as object | undefined) ?? {}),
          istioNamespace: istioNs,
          proxy: { image: `${hub}/proxyv2:${o.istioVersion}` },
          proxy_init: { image: `${hub}/proxyv2:${o.istioVersion}` },
        },
        pilot: { image: `${hub}/pilot:${o.istioVersion}` },
        revision: revisionName === 'default' ? '' : revisionName,
      },
      version: `v${o.istioVersion}`,
    },
    status: {
      conditions: [
        { type: 'Reconciled', status: 'True', lastTransitionTime: istioCreated },
        { type: 'Ready', status: 'True', lastTransitionTime: createdAtPlus(istioCreated, 40) },
        { type: 'InUse', status: 'True', reason: 'ReferencedByWorkloads', lastTransitionTime: createdAtPlus(istioCreated, 300) },
      ],
      observedGeneration: 1,
      state: 'Healthy',
    },
  };
  objects.push(istio, istioRevision);
  return { objects, istio, istioRevision, revisionName, revisionOwner: ownerRef(istioRevision), hub };
}

// ---------------------------------------------------------------------------------------------------------------
// cert-manager and cert-manager istio-csr

export interface IstioCsrOptions {
  version?: string;
  namespace?: string;
  releaseName?: string;
  replicas?: number;
  values?: Record<string, unknown>;
  /** Helm deploy time (RFC 3339, whole seconds). */
  deployedAt?: string;
  nodes?: string[];
}

/** The Helm release record of istio-csr (chart `cert-manager-istio-csr`). */
export function istioCsrRelease(o: IstioCsrOptions = {}): HelmReleaseSpec {
  const version = o.version ?? 'v0.11.0';
  const deployed = o.deployedAt ?? renderNow();
  return {
    name: o.releaseName ?? 'cert-manager-istio-csr',
    namespace: o.namespace ?? 'cert-manager',
    revision: 1,
    status: 'deployed',
    chart: {
      name: 'cert-manager-istio-csr',
      version,
      appVersion: version,
      description: 'istio-csr enables the use of cert-manager for issuing certificates in Istio service meshes',
      keywords: ['cert-manager', 'istio'],
      sources: ['https://github.com/cert-manager/istio-csr'],
      apiVersion: 'v2',
      type: 'application',
    },
    values: o.values ?? {},
    firstDeployed: deployed.replace(/Z$/, '.418205331Z'),
    lastDeployed: deployed.replace(/Z$/, '.418205331Z'),
    recordedAt: createdAtPlus(deployed, 20),
  };
}

/** Deployment `cert-manager-istio-csr` (+ RS, Pods), its Service, and its Helm release Secret. */
export function istioCsr(o: IstioCsrOptions = {}): K8sObject[] {
  const version = o.version ?? 'v0.11.0';
  const ns = o.namespace ?? 'cert-manager';
  const release = o.releaseName ?? 'cert-manager-istio-csr';
  const createdAt = o.deployedAt ?? renderNow();
  const name = 'cert-manager-istio-csr';
  const labels: Labels = {
    'app.kubernetes.io/name': name,
    'helm.sh/chart': `${name}-${version}`,
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/managed-by': 'Helm',
  };
  const installer = helmInstaller(release, ns);
  const objects = deploymentWithPods({
    namespace: ns,
    name,
    labels,
    selector: { app: name },
    template: {
      labels: mergeLabels({ app: name }, labels),
      serviceAccountName: name,
      containers: [{ name, image: `quay.io/jetstack/cert-manager-istio-csr:${version}` }],
    },
    replicas: o.replicas ?? 1,
    createdAt,
    nodes: o.nodes,
  });
  decorate(objects[0]!, installer);
  const service = decorate(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('Service', name, { namespace: ns, labels, createdAt }),
      spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'web', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    },
    installer,
  );
  return [objects[0]!, service, ...objects.slice(1), helmReleaseSecret(istioCsrRelease(o))];
}

export interface CertManagerOptions {
  version?: string;
  namespace?: string;
  deployedAt?: string;
  nodes?: string[];
  values?: Record<string, unknown>;
}

export function certManagerRelease(o: CertManagerOptions = {}): HelmReleaseSpec {
  const version = o.version ?? 'v1.16.3';
  const deployed = o.deployedAt ?? renderNow();
  return {
    name: 'cert-manager',
    namespace: o.namespace ?? 'cert-manager',
    revision: 1,
    status: 'deployed',
    chart: {
      name: 'cert-manager',
      version,
      appVersion: version,
      description: 'A Helm chart for cert-manager',
      keywords: ['cert-manager', 'kube-lego', 'letsencrypt', 'tls'],
      sources: ['https://github.com/cert-manager/cert-manager'],
      apiVersion: 'v2',
      kubeVersion: '>= 1.22.0-0',
    },
    values: o.values ?? { crds: { enabled: true } },
    firstDeployed: deployed.replace(/Z$/, '.90331Z'),
    lastDeployed: deployed.replace(/Z$/, '.90331Z'),
    recordedAt: createdAtPlus(deployed, 35),
  };
}

/** cert-manager controller, cainjector and webhook Deployments (+ RS, Pods) and the Helm release Secret. */
export function certManager(o: CertManagerOptions = {}): K8sObject[] {
  const version = o.version ?? 'v1.16.3';
  const ns = o.namespace ?? 'cert-manager';
  const createdAt = o.deployedAt ?? renderNow();
  const installer = helmInstaller('cert-manager', ns);
  const out: K8sObject[] = [];
  for (const [name, component, image] of [
    ['cert-manager', 'controller', 'cert-manager-controller'],
    ['cert-manager-cainjector', 'cainjector', 'cert-manager-cainjector'],
    ['cert-manager-webhook', 'webhook', 'cert-manager-webhook'],
  ] as const) {
    const short = name === 'cert-manager' ? 'cert-manager' : name.replace('cert-manager-', '');
    const selector: Labels = { 'app.kubernetes.io/name': short, 'app.kubernetes.io/instance': 'cert-manager', 'app.kubernetes.io/component': component };
    const labels = mergeLabels({ app: short }, selector, { 'app.kubernetes.io/version': version, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `cert-manager-${version}` });
    const objects = deploymentWithPods({
      namespace: ns,
      name,
      labels,
      selector,
      template: { labels, serviceAccountName: name, containers: [{ name: `cert-manager-${component}`, image: `quay.io/jetstack/${image}:${version}` }] },
      replicas: 1,
      createdAt,
      nodes: o.nodes,
    });
    decorate(objects[0]!, installer);
    out.push(...objects);
  }
  out.push(helmReleaseSecret(certManagerRelease(o)));
  return out;
}
