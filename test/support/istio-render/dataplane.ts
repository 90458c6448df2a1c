/**
 * Data-plane side: istio-cni and ztunnel DaemonSets, ingress gateways (gateway chart, istioctl's
 * `istio-ingressgateway`), Gateway API gateways/waypoints with the Deployment istiod generates for them, and
 * application workloads with injected or ambient pods.
 */
import { decorate, helmInstaller, istioChartLabels, type Installer } from './installer.js';
import { addSeconds, atLeast, meta, mergeLabels, ownerRef, renderNow, type K8sObject, type Labels } from './meta.js';
import {
  barePod,
  daemonSetWithPods,
  deploymentWithPods,
  injectSidecar,
  jobWithPod,
  markAmbient,
  proxyImage,
  statefulSetWithPods,
  type PodMutator,
  type PodTemplate,
  type PreviousReplicaSet,
  type SidecarInjection,
} from './workloads.js';

function image(hub: string | undefined, name: string, version: string, variant: string | undefined): string {
  return `${hub ?? 'docker.io/istio'}/${name}:${version}${variant ? `-${variant}` : ''}`;
}

/** `'complete'`, `'degraded'` (one pod not ready) or a rollout in progress from an older version. */
export type RolloutState = 'complete' | 'degraded' | { rollingFrom: string; updated: number };

function rolloutOptions(state: RolloutState | undefined, previousTemplate: (version: string) => PodTemplate) {
  if (state === undefined || state === 'complete') return {};
  if (state === 'degraded') return { notReady: 1 };
  return { rollout: { previousTemplate: previousTemplate(state.rollingFrom), updated: state.updated } };
}

export interface CniOptions {
  version: string;
  ambient?: boolean;
  revision?: string;
  namespace?: string;
  /** Helm release (default `istio-cni`); ignored when `installer` is given. */
  releaseName?: string;
  installer?: Installer;
  nodes: string[];
  rolloutState?: RolloutState;
  /** Default: `distroless` with ambient (the ambient profile sets `global.variant`). */
  variant?: string;
  hub?: string;
  createdAt?: string;
  /** DaemonSet generation (each chart upgrade that changes the pod template bumps it). */
  generation?: number;
  /** When the current pods were created (the last upgrade). */
  rolledOutAt?: string;
}

/** DaemonSet `istio-cni-node` (`manifests/charts/istio-cni/templates/daemonset.yaml`) and its pods. */
export function cniDaemonSet(o: CniOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const installer = o.installer ?? helmInstaller(o.releaseName ?? 'istio-cni', ns);
  const variant = o.variant ?? (o.ambient ? 'distroless' : '');
  const modern = (v: string) => (atLeast(v, '1.24') ? mergeLabels({ 'app.kubernetes.io/name': 'istio-cni' }, istioChartLabels(v, 'cni', installer.release)) : {});
  const templateFor = (version: string): PodTemplate => ({
    labels: mergeLabels(
      { 'k8s-app': 'istio-cni-node', 'sidecar.istio.io/inject': 'false' },
      atLeast(version, '1.22') ? { 'istio.io/dataplane-mode': 'none' } : {},
      modern(version),
    ),
    annotations: {
      'sidecar.istio.io/inject': 'false',
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '15014',
      'prometheus.io/path': '/metrics',
    },
    serviceAccountName: 'istio-cni',
    hostNetwork: Boolean(o.ambient),
    containers: [{ name: 'install-cni', image: image(o.hub, 'install-cni', version, variant) }],
  });
  const objects = daemonSetWithPods({
    namespace: ns,
    name: 'istio-cni-node',
    labels: mergeLabels(
      {
        'k8s-app': 'istio-cni-node',
        release: installer.release,
        'istio.io/rev': o.revision ?? 'default',
        'install.operator.istio.io/owning-resource': installer.owningResource ?? 'unknown',
        'operator.istio.io/component': 'Cni',
      },
      modern(o.version),
    ),
    selector: { 'k8s-app': 'istio-cni-node' },
    template: templateFor(o.version),
    nodes: o.nodes,
    createdAt: o.createdAt ?? renderNow(),
    updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
    generation: o.generation,
    rolledOutAt: o.rolledOutAt,
    ...rolloutOptions(o.rolloutState, templateFor),
  });
  decorate(objects[0]!, installer, { component: 'Cni', revision: o.revision ?? 'default' });
  return objects;
}

export interface ZtunnelOptions {
  version: string;
  revision?: string;
  namespace?: string;
  /** Helm release (default `ztunnel`); ignored when `installer` is given. */
  releaseName?: string;
  installer?: Installer;
  nodes: string[];
  rolloutState?: RolloutState;
  /** The ztunnel chart has its own `variant` (its ambient profile sets `distroless`); default none. */
  variant?: string;
  hub?: string;
  createdAt?: string;
  generation?: number;
  rolledOutAt?: string;
}

/** DaemonSet `ztunnel` (`manifests/charts/ztunnel/templates/daemonset.yaml`) and its pods. */
export function ztunnelDaemonSet(o: ZtunnelOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const installer = o.installer ?? helmInstaller(o.releaseName ?? 'ztunnel', ns);
  const chartLabels = (v: string): Labels =>
    atLeast(v, '1.24')
      ? mergeLabels({ 'app.kubernetes.io/name': 'ztunnel' }, istioChartLabels(v, 'ztunnel', installer.release))
      : {
          // ztunnel chart `istio-labels` helper (1.21–1.23)
          'app.kubernetes.io/name': 'ztunnel',
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/instance': installer.release,
          'app.kubernetes.io/part-of': 'istio',
        };
  const templateFor = (version: string): PodTemplate => ({
    labels: mergeLabels(
      { 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none', app: 'ztunnel' },
      atLeast(version, '1.24') ? chartLabels(version) : {},
    ),
    annotations: mergeLabels({ 'sidecar.istio.io/inject': 'false' }, o.revision ? { 'istio.io/rev': o.revision } : {}),
    serviceAccountName: 'ztunnel',
    containers: [{ name: 'istio-proxy', image: image(o.hub, 'ztunnel', version, o.variant) }],
  });
  const objects = daemonSetWithPods({
    namespace: ns,
    name: 'ztunnel',
    labels: chartLabels(o.version),
    annotations: o.revision ? { 'istio.io/rev': o.revision } : undefined,
    selector: { app: 'ztunnel' },
    template: templateFor(o.version),
    nodes: o.nodes,
    createdAt: o.createdAt ?? renderNow(),
    updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }, type: 'RollingUpdate' },
    generation: o.generation,
    rolledOutAt: o.rolledOutAt,
    ...rolloutOptions(o.rolloutState, templateFor),
  });
  decorate(objects[0]!, installer, { component: 'Ztunnel', revision: o.revision ?? 'default' });
  return objects;
}

export interface GatewayDeploymentOptions {
  /** Gateway name (= Deployment/Service name; the chart defaults it to the release name). */
  name: string;
  namespace: string;
  /** Chart version. */
  version: string;
  /** Helm release (default: name). */
  release?: string;
  installer?: Installer;
  /** Chart value `revision` (pod label `istio.io/rev`); may be a tag. */
  revision?: string;
  /** What actually injected the pods (revision behind the tag/default, proxy version); default `revision ?? 'default'` at `version`. */
  injectedBy?: SidecarInjection;
  replicas?: number;
  /** Chart value `labels` (`app`/`istio` override the selector labels). */
  labels?: Labels;
  nodes?: string[];
  createdAt?: string;
  ready?: number;
  /** Chart versions of earlier upgrades: their ReplicaSets remain, scaled to 0 (oldest first). */
  previousVersions?: string[];
  /** When the current ReplicaSet (and its pods) was created; default createdAt or one day per earlier version. */
  rolledOutAt?: string;
}

/** The `gateway` chart: Deployment (pods injected through `sidecar.istio.io/inject: "true"`, image `auto`) + Service. */
export function gatewayDeployment(o: GatewayDeploymentOptions): K8sObject[] {
  const installer = o.installer ?? helmInstaller(o.release ?? o.name, o.namespace);
  const selector: Labels = { app: o.labels?.app ?? o.name, istio: o.labels?.istio ?? o.name.replace(/^istio-/, '') };
  const extra: Labels = Object.fromEntries(Object.entries(o.labels ?? {}).filter(([k]) => k !== 'app' && k !== 'istio'));
  const modern = atLeast(o.version, '1.24');
  const labels = modern
    ? mergeLabels({ 'app.kubernetes.io/name': o.name }, istioChartLabels(o.version, 'gateway', installer.release), selector, extra)
    : mergeLabels(
        { 'helm.sh/chart': `gateway-${o.version}` },
        selector,
        { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/version': o.version, 'app.kubernetes.io/managed-by': 'Helm' },
        extra,
      );
  const templateFor = (version: string): PodTemplate => ({
    labels: mergeLabels(
      { 'sidecar.istio.io/inject': 'true' },
      o.revision ? { 'istio.io/rev': o.revision } : {},
      selector,
      { 'app.kubernetes.io/name': o.name },
      atLeast(version, '1.24') ? istioChartLabels(version, 'gateway', installer.release) : { 'app.kubernetes.io/version': version },
      extra,
    ),
    serviceAccountName: o.name,
    containers: [{ name: 'istio-proxy', image: 'auto' }],
  });
  const createdAt = o.createdAt ?? renderNow();
  const objects = deploymentWithPods({
    namespace: o.namespace,
    name: o.name,
    labels,
    selector,
    template: templateFor(o.version),
    previous: o.previousVersions?.map((pv) => ({ template: templateFor(pv), replicas: 0 })),
    rolledOutAt: o.rolledOutAt,
    replicas: o.replicas ?? 1,
    ready: o.ready,
    createdAt,
    nodes: o.nodes,
    mutatePod: (pod, ctx) =>
      injectSidecar(pod, { ...(o.injectedBy ?? { revision: o.revision ?? 'default', version: o.version }), template: 'gateway' }, ctx.ownerName),
  });
  decorate(objects[0]!, installer);
  const service = decorate(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('Service', o.name, { namespace: o.namespace, labels, createdAt }),
      spec: {
        type: 'LoadBalancer',
        selector,
        ports: [
          { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
          { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
        ],
      },
    },
    installer,
  );
  return [objects[0]!, service, ...objects.slice(1)];
}

export interface IstioctlGatewayOptions {
  version: string;
  installer: Installer;
  name?: string;
  namespace?: string;
  revision?: string;
  replicas?: number;
  hub?: string;
  nodes?: string[];
  createdAt?: string;
}

/** istioctl/operator ingress gateway (`manifests/charts/gateways/istio-ingress`): not injected, runs proxyv2 directly. */
export function istioctlIngressGateway(o: IstioctlGatewayOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const name = o.name ?? 'istio-ingressgateway';
  const rev = o.revision ?? 'default';
  const gwLabels: Labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
  const labels = mergeLabels(gwLabels, {
    release: o.installer.release,
    'istio.io/rev': rev,
    'install.operator.istio.io/owning-resource': o.installer.owningResource ?? 'unknown',
    'operator.istio.io/component': 'IngressGateways',
  });
  const createdAt = o.createdAt ?? renderNow();
  const template: PodTemplate = {
    labels: mergeLabels(
      gwLabels,
      ns === 'istio-system' ? { heritage: 'Tiller', release: 'istio', chart: 'gateways' } : {},
      {
        'service.istio.io/canonical-name': name,
        'service.istio.io/canonical-revision': 'latest',
        'istio.io/rev': rev,
        'install.operator.istio.io/owning-resource': o.installer.owningResource ?? 'unknown',
        'operator.istio.io/component': 'IngressGateways',
        'sidecar.istio.io/inject': 'false',
      },
    ),
    annotations: {
      'istio.io/rev': rev,
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/stats/prometheus',
      'sidecar.istio.io/inject': 'false',
    },
    serviceAccountName: `${name}-service-account`,
    containers: [{ name: 'istio-proxy', image: proxyImage({ version: o.version, hub: o.hub }) }],
  };
  const objects = deploymentWithPods({
    namespace: ns,
    name,
    labels,
    selector: gwLabels,
    strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template,
    replicas: o.replicas ?? 1,
    createdAt,
    nodes: o.nodes,
  });
  decorate(objects[0]!, o.installer, { component: 'IngressGateways', revision: rev });
  const service = decorate(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('Service', name, { namespace: ns, labels, createdAt }),
      spec: {
        type: 'LoadBalancer',
        selector: gwLabels,
        ports: [
          { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
          { name: 'http2', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
        ],
      },
    },
    o.installer,
    { component: 'IngressGateways', revision: rev },
  );
  return [objects[0]!, service, ...objects.slice(1)];
}

export interface GatewayApiGatewayOptions {
  name: string;
  namespace: string;
  className: 'istio' | 'istio-waypoint';
  /** Label `istio.io/rev` on the Gateway (a revision or a tag); selects the controlling istiod. */
  revision?: string;
  /** The istiod that deploys it: its revision (`default` for revision-less) and version. Default: `revision ?? 'default'` at `version`. */
  controller?: { revision: string; version: string; variant?: string; hub?: string };
  /** Istio version of the controlling istiod when `controller` is not given. */
  version?: string;
  replicas?: number;
  nodes?: string[];
  createdAt?: string;
}

/**
 * A Gateway API Gateway plus the Deployment and Service istiod generates for it (`files/waypoint.yaml`,
 * `files/kube-gateway.yaml`), owned by the Gateway. Waypoints get `istio.io/waypoint-for: service`.
 */
export function gatewayApiGateway(opts: GatewayApiGatewayOptions): K8sObject[] {
  if (!opts.controller && !opts.version) throw new Error('gatewayApiGateway needs controller or version');
  const o = { ...opts, controller: opts.controller ?? { revision: opts.revision ?? 'default', version: opts.version! } };
  const waypoint = o.className === 'istio-waypoint';
  const createdAt = o.createdAt ?? renderNow();
  const gwLabels: Labels = mergeLabels(o.revision ? { 'istio.io/rev': o.revision } : {}, waypoint ? { 'istio.io/waypoint-for': 'service' } : {});
  const gateway: K8sObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: meta('Gateway', o.name, { namespace: o.namespace, labels: gwLabels, createdAt, generation: 1 }),
    spec: {
      gatewayClassName: o.className,
      listeners: waypoint
        ? [{ name: 'mesh', port: 15008, protocol: 'HBONE' }]
        : [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
    },
    status: {
      addresses: [{ type: 'Hostname', value: `${waypoint ? o.name : `${o.name}-istio`}.${o.namespace}.svc.cluster.local` }],
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 },
        { type: 'Programmed', status: 'True', reason: 'Programmed', observedGeneration: 1 },
      ],
    },
  };
  const deploymentName = waypoint ? o.name : `${o.name}-istio`;
  const managed = waypoint ? 'istio.io-mesh-controller' : 'istio.io-gateway-controller';
  const nameLabels: Labels = mergeLabels(
    { 'gateway.networking.k8s.io/gateway-name': o.name },
    atLeast(o.controller.version, '1.24') ? {} : { 'istio.io/gateway-name': o.name },
  );
  const owner = ownerRef(gateway, { apiVersion: 'gateway.networking.k8s.io/v1beta1' });
  const labels = mergeLabels(gwLabels, nameLabels, { 'gateway.istio.io/managed': managed });
  const template: PodTemplate = {
    labels: mergeLabels(
      {
        'sidecar.istio.io/inject': 'false',
        'istio.io/dataplane-mode': 'none',
        'service.istio.io/canonical-name': deploymentName,
        'service.istio.io/canonical-revision': 'latest',
      },
      labels,
    ),
    annotations: {
      'istio.io/rev': o.controller.revision,
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
    },
    serviceAccountName: deploymentName,
    containers: [{ name: 'istio-proxy', image: proxyImage(o.controller) }],
  };
  const objects = deploymentWithPods({
    namespace: o.namespace,
    name: deploymentName,
    labels,
    selector: { 'gateway.networking.k8s.io/gateway-name': o.name },
    template,
    replicas: o.replicas ?? 1,
    createdAt,
    ownerReferences: [owner],
    nodes: o.nodes,
  });
  const service: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', deploymentName, { namespace: o.namespace, labels, createdAt, ownerReferences: [owner] }),
    spec: {
      type: waypoint ? 'ClusterIP' : 'LoadBalancer',
      selector: { 'gateway.networking.k8s.io/gateway-name': o.name },
      ports: waypoint
        ? [
            { name: 'status-port', port: 15021, protocol: 'TCP', appProtocol: 'tcp', targetPort: 15021 },
            { name: 'mesh', port: 15008, protocol: 'TCP', appProtocol: 'all', targetPort: 15008 },
          ]
        : [
            { name: 'status-port', port: 15021, protocol: 'TCP', appProtocol: 'tcp', targetPort: 15021 },
            { name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http', targetPort: 80 },
          ],
    },
  };
  return [gateway, objects[0]!, service, ...objects.slice(1)];
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'BarePod';

export interface WorkloadOptions {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  /** Ignored for DaemonSet (one pod per node), Job and BarePod (one pod). */
  replicas?: number;
  image?: string;
  /** Sidecar injection of the pods; null/undefined = not injected. */
  injectedBy?: SidecarInjection | null;
  /** Pods captured by ambient (annotation `ambient.istio.io/redirection: enabled`). */
  ambient?: boolean;
  labels?: Labels;
  /** Pod-template labels beyond `app`/`version` (e.g. `sidecar.istio.io/inject`). */
  podLabels?: Labels;
  nodes?: string[];
  createdAt?: string;
  /** Deployments: older ReplicaSets still running pods injected by something else (a partially restarted rollout). */
  previous?: { replicas: number; injectedBy?: SidecarInjection | null; createdAt?: string }[];
  /** Deployments with `previous`: when the current ReplicaSet was created (the `kubectl rollout restart`). */
  rolledOutAt?: string;
  /** Deployment/StatefulSet: ready pods (default all). */
  ready?: number;
  /** Job pod phase (default Running). */
  jobPhase?: 'Running' | 'Succeeded';
}

function podMutator(injectedBy: SidecarInjection | null | undefined, ambient: boolean | undefined): PodMutator | undefined {
  if (injectedBy) return (pod, ctx) => injectSidecar(pod, injectedBy, ctx.ownerName);
  if (ambient) return (pod) => markAmbient(pod);
  return undefined;
}

/** An application workload: the controller, its ReplicaSet (Deployments) and its Pods. */
export function workload(o: WorkloadOptions): K8sObject[] {
  const appLabels: Labels = { app: o.name, version: 'v1' };
  const template: PodTemplate = {
    labels: mergeLabels(appLabels, o.podLabels),
    serviceAccountName: o.name,
    containers: [{ name: o.name, image: o.image ?? `ghcr.io/acme/${o.name}:1.8.2` }],
  };
  const mutatePod = podMutator(o.injectedBy, o.ambient);
  const createdAt = o.createdAt ?? renderNow();
  const labels = mergeLabels(appLabels, o.labels);
  switch (o.kind) {
    case 'Deployment': {
      // A restart (`kubectl rollout restart`) stamps a new template annotation, hence a new ReplicaSet.
      const setCreated = (i: number): string =>
        i === (o.previous?.length ?? 0) ? (o.rolledOutAt ?? addSeconds(createdAt, i * 86_400)) : (o.previous?.[i]?.createdAt ?? addSeconds(createdAt, i * 86_400));
      const restartedAt = (i: number): PodTemplate =>
        i === 0 ? template : { ...template, annotations: { 'kubectl.kubernetes.io/restartedAt': addSeconds(setCreated(i), -2) } };
      const prev: PreviousReplicaSet[] | undefined = o.previous?.map((p, i) => ({
        template: restartedAt(i),
        replicas: p.replicas,
        createdAt: setCreated(i),
        mutatePod: podMutator(p.injectedBy, o.ambient),
      }));
      const current: PodTemplate = restartedAt(prev?.length ?? 0);
      return deploymentWithPods({
        namespace: o.namespace,
        name: o.name,
        labels,
        selector: { app: o.name },
        template: current,
        replicas: o.replicas ?? 1,
        ready: o.ready,
        createdAt,
        previous: prev,
        rolledOutAt: prev && prev.length > 0 ? setCreated(prev.length) : undefined,
        nodes: o.nodes,
        mutatePod,
      });
    }
    case 'StatefulSet':
      return statefulSetWithPods({
        namespace: o.namespace,
        name: o.name,
        labels,
        selector: { app: o.name },
        template,
        replicas: o.replicas ?? 1,
        ready: o.ready,
        createdAt,
        nodes: o.nodes,
        mutatePod,
      });
    case 'DaemonSet':
      return daemonSetWithPods({
        namespace: o.namespace,
        name: o.name,
        labels,
        selector: { app: o.name },
        template,
        nodes: o.nodes ?? [],
        createdAt,
        updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
        mutatePod,
      });
    case 'Job':
      return jobWithPod({ namespace: o.namespace, name: o.name, labels, template, createdAt, nodes: o.nodes, mutatePod, phase: o.jobPhase });
    case 'BarePod':
      return barePod({ namespace: o.namespace, name: o.name, template, createdAt, node: o.nodes?.[0], mutatePod });
  }
}
