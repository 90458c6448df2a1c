/**
 * Istio and Gateway API CustomResourceDefinitions, compact (no schemas) but with the real names, scopes,
 * served/storage versions and ownership labels.
 *
 * Istio served/storage versions, from `manifests/charts/base/{crds,files}/crd-all.gen.yaml` at the newest tag of each
 * minor (1.18.7 … 1.29.6, 1.30.3, release-1.31):
 * - ≤ 1.21: networking v1alpha3* + v1beta1; security AuthorizationPolicy/RequestAuthentication v1 + v1beta1*,
 *   PeerAuthentication v1beta1*; Telemetry v1alpha1*; ProxyConfig v1beta1*; EnvoyFilter v1alpha3*; WasmPlugin v1alpha1*.
 * - 1.22 – 1.26: networking v1 + v1alpha3 + v1beta1*; security v1 + v1beta1*; Telemetry v1 + v1alpha1*.
 * - 1.27: networking storage moves to v1.
 * - 1.28+: security storage moves to v1.
 * - 1.30+: adds `trafficextensions.extensions.istio.io` (v1alpha1*).
 *
 * Labels: the static file labels (`app: istio-pilot, chart: istio, heritage: Tiller, release: istio`, plus
 * `istio: security|telemetry`) with annotation `helm.sh/resource-policy: keep`. From 1.24 the base chart renders the
 * CRDs as templates and *replaces* their labels with `istio.labels`.
 */
import { istioChartLabels } from './installer.js';
import { atLeast, compareVersions, meta, mergeLabels, renderNow, type K8sObject, type Labels } from './meta.js';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
}

interface CrdDef {
  group: string;
  plural: string;
  kind: string;
  singular: string;
  scope: 'Namespaced' | 'Cluster';
  shortNames?: string[];
  categories?: string[];
  labels?: Labels;
}

const v = (name: string, storage = false, served = true): CrdVersion => ({ name, served, storage });

type IstioCrdFamily = 'networking' | 'envoyfilter' | 'proxyconfig' | 'wasm' | 'security' | 'peerauth' | 'telemetry' | 'traffic';

const ISTIO_CRDS: (CrdDef & { family: IstioCrdFamily; since?: string; shortNamesSince?: string })[] = [
  { group: 'extensions.istio.io', plural: 'trafficextensions', kind: 'TrafficExtension', singular: 'trafficextension', scope: 'Namespaced', family: 'traffic', since: '1.30' },
  { group: 'extensions.istio.io', plural: 'wasmplugins', kind: 'WasmPlugin', singular: 'wasmplugin', scope: 'Namespaced', family: 'wasm' },
  { group: 'networking.istio.io', plural: 'destinationrules', kind: 'DestinationRule', singular: 'destinationrule', scope: 'Namespaced', shortNames: ['dr'], family: 'networking' },
  { group: 'networking.istio.io', plural: 'envoyfilters', kind: 'EnvoyFilter', singular: 'envoyfilter', scope: 'Namespaced', family: 'envoyfilter' },
  { group: 'networking.istio.io', plural: 'gateways', kind: 'Gateway', singular: 'gateway', scope: 'Namespaced', shortNames: ['gw'], family: 'networking' },
  { group: 'networking.istio.io', plural: 'proxyconfigs', kind: 'ProxyConfig', singular: 'proxyconfig', scope: 'Namespaced', family: 'proxyconfig' },
  { group: 'networking.istio.io', plural: 'serviceentries', kind: 'ServiceEntry', singular: 'serviceentry', scope: 'Namespaced', shortNames: ['se'], family: 'networking' },
  { group: 'networking.istio.io', plural: 'sidecars', kind: 'Sidecar', singular: 'sidecar', scope: 'Namespaced', family: 'networking' },
  { group: 'networking.istio.io', plural: 'virtualservices', kind: 'VirtualService', singular: 'virtualservice', scope: 'Namespaced', shortNames: ['vs'], family: 'networking' },
  { group: 'networking.istio.io', plural: 'workloadentries', kind: 'WorkloadEntry', singular: 'workloadentry', scope: 'Namespaced', shortNames: ['we'], family: 'networking' },
  { group: 'networking.istio.io', plural: 'workloadgroups', kind: 'WorkloadGroup', singular: 'workloadgroup', scope: 'Namespaced', shortNames: ['wg'], family: 'networking' },
  { group: 'security.istio.io', plural: 'authorizationpolicies', kind: 'AuthorizationPolicy', singular: 'authorizationpolicy', scope: 'Namespaced', shortNames: ['ap'], shortNamesSince: '1.22', family: 'security', labels: { istio: 'security' } },
  { group: 'security.istio.io', plural: 'peerauthentications', kind: 'PeerAuthentication', singular: 'peerauthentication', scope: 'Namespaced', shortNames: ['pa'], family: 'peerauth', labels: { istio: 'security' } },
  { group: 'security.istio.io', plural: 'requestauthentications', kind: 'RequestAuthentication', singular: 'requestauthentication', scope: 'Namespaced', shortNames: ['ra'], family: 'security', labels: { istio: 'security' } },
  { group: 'telemetry.istio.io', plural: 'telemetries', kind: 'Telemetry', singular: 'telemetry', scope: 'Namespaced', shortNames: ['telemetry'], family: 'telemetry', labels: { istio: 'telemetry' } },
];

function istioVersions(family: IstioCrdFamily, version: string): CrdVersion[] {
  const ge = (m: string) => atLeast(version, m);
  switch (family) {
    case 'networking':
      if (ge('1.27')) return [v('v1', true), v('v1alpha3'), v('v1beta1')];
      if (ge('1.22')) return [v('v1'), v('v1alpha3'), v('v1beta1', true)];
      return [v('v1alpha3', true), v('v1beta1')];
    case 'security':
      return ge('1.28') ? [v('v1', true), v('v1beta1')] : [v('v1'), v('v1beta1', true)];
    case 'peerauth':
      if (ge('1.28')) return [v('v1', true), v('v1beta1')];
      return ge('1.22') ? [v('v1'), v('v1beta1', true)] : [v('v1beta1', true)];
    case 'telemetry':
      return ge('1.22') ? [v('v1'), v('v1alpha1', true)] : [v('v1alpha1', true)];
    case 'envoyfilter':
      return [v('v1alpha3', true)];
    case 'proxyconfig':
      return [v('v1beta1', true)];
    case 'wasm':
    case 'traffic':
      return [v('v1alpha1', true)];
  }
}

export const LEGACY_CRD_LABELS: Labels = { app: 'istio-pilot', chart: 'istio', heritage: 'Tiller', release: 'istio' };

/** Who owns the Istio CRDs. */
export type CrdOwner =
  /** Created from a chart's `crds/` dir (Helm ≤ 1.23 `istio-base`, Sail operator chart) or `kubectl apply`: no Helm ownership. */
  | { kind: 'legacy' }
  /** Owned by a Helm release (1.24+ templates, 1.23 `base.enableCRDTemplates=true`, or the one-time label/annotate migration). */
  | { kind: 'helm'; release: string; namespace: string }
  /** Applied by istioctl or the in-cluster operator (owner labels, component Base). */
  | { kind: 'istioctl'; owningResource?: string; namespace?: string; operatorVersion?: string };

function crdObject(def: CrdDef, versions: CrdVersion[], o: { labels: Labels; annotations: Labels; createdAt?: string; storedVersions: string[]; generation: number }): K8sObject {
  const name = `${def.plural}.${def.group}`;
  const names: Record<string, unknown> = {};
  if (def.categories) names.categories = [...def.categories];
  names.kind = def.kind;
  names.listKind = `${def.kind}List`;
  names.plural = def.plural;
  if (def.shortNames) names.shortNames = [...def.shortNames];
  names.singular = def.singular;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: meta('CustomResourceDefinition', name, {
      labels: o.labels,
      annotations: o.annotations,
      createdAt: o.createdAt,
      generation: o.generation,
    }),
    spec: {
      group: def.group,
      names,
      scope: def.scope,
      versions: versions.map((x) => ({ name: x.name, served: x.served, storage: x.storage })),
    },
    status: {
      acceptedNames: names,
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts' },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted' },
      ],
      storedVersions: o.storedVersions,
    },
  };
}

export interface BaseCrdsOptions {
  /** Istio version whose `crd-all.gen.yaml` is installed. */
  version: string;
  owner: CrdOwner;
  createdAt?: string;
  /** Version that first created the CRDs (for `status.storedVersions` / generation); defaults to `version`. */
  installedFrom?: string;
}

/** The Istio CRDs of `version`, labelled for `owner`. */
export function baseCrds(o: BaseCrdsOptions): K8sObject[] {
  const installedFrom = o.installedFrom ?? o.version;
  if (compareVersions(installedFrom, o.version) > 0) throw new Error(`installedFrom ${installedFrom} is newer than ${o.version}`);
  const out: K8sObject[] = [];
  for (const def of ISTIO_CRDS) {
    if (def.since && !atLeast(o.version, def.since)) continue;
    const d: CrdDef = { ...def, categories: ['istio-io', `${def.group.split('.')[0]}-istio-io`] };
    if (def.shortNamesSince && !atLeast(o.version, def.shortNamesSince)) delete d.shortNames;
    const versions = istioVersions(def.family, o.version);
    const storage = versions.find((x) => x.storage)!.name;
    const firstExisted = def.since && !atLeast(installedFrom, def.since) ? o.version : installedFrom;
    const oldStorage = istioVersions(def.family, firstExisted).find((x) => x.storage)!.name;
    const storedVersions = oldStorage === storage ? [storage] : [oldStorage, storage];
    const changed = JSON.stringify(istioVersions(def.family, firstExisted)) !== JSON.stringify(versions);
    const staticLabels = mergeLabels(LEGACY_CRD_LABELS, def.labels);
    let labels: Labels;
    const annotations: Labels = { 'helm.sh/resource-policy': 'keep' };
    switch (o.owner.kind) {
      case 'legacy':
        labels = staticLabels;
        break;
      case 'helm':
        labels = atLeast(o.version, '1.24')
          ? istioChartLabels(o.version, 'base', o.owner.release)
          : mergeLabels(staticLabels, { 'app.kubernetes.io/managed-by': 'Helm' });
        annotations['meta.helm.sh/release-name'] = o.owner.release;
        annotations['meta.helm.sh/release-namespace'] = o.owner.namespace;
        break;
      case 'istioctl':
        labels = mergeLabels(atLeast(o.version, '1.24') ? istioChartLabels(o.version, 'base', 'istio') : staticLabels, {
          'install.operator.istio.io/owning-resource': o.owner.owningResource ?? 'installed-state',
          'install.operator.istio.io/owning-resource-namespace': o.owner.namespace ?? 'istio-system',
          'istio.io/rev': 'default',
          'operator.istio.io/component': 'Base',
          'operator.istio.io/managed': 'Reconcile',
          'operator.istio.io/version': o.owner.operatorVersion ?? o.version,
        });
        break;
    }
    out.push(crdObject(d, versions, { labels, annotations, createdAt: o.createdAt ?? renderNow(), storedVersions, generation: changed ? 2 : 1 }));
  }
  return out;
}

/** Names of the Istio CRDs shipped by `version`. */
export function istioCrdNames(version: string): string[] {
  return ISTIO_CRDS.filter((d) => !d.since || atLeast(version, d.since)).map((d) => `${d.plural}.${d.group}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway API (kubernetes-sigs/gateway-api config/crd/<channel>/ at tags v1.0.0, v1.1.0, v1.2.1, v1.3.0, v1.4.1)

type GwRow = [plural: string, kind: string, scope: 'Namespaced' | 'Cluster', versions: string, shortName?: string];

/** versions: comma list, `*` = storage, `!` = not served. */
const GW_BUNDLES: Record<string, { approved: string; standard: GwRow[]; experimental: GwRow[] }> = {
  'v1.0.0': {
    approved: 'https://github.com/kubernetes-sigs/gateway-api/pull/2466',
    standard: [
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1,v1beta1*', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1,v1beta1*', 'gtw'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1,v1beta1*'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1alpha2,v1beta1*', 'refgrant'],
    ],
    experimental: [
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1alpha2*', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1,v1beta1*', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1,v1beta1*', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1alpha2*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1,v1beta1*'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1alpha2,v1beta1*', 'refgrant'],
      ['tcproutes', 'TCPRoute', 'Namespaced', 'v1alpha2*'],
      ['tlsroutes', 'TLSRoute', 'Namespaced', 'v1alpha2*'],
      ['udproutes', 'UDPRoute', 'Namespaced', 'v1alpha2*'],
    ],
  },
  'v1.1.0': {
    approved: 'https://github.com/kubernetes-sigs/gateway-api/pull/2997',
    standard: [
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*,v1alpha2!'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1alpha2!,v1beta1*', 'refgrant'],
    ],
    experimental: [
      ['backendlbpolicies', 'BackendLBPolicy', 'Namespaced', 'v1alpha2*', 'blbpolicy'],
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1alpha3*', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*,v1alpha2'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1alpha2,v1beta1*', 'refgrant'],
      ['tcproutes', 'TCPRoute', 'Namespaced', 'v1alpha2*'],
      ['tlsroutes', 'TLSRoute', 'Namespaced', 'v1alpha2*'],
      ['udproutes', 'UDPRoute', 'Namespaced', 'v1alpha2*'],
    ],
  },
  'v1.2.1': {
    approved: 'https://github.com/kubernetes-sigs/gateway-api/pull/3328',
    standard: [
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
    ],
    experimental: [
      ['backendlbpolicies', 'BackendLBPolicy', 'Namespaced', 'v1alpha2*', 'blbpolicy'],
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1alpha3*', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
      ['tcproutes', 'TCPRoute', 'Namespaced', 'v1alpha2*'],
      ['tlsroutes', 'TLSRoute', 'Namespaced', 'v1alpha2*'],
      ['udproutes', 'UDPRoute', 'Namespaced', 'v1alpha2*'],
    ],
  },
  'v1.3.0': {
    approved: 'https://github.com/kubernetes-sigs/gateway-api/pull/3328',
    standard: [
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
    ],
    experimental: [
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1alpha3*', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
      ['tcproutes', 'TCPRoute', 'Namespaced', 'v1alpha2*'],
      ['tlsroutes', 'TLSRoute', 'Namespaced', 'v1alpha2*'],
      ['udproutes', 'UDPRoute', 'Namespaced', 'v1alpha2*'],
      ['xbackendtrafficpolicies', 'XBackendTrafficPolicy', 'Namespaced', 'v1alpha1*', 'xbtrafficpolicy'],
      ['xlistenersets', 'XListenerSet', 'Namespaced', 'v1alpha1*', 'lset'],
    ],
  },
  'v1.4.1': {
    approved: 'https://github.com/kubernetes-sigs/gateway-api/pull/3328',
    standard: [
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1*,v1alpha3!', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
    ],
    experimental: [
      ['backendtlspolicies', 'BackendTLSPolicy', 'Namespaced', 'v1*,v1alpha3', 'btlspolicy'],
      ['gatewayclasses', 'GatewayClass', 'Cluster', 'v1*,v1beta1', 'gc'],
      ['gateways', 'Gateway', 'Namespaced', 'v1*,v1beta1', 'gtw'],
      ['grpcroutes', 'GRPCRoute', 'Namespaced', 'v1*'],
      ['httproutes', 'HTTPRoute', 'Namespaced', 'v1*,v1beta1'],
      ['referencegrants', 'ReferenceGrant', 'Namespaced', 'v1beta1*', 'refgrant'],
      ['tcproutes', 'TCPRoute', 'Namespaced', 'v1alpha2*'],
      ['tlsroutes', 'TLSRoute', 'Namespaced', 'v1alpha2,v1alpha3*'],
      ['udproutes', 'UDPRoute', 'Namespaced', 'v1alpha2*'],
      ['xbackendtrafficpolicies', 'XBackendTrafficPolicy', 'Namespaced', 'v1alpha1*', 'xbtrafficpolicy'],
      ['xlistenersets', 'XListenerSet', 'Namespaced', 'v1alpha1*', 'lset'],
      ['xmeshes', 'XMesh', 'Cluster', 'v1alpha1*', 'mesh'],
    ],
  },
};

export const GATEWAY_API_BUNDLES = Object.keys(GW_BUNDLES);

export interface GatewayApiCrdsOptions {
  bundleVersion: string;
  channel?: 'standard' | 'experimental';
  createdAt?: string;
}

/** The Gateway API CRDs of one bundle, as `kubectl apply -f standard-install.yaml` leaves them. */
export function gatewayApiCrds(o: GatewayApiCrdsOptions): K8sObject[] {
  const bundle = GW_BUNDLES[o.bundleVersion];
  if (!bundle) throw new Error(`unknown Gateway API bundle ${o.bundleVersion} (known: ${GATEWAY_API_BUNDLES.join(', ')})`);
  const channel = o.channel ?? 'standard';
  return bundle[channel].map(([plural, kind, scope, versionList, shortName]) => {
    const versions = versionList.split(',').map((s) => v(s.replace(/[*!]/g, ''), s.includes('*'), !s.includes('!')));
    const def: CrdDef = {
      group: 'gateway.networking.k8s.io',
      plural,
      kind,
      singular: kind.toLowerCase(),
      scope,
      categories: ['gateway-api'],
      ...(shortName ? { shortNames: [shortName] } : {}),
    };
    return crdObject(def, versions, {
      labels: {},
      annotations: {
        'api-approved.kubernetes.io': bundle.approved,
        'gateway.networking.k8s.io/bundle-version': o.bundleVersion,
        'gateway.networking.k8s.io/channel': channel,
      },
      createdAt: o.createdAt,
      storedVersions: [versions.find((x) => x.storage)!.name],
      generation: 1,
    });
  });
}
