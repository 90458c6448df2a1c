/** Cluster-level objects (Nodes, Namespaces) and the ClusterSnapshot envelope. */
import { meta, mergeLabels, renderNow, type K8sObject, type Labels } from './meta.js';

/** A Namespace as the API server stores it (it adds `kubernetes.io/metadata.name` itself since 1.21). */
export function namespace(name: string, labels: Labels = {}, opts: { createdAt?: string; uid?: string; annotations?: Labels } = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta('Namespace', name, {
      labels: mergeLabels({ 'kubernetes.io/metadata.name': name }, labels),
      annotations: opts.annotations,
      createdAt: opts.createdAt,
      uid: opts.uid,
    }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** `kube-system`, whose uid is commonly used as the cluster id. */
export function kubeSystemNamespace(uid: string, createdAt?: string): K8sObject {
  return namespace('kube-system', {}, { uid, createdAt });
}

/** The namespaces every cluster has besides kube-system. */
export function systemNamespaces(createdAt?: string): K8sObject[] {
  return ['default', 'kube-node-lease', 'kube-public'].map((n) => namespace(n, {}, { createdAt }));
}

export interface NodeOptions {
  createdAt?: string;
  role?: 'control-plane' | 'worker';
  arch?: 'amd64' | 'arm64';
  ready?: boolean;
  labels?: Labels;
  containerRuntimeVersion?: string;
  osImage?: string;
  kernelVersion?: string;
}

/** A Node; `kubeletVersion` as the kubelet reports it (e.g. `v1.30.10` or `v1.30.10-eks-59bf375`). */
export function node(name: string, kubeletVersion: string, opts: NodeOptions = {}): K8sObject {
  const arch = opts.arch ?? 'amd64';
  const labels = mergeLabels(
    {
      'beta.kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
    },
    opts.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {},
    opts.labels,
  );
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('Node', name, { labels, createdAt: opts.createdAt }),
    spec: opts.role === 'control-plane' ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure' },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID' },
        ready
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady' }
          : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' },
      ],
      nodeInfo: {
        architecture: arch,
        containerRuntimeVersion: opts.containerRuntimeVersion ?? 'containerd://1.7.22',
        kernelVersion: opts.kernelVersion ?? '6.1.119-129.201.amzn2023.x86_64',
        kubeProxyVersion: kubeletVersion,
        kubeletVersion,
        operatingSystem: 'linux',
        osImage: opts.osImage ?? 'Amazon Linux 2023.6.20250115',
      },
    },
  };
}

export interface SnapshotOptions {
  kubernetesVersion: string;
  context: string;
  capturedAt: string;
  clusterId?: string;
  items: K8sObject[];
}

export interface ClusterSnapshotDoc {
  apiVersion: 'istio-upgrade/v1';
  kind: 'ClusterSnapshot';
  kubernetesVersion: string;
  capturedAt: string;
  context: string;
  clusterId?: string;
  items: K8sObject[];
}

const KIND_ORDER = [
  'Node',
  'Namespace',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Istio',
  'IstioRevision',
  'IstioRevisionTag',
  'IstioOperator',
  'ConfigMap',
  'Secret',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicaSet',
  'Pod',
  'Gateway',
];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

const META_ORDER = ['name', 'namespace', 'uid', 'generation', 'creationTimestamp', 'labels', 'annotations', 'ownerReferences'];

/** Same object with metadata keys in a fixed order (renderers add labels/annotations in varying order). */
function normalizeMetadata(o: K8sObject): K8sObject {
  const m = o.metadata as Record<string, unknown>;
  const keys = [...META_ORDER.filter((k) => k in m), ...Object.keys(m).filter((k) => !META_ORDER.includes(k)).sort()];
  const metadata = Object.fromEntries(keys.map((k) => [k, m[k]])) as K8sObject['metadata'];
  return { ...o, metadata };
}

/**
 * The `istio-upgrade/v1` ClusterSnapshot envelope. Items are sorted (kind order above, then namespace, name) so the
 * output does not depend on the order the builders ran in. Throws on a duplicate (apiVersion group, kind, namespace, name).
 */
export function snapshot(o: SnapshotOptions): ClusterSnapshotDoc {
  const seen = new Set<string>();
  for (const item of o.items) {
    const group = item.apiVersion.includes('/') ? item.apiVersion.split('/')[0] : '';
    const key = `${group}/${item.kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`;
    if (seen.has(key)) throw new Error(`duplicate object in snapshot: ${key}`);
    seen.add(key);
  }
  const items = o.items.map(normalizeMetadata).sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      cmp(a.kind, b.kind) ||
      cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      cmp(a.metadata.name, b.metadata.name),
  );
  const doc: ClusterSnapshotDoc = {
    apiVersion: 'istio-upgrade/v1',
    kind: 'ClusterSnapshot',
    kubernetesVersion: o.kubernetesVersion,
    capturedAt: o.capturedAt ?? renderNow(),
    context: o.context,
    items,
  };
  if (o.clusterId) {
    // keep clusterId ahead of items for readability
    return { apiVersion: doc.apiVersion, kind: doc.kind, kubernetesVersion: doc.kubernetesVersion, capturedAt: doc.capturedAt, context: doc.context, clusterId: o.clusterId, items };
  }
  return doc;
}
