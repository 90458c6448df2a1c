import { annotation, arrayField, label, numberField, stringField, type KubeObject } from '../objects.js';
import { valueAt } from '../helm-release.js';
import type { EastWestGateway, GatewayInfo, HelmRelease, MeshTopology, RemoteInstall, Revision } from '../inventory.js';
import { revisionName } from './control-plane.js';
import type { RawCluster } from './raw.js';

const NETWORK_LABEL = 'topology.istio.io/network';
const CONTROL_PLANE_CLUSTERS = 'topology.istio.io/controlPlaneClusters';
/** Set by `istioctl create-remote-secret` on the Secret it writes (named `istio-remote-secret-<cluster>`). */
const REMOTE_SECRET_CLUSTER = 'networking.istio.io/cluster';
/** 15443: cross-network mTLS passthrough; 15012: xDS and CA; 15017: injection and validation webhooks. */
const MULTICLUSTER_PORTS = [15443, 15012, 15017];
/** istiod's CLUSTER_ID when `global.multiCluster.clusterName` is not set (istiod chart deployment.yaml). */
const DEFAULT_CLUSTER_ID = 'Kubernetes';

/**
 * Reads the cluster's place in a multi-cluster mesh (istio.io "Install Multicluster" guides). Returns undefined for a
 * cluster nothing marks as multi-cluster, so single-cluster inventories keep their shape.
 */
export function buildMeshTopology(raw: RawCluster, helmReleases: HelmRelease[], revisions: Revision[], gateways: GatewayInfo[]): MeshTopology | undefined {
  const istioNs = raw.namespaces.find((n) => n.metadata.name === raw.istioNamespace);
  const controlPlaneReleases = helmReleases.filter((r) => r.chart === 'istiod' || r.chart === 'istiod-remote');
  const value = (path: string): string | null => firstString(controlPlaneReleases.map((r) => valueAt(r.values, path)));
  const remoteInstalls = buildRemoteInstalls(raw, helmReleases);
  const primary = revisions.some((r) => r.deployment !== null);

  const envClusterId = firstString(raw.istiodDeployments.map((d) => discoveryEnv(d, 'CLUSTER_ID')));
  const clusterName = value('global.multiCluster.clusterName') ?? (envClusterId !== DEFAULT_CLUSTER_ID ? envClusterId : null);
  const istiodReleases = controlPlaneReleases.filter((r) => r.chart === 'istiod' && !isRemoteProfile(r));
  const topology: MeshTopology = {
    role: !primary && remoteInstalls.length > 0 ? 'remote' : 'primary',
    meshId: value('global.meshID'),
    clusterName,
    network: (istioNs && label(istioNs, NETWORK_LABEL)) ?? value('global.network'),
    // The istiod chart's meshConfig default; only claimed for a Helm-installed primary whose values we read.
    trustDomain: value('meshConfig.trustDomain') ?? (istiodReleases.length ? 'cluster.local' : null),
    controlPlaneClusters: splitList(istioNs ? annotation(istioNs, CONTROL_PLANE_CLUSTERS) : undefined),
    remoteSecrets: raw.remoteSecrets
      .map((s) => ({ name: s.metadata.name, namespace: s.metadata.namespace ?? raw.istioNamespace, cluster: remoteSecretCluster(s) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    eastWestGateways: buildEastWestGateways(raw, gateways),
    remoteInstalls,
    servesRemotes: controlPlaneReleases.some((r) => valueAt(r.values, 'global.externalIstiod') === true) || raw.istiodDeployments.some((d) => discoveryEnv(d, 'EXTERNAL_ISTIOD') === 'true'),
    remotePilotAddress: value('global.remotePilotAddress'),
  };
  const marked =
    topology.meshId !== null ||
    topology.clusterName !== null ||
    topology.network !== null ||
    topology.controlPlaneClusters.length > 0 ||
    topology.remoteSecrets.length > 0 ||
    topology.eastWestGateways.length > 0 ||
    topology.remoteInstalls.length > 0 ||
    topology.servesRemotes;
  return marked ? topology : undefined;
}

/** The `istiod` chart installed with profile=remote (1.24+) stands where `istiod-remote` stood before. */
export function isRemoteProfile(r: HelmRelease): boolean {
  return r.chart === 'istiod-remote' || (r.chart === 'istiod' && (valueAt(r.values, 'profile') === 'remote' || valueAt(r.values, 'global.profile') === 'remote'));
}

function buildRemoteInstalls(raw: RawCluster, helmReleases: HelmRelease[]): RemoteInstall[] {
  const out: RemoteInstall[] = [];
  const claimed = new Set<string>();
  for (const rel of helmReleases.filter(isRemoteProfile)) {
    const mwc = raw.mutatingWebhooks.find((m) => isInjector(m) && annotation(m, 'meta.helm.sh/release-name') === rel.name && (annotation(m, 'meta.helm.sh/release-namespace') ?? rel.namespace) === rel.namespace);
    if (mwc) claimed.add(mwc.metadata.name);
    const revValue = valueAt(rel.values, 'revision');
    out.push({
      chart: rel.chart,
      helmRelease: { release: rel.name, namespace: rel.namespace },
      version: rel.appVersion ?? rel.chartVersion,
      revision: mwc ? revisionName(mwc) : typeof revValue === 'string' && revValue ? revValue : 'default',
      injectorWebhook: mwc?.metadata.name ?? null,
      injectionTarget: mwc ? webhookTarget(mwc) : null,
      remotePilotAddress: firstString([valueAt(rel.values, 'global.remotePilotAddress')]),
    });
  }
  // Installed without Helm (istioctl's `remote` profile): an injector that calls a URL, or the per-cluster injection
  // path istiod serves to remote clusters (`/inject/cluster/<name>/net/<network>`), instead of a local istiod.
  for (const mwc of raw.mutatingWebhooks.filter((m) => isInjector(m) && !claimed.has(m.metadata.name) && callsRemoteIstiod(m))) {
    out.push({ chart: 'istiod', helmRelease: null, version: null, revision: revisionName(mwc), injectorWebhook: mwc.metadata.name, injectionTarget: webhookTarget(mwc), remotePilotAddress: null });
  }
  return out.sort((a, b) => a.revision.localeCompare(b.revision));
}

function buildEastWestGateways(raw: RawCluster, gateways: GatewayInfo[]): EastWestGateway[] {
  const byKey = new Map<string, { name: string; namespace: string; network: string | null; service?: KubeObject }>();
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  for (const d of raw.gatewayDeployments) {
    const network = label(d, NETWORK_LABEL) ?? stringField(d, 'spec', 'template', 'metadata', 'labels', NETWORK_LABEL) ?? null;
    if (network === null && label(d, 'istio') !== 'eastwestgateway') continue;
    byKey.set(key(d), { name: d.metadata.name, namespace: d.metadata.namespace ?? '', network });
  }
  for (const s of raw.networkServices) {
    const entry = byKey.get(key(s)) ?? { name: s.metadata.name, namespace: s.metadata.namespace ?? '', network: null };
    entry.network = entry.network ?? label(s, NETWORK_LABEL) ?? null;
    entry.service = s;
    byKey.set(key(s), entry);
  }
  return [...byKey.values()]
    .map((e) => {
      const ports = e.service ? arrayField(e.service, 'spec', 'ports').map((p) => numberField(p, 'port')).filter((p): p is number => p !== undefined && MULTICLUSTER_PORTS.includes(p)) : [];
      const gw = gateways.find((g) => g.namespace === e.namespace && g.name === e.name);
      return {
        name: e.name,
        namespace: e.namespace,
        network: e.network,
        ports: [...new Set(ports)].sort((a, b) => a - b),
        controlPlanePorts: ports.includes(15012) && ports.includes(15017),
        helmRelease: gw?.helmRelease ?? null,
        revision: gw?.revision ?? null,
        version: gw?.version ?? null,
      };
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function isInjector(mwc: KubeObject): boolean {
  return /^istio-sidecar-injector/.test(mwc.metadata.name) && label(mwc, 'istio.io/tag') === undefined;
}

function webhookTarget(mwc: KubeObject): string | null {
  const first = arrayField(mwc, 'webhooks')[0];
  const url = stringField(first, 'clientConfig', 'url');
  if (url) return url;
  const svc = stringField(first, 'clientConfig', 'service', 'name');
  return svc ? `service/${stringField(first, 'clientConfig', 'service', 'namespace') ?? ''}/${svc}${stringField(first, 'clientConfig', 'service', 'path') ?? ''}` : null;
}

function callsRemoteIstiod(mwc: KubeObject): boolean {
  const first = arrayField(mwc, 'webhooks')[0];
  return stringField(first, 'clientConfig', 'url') !== undefined || /^\/inject\/cluster\//.test(stringField(first, 'clientConfig', 'service', 'path') ?? '');
}

function remoteSecretCluster(secret: KubeObject): string | null {
  const fromAnnotation = annotation(secret, REMOTE_SECRET_CLUSTER);
  if (fromAnnotation) return fromAnnotation;
  const m = /^istio-remote-secret-(.+)$/.exec(secret.metadata.name);
  return m ? m[1]! : null;
}

function discoveryEnv(d: KubeObject, name: string): string | undefined {
  const containers = arrayField(d, 'spec', 'template', 'spec', 'containers');
  const discovery = containers.find((c) => stringField(c, 'name') === 'discovery') ?? containers[0];
  return stringField(arrayField(discovery, 'env').find((e) => stringField(e, 'name') === name), 'value');
}

function firstString(values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string' && v) return v;
  return null;
}

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
