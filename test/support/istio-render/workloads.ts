/**
 * Kubernetes controllers and the objects they create: Deployment → ReplicaSet(s) → Pods, StatefulSet → Pods,
 * DaemonSet → one Pod per node, Job → Pod, bare Pods. Plus what Istio's sidecar injector adds to a Pod.
 *
 * Names, hashes and statuses follow the controllers' conventions (`<deploy>-<pod-template-hash>-<5>`,
 * `controller-revision-hash`, `pod-template-generation`, …) but are derived deterministically.
 */
import {
  addSeconds,
  hexHash,
  meta,
  mergeLabels,
  ownerRef,
  renderNow,
  safeSuffix,
  templateHash,
  type K8sObject,
  type Labels,
  type OwnerReference,
} from './meta.js';

export interface Container {
  name: string;
  image: string;
  /** `Always` on an init container makes it a native sidecar. */
  restartPolicy?: 'Always';
}

export interface PodTemplate {
  labels: Labels;
  annotations?: Labels;
  containers: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  hostNetwork?: boolean;
}

/** Rewrites a freshly created pod (e.g. sidecar injection); receives which ReplicaSet/template it came from. */
export type PodMutator = (pod: K8sObject, ctx: { ownerName: string; templateIndex: number }) => K8sObject;

function templateObject(t: PodTemplate): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (t.serviceAccountName) spec.serviceAccountName = t.serviceAccountName;
  if (t.hostNetwork) spec.hostNetwork = true;
  if (t.initContainers && t.initContainers.length > 0) spec.initContainers = t.initContainers.map((c) => ({ ...c }));
  spec.containers = t.containers.map((c) => ({ ...c }));
  const metadata: Record<string, unknown> = { labels: { ...t.labels } };
  if (t.annotations && Object.keys(t.annotations).length > 0) metadata.annotations = { ...t.annotations };
  return { metadata, spec };
}

function containerList(pod: K8sObject, key: 'containers' | 'initContainers'): Container[] {
  const spec = pod.spec as Record<string, unknown>;
  const list = spec[key];
  return Array.isArray(list) ? (list as Container[]) : [];
}

/** Sets `status` from the (possibly mutated) spec. */
function setPodStatus(pod: K8sObject, opts: { ready: boolean; phase: string; startedAt: string }): K8sObject {
  const status: Record<string, unknown> = { phase: opts.phase };
  const readyStatus = opts.phase === 'Running' && opts.ready ? 'True' : 'False';
  status.conditions = [
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: readyStatus },
    { type: 'ContainersReady', status: readyStatus },
    { type: 'PodScheduled', status: 'True' },
  ];
  const init = containerList(pod, 'initContainers');
  if (init.length > 0) {
    status.initContainerStatuses = init.map((c) => ({
      name: c.name,
      image: c.image,
      ready: c.restartPolicy === 'Always' ? opts.ready : true,
      restartCount: 0,
      ...(c.restartPolicy === 'Always' ? { started: true } : {}),
    }));
  }
  status.containerStatuses = containerList(pod, 'containers').map((c) => ({
    name: c.name,
    image: c.image,
    ready: opts.phase === 'Running' && opts.ready,
    started: opts.phase === 'Running',
    restartCount: 0,
  }));
  status.startTime = opts.startedAt;
  pod.status = status;
  return pod;
}

function newPod(o: {
  namespace: string;
  name: string;
  template: PodTemplate;
  extraLabels?: Labels;
  owner?: OwnerReference;
  node?: string;
  createdAt: string;
}): K8sObject {
  const t = templateObject(o.template);
  const spec = t.spec as Record<string, unknown>;
  const podSpec: Record<string, unknown> = {};
  if (spec.serviceAccountName) podSpec.serviceAccountName = spec.serviceAccountName;
  if (o.node) podSpec.nodeName = o.node;
  if (spec.hostNetwork) podSpec.hostNetwork = true;
  if (spec.initContainers) podSpec.initContainers = spec.initContainers;
  podSpec.containers = spec.containers;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('Pod', o.name, {
      namespace: o.namespace,
      labels: mergeLabels(o.template.labels, o.extraLabels),
      annotations: o.template.annotations,
      createdAt: o.createdAt,
      ownerReferences: o.owner ? [o.owner] : undefined,
    }),
    spec: podSpec,
  };
}

function pickNode(nodes: string[] | undefined, i: number): string | undefined {
  return nodes && nodes.length > 0 ? nodes[i % nodes.length] : undefined;
}

export interface PreviousReplicaSet {
  template: PodTemplate;
  /** Pods the old ReplicaSet still runs (0 = scaled down, kept as history). */
  replicas: number;
  createdAt?: string;
  mutatePod?: PodMutator;
}

export interface DeploymentOptions {
  namespace: string;
  name: string;
  labels?: Labels;
  annotations?: Labels;
  selector: Labels;
  template: PodTemplate;
  replicas: number;
  createdAt?: string;
  /** When the current ReplicaSet was created (defaults to createdAt, or after the previous ones). */
  rolledOutAt?: string;
  generation?: number;
  /** Ready pods in total (default: all). Not-ready pods are the newest ones. */
  ready?: number;
  strategy?: Record<string, unknown>;
  ownerReferences?: OwnerReference[];
  /** Older ReplicaSets, oldest first. */
  previous?: PreviousReplicaSet[];
  nodes?: string[];
  mutatePod?: PodMutator;
  /** Phase of the pods (default Running). */
  phase?: string;
}

/** Deployment + its ReplicaSets + Pods, with consistent statuses. Returns the Deployment first. */
export function deploymentWithPods(o: DeploymentOptions): K8sObject[] {
  const createdAt = o.createdAt ?? renderNow();
  const previous = o.previous ?? [];
  const revision = previous.length + 1;
  const generation = o.generation ?? revision;
  const deployment: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('Deployment', o.name, {
      namespace: o.namespace,
      labels: o.labels,
      annotations: mergeLabels({ 'deployment.kubernetes.io/revision': String(revision) }, o.annotations),
      createdAt,
      generation,
      ownerReferences: o.ownerReferences,
    }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { ...o.selector } },
      ...(o.strategy ? { strategy: o.strategy } : {}),
      template: templateObject(o.template),
    },
  };
  const oldRunning = previous.reduce((n, p) => n + p.replicas, 0);
  const currentReplicas = Math.max(0, o.replicas - oldRunning);
  const sets: { template: PodTemplate; replicas: number; createdAt: string; mutatePod?: PodMutator; revision: number }[] = previous.map(
    (p, i) => ({
      template: p.template,
      replicas: p.replicas,
      createdAt: p.createdAt ?? addSeconds(createdAt, i * 86_400),
      mutatePod: p.mutatePod,
      revision: i + 1,
    }),
  );
  sets.push({
    template: o.template,
    replicas: currentReplicas,
    createdAt: o.rolledOutAt ?? (previous.length > 0 ? addSeconds(createdAt, previous.length * 86_400) : createdAt),
    mutatePod: o.mutatePod,
    revision,
  });

  const totalPods = sets.reduce((n, s) => n + s.replicas, 0);
  const readyTotal = Math.min(o.ready ?? totalPods, totalPods);
  const objects: K8sObject[] = [deployment];
  const pods: K8sObject[] = [];
  let podIndex = 0;
  let readyLeft = readyTotal;
  let currentReady = 0;
  for (const [setIndex, s] of sets.entries()) {
    const hash = templateHash(templateObject(s.template));
    const rsName = `${o.name}-${hash}`;
    const rsLabels = mergeLabels(s.template.labels, { 'pod-template-hash': hash });
    const isCurrent = setIndex === sets.length - 1;
    // Ready pods are handed out oldest ReplicaSet first, so not-ready ones are in the newest set.
    const setReady = Math.min(readyLeft, s.replicas);
    readyLeft -= setReady;
    if (isCurrent) currentReady = setReady;
    const rs: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('ReplicaSet', rsName, {
        namespace: o.namespace,
        labels: rsLabels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(o.replicas),
          'deployment.kubernetes.io/max-replicas': String(o.replicas + 1),
          'deployment.kubernetes.io/revision': String(s.revision),
        },
        createdAt: s.createdAt,
        generation: 1,
        ownerReferences: [ownerRef(deployment)],
      }),
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: mergeLabels(o.selector, { 'pod-template-hash': hash }) },
        template: templateObject({ ...s.template, labels: rsLabels }),
      },
      status: {
        observedGeneration: 1,
        replicas: s.replicas,
        fullyLabeledReplicas: s.replicas,
        readyReplicas: setReady,
        availableReplicas: setReady,
      },
    };
    objects.push(rs);
    for (let i = 0; i < s.replicas; i++) {
      const podName = `${rsName}-${safeSuffix(5, o.namespace, rsName, String(i))}`;
      const podCreated = addSeconds(s.createdAt, 5 + i * 3);
      let pod = newPod({
        namespace: o.namespace,
        name: podName,
        template: s.template,
        extraLabels: { 'pod-template-hash': hash },
        owner: ownerRef(rs),
        node: pickNode(o.nodes, podIndex),
        createdAt: podCreated,
      });
      if (s.mutatePod) pod = s.mutatePod(pod, { ownerName: o.name, templateIndex: setIndex });
      setPodStatus(pod, { ready: i < setReady, phase: o.phase ?? 'Running', startedAt: podCreated });
      pods.push(pod);
      podIndex++;
    }
  }
  const updated = currentReplicas;
  const status: Record<string, unknown> = {
    observedGeneration: generation,
    replicas: totalPods,
    updatedReplicas: updated,
    readyReplicas: readyTotal,
    availableReplicas: readyTotal,
  };
  if (totalPods - readyTotal > 0) status.unavailableReplicas = totalPods - readyTotal;
  const available = readyTotal >= Math.max(1, o.replicas - Math.floor(o.replicas / 4)) || (o.replicas === 0);
  const progressingDone = updated === o.replicas && currentReady === updated && oldRunning === 0;
  status.conditions = [
    {
      type: 'Available',
      status: available ? 'True' : 'False',
      reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
    },
    {
      type: 'Progressing',
      status: 'True',
      reason: progressingDone ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
    },
  ];
  deployment.status = status;
  objects.push(...pods);
  return objects;
}

export interface DaemonSetOptions {
  namespace: string;
  name: string;
  labels?: Labels;
  annotations?: Labels;
  selector: Labels;
  template: PodTemplate;
  nodes: string[];
  createdAt?: string;
  generation?: number;
  updateStrategy?: Record<string, unknown>;
  /** A rollout in progress: the first `updated` nodes run `template`, the rest run `previousTemplate`. */
  rollout?: { previousTemplate: PodTemplate; updated: number };
  /** Number of pods that are not ready (taken from the last nodes). */
  notReady?: number;
  mutatePod?: PodMutator;
  /** When the current template's pods were (re)created, e.g. by the last upgrade; default createdAt. */
  rolledOutAt?: string;
}

export function daemonSetWithPods(o: DaemonSetOptions): K8sObject[] {
  const createdAt = o.createdAt ?? renderNow();
  const generation = o.generation ?? (o.rollout ? 2 : 1);
  const ds: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('DaemonSet', o.name, {
      namespace: o.namespace,
      labels: o.labels,
      annotations: mergeLabels({ 'deprecated.daemonset.template.generation': String(generation) }, o.annotations),
      createdAt,
      generation,
    }),
    spec: {
      selector: { matchLabels: { ...o.selector } },
      template: templateObject(o.template),
      ...(o.updateStrategy ? { updateStrategy: o.updateStrategy } : {}),
    },
  };
  const n = o.nodes.length;
  const updated = o.rollout ? Math.min(o.rollout.updated, n) : n;
  const notReady = Math.min(o.notReady ?? 0, n);
  const pods: K8sObject[] = [];
  for (const [i, node] of o.nodes.entries()) {
    const isNew = i < updated;
    const template = isNew ? o.template : o.rollout!.previousTemplate;
    const gen = isNew ? generation : generation - 1;
    const hash = hexHash(10, 'daemonset', o.namespace, o.name, JSON.stringify(templateObject(template)));
    const podCreated = isNew
      ? o.rolledOutAt
        ? addSeconds(o.rolledOutAt, 5 + i * 40)
        : o.rollout
          ? addSeconds(createdAt, 86_400 * 30 + i * 40)
          : addSeconds(createdAt, 4 + i * 2)
      : addSeconds(createdAt, 4 + i * 2);
    let pod = newPod({
      namespace: o.namespace,
      name: `${o.name}-${safeSuffix(5, o.namespace, o.name, node, String(gen))}`,
      template,
      extraLabels: { 'controller-revision-hash': hash, 'pod-template-generation': String(gen) },
      owner: ownerRef(ds),
      node,
      createdAt: podCreated,
    });
    if (o.mutatePod) pod = o.mutatePod(pod, { ownerName: o.name, templateIndex: isNew ? 1 : 0 });
    setPodStatus(pod, { ready: i < n - notReady, phase: 'Running', startedAt: podCreated });
    pods.push(pod);
  }
  const ready = n - notReady;
  const status: Record<string, unknown> = {
    currentNumberScheduled: n,
    desiredNumberScheduled: n,
    numberMisscheduled: 0,
    numberReady: ready,
    numberAvailable: ready,
    updatedNumberScheduled: updated,
    observedGeneration: generation,
  };
  if (n - ready > 0) status.numberUnavailable = n - ready;
  ds.status = status;
  return [ds, ...pods];
}

export interface StatefulSetOptions {
  namespace: string;
  name: string;
  labels?: Labels;
  selector: Labels;
  template: PodTemplate;
  replicas: number;
  serviceName?: string;
  createdAt?: string;
  ready?: number;
  nodes?: string[];
  mutatePod?: PodMutator;
}

export function statefulSetWithPods(o: StatefulSetOptions): K8sObject[] {
  const createdAt = o.createdAt ?? renderNow();
  const revisionName = `${o.name}-${hexHash(10, 'sts', o.namespace, o.name, JSON.stringify(templateObject(o.template)))}`;
  const ready = Math.min(o.ready ?? o.replicas, o.replicas);
  const sts: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('StatefulSet', o.name, { namespace: o.namespace, labels: o.labels, createdAt, generation: 1 }),
    spec: {
      replicas: o.replicas,
      serviceName: o.serviceName ?? o.name,
      selector: { matchLabels: { ...o.selector } },
      template: templateObject(o.template),
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
    status: {
      observedGeneration: 1,
      replicas: o.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: o.replicas,
      updatedReplicas: o.replicas,
      currentRevision: revisionName,
      updateRevision: revisionName,
      collisionCount: 0,
    },
  };
  const pods: K8sObject[] = [];
  for (let i = 0; i < o.replicas; i++) {
    const podName = `${o.name}-${i}`;
    const podCreated = addSeconds(createdAt, 5 + i * 20);
    let pod = newPod({
      namespace: o.namespace,
      name: podName,
      template: o.template,
      extraLabels: {
        'apps.kubernetes.io/pod-index': String(i),
        'controller-revision-hash': revisionName,
        'statefulset.kubernetes.io/pod-name': podName,
      },
      owner: ownerRef(sts),
      node: pickNode(o.nodes, i),
      createdAt: podCreated,
    });
    if (o.mutatePod) pod = o.mutatePod(pod, { ownerName: o.name, templateIndex: 0 });
    setPodStatus(pod, { ready: i < ready, phase: 'Running', startedAt: podCreated });
    pods.push(pod);
  }
  return [sts, ...pods];
}

export interface JobOptions {
  namespace: string;
  name: string;
  labels?: Labels;
  template: PodTemplate;
  createdAt?: string;
  nodes?: string[];
  mutatePod?: PodMutator;
  /** Running (default) or Succeeded. An injected Job pod keeps running because its sidecar never exits. */
  phase?: 'Running' | 'Succeeded';
  ownerReferences?: OwnerReference[];
}

export function jobWithPod(o: JobOptions): K8sObject[] {
  const createdAt = o.createdAt ?? renderNow();
  const uidForJob = meta('Job', o.name, { namespace: o.namespace }).uid!;
  const jobLabels: Labels = {
    'batch.kubernetes.io/controller-uid': uidForJob,
    'batch.kubernetes.io/job-name': o.name,
    'controller-uid': uidForJob,
    'job-name': o.name,
  };
  const template: PodTemplate = { ...o.template, labels: mergeLabels(o.template.labels, jobLabels) };
  const phase = o.phase ?? 'Running';
  const job: K8sObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('Job', o.name, {
      namespace: o.namespace,
      labels: mergeLabels(o.labels, jobLabels),
      createdAt,
      generation: 1,
      ownerReferences: o.ownerReferences,
      uid: uidForJob,
    }),
    spec: {
      backoffLimit: 6,
      completions: 1,
      parallelism: 1,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uidForJob } },
      template: { ...templateObject(template), spec: { ...(templateObject(template).spec as object), restartPolicy: 'Never' } },
    },
    status:
      phase === 'Running'
        ? { active: 1, ready: 1, startTime: addSeconds(createdAt, 1), uncountedTerminatedPods: {} }
        : { succeeded: 1, startTime: addSeconds(createdAt, 1), completionTime: addSeconds(createdAt, 60), uncountedTerminatedPods: {} },
  };
  const podCreated = addSeconds(createdAt, 1);
  let pod = newPod({
    namespace: o.namespace,
    name: `${o.name}-${safeSuffix(5, o.namespace, o.name, 'job')}`,
    template,
    owner: ownerRef(job),
    node: pickNode(o.nodes, 0),
    createdAt: podCreated,
  });
  (pod.spec as Record<string, unknown>).restartPolicy = 'Never';
  if (o.mutatePod) pod = o.mutatePod(pod, { ownerName: o.name, templateIndex: 0 });
  setPodStatus(pod, { ready: phase === 'Running', phase, startedAt: podCreated });
  return [job, pod];
}

export function barePod(o: {
  namespace: string;
  name: string;
  template: PodTemplate;
  createdAt?: string;
  node?: string;
  mutatePod?: PodMutator;
  ready?: boolean;
}): K8sObject[] {
  const createdAt = o.createdAt ?? renderNow();
  let pod = newPod({ namespace: o.namespace, name: o.name, template: o.template, node: o.node, createdAt });
  if (o.mutatePod) pod = o.mutatePod(pod, { ownerName: o.name, templateIndex: 0 });
  setPodStatus(pod, { ready: o.ready ?? true, phase: 'Running', startedAt: createdAt });
  return [pod];
}

// ---------------------------------------------------------------------------------------------------------------
// Istio sidecar injection

export interface SidecarInjection {
  /** The injecting istiod's revision (`default` for a revision-less istiod) — what lands in annotation `istio.io/rev`. */
  revision: string;
  /** Proxy version (image tag). */
  version: string;
  hub?: string;
  /** Image variant suffix, e.g. `distroless` (the ambient profile sets it). */
  variant?: string;
  /** Istio CNI in use: init container `istio-validation` instead of `istio-init`. */
  cni?: boolean;
  /** Native sidecar: `istio-proxy` becomes an init container with `restartPolicy: Always`. */
  nativeSidecar?: boolean;
  /** `sidecar` (default) or `gateway` injection template (gateway chart pods). */
  template?: 'sidecar' | 'gateway';
}

export function proxyImage(inj: { version: string; hub?: string; variant?: string }): string {
  return `${inj.hub ?? 'docker.io/istio'}/proxyv2:${inj.version}${inj.variant ? `-${inj.variant}` : ''}`;
}

const SIDECAR_VOLUMES = [
  'workload-socket',
  'credential-socket',
  'workload-certs',
  'istio-envoy',
  'istio-data',
  'istio-podinfo',
  'istio-token',
  'istiod-ca-cert',
];

/** What `files/injection-template.yaml` / `gateway-injection-template.yaml` add to a pod. Returns a new object. */
export function injectSidecar(pod: K8sObject, inj: SidecarInjection, workloadName: string): K8sObject {
  const out = structuredClone(pod);
  const labels = out.metadata.labels ?? {};
  const spec = out.spec as Record<string, unknown>;
  const appContainers = (spec.containers as Container[]).filter((c) => c.name !== 'istio-proxy');
  const image = proxyImage(inj);
  const canonical: Labels = {
    'service.istio.io/canonical-name':
      labels['service.istio.io/canonical-name'] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? workloadName,
    'service.istio.io/canonical-revision':
      labels['service.istio.io/canonical-revision'] ?? labels['app.kubernetes.io/version'] ?? labels.version ?? 'latest',
  };
  if ((inj.template ?? 'sidecar') === 'gateway') {
    out.metadata.labels = mergeLabels(labels, canonical);
    out.metadata.annotations = mergeLabels(out.metadata.annotations, {
      'istio.io/rev': inj.revision,
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/status': JSON.stringify({
        initContainers: null,
        containers: ['istio-proxy'],
        volumes: SIDECAR_VOLUMES,
        imagePullSecrets: null,
        revision: inj.revision,
      }),
    });
    spec.containers = (spec.containers as Container[]).map((c) => (c.name === 'istio-proxy' ? { ...c, image } : c));
    return out;
  }
  const initName = inj.cni ? 'istio-validation' : 'istio-init';
  const init: Container[] = [...((spec.initContainers as Container[] | undefined) ?? []), { name: initName, image }];
  const proxy: Container = { name: 'istio-proxy', image };
  const annotations: Labels = { 'istio.io/rev': inj.revision };
  if (appContainers.length > 0) {
    annotations['kubectl.kubernetes.io/default-container'] = appContainers[0]!.name;
    annotations['kubectl.kubernetes.io/default-logs-container'] = appContainers[0]!.name;
  }
  Object.assign(annotations, {
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
  });
  if (inj.cni) {
    Object.assign(annotations, {
      'sidecar.istio.io/interceptionMode': 'REDIRECT',
      'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
      'traffic.sidecar.istio.io/includeInboundPorts': '*',
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
    });
  }
  if (inj.nativeSidecar) {
    init.push({ ...proxy, restartPolicy: 'Always' });
    spec.initContainers = init;
    spec.containers = appContainers;
  } else {
    spec.initContainers = init;
    spec.containers = [...appContainers, proxy];
  }
  annotations['sidecar.istio.io/status'] = JSON.stringify({
    initContainers: inj.nativeSidecar ? [initName, 'istio-proxy'] : [initName],
    containers: inj.nativeSidecar ? null : ['istio-proxy'],
    volumes: SIDECAR_VOLUMES,
    imagePullSecrets: null,
    revision: inj.revision,
  });
  out.metadata.labels = mergeLabels(labels, { 'security.istio.io/tlsMode': labels['security.istio.io/tlsMode'] ?? 'istio' }, canonical);
  out.metadata.annotations = mergeLabels(out.metadata.annotations, annotations);
  return out;
}

/** What istio-cni adds to a pod captured by ambient mode. */
export function markAmbient(pod: K8sObject): K8sObject {
  const out = structuredClone(pod);
  out.metadata.annotations = mergeLabels(out.metadata.annotations, { 'ambient.istio.io/redirection': 'enabled' });
  return out;
}
