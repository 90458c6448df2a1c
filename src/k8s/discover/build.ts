import { arrayField, stringField, type KubeObject } from '../objects.js';
import { valueAt } from '../helm-release.js';
import { inventorySchema, INVENTORY_API_VERSION, type Component, type Health, type HelmRelease, type Inventory } from '../inventory.js';
import { deploymentRollout, healthOf, helmOwner, installMethodOf, releaseKey, type OperatorContext, type ReleaseIndex } from './common.js';
import { buildRevisions, buildTags, defaultValidatorRevision } from './control-plane.js';
import { buildNamespaces, buildWorkloads, proxyCounts } from './data-plane.js';
import { buildFindings } from './findings.js';
import { buildHelmReleases } from './helm.js';
import { buildAmbient, buildCrds, buildGateways, buildIstioCsr, buildOperators, buildWaypoints, operatorContext } from './infra.js';
import type { RawCluster } from './raw.js';
import { buildMeshTopology } from './topology.js';

/** Pure: interprets what was read. Same input, same inventory — whether it came live or from a snapshot. */
export function buildInventory(raw: RawCluster, source: { type: 'live' | 'snapshot' }): Inventory {
  const releases: ReleaseIndex = new Map(raw.helmReleases.map((r) => [releaseKey(r.namespace, r.name), r]));
  const ops = operatorContext(raw);
  const helmReleases = buildHelmReleases(raw.helmReleases, raw.helmSecrets);
  const revisions = buildRevisions(raw, releases, ops);
  const tags = buildTags(raw, revisions);
  const namespaces = buildNamespaces(raw, revisions, tags);
  const workloads = buildWorkloads(raw);
  const ambient = buildAmbient(raw, releases, ops);
  const gateways = buildGateways(raw, helmReleases, releases, workloads);

  // The base chart's release; the `ambient` umbrella chart carries base as a subchart (values under `base.`).
  const inIstioNs = (r: HelmRelease) => r.namespace === raw.istioNamespace;
  const bases = helmReleases.filter((r) => r.component === 'base');
  const umbrellas = helmReleases.filter((r) => r.component === 'ambient');
  const base = bases.find(inIstioNs) ?? bases[0] ?? umbrellas.find(inIstioNs) ?? umbrellas[0];
  const baseDefault = base ? valueAt(base.values, base.component === 'ambient' ? 'base.defaultRevision' : 'defaultRevision') : undefined;
  const tagRevision = tags.find((t) => t.name === 'default')?.revision ?? null;
  const validatorRevision = defaultValidatorRevision(raw);
  const baseDefaultRevision = typeof baseDefault === 'string' && baseDefault ? baseDefault : null;
  const pointers = [tagRevision, validatorRevision, baseDefaultRevision].filter((v): v is string => v !== null);

  const deploymentHealth = (d: KubeObject | undefined): Health => (d ? healthOf(deploymentRollout(d)) : 'unknown');
  const components: Component[] = [];
  if (base) {
    components.push({
      component: 'base',
      name: base.name,
      namespace: base.namespace,
      version: base.appVersion ?? base.chartVersion,
      revision: null,
      installMethod: baseInstallMethod(raw, base, releases, ops),
      helmRelease: { release: base.name, namespace: base.namespace },
      health: base.status === 'deployed' ? 'healthy' : 'degraded',
    });
  }
  for (const r of revisions) {
    if (!r.deployment) continue;
    components.push({ component: 'istiod', name: r.deployment, namespace: r.namespace, version: r.version, revision: r.name, installMethod: r.installMethod, helmRelease: r.helmRelease, health: r.health });
  }
  for (const [kind, ds] of [['cni', ambient.cni], ['ztunnel', ambient.ztunnel]] as const) {
    if (ds) components.push({ component: kind, name: ds.name, namespace: ds.namespace, version: ds.version, revision: ds.revision, installMethod: ds.installMethod, helmRelease: ds.helmRelease, health: ds.health });
  }
  for (const g of gateways.filter((g) => g.type !== 'gateway-api')) {
    const d = raw.gatewayDeployments.find((x) => x.metadata.namespace === g.namespace && x.metadata.name === g.name);
    components.push({
      component: 'gateway',
      name: g.name,
      namespace: g.namespace,
      version: g.version,
      revision: g.revision,
      installMethod: d ? installMethodOf(d, releases, ops) : g.type === 'helm' ? 'helm' : 'unknown',
      helmRelease: g.helmRelease,
      health: deploymentHealth(d),
    });
  }
  const operators = buildOperators(raw);
  for (const o of operators.inCluster.deployments) {
    const d = raw.operatorDeployments.find((x) => x.metadata.namespace === o.namespace && x.metadata.name === o.name);
    components.push({ component: 'operator', name: o.name, namespace: o.namespace, version: o.version, revision: o.revision, installMethod: d ? installMethodOf(d, releases, ops) : 'unknown', helmRelease: d ? helmOwner(d, releases) : null, health: deploymentHealth(d) });
  }
  for (const s of operators.sail.istios) {
    const cr = raw.sailIstios.find((i) => i.metadata.name === s.name);
    components.push({ component: 'sail-operator', name: s.name, namespace: '', version: s.version, revision: null, installMethod: 'sail', helmRelease: null, health: cr ? readyConditionHealth(cr) : 'unknown' });
  }
  const istioCsr = buildIstioCsr(raw);
  if (istioCsr.present) {
    const d = raw.istioCsrDeployments.find((x) => x.metadata.namespace === istioCsr.namespace && x.metadata.name === istioCsr.name);
    components.push({
      component: 'istio-csr',
      name: istioCsr.name!,
      namespace: istioCsr.namespace!,
      version: istioCsr.version,
      revision: null,
      installMethod: d ? installMethodOf(d, releases, ops) : 'unknown',
      helmRelease: d ? helmOwner(d, releases) : null,
      health: deploymentHealth(d),
    });
  }

  const methods = new Set(revisions.filter((r) => r.deployment).map((r) => r.installMethod));
  const installMethod: Inventory['installMethod'] = methods.size === 0 ? 'none' : methods.size > 1 ? 'mixed' : [...methods][0]!;
  const mode: Inventory['mode'] = ambient.ztunnel || revisions.some((r) => r.ambient) ? 'ambient' : revisions.length ? 'sidecar' : 'none';

  const mesh = buildMeshTopology(raw, helmReleases, revisions, gateways);
  const draft: Omit<Inventory, 'findings'> = {
    apiVersion: INVENTORY_API_VERSION,
    kind: 'Inventory',
    source: { type: source.type, context: raw.context, capturedAt: raw.capturedAt },
    cluster: {
      kubernetesVersion: raw.kubernetesVersion,
      clusterId: raw.clusterId,
      nodes: raw.nodes
        .map((n) => ({ name: n.metadata.name, kubeletVersion: stringField(n, 'status', 'nodeInfo', 'kubeletVersion') ?? null }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
    istioNamespace: raw.istioNamespace,
    installMethod,
    mode,
    revisions,
    tags,
    defaults: { tagRevision, validatorRevision, baseDefaultRevision, consistent: new Set(pointers).size <= 1 },
    components,
    helmReleases,
    dataPlane: { namespaces, proxies: proxyCounts(workloads), workloads },
    ambient,
    waypoints: buildWaypoints(raw),
    gateways,
    crds: buildCrds(raw),
    istioCsr,
    pluggedInCa: pluggedInCa(raw.cacertsKeys),
    operators,
    ...(mesh ? { mesh } : {}),
  };
  const inventory: Inventory = { ...draft, findings: buildFindings(draft, raw.helmDecodeErrors) };
  return inventorySchema.parse(inventory);
}

/**
 * How the base chart's objects got there: the release that owns `istiod-default-validator` is the base release,
 * and that object carries Sail's owner reference when the Sail Operator drives the release.
 */
function baseInstallMethod(raw: RawCluster, base: HelmRelease, releases: ReleaseIndex, ops: OperatorContext): Component['installMethod'] {
  const validator = raw.validatingWebhooks.find((v) => v.metadata.name === 'istiod-default-validator');
  const owner = validator ? helmOwner(validator, releases) : null;
  if (validator && owner && owner.release === base.name && owner.namespace === base.namespace) return installMethodOf(validator, releases, ops);
  return 'helm';
}

/** Health from a custom resource's `Ready` condition (Sail's `Istio`). */
function readyConditionHealth(obj: KubeObject): Health {
  const ready = arrayField(obj, 'status', 'conditions').find((c) => stringField(c, 'type') === 'Ready');
  const status = stringField(ready, 'status');
  return status === 'True' ? 'healthy' : status === 'False' ? 'degraded' : 'unknown';
}

/** The two bundle forms istiod reads from `cacerts` (istio/istio pilot/pkg/bootstrap/istio_ca.go). */
const CA_BUNDLES = [['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'], ['tls.crt', 'tls.key', 'ca.crt']];

function pluggedInCa(keys: RawCluster['cacertsKeys']): NonNullable<Inventory['pluggedInCa']> {
  if (keys === 'unknown') return { state: 'unknown', keys: [] };
  if (keys === null) return { state: 'absent', keys: [] };
  return { state: CA_BUNDLES.some((b) => b.every((k) => keys.includes(k))) ? 'complete' : 'incomplete', keys };
}
