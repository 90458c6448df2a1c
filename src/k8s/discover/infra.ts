import { BUNDLE_VERSION_ANNOTATION, CHANNEL_ANNOTATION } from '../gateway-api.js';
import { annotation, arrayField, field, label, stringField, type KubeObject } from '../objects.js';
import { valueAt } from '../helm-release.js';
import type { CrdInfo, DaemonSetInfo, GatewayInfo, HelmRelease, Inventory, Workload } from '../inventory.js';
import { versionFromImage } from './lean-pod.js';
import { daemonSetRollout, healthOf, helmOwner, installMethodOf, releaseKey, type OperatorContext, type ReleaseIndex } from './common.js';
import type { RawCluster } from './raw.js';

function firstImage(obj: KubeObject): string | null {
  const c = arrayField(obj, 'spec', 'template', 'spec', 'containers')[0];
  return stringField(c, 'image') ?? null;
}

function daemonSetInfo(ds: KubeObject, releases: ReleaseIndex, ops: OperatorContext): DaemonSetInfo {
  const rollout = daemonSetRollout(ds);
  const helmRelease = helmOwner(ds, releases);
  let version = versionFromImage(firstImage(ds));
  if (!version && helmRelease) version = releases.get(releaseKey(helmRelease.namespace, helmRelease.release))?.appVersion ?? null;
  return {
    name: ds.metadata.name,
    namespace: ds.metadata.namespace ?? '',
    version,
    revision: label(ds, 'istio.io/rev') ?? annotation(ds, 'istio.io/rev') ?? null,
    rollout,
    health: healthOf(rollout),
    installMethod: installMethodOf(ds, releases, ops),
    helmRelease,
  };
}

export function buildAmbient(raw: RawCluster, releases: ReleaseIndex, ops: OperatorContext): Inventory['ambient'] {
  const cniDs = raw.daemonSets.find((d) => label(d, 'k8s-app') === 'istio-cni-node');
  const ztDs = raw.daemonSets.find((d) => label(d, 'app.kubernetes.io/name') === 'ztunnel' || label(d, 'app') === 'ztunnel');
  let cni: Inventory['ambient']['cni'] = null;
  if (cniDs) {
    const info = daemonSetInfo(cniDs, releases, ops);
    const rel = info.helmRelease ? releases.get(releaseKey(info.helmRelease.namespace, info.helmRelease.release)) : undefined;
    const values = rel?.values ?? {};
    // The umbrella `ambient` chart nests the CNI values under `cni.`, the cni chart at the top level;
    // the umbrella's own defaults set `cni.profile: ambient`.
    const umbrella = rel?.chartName === 'ambient';
    const dns = valueAt(values, umbrella ? 'cni.cni.ambient.dnsCapture' : 'cni.ambient.dnsCapture') ?? valueAt(values, 'ambient.dnsCapture');
    const profile = umbrella
      ? (valueAt(values, 'cni.profile') ?? valueAt(values, 'global.profile') ?? 'ambient')
      : (valueAt(values, 'profile') ?? valueAt(values, 'global.profile'));
    const envAmbient = arrayField(cniDs, 'spec', 'template', 'spec', 'containers').some((c) =>
      arrayField(c, 'env').some((e) => stringField(e, 'name') === 'AMBIENT_ENABLED' && stringField(e, 'value') === 'true'),
    );
    cni = { ...info, dnsCapture: typeof dns === 'boolean' ? dns : null, ambientEnabled: profile === 'ambient' || envAmbient || ztDs !== undefined };
  }
  return { cni, ztunnel: ztDs ? daemonSetInfo(ztDs, releases, ops) : null };
}

export function buildGateways(raw: RawCluster, helmReleases: HelmRelease[], releases: ReleaseIndex, workloads: Workload[]): GatewayInfo[] {
  const out: GatewayInfo[] = [];
  const proxyVersionOf = (ns: string, name: string) => workloads.find((w) => w.namespace === ns && w.kind === 'Deployment' && w.name === name)?.proxyVersion ?? null;
  const seen = new Set<string>();
  for (const rel of helmReleases.filter((r) => r.component === 'gateway')) {
    const dep = raw.gatewayDeployments.find((d) => d.metadata.namespace === rel.namespace && helmOwner(d, releases)?.release === rel.name);
    const name = dep?.metadata.name ?? rel.name;
    seen.add(`${rel.namespace}/${name}`);
    const revValue = valueAt(rel.values, 'revision');
    out.push({
      type: 'helm',
      name,
      namespace: rel.namespace,
      helmRelease: { release: rel.name, namespace: rel.namespace },
      revision: (dep && stringField(dep, 'spec', 'template', 'metadata', 'labels', 'istio.io/rev')) ?? (typeof revValue === 'string' && revValue ? revValue : null),
      version: proxyVersionOf(rel.namespace, name) ?? versionFromImage(dep ? firstImage(dep) : null) ?? rel.appVersion,
      className: null,
    });
  }
  for (const d of raw.gatewayDeployments) {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    if (seen.has(key) || !/gateway/.test(label(d, 'istio') ?? '')) continue;
    out.push({
      type: 'deployment',
      name: d.metadata.name,
      namespace: d.metadata.namespace ?? '',
      helmRelease: null,
      revision: stringField(d, 'spec', 'template', 'metadata', 'labels', 'istio.io/rev') ?? label(d, 'istio.io/rev') ?? null,
      version: versionFromImage(firstImage(d)) ?? proxyVersionOf(d.metadata.namespace ?? '', d.metadata.name),
      className: null,
    });
  }
  for (const g of raw.gatewayApiGateways) {
    const className = stringField(g, 'spec', 'gatewayClassName') ?? null;
    if (className !== 'istio') continue;
    out.push({
      type: 'gateway-api',
      name: g.metadata.name,
      namespace: g.metadata.namespace ?? '',
      helmRelease: null,
      revision: label(g, 'istio.io/rev') ?? null,
      version: proxyVersionOf(g.metadata.namespace ?? '', `${g.metadata.name}-${className}`),
      className,
    });
  }
  return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export function buildWaypoints(raw: RawCluster): Inventory['waypoints'] {
  return raw.gatewayApiGateways
    .filter((g) => stringField(g, 'spec', 'gatewayClassName') === 'istio-waypoint')
    .map((g) => ({ name: g.metadata.name, namespace: g.metadata.namespace ?? '', revision: label(g, 'istio.io/rev') ?? null }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function versionsOf(crd: KubeObject): { served: string[]; storage: string | null } {
  const versions = arrayField(crd, 'spec', 'versions');
  return {
    served: versions.filter((v) => field(v, 'served') === true).map((v) => stringField(v, 'name') ?? '').filter(Boolean),
    storage: versions.map((v) => (field(v, 'storage') === true ? stringField(v, 'name') : undefined)).find(Boolean) ?? null,
  };
}

export function buildCrds(raw: RawCluster): Inventory['crds'] {
  const istio: CrdInfo[] = [];
  const gw: { name: string; servedVersions: string[] }[] = [];
  let bundleVersion: string | null = null;
  let channel: string | null = null;
  for (const crd of raw.crds) {
    const name = crd.metadata.name;
    const v = versionsOf(crd);
    if (/\.istio\.io$/.test(name)) {
      const managedBy = label(crd, 'app.kubernetes.io/managed-by') ?? null;
      const rel = annotation(crd, 'meta.helm.sh/release-name');
      const relNs = annotation(crd, 'meta.helm.sh/release-namespace');
      istio.push({
        name,
        group: stringField(crd, 'spec', 'group') ?? name.slice(name.indexOf('.') + 1),
        servedVersions: v.served,
        storageVersion: v.storage,
        managedBy,
        helmRelease: rel && relNs ? { release: rel, namespace: relNs } : null,
        legacyChartLabel: label(crd, 'chart') === 'istio',
        istioctlOwned: label(crd, 'operator.istio.io/managed') === 'Reconcile' || label(crd, 'operator.istio.io/component') !== undefined,
        helmOwned: managedBy === 'Helm' && !!rel && !!relNs,
      });
    } else {
      gw.push({ name, servedVersions: v.served });
      bundleVersion ??= annotation(crd, BUNDLE_VERSION_ANNOTATION) ?? null;
      channel ??= annotation(crd, CHANNEL_ANNOTATION) ?? null;
    }
  }
  istio.sort((a, b) => a.name.localeCompare(b.name));
  gw.sort((a, b) => a.name.localeCompare(b.name));
  return { istio, gatewayApi: { present: gw.length > 0, bundleVersion, channel, crds: gw } };
}

export function buildIstioCsr(raw: RawCluster): Inventory['istioCsr'] {
  const d = raw.istioCsrDeployments[0];
  if (!d) return { present: false, name: null, namespace: null, version: null };
  const v = label(d, 'app.kubernetes.io/version') ?? firstImage(d)?.split(':').pop() ?? null;
  return { present: true, name: d.metadata.name, namespace: d.metadata.namespace ?? null, version: v };
}

export function buildOperators(raw: RawCluster): Inventory['operators'] {
  return {
    inCluster: {
      deployments: raw.operatorDeployments.map((d) => ({
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? '',
        version: versionFromImage(firstImage(d)),
        revision: label(d, 'istio.io/rev') ?? null,
      })),
      istioOperators: raw.istioOperators.map((o) => ({
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? '',
        revision: stringField(o, 'spec', 'revision') || null,
      })),
    },
    sail: {
      istios: raw.sailIstios.map((i) => ({
        name: i.metadata.name,
        version: stringField(i, 'spec', 'version') ?? null,
        updateStrategy: stringField(i, 'spec', 'updateStrategy', 'type') ?? null,
      })),
    },
  };
}

export function operatorContext(raw: RawCluster): OperatorContext {
  return { operatorIops: new Set(raw.operatorDeployments.length ? raw.istioOperators.map((o) => o.metadata.name) : []) };
}

