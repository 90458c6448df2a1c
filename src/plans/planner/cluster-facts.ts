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
    crdsHelmOwned: inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned),
    kubernetesVersion: inv.cluster.kubernetesVersion,
  };
}
