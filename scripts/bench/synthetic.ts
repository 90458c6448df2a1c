/**
 * Synthetic cluster for the benchmark: an Istio 1.23.6 sidecar mesh (revisioned istiod, tag `default`)
 * with N app namespaces labelled istio.io/rev=default, Deployments → ReplicaSets → Pods shaped like real
 * injected pods (~8 KB each, managedFields included), plus ~10% non-mesh pods in unlabelled namespaces.
 *
 * Deterministic (seeded). Written as a JSON `List`, one item per line, so both serve.ts (`--load`) and
 * scripts/bench/server.ts (line-by-line, no 500 MB string) can load it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

type Obj = Record<string, unknown>;

export interface SyntheticSpec {
  /** Total pods (mesh + non-mesh), istiod pods excluded. */
  pods: number;
  /** App namespaces (mesh + non-mesh), kube-system/istio-system excluded. */
  namespaces: number;
  /** Share of pods (and namespaces) outside the mesh; default 0.1. */
  nonMeshShare?: number;
  /** Replicas per Deployment; default 5. */
  replicas?: number;
  seed?: number;
}

export interface SyntheticStats {
  file: string;
  bytes: number;
  objects: number;
  meshPods: number;
  nonMeshPods: number;
  meshNamespaces: number;
  plainNamespaces: number;
  deployments: number;
  nodes: number;
  /** Average serialized size of a mesh pod, bytes. */
  meshPodBytes: number;
  nonMeshPodBytes: number;
}

const REV = '1-23-6';
const VERSION = '1.23.6';
const PROXY_IMAGE = `docker.io/istio/proxyv2:${VERSION}`;
const ISTIOD = `istiod-${REV}`;
const CREATED = Date.parse('2025-05-12T08:00:00Z');
const APPS = ['checkout', 'cart', 'catalog', 'payments', 'orders', 'search', 'ratings', 'reviews', 'inventory', 'shipping', 'users', 'gateway-api', 'recommend', 'notify', 'billing', 'auth'];
const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chars(n: number, alphabet = HASH_ALPHABET): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }
  uid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[this.int(4)]}${this.hex(3)}-${this.hex(12)}`;
  }
  ip(prefix: string): string {
    return `${prefix}.${this.int(250) + 2}.${this.int(250) + 2}`;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------- control plane

function namespace(name: string, labels: Record<string, string>, uid: string, created: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid, creationTimestamp: iso(created), labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function injectorWebhook(name: string, selectorKey: 'namespace' | 'object', revValue: string): Obj {
  const nsSel =
    selectorKey === 'namespace'
      ? { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [revValue] }, { key: 'istio-injection', operator: 'DoesNotExist' }] }
      : { matchExpressions: [{ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }] };
  const objSel =
    selectorKey === 'namespace'
      ? { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }] }
      : { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] }, { key: 'istio.io/rev', operator: 'In', values: [revValue] }] };
  return {
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: ISTIOD, namespace: 'istio-system', path: '/inject', port: 443 }, caBundle: 'LS0tLS1CRUdJTi' + 'A'.repeat(1400) },
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    name,
    namespaceSelector: nsSel,
    objectSelector: objSel,
    reinvocationPolicy: 'Never',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
    sideEffects: 'None',
    timeoutSeconds: 10,
  };
}

function controlPlane(g: Gen): Obj[] {
  const cpLabels = { app: 'istiod', 'istio.io/rev': REV, 'install.operator.istio.io/owning-resource': 'unknown', istio: 'pilot', 'operator.istio.io/component': 'Pilot', release: ISTIOD };
  const helm = { 'meta.helm.sh/release-name': ISTIOD, 'meta.helm.sh/release-namespace': 'istio-system' };
  const created = CREATED - 86_400_000;
  const depUid = g.uid();
  const rsUid = g.uid();
  const hash = g.chars(10);
  const podLabels = { app: 'istiod', istio: 'istiod', 'istio.io/rev': REV, 'istio.io/dataplane-mode': 'none', 'sidecar.istio.io/inject': 'false', 'operator.istio.io/component': 'Pilot' };
  const template = {
    metadata: { labels: podLabels, annotations: { 'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/inject': 'false' } },
    spec: {
      serviceAccountName: ISTIOD,
      containers: [
        {
          name: 'discovery',
          image: `docker.io/istio/pilot:${VERSION}`,
          args: ['discovery', '--monitoringAddr=:15014', '--log_output_level=default:info', '--domain', 'cluster.local', '--keepaliveMaxServerConnectionAge', '30m'],
          ports: [
            { containerPort: 8080, protocol: 'TCP' },
            { containerPort: 15010, protocol: 'TCP' },
            { containerPort: 15017, protocol: 'TCP' },
          ],
          env: [
            { name: 'REVISION', value: REV },
            { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
            { name: 'KUBECONFIG', value: '/var/run/secrets/remote/config' },
            { name: 'PILOT_TRACE_SAMPLING', value: '1' },
            { name: 'PILOT_ENABLE_ANALYSIS', value: 'false' },
            { name: 'CLUSTER_ID', value: 'Kubernetes' },
            { name: 'GOMEMLIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } },
            { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } },
          ],
          readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 3, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 },
          resources: { requests: { cpu: '500m', memory: '2Gi' } },
        },
      ],
    },
  };
  const objs: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: ISTIOD, namespace: 'istio-system', uid: depUid, generation: 1, creationTimestamp: iso(created), labels: { ...cpLabels, 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'deployment.kubernetes.io/revision': '1', ...helm } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'istiod', 'istio.io/rev': REV } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: '25%' } }, template },
      status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${ISTIOD}-${hash}`,
        namespace: 'istio-system',
        uid: rsUid,
        creationTimestamp: iso(created),
        labels: { ...podLabels, 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: ISTIOD, uid: depUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 2, selector: { matchLabels: { app: 'istiod', 'istio.io/rev': REV, 'pod-template-hash': hash } }, template },
      status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: ISTIOD, namespace: 'istio-system', uid: g.uid(), creationTimestamp: iso(created), labels: { ...cpLabels }, annotations: helm },
      spec: { type: 'ClusterIP', clusterIP: '10.96.12.40', selector: { app: 'istiod', 'istio.io/rev': REV }, ports: [15010, 15012, 443, 15014].map((p) => ({ name: `p-${p}`, port: p, protocol: 'TCP', targetPort: p === 443 ? 15017 : p })) },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `istio-${REV}`, namespace: 'istio-system', uid: g.uid(), creationTimestamp: iso(created), labels: { 'istio.io/rev': REV, release: ISTIOD }, annotations: helm },
      data: { mesh: 'defaultConfig:\n  discoveryAddress: istiod-1-23-6.istio-system.svc:15012\ndefaultProviders:\n  metrics:\n  - prometheus\nenablePrometheusMerge: true\nrootNamespace: istio-system\ntrustDomain: cluster.local', meshNetworks: 'networks: {}' },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: {
        name: `istio-sidecar-injector-${REV}`,
        uid: g.uid(),
        generation: 1,
        creationTimestamp: iso(created),
        labels: { app: 'sidecar-injector', 'app.kubernetes.io/managed-by': 'Helm', 'istio.io/rev': REV, 'operator.istio.io/component': 'Pilot', release: ISTIOD },
        annotations: helm,
      },
      webhooks: [injectorWebhook('rev.namespace.sidecar-injector.istio.io', 'namespace', REV), injectorWebhook('rev.object.sidecar-injector.istio.io', 'object', REV)],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: {
        name: 'istio-revision-tag-default',
        uid: g.uid(),
        generation: 1,
        creationTimestamp: iso(created),
        labels: { app: 'sidecar-injector', 'istio.io/rev': REV, 'istio.io/tag': 'default', 'operator.istio.io/component': 'Pilot', release: ISTIOD },
        annotations: helm,
      },
      webhooks: [injectorWebhook('rev.namespace.sidecar-injector.istio.io', 'namespace', 'default'), injectorWebhook('rev.object.sidecar-injector.istio.io', 'object', 'default')],
    },
  ];
  for (let i = 0; i < 2; i++) {
    const name = `${ISTIOD}-${hash}-${g.chars(5)}`;
    objs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'istio-system',
        uid: g.uid(),
        creationTimestamp: iso(created),
        labels: { ...podLabels, 'pod-template-hash': hash },
        annotations: template.metadata.annotations,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${ISTIOD}-${hash}`, uid: rsUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { ...template.spec, nodeName: 'node-0000' },
      status: { phase: 'Running', podIP: g.ip('10.244'), conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'discovery', image: `docker.io/istio/pilot:${VERSION}`, ready: true, started: true, restartCount: 0 }] },
    });
  }
  return objs;
}

// ---------------------------------------------------------------- nodes

function node(g: Gen, i: number): Obj {
  const name = `node-${String(i).padStart(4, '0')}`;
  const zone = `europe-west1-${'bcd'[i % 3]}`;
  const t = iso(CREATED - 30 * 86_400_000);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: g.uid(),
      creationTimestamp: t,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'n2-standard-16',
        'topology.kubernetes.io/region': 'europe-west1',
        'topology.kubernetes.io/zone': zone,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: `10.244.${i % 256}.0/24`, providerID: `gce://prod/${zone}/${name}` },
    status: {
      addresses: [{ type: 'InternalIP', address: g.ip('10.132') }, { type: 'Hostname', address: name }],
      allocatable: { cpu: '15890m', 'ephemeral-storage': '47060071478', memory: '60055600Ki', pods: '110' },
      capacity: { cpu: '16', 'ephemeral-storage': '98831908Ki', memory: '65867312Ki', pods: '110' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        lastHeartbeatTime: t,
        lastTransitionTime: t,
        reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
        message: type === 'Ready' ? 'kubelet is posting ready status' : `kubelet has no ${type}`,
      })),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: g.uid(),
        containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.1.100+',
        kubeProxyVersion: 'v1.30.5',
        kubeletVersion: 'v1.30.5',
        machineID: g.hex(32),
        operatingSystem: 'linux',
        osImage: 'Container-Optimized OS from Google',
        systemUUID: g.uid(),
      },
    },
  };
}

// ---------------------------------------------------------------- workloads

interface Workload {
  ns: string;
  app: string;
  mesh: boolean;
  depUid: string;
  rsName: string;
  rsUid: string;
  hash: string;
  replicas: number;
}

function appContainer(app: string, ns: string, g: Gen): Obj {
  return {
    name: 'app',
    image: `registry.example.com/${ns}/${app}:2.${g.int(40)}.${g.int(20)}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
    ],
    resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
  };
}

function proxyContainer(app: string, ns: string): Obj {
  const field = (fieldPath: string): Obj => ({ valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });
  const res = (resource: string): Obj => ({ valueFrom: { resourceFieldRef: { divisor: '0', resource } } });
  return {
    name: 'istio-proxy',
    image: PROXY_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
    env: [
      { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
      { name: 'CA_ADDR', value: `${ISTIOD}.istio-system.svc:15012` },
      { name: 'POD_NAME', ...field('metadata.name') },
      { name: 'POD_NAMESPACE', ...field('metadata.namespace') },
      { name: 'INSTANCE_IP', ...field('status.podIP') },
      { name: 'ISTIO_META_WORKLOAD_NAME', value: app },
      { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${app}` },
    ],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, periodSeconds: 15, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 4 },
    resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 1337,
      runAsNonRoot: true,
      runAsUser: 1337,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [
      { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
      { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
      { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
      { name: 'istiod-ca-cert', mountPath: '/var/run/secrets/istio' },
      { name: 'istio-data', mountPath: '/var/lib/istio/data' },
      { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
      { name: 'istio-token', mountPath: '/var/run/secrets/tokens' },
      { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    ],
  };
}

const INIT_CONTAINER: Obj = {
  name: 'istio-init',
  image: PROXY_IMAGE,
  imagePullPolicy: 'IfNotPresent',
  args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'],
  securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: false, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 },
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

const KUBE_API_ACCESS: Obj = {
  name: 'kube-api-access',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

const ISTIO_VOLUMES: Obj[] = [
  { name: 'workload-socket', emptyDir: {} },
  { name: 'credential-socket', emptyDir: {} },
  { name: 'workload-certs', emptyDir: {} },
  { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
  { name: 'istio-data', emptyDir: {} },
  {
    name: 'istio-podinfo',
    downwardAPI: {
      defaultMode: 420,
      items: [
        { path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.annotations' } },
      ],
    },
  },
  { name: 'istio-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } },
  { name: 'istiod-ca-cert', configMap: { defaultMode: 420, name: 'istio-ca-root-cert' } },
];

const SIDECAR_STATUS = JSON.stringify({
  initContainers: ['istio-init'],
  containers: ['istio-proxy'],
  volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'],
  imagePullSecrets: null,
  revision: REV,
});

function podLabels(w: Workload): Record<string, string> {
  const base: Record<string, string> = { app: w.app, version: 'v1', 'pod-template-hash': w.hash };
  if (!w.mesh) return base;
  return { ...base, 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': w.app, 'service.istio.io/canonical-revision': 'v1' };
}

function podAnnotations(w: Workload): Record<string, string> {
  if (!w.mesh) return { 'kubectl.kubernetes.io/restartedAt': '2025-05-12T08:00:00Z' };
  return {
    'istio.io/rev': REV,
    'kubectl.kubernetes.io/default-container': 'app',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'sidecar.istio.io/status': SIDECAR_STATUS,
  };
}

function managedFields(w: Workload, t: string, podIP: string): Obj[] {
  const labelKeys = Object.keys(podLabels(w)).filter((k) => k !== 'security.istio.io/tlsMode' && !k.startsWith('service.istio.io/'));
  const ctrl: Obj = {
    'f:metadata': {
      'f:annotations': w.mesh ? {} : { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {} },
      'f:generateName': {},
      'f:labels': Object.fromEntries([['.', {}], ...labelKeys.map((k) => [`f:${k}`, {}])]),
      'f:ownerReferences': { '.': {}, [`k:{"uid":"${w.rsUid}"}`]: {} },
    },
    'f:spec': {
      'f:containers': {
        'k:{"name":"app"}': {
          '.': {},
          'f:image': {},
          'f:name': {},
          'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
        },
      },
      'f:dnsPolicy': {},
      'f:enableServiceLinks': {},
      'f:restartPolicy': {},
      'f:schedulerName': {},
      'f:securityContext': {},
      'f:serviceAccount': {},
      'f:serviceAccountName': {},
      'f:terminationGracePeriodSeconds': {},
    },
  };
  const kubelet: Obj = {
    'f:status': {
      'f:conditions': Object.fromEntries(
        ['ContainersReady', 'Initialized', 'Ready'].map((c) => [`k:{"type":"${c}"}`, { '.': {}, 'f:status': {}, 'f:type': {} }]),
      ),
      'f:containerStatuses': {},
      'f:hostIP': {},
      'f:hostIPs': {},
      ...(w.mesh ? { 'f:initContainerStatuses': {} } : {}),
      'f:phase': {},
      'f:podIP': {},
      'f:podIPs': { '.': {}, [`k:{"ip":"${podIP}"}`]: { '.': {}, 'f:ip': {} } },
      'f:startTime': {},
    },
  };
  return [
    { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: ctrl },
    { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: kubelet, subresource: 'status' },
  ];
}

function containerStatus(name: string, image: string, g: Gen, t: string): Obj {
  return {
    name,
    image,
    imageID: `${image.split(':')[0]}@sha256:${g.hex(64)}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: t } },
  };
}

function pod(w: Workload, g: Gen, nodeName: string, hostIP: string, created: number): Obj {
  const name = `${w.app}-${w.hash}-${g.chars(5)}`;
  const t = iso(created);
  const podIP = g.ip('10.244');
  const app = appContainer(w.app, w.ns, g);
  const containers = w.mesh ? [app, proxyContainer(w.app, w.ns)] : [app];
  const statuses = containers.map((c) => containerStatus(c['name'] as string, c['image'] as string, g, t));
  const conditions = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: t }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${w.app}-${w.hash}-`,
      namespace: w.ns,
      uid: g.uid(),
      resourceVersion: String(100_000 + g.int(9_000_000)),
      creationTimestamp: t,
      labels: podLabels(w),
      annotations: podAnnotations(w),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: w.rsName, uid: w.rsUid, controller: true, blockOwnerDeletion: true }],
      managedFields: managedFields(w, t, podIP),
    },
    spec: {
      ...(w.mesh ? { initContainers: [INIT_CONTAINER] } : {}),
      containers,
      volumes: w.mesh ? [...ISTIO_VOLUMES, KUBE_API_ACCESS] : [KUBE_API_ACCESS],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      nodeName,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: w.app,
      serviceAccountName: w.app,
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: 'Running',
      conditions,
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      qosClass: 'Burstable',
      startTime: t,
      ...(w.mesh
        ? { initContainerStatuses: [{ ...containerStatus('istio-init', PROXY_IMAGE, g, t), ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } } }] }
        : {}),
      containerStatuses: statuses,
    },
  };
}

function deploymentAndReplicaSet(w: Workload, g: Gen, created: number): Obj[] {
  const t = iso(created);
  const selector = { matchLabels: { app: w.app } };
  const labels = { app: w.app, 'app.kubernetes.io/name': w.app, 'app.kubernetes.io/part-of': 'shop' };
  const template = {
    metadata: { labels: { app: w.app, version: 'v1' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: `registry.example.com/${w.ns}/${w.app}:2.0.0`,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10 },
        },
      ],
      serviceAccountName: w.app,
    },
  };
  const status = { observedGeneration: 1, replicas: w.replicas, readyReplicas: w.replicas, availableReplicas: w.replicas };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: w.app, namespace: w.ns, uid: w.depUid, generation: 1, creationTimestamp: t, labels, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { replicas: w.replicas, selector, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, template, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
      status: { ...status, updatedReplicas: w.replicas, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: w.rsName,
        namespace: w.ns,
        uid: w.rsUid,
        generation: 1,
        creationTimestamp: t,
        labels: { ...template.metadata.labels, 'pod-template-hash': w.hash },
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(w.replicas), 'deployment.kubernetes.io/max-replicas': String(w.replicas + 2), 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.app, uid: w.depUid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: w.replicas, selector: { matchLabels: { app: w.app, 'pod-template-hash': w.hash } }, template: { ...template, metadata: { labels: { ...template.metadata.labels, 'pod-template-hash': w.hash } } } },
      status: { ...status, fullyLabeledReplicas: w.replicas },
    },
  ];
}

/** Splits `total` into `parts` near-equal integers. */
function split(total: number, parts: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < parts; i++) out.push(Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts));
  return out;
}

/** Generates the cluster and streams it to `file` as a JSON List, one item per line. */
export function writeSyntheticCluster(spec: SyntheticSpec, file: string): SyntheticStats {
  const g = new Gen(spec.seed ?? 0x15710);
  const share = spec.nonMeshShare ?? 0.1;
  const replicas = spec.replicas ?? 5;
  const plainNamespaces = Math.max(1, Math.round(spec.namespaces * share));
  const meshNamespaces = spec.namespaces - plainNamespaces;
  const nonMeshPods = Math.round(spec.pods * share);
  const meshPods = spec.pods - nonMeshPods;
  const nodeCount = Math.max(3, Math.ceil(spec.pods / 100));

  const fd = openSync(file, 'w');
  let buf: string[] = [];
  let bufLen = 0;
  let bytes = 0;
  let objects = 0;
  let first = true;
  const flush = (): void => {
    if (buf.length === 0) return;
    const s = buf.join('');
    bytes += Buffer.byteLength(s);
    writeSync(fd, s);
    buf = [];
    bufLen = 0;
  };
  const emit = (o: Obj): number => {
    const json = JSON.stringify(o);
    buf.push(first ? '\n' : ',\n', json);
    first = false;
    bufLen += json.length;
    objects++;
    if (bufLen > 4 << 20) flush();
    return json.length;
  };

  buf.push('{"apiVersion":"v1","kind":"List","metadata":{},"items":[');
  emit(namespace('kube-system', {}, g.uid(), CREATED - 60 * 86_400_000));
  emit(namespace('istio-system', {}, g.uid(), CREATED - 30 * 86_400_000));
  for (const o of controlPlane(g)) emit(o);
  const nodes: { name: string; ip: string }[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const n = node(g, i);
    emit(n);
    const st = n['status'] as { addresses: { address: string }[] };
    nodes.push({ name: (n['metadata'] as { name: string }).name, ip: st.addresses[0]!.address });
  }

  let deployments = 0;
  let meshBytes = 0;
  let plainBytes = 0;
  let podIndex = 0;
  const emitNamespace = (ns: string, mesh: boolean, pods: number): void => {
    emit(namespace(ns, mesh ? { 'istio.io/rev': 'default' } : {}, g.uid(), CREATED - 7 * 86_400_000));
    const perDeployment = split(pods, Math.max(1, Math.round(pods / replicas)));
    perDeployment.forEach((n, d) => {
      if (n === 0) return;
      const hash = g.chars(10);
      const app = `${APPS[d % APPS.length]}${d >= APPS.length ? `-${Math.floor(d / APPS.length)}` : ''}`;
      const w: Workload = { ns, app, mesh, depUid: g.uid(), rsName: `${app}-${hash}`, rsUid: g.uid(), hash, replicas: n };
      const created = CREATED + g.int(86_400_000);
      for (const o of deploymentAndReplicaSet(w, g, created)) emit(o);
      deployments++;
      for (let i = 0; i < n; i++) {
        const nd = nodes[podIndex++ % nodes.length]!;
        const len = emit(pod(w, g, nd.name, nd.ip, created + 5000 + i * 1000));
        if (mesh) meshBytes += len;
        else plainBytes += len;
      }
    });
  };
  const meshPerNs = split(meshPods, meshNamespaces);
  const plainPerNs = split(nonMeshPods, plainNamespaces);
  // Interleave so that mesh and non-mesh namespaces sort among each other, as in a real cluster.
  for (let i = 0; i < meshNamespaces; i++) emitNamespace(`team-${String(i).padStart(4, '0')}`, true, meshPerNs[i]!);
  for (let i = 0; i < plainNamespaces; i++) emitNamespace(`plain-${String(i).padStart(4, '0')}`, false, plainPerNs[i]!);
  buf.push('\n]}\n');
  flush();
  closeSync(fd);
  return {
    file,
    bytes,
    objects,
    meshPods,
    nonMeshPods,
    meshNamespaces,
    plainNamespaces,
    deployments,
    nodes: nodeCount,
    meshPodBytes: Math.round(meshBytes / Math.max(1, meshPods)),
    nonMeshPodBytes: Math.round(plainBytes / Math.max(1, nonMeshPods)),
  };
}
