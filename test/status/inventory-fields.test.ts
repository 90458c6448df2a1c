/**
 * Every inventory field, checked against what each fixture really contains. The expectations are written from
 * fixtures/build.ts (what was rendered into each cluster) and the chart/installer facts of Istio's Helm charts and istioctl (istio/istio manifests/charts,
 * operator/pkg) — not copied from discovery's output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SnapshotSource, readSnapshotFile } from '../../src/k8s/snapshot.js';
import { discover } from '../../src/k8s/discover/index.js';
import { isImageSettingPath, PLAN_RELEVANT_VALUES, REDACTED } from '../../src/k8s/redact.js';
import type { Component, CrdInfo, Finding, GatewayInfo, HelmRelease, Inventory, NamespaceInfo, Revision, Rollout, Tag, Workload } from '../../src/k8s/inventory.js';
import { fixtureNames, fixturePath } from '../support/fixtures.js';
import { meshConfigLeaves } from '../../src/k8s/mesh-config.js';
import { inventoryOf } from '../support/plan-cases.js';

const NS = 'istio-system';
const R = REDACTED;

// ---------------------------------------------------------------------------------------------------------------
// Expectation builders (chart conventions from the reference, §3.3)

function rollout(desired: number, o: Partial<Rollout> = {}): Rollout {
  const ready = o.ready ?? desired;
  return {
    generation: o.generation ?? 1,
    observedGeneration: o.observedGeneration ?? o.generation ?? 1,
    desired,
    ready,
    updated: o.updated ?? desired,
    available: o.available ?? ready,
    complete: o.complete ?? true,
  };
}

type RevisionSpec = Pick<Revision, 'version' | 'image' | 'rollout' | 'installMethod' | 'helmRelease' | 'tags'> & Partial<Revision>;

/** The istiod chart's objects of revision `name` (`default` = revision-less): Deployment, injector MWC, VWC, mesh ConfigMap. */
function revision(name: string, s: RevisionSpec): Revision {
  const suffix = name === 'default' ? '' : `-${name}`;
  return {
    name,
    namespace: NS,
    deployment: `istiod${suffix}`,
    health: 'healthy',
    injectorWebhook: `istio-sidecar-injector${suffix}`,
    validatingWebhooks: [`istio-validator${suffix}-${NS}`],
    meshConfigMap: `istio${suffix}`,
    meshConfig: meshConfigLeaves(chartMesh(suffix, s.ambient ?? false)),
    profile: null,
    compatibilityVersion: null,
    ambient: false,
    ...s,
  };
}

/** The mesh config the istiod chart renders with no meshConfig values (test/support/istio-render), as leaf digests are made of it. */
function chartMesh(suffix: string, ambient: boolean): Record<string, unknown> {
  return {
    defaultConfig: { discoveryAddress: `istiod${suffix}.${NS}.svc:15012`, ...(ambient ? { proxyMetadata: { ISTIO_META_ENABLE_HBONE: 'true' } } : {}) },
    defaultProviders: { metrics: ['prometheus'] },
    enablePrometheusMerge: true,
    rootNamespace: NS,
    trustDomain: 'cluster.local',
  };
}

function tag(name: string, revisionName: string, namespaces: string[] = []): Tag {
  return { name, revision: revisionName, webhook: `istio-revision-tag-${name}`, service: null, namespaces, conflicting: false };
}

const helm = (release: string, namespace = NS) => ({ release, namespace });

type HelmSpec = Omit<HelmRelease, 'lastDeployed' | 'secretName' | 'appVersion' | 'lastGoodRevision'> & {
  /** When the newest revision was deployed (fixtures/build.ts); Helm records it with nanoseconds. */
  deployedAt: string;
  lastGoodRevision?: number | null;
};

function release(s: HelmSpec): HelmSpec {
  return s;
}

const history = (...statuses: string[]) => statuses.map((status, i) => ({ revision: i + 1, status }));

type WorkloadTuple = [namespace: string, kind: string, name: string, revision: string | null, proxyVersion: string | null, pods: number, restartable?: boolean];

function sidecars(...rows: WorkloadTuple[]): Workload[] {
  return rows.map(([namespace, kind, name, revisionName, proxyVersion, pods, restartable]) => ({
    namespace,
    kind,
    name,
    revision: revisionName,
    proxyVersion,
    pods,
    restartable: restartable ?? true,
    mode: 'sidecar',
  }));
}

function ambientApps(...rows: [namespace: string, name: string, pods: number][]): Workload[] {
  return rows.map(([namespace, name, pods]) => ({ namespace, kind: 'Deployment', name, revision: null, proxyVersion: null, pods, restartable: true, mode: 'ambient' }));
}

function ns(name: string, o: Partial<NamespaceInfo>): NamespaceInfo {
  return { name, injection: null, revisionLabel: null, dataplaneMode: null, effectiveRevision: null, ...o };
}

/** A revision-less Helm install's components: istio-base, istiod (revision `default`) and the istio-ingress gateway, all healthy at `v`. */
function revisionlessHelmComponents(v: string): Component[] {
  return [
    { component: 'base', name: 'istio-base', namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-base'), health: 'healthy' },
    { component: 'istiod', name: 'istiod', namespace: NS, version: v, revision: 'default', installMethod: 'helm', helmRelease: helm('istiod'), health: 'healthy' },
    { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
  ];
}

function helmGateway(name: string, namespace: string, version: string, revisionName: string | null = null): GatewayInfo {
  return { type: 'helm', name, namespace, helmRelease: helm(name, namespace), revision: revisionName, version, className: null };
}

// Istio CRDs: served/storage versions per API family and minor (crd-all.gen.yaml; reference §3.4 and crds.ts).
type CrdFamily = 'networking' | 'security' | 'peerauth' | 'telemetry' | 'envoyfilter' | 'proxyconfig' | 'wasm';
const ISTIO_CRDS: Record<string, CrdFamily> = {
  'authorizationpolicies.security.istio.io': 'security',
  'destinationrules.networking.istio.io': 'networking',
  'envoyfilters.networking.istio.io': 'envoyfilter',
  'gateways.networking.istio.io': 'networking',
  'peerauthentications.security.istio.io': 'peerauth',
  'proxyconfigs.networking.istio.io': 'proxyconfig',
  'requestauthentications.security.istio.io': 'security',
  'serviceentries.networking.istio.io': 'networking',
  'sidecars.networking.istio.io': 'networking',
  'telemetries.telemetry.istio.io': 'telemetry',
  'virtualservices.networking.istio.io': 'networking',
  'wasmplugins.extensions.istio.io': 'wasm',
  'workloadentries.networking.istio.io': 'networking',
  'workloadgroups.networking.istio.io': 'networking',
};

function crdVersions(family: CrdFamily, version: string): { served: string[]; storage: string } {
  const minor = Number(version.split('.')[1]);
  if (minor >= 27) throw new Error('storage versions move from 1.27 on; extend the table');
  switch (family) {
    case 'networking':
      return minor >= 22 ? { served: ['v1', 'v1alpha3', 'v1beta1'], storage: 'v1beta1' } : { served: ['v1alpha3', 'v1beta1'], storage: 'v1alpha3' };
    case 'security':
      return { served: ['v1', 'v1beta1'], storage: 'v1beta1' };
    case 'peerauth':
      return minor >= 22 ? { served: ['v1', 'v1beta1'], storage: 'v1beta1' } : { served: ['v1beta1'], storage: 'v1beta1' };
    case 'telemetry':
      return minor >= 22 ? { served: ['v1', 'v1alpha1'], storage: 'v1alpha1' } : { served: ['v1alpha1'], storage: 'v1alpha1' };
    case 'envoyfilter':
      return { served: ['v1alpha3'], storage: 'v1alpha3' };
    case 'proxyconfig':
      return { served: ['v1beta1'], storage: 'v1beta1' };
    case 'wasm':
      return { served: ['v1alpha1'], storage: 'v1alpha1' };
  }
}

type CrdOwnership = { kind: 'legacy' } | { kind: 'helm'; release: string; namespace: string } | { kind: 'istioctl' };

/** The 14 Istio CRDs of `version` as their installer left them. */
function istioCrds(version: string, owner: CrdOwnership): CrdInfo[] {
  return Object.entries(ISTIO_CRDS).map(([name, family]) => {
    const v = crdVersions(family, version);
    return {
      name,
      group: name.slice(name.indexOf('.') + 1),
      servedVersions: v.served,
      storageVersion: v.storage,
      // crds/ dir (≤1.23) keeps the static `chart: istio` labels; 1.23 templates add managed-by Helm on top.
      managedBy: owner.kind === 'helm' ? 'Helm' : null,
      helmRelease: owner.kind === 'helm' ? { release: owner.release, namespace: owner.namespace } : null,
      legacyChartLabel: true,
      istioctlOwned: owner.kind === 'istioctl',
      helmOwned: owner.kind === 'helm',
    };
  });
}

/** Gateway API v1.2.1 standard-install.yaml. */
const GATEWAY_API_V121_STANDARD = {
  present: true,
  bundleVersion: 'v1.2.1',
  channel: 'standard',
  crds: [
    { name: 'gatewayclasses.gateway.networking.k8s.io', servedVersions: ['v1', 'v1beta1'] },
    { name: 'gateways.gateway.networking.k8s.io', servedVersions: ['v1', 'v1beta1'] },
    { name: 'grpcroutes.gateway.networking.k8s.io', servedVersions: ['v1'] },
    { name: 'httproutes.gateway.networking.k8s.io', servedVersions: ['v1', 'v1beta1'] },
    { name: 'referencegrants.gateway.networking.k8s.io', servedVersions: ['v1beta1'] },
  ],
};
const NO_GATEWAY_API = { present: false, bundleVersion: null, channel: null, crds: [] };
const NO_ISTIO_CSR = { present: false, name: null, namespace: null, version: null };
const NO_OPERATORS: Inventory['operators'] = { inCluster: { deployments: [], istioOperators: [] }, sail: { istios: [] } };

interface FindingSpec {
  id: string;
  severity: Finding['severity'];
  /** Facts the message must state. */
  says: string[];
}

interface FixtureExpectation {
  fixture: string;
  cluster: { kubernetesVersion: string; clusterId: string; nodes: string[]; kubelet: string };
  istioNamespace: string;
  installMethod: Inventory['installMethod'];
  mode: Inventory['mode'];
  revisions: Revision[];
  tags: Tag[];
  defaults: Inventory['defaults'];
  components: Component[];
  helmReleases: HelmSpec[];
  /** Values (or substrings) that must never appear once values are redacted. */
  secrets: string[];
  namespaces: NamespaceInfo[];
  proxies: Inventory['dataPlane']['proxies'];
  workloads: Workload[];
  /** The Helm gateway's pods, injected with the gateway template (no tlsMode label), in istio-ingress. */
  gatewayPods?: { revision: string; version: string; pods: number };
  ambient: Inventory['ambient'];
  waypoints: Inventory['waypoints'];
  gateways: GatewayInfo[];
  istioCrds: CrdInfo[];
  gatewayApi: Inventory['crds']['gatewayApi'];
  istioCsr: Inventory['istioCsr'];
  operators: Inventory['operators'];
  findings: FindingSpec[];
}

// ---------------------------------------------------------------------------------------------------------------
// Field-group checks

function expectCluster(inv: Inventory, e: FixtureExpectation): void {
  expect(inv.cluster.kubernetesVersion).toBe(e.cluster.kubernetesVersion);
  expect(inv.cluster.clusterId).toBe(e.cluster.clusterId);
  expect(inv.cluster.nodes).toEqual(e.cluster.nodes.map((name) => ({ name, kubeletVersion: e.cluster.kubelet })));
}

function expectMesh(inv: Inventory, e: FixtureExpectation): void {
  expect({ istioNamespace: inv.istioNamespace, installMethod: inv.installMethod, mode: inv.mode }).toEqual({
    istioNamespace: e.istioNamespace,
    installMethod: e.installMethod,
    mode: e.mode,
  });
}

function expectHelmReleases(inv: Inventory, e: FixtureExpectation): void {
  expect(inv.helmReleases.map((r) => `${r.namespace}/${r.name}`)).toEqual(e.helmReleases.map((r) => `${r.namespace}/${r.name}`));
  for (const [i, want] of e.helmReleases.entries()) {
    const { lastDeployed, ...got } = inv.helmReleases[i]!;
    const { deployedAt, lastGoodRevision, ...fields } = want;
    // The last good revision is the newest deployed/superseded record, unless the fixture says otherwise.
    const good = want.history.filter((h) => h.status === 'deployed' || h.status === 'superseded').map((h) => h.revision);
    expect(got).toEqual({
      ...fields,
      appVersion: want.chartVersion,
      secretName: `sh.helm.release.v1.${want.name}.v${want.revision}`,
      lastGoodRevision: lastGoodRevision !== undefined ? lastGoodRevision : good.length ? Math.max(...good) : null,
    });
    // Helm records the deploy time with nanoseconds.
    expect(lastDeployed).toMatch(new RegExp(`^${deployedAt.replace(/Z$/, '')}(\\.\\d{1,9})?Z$`));
  }
}

const KEPT = new Set<string>(PLAN_RELEVANT_VALUES);
const SUBCHARTS = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'];

/** Every leaf of released values is `<redacted>` unless it sits under a plan-relevant key (or one nested under an umbrella subchart) or is an image setting. */
function expectOnlyPlanRelevantValues(values: unknown, path = ''): void {
  const keptPath = (p: string) => KEPT.has(p) || SUBCHARTS.some((s) => p.startsWith(`${s}.`) && KEPT.has(p.slice(s.length + 1))) || (typeof values === 'string' && isImageSettingPath(p));
  if (path && keptPath(path)) return;
  if (Array.isArray(values)) return values.forEach((v, i) => expectOnlyPlanRelevantValues(v, `${path}[${i}]`));
  if (values && typeof values === 'object') {
    for (const [k, v] of Object.entries(values)) expectOnlyPlanRelevantValues(v, path ? `${path}.${k}` : k);
    return;
  }
  if (values === null || values === undefined) return;
  expect({ path, value: values }).toEqual({ path, value: REDACTED });
}

const byKeys = <T>(keys: (t: T) => string[]) => (a: T, b: T) => {
  const [x, y] = [keys(a), keys(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]!.localeCompare(y[i]!);
  return 0;
};

function expectedProxies(e: FixtureExpectation): Inventory['dataPlane']['proxies'] {
  if (!e.gatewayPods) return e.proxies;
  const g = e.gatewayPods;
  return [...e.proxies, { namespace: 'istio-ingress', revision: g.revision, version: g.version, count: g.pods }].sort(byKeys((p) => [p.namespace, p.revision]));
}

function expectedWorkloads(e: FixtureExpectation): Workload[] {
  if (!e.gatewayPods) return e.workloads;
  const g = e.gatewayPods;
  const gw = sidecars(['istio-ingress', 'Deployment', 'istio-ingress', g.revision, g.version, g.pods]);
  return [...e.workloads, ...gw].sort(byKeys((w) => [w.namespace, w.kind, w.name, String(w.revision)]));
}

function expectFindings(inv: Inventory, e: FixtureExpectation): void {
  expect(inv.findings.map((f) => `${f.severity}:${f.id}`)).toEqual(e.findings.map((f) => `${f.severity}:${f.id}`));
  for (const [i, want] of e.findings.entries()) {
    for (const fact of want.says) expect(inv.findings[i]!.message).toContain(fact);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What each fixture contains (fixtures/build.ts)

function ambientHelm123(variant: 'legacy' | 'helm-owned'): FixtureExpectation {
  const rev = '1-23-6';
  const v = '1.23.6';
  const baseRelease = variant === 'legacy' ? 'istio-base' : 'mesh-base';
  return {
    fixture: variant === 'legacy' ? 'ambient-helm-1.23' : 'ambient-helm-1.23-crds-owned',
    gatewayPods: { revision: '1-23-6', version: '1.23.6', pods: 2 },
    cluster: {
      kubernetesVersion: '1.30.10',
      clusterId: variant === 'legacy' ? '8f0d3c1e-52a4-4c8e-9d6b-0a7e1f2b3c41' : '2b9e6a70-14cd-4f3a-8e21-c5d7f9a0b612',
      nodes: ['ip-10-42-1-23.eu-west-1.compute.internal', 'ip-10-42-2-51.eu-west-1.compute.internal', 'ip-10-42-3-77.eu-west-1.compute.internal'],
      kubelet: 'v1.30.10',
    },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'ambient',
    revisions: [
      revision(rev, {
        version: v,
        image: 'docker.io/istio/pilot:1.23.6-distroless',
        rollout: rollout(2),
        installMethod: 'helm',
        helmRelease: helm(`istiod-${rev}`),
        profile: 'ambient',
        ambient: true,
        tags: ['default', 'prod-stable'],
      }),
    ],
    tags: [tag('default', rev), tag('prod-stable', rev)],
    defaults: { tagRevision: rev, validatorRevision: rev, baseDefaultRevision: rev, consistent: true },
    components: [
      { component: 'base', name: baseRelease, namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: helm(baseRelease), health: 'healthy' },
      { component: 'istiod', name: `istiod-${rev}`, namespace: NS, version: v, revision: rev, installMethod: 'helm', helmRelease: helm(`istiod-${rev}`), health: 'healthy' },
      // The cni chart labels its DaemonSet istio.io/rev=<revision value | "default">; no revision value was set.
      { component: 'cni', name: 'istio-cni-node', namespace: NS, version: v, revision: 'default', installMethod: 'helm', helmRelease: helm('istio-cni'), health: 'healthy' },
      { component: 'ztunnel', name: 'ztunnel', namespace: NS, version: v, revision: rev, installMethod: 'helm', helmRelease: helm('ztunnel'), health: 'healthy' },
      { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
    ],
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: v, status: 'deployed', revision: 2, component: 'gateway', history: history('superseded', 'deployed'), values: { service: { type: R } }, deployedAt: '2025-04-14T10:20:00Z' }),
      ...(variant === 'legacy'
        ? [release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: v, status: 'deployed', revision: 2, component: 'base', history: history('superseded', 'deployed'), values: { defaultRevision: rev }, deployedAt: '2025-04-14T09:02:00Z' })]
        : []),
      release({ name: 'istio-cni', namespace: NS, chart: 'cni', chartVersion: v, status: 'deployed', revision: 2, component: 'cni', history: history('superseded', 'deployed'), values: { profile: 'ambient', cni: { ambient: { dnsCapture: true } } }, deployedAt: '2025-04-14T09:20:00Z' }),
      release({ name: `istiod-${rev}`, namespace: NS, chart: 'istiod', chartVersion: v, status: 'deployed', revision: 1, component: 'istiod', history: history('deployed'), values: { revision: rev, profile: 'ambient' }, deployedAt: '2025-04-14T09:05:00Z' }),
      ...(variant === 'helm-owned'
        ? [
            release({
              name: 'mesh-base',
              namespace: NS,
              chart: 'base',
              chartVersion: v,
              status: 'deployed',
              revision: 2,
              component: 'base',
              history: history('superseded', 'deployed'),
              values: { defaultRevision: rev, base: { enableCRDTemplates: true } },
              deployedAt: '2025-04-14T09:02:00Z',
            }),
          ]
        : []),
      release({ name: 'ztunnel', namespace: NS, chart: 'ztunnel', chartVersion: v, status: 'deployed', revision: 2, component: 'ztunnel', history: history('superseded', 'deployed'), values: { revision: rev }, deployedAt: '2025-04-14T09:31:00Z' }),
    ],
    secrets: ['LoadBalancer'],
    namespaces: [ns('bookinfo', { dataplaneMode: 'ambient' }), ns('inventory', { dataplaneMode: 'ambient' }), ns('payments', { dataplaneMode: 'ambient' })],
    proxies: [],
    // The waypoint's own pod (dataplane-mode none) is not an ambient workload.
    workloads: ambientApps(['bookinfo', 'details', 1], ['bookinfo', 'productpage', 1], ['bookinfo', 'ratings', 1], ['bookinfo', 'reviews', 1], ['inventory', 'inventory-svc', 2], ['payments', 'fraud-check', 2], ['payments', 'payments-api', 3]),
    ambient: {
      cni: { name: 'istio-cni-node', namespace: NS, version: v, revision: 'default', rollout: rollout(3, { generation: 2 }), health: 'healthy', installMethod: 'helm', helmRelease: helm('istio-cni'), dnsCapture: true, ambientEnabled: true },
      ztunnel: { name: 'ztunnel', namespace: NS, version: v, revision: rev, rollout: rollout(3, { generation: 2 }), health: 'healthy', installMethod: 'helm', helmRelease: helm('ztunnel') },
    },
    waypoints: [{ name: 'waypoint', namespace: 'payments', revision: null }],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', v)],
    istioCrds: variant === 'legacy' ? istioCrds('1.23.2', { kind: 'legacy' }) : istioCrds(v, { kind: 'helm', release: 'mesh-base', namespace: NS }),
    gatewayApi: GATEWAY_API_V121_STANDARD,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [],
  };
}

function sidecarRevisioned122(): FixtureExpectation {
  const rev = '1-22-8';
  const v = '1.22.8';
  return {
    fixture: 'sidecar-revisioned-1.22',
    gatewayPods: { revision: '1-22-8', version: '1.22.8', pods: 2 },
    cluster: { kubernetesVersion: '1.29.13', clusterId: 'c3a1f5e2-7b44-4d19-a0c8-61e9b2d4f7a3', nodes: [1, 2, 3, 4].map((i) => `gke-prod-pool-1-6f2a9c1b-${i}`), kubelet: 'v1.29.13' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    revisions: [revision(rev, { version: v, image: 'docker.io/istio/pilot:1.22.8', rollout: rollout(2), installMethod: 'helm', helmRelease: helm(`istiod-${rev}`), tags: ['canary', 'default'] })],
    tags: [tag('canary', rev, ['search']), tag('default', rev, ['payments'])],
    defaults: { tagRevision: rev, validatorRevision: rev, baseDefaultRevision: rev, consistent: true },
    components: [
      { component: 'base', name: 'istio-base', namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-base'), health: 'healthy' },
      { component: 'istiod', name: `istiod-${rev}`, namespace: NS, version: v, revision: rev, installMethod: 'helm', helmRelease: helm(`istiod-${rev}`), health: 'healthy' },
      { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
    ],
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: v, status: 'deployed', revision: 2, component: 'gateway', history: history('superseded', 'deployed'), values: { labels: { istio: R } }, deployedAt: '2025-01-27T09:30:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: v, status: 'deployed', revision: 2, component: 'base', history: history('superseded', 'deployed'), values: { defaultRevision: rev }, deployedAt: '2025-01-27T08:30:00Z' }),
      release({
        name: `istiod-${rev}`,
        namespace: NS,
        chart: 'istiod',
        chartVersion: v,
        status: 'deployed',
        revision: 1,
        component: 'istiod',
        history: history('deployed'),
        values: { revision: rev, revisionTags: ['default', 'canary'], pilot: { autoscaleMin: R } },
        deployedAt: '2025-01-27T08:35:00Z',
      }),
    ],
    secrets: ['ingressgateway"', '"autoscaleMin":2'],
    namespaces: [
      ns('orders', { injection: 'enabled', effectiveRevision: rev }),
      ns('payments', { revisionLabel: 'default', effectiveRevision: rev }),
      ns('search', { revisionLabel: 'canary', effectiveRevision: rev }),
      ns('shop', { injection: 'enabled', effectiveRevision: rev }),
    ],
    proxies: [
      { namespace: 'orders', revision: rev, version: v, count: 2 },
      { namespace: 'payments', revision: rev, version: v, count: 2 },
      { namespace: 'search', revision: rev, version: v, count: 5 },
      { namespace: 'shop', revision: rev, version: v, count: 5 },
    ],
    // orders-db opted out (sidecar.istio.io/inject=false): not injected, not listed.
    workloads: sidecars(
      ['orders', 'Deployment', 'orders', rev, v, 2],
      ['payments', 'Deployment', 'payments-api', rev, v, 2],
      ['search', 'Deployment', 'search-api', rev, v, 2],
      ['search', 'StatefulSet', 'search-index', rev, v, 3],
      ['shop', 'Deployment', 'cart', rev, v, 2],
      ['shop', 'Deployment', 'frontend', rev, v, 3],
    ),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', v)],
    istioCrds: istioCrds('1.22.3', { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [],
  };
}

function istioctlOperator122(): FixtureExpectation {
  const v = '1.22.8';
  return {
    fixture: 'istioctl-operator-1.22',
    cluster: { kubernetesVersion: '1.29.13', clusterId: '5d7e9f10-23ab-4c6d-8e9f-0a1b2c3d4e5f', nodes: ['worker-1', 'worker-2', 'worker-3'], kubelet: 'v1.29.13' },
    istioNamespace: NS,
    installMethod: 'operator',
    mode: 'sidecar',
    // The revision-less injector webhooks are deactivated in place but still belong to the revision.
    revisions: [revision('default', { version: v, image: 'docker.io/istio/pilot:1.22.8', rollout: rollout(1), installMethod: 'operator', helmRelease: null, tags: ['default'] })],
    tags: [tag('default', 'default')],
    defaults: { tagRevision: 'default', validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: [
      { component: 'istiod', name: 'istiod', namespace: NS, version: v, revision: 'default', installMethod: 'operator', helmRelease: null, health: 'healthy' },
      // Reconciled from the same IstioOperator as istiod (owning-resource=istio-controlplane): operator, not istioctl.
      { component: 'gateway', name: 'istio-ingressgateway', namespace: NS, version: v, revision: 'default', installMethod: 'operator', helmRelease: null, health: 'healthy' },
      // `istioctl operator init` leaves no installer marks on the operator Deployment itself.
      { component: 'operator', name: 'istio-operator', namespace: 'istio-operator', version: v, revision: null, installMethod: 'unknown', helmRelease: null, health: 'healthy' },
    ],
    helmReleases: [],
    secrets: [],
    namespaces: [
      ns('bookinfo', { injection: 'enabled', effectiveRevision: 'default' }),
      ns('istio-operator', { injection: 'disabled' }),
      ns('istio-system', { injection: 'disabled' }),
      ns('legacy-apps', { injection: 'enabled', effectiveRevision: 'default' }),
    ],
    proxies: [
      { namespace: 'bookinfo', revision: 'default', version: v, count: 4 },
      { namespace: 'legacy-apps', revision: 'default', version: v, count: 2 },
    ],
    workloads: sidecars(
      ['bookinfo', 'Deployment', 'details', 'default', v, 1],
      ['bookinfo', 'Deployment', 'productpage', 'default', v, 1],
      ['bookinfo', 'Deployment', 'ratings', 'default', v, 1],
      ['bookinfo', 'Deployment', 'reviews', 'default', v, 1],
      ['legacy-apps', 'Deployment', 'billing-monolith', 'default', v, 2],
    ),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [{ type: 'deployment', name: 'istio-ingressgateway', namespace: NS, helmRelease: null, revision: 'default', version: v, className: null }],
    istioCrds: [
      ...istioCrds(v, { kind: 'istioctl' }),
      // `istioctl operator init` ships the IstioOperator CRD with only `release: istio`.
      { name: 'istiooperators.install.istio.io', group: 'install.istio.io', servedVersions: ['v1alpha1'], storageVersion: 'v1alpha1', managedBy: null, helmRelease: null, legacyChartLabel: false, istioctlOwned: false, helmOwned: false },
    ].sort((a, b) => a.name.localeCompare(b.name)),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: {
      inCluster: {
        deployments: [{ name: 'istio-operator', namespace: 'istio-operator', version: v, revision: null }],
        istioOperators: [{ name: 'istio-controlplane', namespace: NS, revision: null }],
      },
      sail: { istios: [] },
    },
    findings: [
      { id: 'in-cluster-operator', severity: 'warning', says: ['istio-operator/istio-operator', 'removed in Istio 1.24'] },
      { id: 'install-method-unknown', severity: 'info', says: ['operator istio-operator/istio-operator'] },
    ],
  };
}

function oldKubernetes126(): FixtureExpectation {
  const v = '1.20.8';
  return {
    fixture: 'old-kubernetes-1.26',
    gatewayPods: { revision: 'default', version: '1.20.8', pods: 2 },
    cluster: { kubernetesVersion: '1.26.15', clusterId: '0e4f6a8b-9c1d-4e2f-b3a4-5c6d7e8f9a0b', nodes: ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'], kubelet: 'v1.26.15' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    // In-place upgraded from 1.20.3: the Deployment is at generation 2, the old ReplicaSet scaled to 0.
    revisions: [revision('default', { version: v, image: 'docker.io/istio/pilot:1.20.8', rollout: rollout(2, { generation: 2 }), installMethod: 'helm', helmRelease: helm('istiod'), tags: [] })],
    tags: [],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: revisionlessHelmComponents(v),
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: v, status: 'deployed', revision: 2, component: 'gateway', history: history('superseded', 'deployed'), values: {}, deployedAt: '2024-07-15T08:20:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: v, status: 'deployed', revision: 2, component: 'base', history: history('superseded', 'deployed'), values: {}, deployedAt: '2024-07-15T08:00:00Z' }),
      release({
        name: 'istiod',
        namespace: NS,
        chart: 'istiod',
        chartVersion: v,
        status: 'deployed',
        revision: 2,
        component: 'istiod',
        history: history('superseded', 'deployed'),
        values: { pilot: { autoscaleMin: R }, meshConfig: { accessLogFile: R } },
        deployedAt: '2024-07-15T08:05:00Z',
      }),
    ],
    secrets: ['/dev/stdout'],
    namespaces: [ns('storefront', { injection: 'enabled', effectiveRevision: 'default' })],
    proxies: [{ namespace: 'storefront', revision: 'default', version: v, count: 6 }],
    workloads: sidecars(['storefront', 'Deployment', 'api', 'default', v, 2], ['storefront', 'Deployment', 'web', 'default', v, 3], ['storefront', 'StatefulSet', 'redis', 'default', v, 1]),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', v)],
    istioCrds: istioCrds('1.20.3', { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [],
  };
}

function helmPendingUpgrade(): FixtureExpectation {
  return {
    fixture: 'helm-pending-upgrade',
    gatewayPods: { revision: 'default', version: '1.23.5', pods: 2 },
    cluster: { kubernetesVersion: '1.30.10', clusterId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', nodes: ['node-1', 'node-2', 'node-3'], kubelet: 'v1.30.10' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    // Third ReplicaSet (1.23.6) has 1 of 2 replicas and it is not ready; the 1.23.5 pod still serves.
    revisions: [
      revision('default', {
        version: '1.23.6',
        image: 'docker.io/istio/pilot:1.23.6',
        rollout: rollout(2, { generation: 3, ready: 1, updated: 1, available: 1, complete: false }),
        health: 'progressing',
        installMethod: 'helm',
        helmRelease: helm('istiod'),
        tags: [],
      }),
    ],
    tags: [],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: [
      { component: 'base', name: 'istio-base', namespace: NS, version: '1.23.6', revision: null, installMethod: 'helm', helmRelease: helm('istio-base'), health: 'healthy' },
      { component: 'istiod', name: 'istiod', namespace: NS, version: '1.23.6', revision: 'default', installMethod: 'helm', helmRelease: helm('istiod'), health: 'progressing' },
      { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: '1.23.5', revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
    ],
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: '1.23.5', status: 'deployed', revision: 2, component: 'gateway', history: history('superseded', 'deployed'), values: {}, deployedAt: '2025-03-03T08:10:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: '1.23.6', status: 'deployed', revision: 3, component: 'base', history: history('superseded', 'superseded', 'deployed'), values: {}, deployedAt: '2025-04-22T07:58:00Z' }),
      release({
        name: 'istiod',
        namespace: NS,
        chart: 'istiod',
        chartVersion: '1.23.6',
        status: 'pending-upgrade',
        revision: 3,
        component: 'istiod',
        history: history('superseded', 'deployed', 'pending-upgrade'),
        lastGoodRevision: 2,
        values: { pilot: { autoscaleMin: R }, global: { logging: { level: R } } },
        deployedAt: '2025-04-22T08:01:00Z',
      }),
    ],
    secrets: ['default:info'],
    namespaces: [ns('catalog', { injection: 'enabled', effectiveRevision: 'default' }), ns('checkout', { injection: 'enabled', effectiveRevision: 'default' })],
    proxies: [
      { namespace: 'catalog', revision: 'default', version: '1.23.5', count: 4 },
      { namespace: 'checkout', revision: 'default', version: '1.23.5', count: 2 },
    ],
    workloads: sidecars(['catalog', 'Deployment', 'catalog', 'default', '1.23.5', 2], ['catalog', 'StatefulSet', 'catalog-cache', 'default', '1.23.5', 2], ['checkout', 'Deployment', 'checkout', 'default', '1.23.5', 2]),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', '1.23.5')],
    istioCrds: istioCrds('1.23.4', { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [
      { id: 'helm-release-stuck', severity: 'error', says: ['istio-system/istiod', 'pending-upgrade', 'revision 3', 'sh.helm.release.v1.istiod.v3', 'last good revision is 2', 'helm rollback istiod 2 -n istio-system'] },
      { id: 'revision-unhealthy', severity: 'error', says: ['revision default', 'progressing', '1/2 ready'] },
      { id: 'proxies-behind-control-plane', severity: 'warning', says: ['4 in catalog on 1.23.5', '2 in checkout on 1.23.5', 'revision default is 1.23.6'] },
    ],
  };
}

function sidecarStragglers(): FixtureExpectation {
  const old = { rev: '1-22-8', v: '1.22.8' };
  const cur = { rev: '1-23-6', v: '1.23.6' };
  const gone = { rev: '1-21-6', v: '1.21.6' };
  return {
    fixture: 'sidecar-stragglers',
    gatewayPods: { revision: '1-23-6', version: '1.23.6', pods: 2 },
    cluster: { kubernetesVersion: '1.30.10', clusterId: '71c2e4a6-8b0d-4f2e-a6c8-e0a2c4e6f8b0', nodes: [1, 2, 3, 4].map((i) => `aks-system-27149813-vmss00000-${i}`), kubelet: 'v1.30.10' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    revisions: [
      revision(old.rev, { version: old.v, image: 'docker.io/istio/pilot:1.22.8', rollout: rollout(2), installMethod: 'helm', helmRelease: helm(`istiod-${old.rev}`), tags: ['stable'] }),
      revision(cur.rev, { version: cur.v, image: 'docker.io/istio/pilot:1.23.6', rollout: rollout(2), installMethod: 'helm', helmRelease: helm(`istiod-${cur.rev}`), tags: ['default'] }),
    ],
    tags: [tag('default', cur.rev), tag('stable', old.rev, ['billing'])],
    defaults: { tagRevision: cur.rev, validatorRevision: cur.rev, baseDefaultRevision: cur.rev, consistent: true },
    components: [
      { component: 'base', name: 'istio-base', namespace: NS, version: cur.v, revision: null, installMethod: 'helm', helmRelease: helm('istio-base'), health: 'healthy' },
      { component: 'istiod', name: `istiod-${old.rev}`, namespace: NS, version: old.v, revision: old.rev, installMethod: 'helm', helmRelease: helm(`istiod-${old.rev}`), health: 'healthy' },
      { component: 'istiod', name: `istiod-${cur.rev}`, namespace: NS, version: cur.v, revision: cur.rev, installMethod: 'helm', helmRelease: helm(`istiod-${cur.rev}`), health: 'healthy' },
      { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: cur.v, revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
    ],
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: cur.v, status: 'deployed', revision: 3, component: 'gateway', history: history('superseded', 'superseded', 'deployed'), values: {}, deployedAt: '2025-04-15T10:00:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: cur.v, status: 'deployed', revision: 3, component: 'base', history: history('superseded', 'superseded', 'deployed'), values: { defaultRevision: cur.rev }, deployedAt: '2025-04-15T08:00:00Z' }),
      release({ name: `istiod-${old.rev}`, namespace: NS, chart: 'istiod', chartVersion: old.v, status: 'deployed', revision: 1, component: 'istiod', history: history('deployed'), values: { revision: old.rev }, deployedAt: '2025-01-28T08:05:00Z' }),
      release({ name: `istiod-${cur.rev}`, namespace: NS, chart: 'istiod', chartVersion: cur.v, status: 'deployed', revision: 1, component: 'istiod', history: history('deployed'), values: { revision: cur.rev }, deployedAt: '2025-04-15T08:05:00Z' }),
    ],
    secrets: [],
    namespaces: [
      ns('batch', { injection: 'enabled', effectiveRevision: cur.rev }),
      ns('billing', { revisionLabel: 'stable', effectiveRevision: old.rev }),
      ns('legacy', { revisionLabel: gone.rev, effectiveRevision: null }),
      ns('logging', { injection: 'enabled', effectiveRevision: cur.rev }),
      ns('shop', { injection: 'enabled', effectiveRevision: cur.rev }),
    ],
    proxies: [
      { namespace: 'batch', revision: gone.rev, version: gone.v, count: 1 },
      { namespace: 'batch', revision: old.rev, version: old.v, count: 1 },
      { namespace: 'billing', revision: old.rev, version: old.v, count: 2 },
      { namespace: 'legacy', revision: gone.rev, version: gone.v, count: 1 },
      { namespace: 'logging', revision: old.rev, version: old.v, count: 4 },
      { namespace: 'shop', revision: gone.rev, version: gone.v, count: 1 },
      { namespace: 'shop', revision: old.rev, version: old.v, count: 3 },
      { namespace: 'shop', revision: cur.rev, version: cur.v, count: 4 },
    ],
    workloads: sidecars(
      ['batch', 'Job', 'nightly-export', old.rev, old.v, 1, false],
      ['batch', 'Pod', 'debug-shell', gone.rev, gone.v, 1, false],
      ['billing', 'Deployment', 'invoices', old.rev, old.v, 2],
      ['legacy', 'Deployment', 'reports', gone.rev, gone.v, 1],
      // one pod per node
      ['logging', 'DaemonSet', 'log-agent', old.rev, old.v, 4],
      ['shop', 'Deployment', 'cart', old.rev, old.v, 2],
      // half-restarted: one pod per ReplicaSet, both resolved to the Deployment
      ['shop', 'Deployment', 'checkout', old.rev, old.v, 1],
      ['shop', 'Deployment', 'checkout', cur.rev, cur.v, 1],
      ['shop', 'Deployment', 'frontend', cur.rev, cur.v, 3],
      ['shop', 'Deployment', 'recommendations', gone.rev, gone.v, 1],
    ),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', cur.v)],
    istioCrds: istioCrds(gone.v, { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [
      { id: 'namespace-unknown-revision', severity: 'warning', says: ['namespace legacy', 'istio.io/rev=1-21-6'] },
      { id: 'proxies-of-missing-revision', severity: 'warning', says: ['3 pod(s)', 'revision 1-21-6'] },
      { id: 'straggler', severity: 'warning', says: ['namespace batch: Job/nightly-export (1 pod) injected by 1-22-8', 'proxy 1.22.8, 1 minor behind revision 1-23-6 at 1.23.6', 'the namespace now injects with 1-23-6'] },
      { id: 'straggler', severity: 'warning', says: ['namespace batch: Pod/debug-shell (1 pod) injected by 1-21-6', 'proxy 1.21.6, 2 minors behind', 'revision 1-21-6 is no longer installed'] },
      { id: 'straggler', severity: 'info', says: ['namespace billing: Deployment/invoices (2 pods) injected by 1-22-8', '1 minor behind', 'the namespace still selects 1-22-8'] },
      { id: 'straggler', severity: 'warning', says: ['namespace legacy: Deployment/reports (1 pod) injected by 1-21-6', '2 minors behind', 'revision 1-21-6 is no longer installed'] },
      { id: 'straggler', severity: 'warning', says: ['namespace logging: DaemonSet/log-agent (4 pods) injected by 1-22-8', 'the namespace now injects with 1-23-6'] },
      // checkout is half restarted: only its pod still on 1-22-8 is a straggler.
      { id: 'straggler', severity: 'warning', says: ['namespace shop: Deployment/cart (2 pods), Deployment/checkout (1 pod) injected by 1-22-8', 'the namespace now injects with 1-23-6'] },
      { id: 'straggler', severity: 'warning', says: ['namespace shop: Deployment/recommendations (1 pod) injected by 1-21-6', 'revision 1-21-6 is no longer installed'] },
      { id: 'unrestartable-injected-pods', severity: 'info', says: ['2 injected pod(s)', 'batch/Job/nightly-export', 'batch/Pod/debug-shell'] },
    ],
  };
}

function istioCsrFixture(): FixtureExpectation {
  const v = '1.23.6';
  return {
    fixture: 'istio-csr',
    gatewayPods: { revision: 'default', version: '1.23.6', pods: 2 },
    cluster: {
      kubernetesVersion: '1.30.10-eks-bc803b4',
      clusterId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
      nodes: ['ip-10-7-1-88.eu-west-1.compute.internal', 'ip-10-7-2-142.eu-west-1.compute.internal', 'ip-10-7-3-203.eu-west-1.compute.internal'],
      kubelet: 'v1.30.9-eks-5d632ec',
    },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    revisions: [revision('default', { version: v, image: 'docker.io/istio/pilot:1.23.6', rollout: rollout(2), installMethod: 'helm', helmRelease: helm('istiod'), tags: [] })],
    tags: [],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: [
      { component: 'base', name: 'istio-base', namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-base'), health: 'healthy' },
      { component: 'istiod', name: 'istiod', namespace: NS, version: v, revision: 'default', installMethod: 'helm', helmRelease: helm('istiod'), health: 'healthy' },
      { component: 'gateway', name: 'istio-ingress', namespace: 'istio-ingress', version: v, revision: null, installMethod: 'helm', helmRelease: helm('istio-ingress', 'istio-ingress'), health: 'healthy' },
      {
        component: 'istio-csr',
        name: 'cert-manager-istio-csr',
        namespace: 'cert-manager',
        version: 'v0.11.0',
        revision: null,
        installMethod: 'helm',
        helmRelease: helm('cert-manager-istio-csr', 'cert-manager'),
        health: 'healthy',
      },
    ],
    // cert-manager's own release owns no Istio object and lives outside the Istio namespace: not read.
    helmReleases: [
      release({
        name: 'cert-manager-istio-csr',
        namespace: 'cert-manager',
        chart: 'cert-manager-istio-csr',
        chartVersion: 'v0.11.0',
        status: 'deployed',
        revision: 1,
        component: 'istio-csr',
        history: history('deployed'),
        values: {
          app: { certmanager: { issuer: { group: R, kind: R, name: R } }, server: { clusterID: R }, tls: { certificateDNSNames: [R], rootCAFile: R } },
          volumeMounts: [{ mountPath: R, name: R }],
          volumes: [{ name: R, secret: { secretName: R } }],
        },
        deployedAt: '2025-04-08T08:25:00Z',
      }),
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: v, status: 'deployed', revision: 1, component: 'gateway', history: history('deployed'), values: {}, deployedAt: '2025-04-08T09:10:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: v, status: 'deployed', revision: 1, component: 'base', history: history('deployed'), values: {}, deployedAt: '2025-04-08T09:00:00Z' }),
      release({
        name: 'istiod',
        namespace: NS,
        chart: 'istiod',
        chartVersion: v,
        status: 'deployed',
        revision: 1,
        component: 'istiod',
        history: history('deployed'),
        values: { global: { caAddress: R }, pilot: { env: { ENABLE_CA_SERVER: R } } },
        deployedAt: '2025-04-08T09:02:00Z',
      }),
    ],
    secrets: ['istio-root-ca', 'istio-ca', '"prod-eks-1"', 'cert-manager-istio-csr.cert-manager.svc', '/var/run/secrets/istio-csr'],
    namespaces: [ns('accounts', { injection: 'enabled', effectiveRevision: 'default' })],
    proxies: [{ namespace: 'accounts', revision: 'default', version: v, count: 4 }],
    workloads: sidecars(['accounts', 'Deployment', 'accounts-api', 'default', v, 3], ['accounts', 'Deployment', 'accounts-worker', 'default', v, 1]),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', v)],
    istioCrds: istioCrds(v, { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: { present: true, name: 'cert-manager-istio-csr', namespace: 'cert-manager', version: 'v0.11.0' },
    operators: NO_OPERATORS,
    findings: [],
  };
}

function revisionlessTaggedFixture(): FixtureExpectation {
  const v = '1.23.6';
  return {
    fixture: 'revisionless-tagged',
    gatewayPods: { revision: 'default', version: v, pods: 2 },
    cluster: { kubernetesVersion: '1.30.6', clusterId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', nodes: ['worker-1', 'worker-2', 'worker-3'], kubelet: 'v1.30.6' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    revisions: [revision('default', { version: v, image: 'docker.io/istio/pilot:1.23.6', rollout: rollout(2), installMethod: 'helm', helmRelease: helm('istiod'), tags: ['prod'] })],
    // `istioctl tag set prod --revision default`: before 1.28 a tag has no Service of its own.
    tags: [{ name: 'prod', revision: 'default', webhook: 'istio-revision-tag-prod', service: null, namespaces: ['shop'], conflicting: false }],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: revisionlessHelmComponents(v),
    helmReleases: [
      release({ name: 'istio-ingress', namespace: 'istio-ingress', chart: 'gateway', chartVersion: v, status: 'deployed', revision: 1, component: 'gateway', history: history('deployed'), values: {}, deployedAt: '2025-05-12T09:10:00Z' }),
      release({ name: 'istio-base', namespace: NS, chart: 'base', chartVersion: v, status: 'deployed', revision: 1, component: 'base', history: history('deployed'), values: {}, deployedAt: '2025-05-12T09:00:00Z' }),
      release({ name: 'istiod', namespace: NS, chart: 'istiod', chartVersion: v, status: 'deployed', revision: 1, component: 'istiod', history: history('deployed'), values: {}, deployedAt: '2025-05-12T09:02:00Z' }),
    ],
    secrets: [],
    namespaces: [ns('accounts', { injection: 'enabled', effectiveRevision: 'default' }), ns('shop', { revisionLabel: 'prod', effectiveRevision: 'default' })],
    proxies: [
      { namespace: 'accounts', revision: 'default', version: v, count: 2 },
      { namespace: 'shop', revision: 'default', version: v, count: 2 },
    ],
    workloads: sidecars(['accounts', 'Deployment', 'accounts-api', 'default', v, 2], ['shop', 'Deployment', 'cart', 'default', v, 2]),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [helmGateway('istio-ingress', 'istio-ingress', v)],
    istioCrds: istioCrds(v, { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: { present: false, name: null, namespace: null, version: null },
    operators: NO_OPERATORS,
    findings: [],
  };
}

function sailOperatorFixture(): FixtureExpectation {
  const v = '1.24.6';
  // Image settings are registry paths, kept so the planner can find retired registries.
  const sailValues = { global: { istioNamespace: NS, proxy: { image: 'gcr.io/istio-release/proxyv2:1.24.6' }, proxy_init: { image: 'gcr.io/istio-release/proxyv2:1.24.6' } }, pilot: { image: 'gcr.io/istio-release/pilot:1.24.6' }, revision: '' };
  return {
    fixture: 'sail-operator',
    cluster: { kubernetesVersion: '1.30.10', clusterId: '4c5d6e7f-8091-4a2b-b3c4-d5e6f7081920', nodes: ['ocp-worker-1', 'ocp-worker-2', 'ocp-worker-3'], kubelet: 'v1.30.10' },
    istioNamespace: NS,
    installMethod: 'sail',
    mode: 'sidecar',
    // InPlace strategy: IstioRevision `default`, revision value "" → revision-less objects owned by the IstioRevision.
    revisions: [revision('default', { version: v, image: 'gcr.io/istio-release/pilot:1.24.6', rollout: rollout(1), installMethod: 'sail', helmRelease: helm('default-istiod'), tags: [] })],
    tags: [],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: [
      // default-base is a Sail-driven release: its objects carry the IstioRevision owner reference.
      { component: 'base', name: 'default-base', namespace: 'sail-operator', version: v, revision: null, installMethod: 'sail', helmRelease: helm('default-base', 'sail-operator'), health: 'healthy' },
      { component: 'istiod', name: 'istiod', namespace: NS, version: v, revision: 'default', installMethod: 'sail', helmRelease: helm('default-istiod'), health: 'healthy' },
      // The Istio CR: spec.version as written, Ready condition True.
      { component: 'sail-operator', name: 'default', namespace: '', version: 'v1.24.6', revision: null, installMethod: 'sail', helmRelease: null, health: 'healthy' },
    ],
    helmReleases: [
      release({ name: 'default-istiod', namespace: NS, chart: 'istiod', chartVersion: v, status: 'deployed', revision: 1, component: 'istiod', history: history('deployed'), values: sailValues, deployedAt: '2025-07-07T09:10:00Z' }),
      release({ name: 'default-base', namespace: 'sail-operator', chart: 'base', chartVersion: v, status: 'deployed', revision: 1, component: 'base', history: history('deployed'), values: sailValues, deployedAt: '2025-07-07T09:10:00Z' }),
    ],
    // image references are registry paths, kept (the planner reports retired registries in them); nothing else is in these values
    secrets: [],
    namespaces: [ns('bookinfo', { injection: 'enabled', effectiveRevision: 'default' })],
    proxies: [{ namespace: 'bookinfo', revision: 'default', version: v, count: 4 }],
    workloads: sidecars(
      ['bookinfo', 'Deployment', 'details', 'default', v, 1],
      ['bookinfo', 'Deployment', 'productpage', 'default', v, 1],
      ['bookinfo', 'Deployment', 'ratings', 'default', v, 1],
      ['bookinfo', 'Deployment', 'reviews', 'default', v, 1],
    ),
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [],
    // The Sail chart's crds/ dir carries the Istio CRDs of its newest Istio (1.26.3); sailoperator.io CRDs are not Istio's.
    istioCrds: istioCrds('1.26.3', { kind: 'legacy' }),
    gatewayApi: NO_GATEWAY_API,
    istioCsr: NO_ISTIO_CSR,
    operators: { inCluster: { deployments: [], istioOperators: [] }, sail: { istios: [{ name: 'default', version: 'v1.24.6', updateStrategy: 'InPlace' }] } },
    findings: [],
  };
}

function ambientUmbrella(): FixtureExpectation {
  const v = '1.23.6';
  const umbrella = helm('ambient');
  return {
    fixture: 'ambient-umbrella',
    cluster: { kubernetesVersion: '1.30.10', clusterId: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', nodes: ['kind-worker-1', 'kind-worker-2', 'kind-worker-3'], kubelet: 'v1.30.10' },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'ambient',
    // The umbrella chart's values.yaml sets istiod.profile=ambient (and global.variant=distroless).
    revisions: [revision('default', { version: v, image: 'docker.io/istio/pilot:1.23.6-distroless', rollout: rollout(1), installMethod: 'helm', helmRelease: umbrella, profile: 'ambient', ambient: true, tags: [] })],
    tags: [],
    defaults: { tagRevision: null, validatorRevision: 'default', baseDefaultRevision: null, consistent: true },
    components: [
      // base is a subchart of the umbrella (it owns istiod-default-validator).
      { component: 'base', name: 'ambient', namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: umbrella, health: 'healthy' },
      { component: 'istiod', name: 'istiod', namespace: NS, version: v, revision: 'default', installMethod: 'helm', helmRelease: umbrella, health: 'healthy' },
      { component: 'cni', name: 'istio-cni-node', namespace: NS, version: v, revision: 'default', installMethod: 'helm', helmRelease: umbrella, health: 'healthy' },
      { component: 'ztunnel', name: 'ztunnel', namespace: NS, version: v, revision: null, installMethod: 'helm', helmRelease: umbrella, health: 'healthy' },
    ],
    helmReleases: [
      release({
        name: 'ambient',
        namespace: NS,
        chart: 'ambient',
        chartVersion: v,
        status: 'deployed',
        revision: 1,
        component: 'ambient',
        history: history('deployed'),
        values: { cni: { cni: { ambient: { dnsCapture: true } } }, istiod: { pilot: { autoscaleEnabled: R } } },
        deployedAt: '2025-04-09T09:00:00Z',
      }),
    ],
    secrets: ['"autoscaleEnabled":false'],
    namespaces: [ns('ledger', { dataplaneMode: 'ambient' }), ns('shop', { dataplaneMode: 'ambient' })],
    proxies: [],
    workloads: ambientApps(['ledger', 'ledger-api', 2], ['shop', 'basket', 2], ['shop', 'storefront', 2]),
    ambient: {
      cni: { name: 'istio-cni-node', namespace: NS, version: v, revision: 'default', rollout: rollout(3), health: 'healthy', installMethod: 'helm', helmRelease: umbrella, dnsCapture: true, ambientEnabled: true },
      ztunnel: { name: 'ztunnel', namespace: NS, version: v, revision: null, rollout: rollout(3), health: 'healthy', installMethod: 'helm', helmRelease: umbrella },
    },
    waypoints: [{ name: 'waypoint', namespace: 'ledger', revision: null }],
    gateways: [],
    istioCrds: istioCrds(v, { kind: 'legacy' }),
    gatewayApi: GATEWAY_API_V121_STANDARD,
    istioCsr: NO_ISTIO_CSR,
    operators: NO_OPERATORS,
    findings: [],
  };
}

const EXPECTATIONS: FixtureExpectation[] = [
  ambientHelm123('legacy'),
  ambientHelm123('helm-owned'),
  sidecarRevisioned122(),
  istioctlOperator122(),
  oldKubernetes126(),
  helmPendingUpgrade(),
  sidecarStragglers(),
  istioCsrFixture(),
  revisionlessTaggedFixture(),
  sailOperatorFixture(),
  ambientUmbrella(),
];

it('covers every single-cluster fixture (the multi-cluster `mesh-*` ones are covered by mesh-topology.test.ts)', () => {
  expect(EXPECTATIONS.map((e) => e.fixture).sort()).toEqual(fixtureNames().filter((n) => !n.startsWith('mesh-')));
});

describe.each(EXPECTATIONS)('inventory of fixture $fixture', (e) => {
  let inv: Inventory;
  beforeAll(async () => {
    inv = await inventoryOf(e.fixture);
  });

  it('cluster: Kubernetes version, cluster id, nodes and kubelet versions', () => expectCluster(inv, e));
  it('istio namespace, install method and mode', () => expectMesh(inv, e));
  it('revisions', () => expect(inv.revisions).toEqual(e.revisions));
  it('tags', () => expect(inv.tags).toEqual(e.tags));
  it('default pointers', () => expect(inv.defaults).toEqual(e.defaults));
  it('components', () => expect(inv.components).toEqual(e.components));
  it('Helm releases: chart, versions, status, history, last good revision', () => expectHelmReleases(inv, e));
  it('Helm values are redacted to the plan-relevant keys', () => {
    for (const rel of inv.helmReleases) expectOnlyPlanRelevantValues(rel.values);
    const text = JSON.stringify(inv);
    for (const secret of e.secrets) expect(text).not.toContain(secret);
  });
  it('data plane: namespaces and effective revisions', () => expect(inv.dataPlane.namespaces).toEqual(e.namespaces));
  it('data plane: proxies per namespace, revision and version', () => expect(inv.dataPlane.proxies).toEqual(expectedProxies(e)));
  it('data plane: workloads by owner, restartability and mode', () => expect(inv.dataPlane.workloads).toEqual(expectedWorkloads(e)));
  it('ambient: istio-cni and ztunnel', () => expect(inv.ambient).toEqual(e.ambient));
  it('waypoints', () => expect(inv.waypoints).toEqual(e.waypoints));
  it('gateways', () => expect(inv.gateways).toEqual(e.gateways));
  it('Istio CRDs: versions and ownership', () => expect(inv.crds.istio).toEqual(e.istioCrds));
  it('Gateway API CRDs', () => expect(inv.crds.gatewayApi).toEqual(e.gatewayApi));
  it('istio-csr', () => expect(inv.istioCsr).toEqual(e.istioCsr));
  it('operators', () => expect(inv.operators).toEqual(e.operators));
  it('findings', () => expectFindings(inv, e));
});

describe('effective revision of istio-injection=enabled namespaces', () => {
  async function withoutObjects(fixture: string, drop: (o: { kind: string; metadata: { name: string } }) => boolean): Promise<Inventory> {
    const snap = await readSnapshotFile(fixturePath(fixture));
    return discover(new SnapshotSource({ ...snap, items: snap.items.filter((o) => !drop(o)) }), { istioNamespace: NS });
  }

  it('is nobody when the only revision-less injector is deactivated and the default tag is gone', async () => {
    const inv = await withoutObjects('istioctl-operator-1.22', (o) => o.kind === 'MutatingWebhookConfiguration' && o.metadata.name === 'istio-revision-tag-default');
    expect(inv.tags).toEqual([]);
    expect(inv.dataPlane.namespaces.find((n) => n.name === 'bookinfo')).toEqual(ns('bookinfo', { injection: 'enabled', effectiveRevision: null }));
  });

  it('is the revision-less istiod while its own injector is active and no default tag exists', async () => {
    const inv = await inventoryOf('old-kubernetes-1.26');
    expect(inv.tags).toEqual([]);
    expect(inv.dataPlane.namespaces.find((n) => n.name === 'storefront')?.effectiveRevision).toBe('default');
  });
});
