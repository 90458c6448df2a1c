import type { ClusterSource } from '../source.js';
import { RESOURCES } from '../resources.js';
import type { KubeObject } from '../objects.js';
import { decodeHelmReleaseSecret, HELM_SECRET_TYPE, HelmDecodeError, type DecodedHelmRelease } from '../helm-release.js';
import { leanPod } from './lean-pod.js';
import { meshConfigMapName } from '../mesh-config.js';
import type { HelmSecretMeta, RawCluster } from './raw.js';

export interface ReadOptions {
  istioNamespace: string;
  capturedAt?: string | null;
  clusterId?: string | null;
}

const ISTIO_CRD = /\.istio\.io$/;
const GATEWAY_API_CRD = /\.gateway\.networking\.(k8s|x-k8s)\.io$/;
const OPERATOR_DEPLOYMENT = /^istio-operator(-[a-z0-9-]+)?$/;
const ACTIVE_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

/**
 * Reads what the inventory needs: label-selected, metadata-only where labels suffice,
 * independent requests in parallel, then the few follow-up reads that depend on them.
 */
export async function readCluster(source: ClusterSource, opts: ReadOptions): Promise<RawCluster> {
  const ns = opts.istioNamespace;
  const [
    kubernetesVersion,
    nodes,
    namespaces,
    labelledDeployments,
    deploymentMeta,
    mutatingWebhooks,
    validatingWebhooks,
    tagServices,
    istioConfigMaps,
    cniDaemonSets,
    ztunnelDaemonSets,
    legacyZtunnelDaemonSets,
    helmSecretObjects,
    injected,
    gatewayPods,
    crdMeta,
    gatewayApiGateways,
    istioOperators,
    sailIstios,
    istioCsrDeployments,
    remoteSecrets,
    networkServices,
  ] = await Promise.all([
    source.kubernetesVersion(),
    source.list(RESOURCES.nodes),
    source.list(RESOURCES.namespaces, { metadataOnly: true }),
    source.list(RESOURCES.deployments, { labelSelector: 'istio' }),
    source.list(RESOURCES.deployments, { metadataOnly: true }),
    source.list(RESOURCES.mutatingWebhooks),
    source.list(RESOURCES.validatingWebhooks),
    source.list(RESOURCES.services, { namespace: ns, labelSelector: 'istio.io/tag' }),
    source.list(RESOURCES.configMaps, { namespace: ns, metadataOnly: true }),
    source.list(RESOURCES.daemonSets, { labelSelector: 'k8s-app=istio-cni-node' }),
    source.list(RESOURCES.daemonSets, { labelSelector: 'app.kubernetes.io/name=ztunnel' }),
    // Charts before the app.kubernetes.io labels marked the DaemonSet itself with app=ztunnel.
    source.list(RESOURCES.daemonSets, { labelSelector: 'app=ztunnel' }),
    source.list(RESOURCES.secrets, { labelSelector: 'owner=helm', fieldSelector: `type=${HELM_SECRET_TYPE}`, metadataOnly: true }),
    source.listMapped(RESOURCES.pods, { labelSelector: 'security.istio.io/tlsMode=istio', fieldSelector: ACTIVE_PODS }, leanPod),
    // Pods injected with the gateway template carry no tlsMode label; the gateway chart marks them for injection.
    source.listMapped(RESOURCES.pods, { labelSelector: 'sidecar.istio.io/inject=true,!security.istio.io/tlsMode', fieldSelector: ACTIVE_PODS }, leanPod),
    source.list(RESOURCES.crds, { metadataOnly: true }),
    source.list(RESOURCES.gateways),
    source.list(RESOURCES.istioOperators),
    source.list(RESOURCES.sailIstios),
    source.list(RESOURCES.deployments, { labelSelector: 'app.kubernetes.io/name=cert-manager-istio-csr' }),
    // Multi-cluster: which clusters this control plane reads (metadata only: the data is a kubeconfig with credentials).
    source.list(RESOURCES.secrets, { namespace: ns, labelSelector: 'istio/multiCluster=true', metadataOnly: true }),
    // East-west gateways carry the network they front (gateway chart `networkGateway`, gen-eastwest-gateway.sh).
    source.list(RESOURCES.services, { labelSelector: 'topology.istio.io/network' }),
  ]);

  const istiodDeployments = labelledDeployments.filter((d) => d.metadata.namespace === ns && d.metadata.labels?.app === 'istiod');
  const gatewayDeployments = labelledDeployments.filter((d) => d.metadata.labels?.app !== 'istiod' && !['pilot', 'istiod'].includes(d.metadata.labels?.istio ?? ''));
  const deploymentKeys = new Set(deploymentMeta.map((d) => `${d.metadata.namespace}/${d.metadata.name}`));
  const helmSecrets = helmSecretObjects.map(toHelmSecretMeta).filter((s): s is HelmSecretMeta => s !== null);
  const daemonSets = uniqueObjects([...cniDaemonSets, ...ztunnelDaemonSets, ...legacyZtunnelDaemonSets]);

  const ambientNamespaces = new Set(
    namespaces.filter((n) => n.metadata.labels?.['istio.io/dataplane-mode'] === 'ambient').map((n) => n.metadata.name),
  );
  const crdNames = crdMeta.map((c) => c.metadata.name).filter((n) => ISTIO_CRD.test(n) || GATEWAY_API_CRD.test(n));
  const operatorNames = deploymentMeta.filter((d) => OPERATOR_DEPLOYMENT.test(d.metadata.name));

  const wantedReleases = releasesOfInterest(ns, helmSecrets, [
    ...istiodDeployments,
    ...gatewayDeployments,
    ...daemonSets,
    ...validatingWebhooks,
    ...mutatingWebhooks,
    ...istioCsrDeployments,
    ...crdMeta.filter((c) => ISTIO_CRD.test(c.metadata.name)),
  ]);
  const latestSecrets = latestPerRelease(helmSecrets.filter((s) => wantedReleases.has(`${s.namespace}/${s.release}`)));

  // Only the control planes' own mesh ConfigMaps are read whole (the injector ConfigMaps are large templates).
  const meshConfigMapNames = [...new Set(istiodDeployments.map((d) => meshConfigMapName(d.metadata.labels?.['istio.io/rev'] ?? 'default')))].filter((n) => istioConfigMaps.some((c) => c.metadata.name === n));

  const [crds, operatorDeployments, ambientPodObjects, decoded, cacertsKeys, meshConfigMaps] = await Promise.all([
    Promise.all(crdNames.map((n) => source.get(RESOURCES.crds, n))),
    Promise.all(operatorNames.map((d) => source.get(RESOURCES.deployments, d.metadata.name, d.metadata.namespace))),
    ambientNamespaces.size > 0 ? source.list(RESOURCES.pods, { fieldSelector: ACTIVE_PODS, metadataOnly: true }) : Promise.resolve([]),
    Promise.all(latestSecrets.map((s) => readRelease(source, s))),
    readCacertsKeys(source, ns),
    Promise.all(meshConfigMapNames.map((n) => source.get(RESOURCES.configMaps, n, ns))),
  ]);

  const helmReleases: DecodedHelmRelease[] = [];
  const helmDecodeErrors: string[] = [];
  for (const d of decoded) {
    if (typeof d === 'string') helmDecodeErrors.push(d);
    else if (d) helmReleases.push(d);
  }

  const kubeSystem = namespaces.find((n) => n.metadata.name === 'kube-system');
  return {
    istioNamespace: ns,
    kubernetesVersion,
    context: source.context ?? null,
    capturedAt: opts.capturedAt ?? null,
    clusterId: opts.clusterId ?? kubeSystem?.metadata.uid ?? null,
    nodes,
    namespaces,
    istiodDeployments,
    gatewayDeployments,
    operatorDeployments: operatorDeployments.filter((d): d is KubeObject => d !== undefined),
    istioCsrDeployments,
    deploymentKeys,
    mutatingWebhooks,
    validatingWebhooks,
    tagServices,
    istioConfigMaps,
    meshConfigMaps: meshConfigMaps.filter((c): c is KubeObject => c !== undefined),
    daemonSets,
    helmSecrets,
    helmReleases,
    helmDecodeErrors,
    injectedPods: [...injected, ...gatewayPods].filter((p) => p.proxyImage !== null),
    ambientPods: ambientPodObjects
      .filter(
        (p) =>
          ambientNamespaces.has(p.metadata.namespace ?? '') &&
          p.metadata.labels?.['security.istio.io/tlsMode'] !== 'istio' &&
          p.metadata.labels?.['istio.io/dataplane-mode'] !== 'none',
      )
      .map(leanPod),
    crds: crds.filter((c): c is KubeObject => c !== undefined),
    gatewayApiGateways,
    istioOperators,
    sailIstios,
    remoteSecrets,
    networkServices,
    cacertsKeys,
  };
}

/**
 * The key names of the plugged-in CA Secret (istio.io docs/tasks/security/cert-management/plugin-ca-cert): which
 * bundle form it holds decides whether istiod 1.26+ starts. Values are never kept. Reading Secrets may be denied to
 * a read-only identity: then the planner says it cannot tell, and nothing else fails.
 */
async function readCacertsKeys(source: ClusterSource, ns: string): Promise<string[] | null | 'unknown'> {
  try {
    const secret = await source.get(RESOURCES.secrets, 'cacerts', ns);
    return secret ? Object.keys((secret as { data?: Record<string, unknown> }).data ?? {}).sort() : null;
  } catch {
    return 'unknown';
  }
}

function uniqueObjects(objects: KubeObject[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const o of objects) seen.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  return [...seen.values()];
}

function toHelmSecretMeta(s: KubeObject): HelmSecretMeta | null {
  const l = s.metadata.labels ?? {};
  const revision = Number(l.version);
  if (!l.name || !Number.isInteger(revision)) return null;
  return { namespace: s.metadata.namespace ?? '', secretName: s.metadata.name, release: l.name, revision, status: l.status ?? 'unknown' };
}

/** Releases that own an Istio object (by Helm's annotations), plus every release in the Istio namespace. */
function releasesOfInterest(istioNamespace: string, secrets: HelmSecretMeta[], owned: KubeObject[]): Set<string> {
  const wanted = new Set<string>();
  for (const s of secrets) if (s.namespace === istioNamespace) wanted.add(`${s.namespace}/${s.release}`);
  for (const o of owned) {
    const a = o.metadata.annotations ?? {};
    const name = a['meta.helm.sh/release-name'];
    const rns = a['meta.helm.sh/release-namespace'] ?? o.metadata.namespace;
    if (name && rns) wanted.add(`${rns}/${name}`);
  }
  return wanted;
}

function latestPerRelease(secrets: HelmSecretMeta[]): HelmSecretMeta[] {
  const latest = new Map<string, HelmSecretMeta>();
  for (const s of secrets) {
    const key = `${s.namespace}/${s.release}`;
    const cur = latest.get(key);
    if (!cur || s.revision > cur.revision) latest.set(key, s);
  }
  return [...latest.values()];
}

async function readRelease(source: ClusterSource, meta: HelmSecretMeta): Promise<DecodedHelmRelease | string | undefined> {
  const secret = await source.get(RESOURCES.secrets, meta.secretName, meta.namespace);
  if (!secret) return undefined;
  try {
    return decodeHelmReleaseSecret(secret);
  } catch (e) {
    if (e instanceof HelmDecodeError) return e.message;
    throw e;
  }
}
