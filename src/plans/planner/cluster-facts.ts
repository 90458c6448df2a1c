import type { Inventory } from '../../k8s/inventory.js';
import type { ClusterFacts } from '../catalog/index.js';
import type { Revision } from '../../k8s/inventory.js';

/** Translates the inventory into the vocabulary catalog conditions are written in. */
export function clusterFacts(inv: Inventory, source: Revision): ClusterFacts {
  const modes: ('sidecar' | 'ambient')[] = [];
  if (inv.dataPlane.workloads.some((w) => w.mode === 'sidecar') || inv.mode === 'sidecar') modes.push('sidecar');
  if (inv.mode === 'ambient') modes.push('ambient');
  const release = (component: string) => inv.helmReleases.find((r) => r.component === component);
  const istiodRel = source.helmRelease ? inv.helmReleases.find((r) => r.name === source.helmRelease!.release && r.namespace === source.helmRelease!.namespace) : undefined;
  const cniRel = release('cni');
  const helmValues: Record<string, unknown> = { ...(istiodRel?.values ?? {}) };
  if (cniRel) {
    // The cni chart's own values sit at its top level; some installs nest them under `cni:` anyway.
    const nested = cniRel.values.cni && typeof cniRel.values.cni === 'object' ? (cniRel.values.cni as Record<string, unknown>) : {};
    helmValues.cni = { ...(helmValues.cni as object | undefined), ...cniRel.values, ...nested };
  }
  const method = inv.installMethod;
  const env = istiodRel ? userEnv(istiodRel.values) : undefined;
  const ztunnel = inv.ambient.ztunnel;
  const strip = (v: string | null) => (v ? v.replace(/^v/, '') : v);
  return {
    modes,
    ...(method === 'helm' || method === 'istioctl' || method === 'operator' ? { installMethod: method } : {}),
    components: {
      istiod: source.version ?? true,
      'istio-cni': inv.ambient.cni?.version ?? (inv.ambient.cni ? true : false),
      ztunnel: inv.ambient.ztunnel?.version ?? (inv.ambient.ztunnel ? true : false),
      gateway: inv.gateways.length > 0,
      waypoint: inv.waypoints.length > 0,
      'istio-operator': inv.operators.inCluster.deployments[0]?.version ?? (inv.operators.inCluster.istioOperators.length > 0 ? true : false),
      'ambient-umbrella-chart': release('ambient')?.chartVersion ?? false,
      'istio-csr': inv.istioCsr.present ? (strip(inv.istioCsr.version) ?? true) : false,
      'gateway-api-crds': inv.crds.gatewayApi.present ? (strip(inv.crds.gatewayApi.bundleVersion) ?? true) : false,
      'istiod-remote': inv.helmReleases.some((r) => r.chart === 'istiod-remote'),
    },
    ...(istiodRel || cniRel ? { helmValues } : {}),
    ...(env ? { env } : {}),
    features: {
      ...pluggedInCaFeatures(inv.pluggedInCa?.state),
      ...(ztunnel?.helmRelease ? { 'ztunnel-release-name-not-ztunnel': ztunnel.helmRelease.release !== 'ztunnel' } : {}),
      ...(ztunnel ? { 'ztunnel-namespace-differs': ztunnel.namespace !== inv.istioNamespace } : {}),
    },
    crdsHelmOwned: inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned),
    kubernetesVersion: inv.cluster.kubernetesVersion,
  };
}

/** istiod env and proxy metadata the user set in the release values (values are redacted, so only names are known). */
function userEnv(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (node: unknown) => {
    if (node && typeof node === 'object' && !Array.isArray(node)) for (const [k, v] of Object.entries(node)) out[k] = String(v);
  };
  const pilot = values.pilot as Record<string, unknown> | undefined;
  take(pilot?.env);
  const mesh = values.meshConfig as { defaultConfig?: { proxyMetadata?: unknown } } | undefined;
  take(mesh?.defaultConfig?.proxyMetadata);
  return out;
}

/** `plugged-in-ca`: a cacerts Secret exists; `plugged-in-ca-incomplete`: it holds neither whole bundle form. Unknown: neither. */
function pluggedInCaFeatures(state: NonNullable<Inventory['pluggedInCa']>['state'] | undefined): Record<string, boolean> {
  if (state === undefined || state === 'unknown') return {};
  return { 'plugged-in-ca': state !== 'absent', 'plugged-in-ca-incomplete': state === 'incomplete' };
}
