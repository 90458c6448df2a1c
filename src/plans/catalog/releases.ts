// Istio release catalog 1.18 → 1.31: DATA ONLY. Validated by ReleaseSchema in tests (see validate.ts); not at
// CLI start-up. Every fact names its public source (istio/istio and istio/istio.io paths); those re-checked against
// primary sources carry `verified` (notes) or `provenance.<fact>.verified` (releases). README.md lists what is unconfirmed.
import { COMPATIBILITY_PROFILES, COMPATIBILITY_PROFILE_REFS } from './compat-profiles.js';
import type { Note, Provenance, Release } from './schema.js';

// ── source-path helpers (string building only) ─────────────────────────────────────────────────────────────
/** Release-note YAML in istio/istio on the branch that introduced it. */
const rn = (minor: string, ...files: string[]): string =>
  files.map((f) => `istio/istio@release-${minor}:releasenotes/notes/${f}`).join('; ');
const io = (path: string): string => `istio/istio.io:content/en/${path}`;
const up = (m: string): string => io(`news/releases/${m}.x/announcing-${m}/upgrade-notes/index.md`);
const ann = (m: string): string => io(`news/releases/${m}.x/announcing-${m}/_index.md`);
const chg = (m: string): string => io(`news/releases/${m}.x/announcing-${m}/change-notes/index.md`);
const eolNotice = (m: string, final = false): string => io(`news/support/announcing-${m}-eol${final ? '-final' : ''}/index.md`);

/** Where verification happened. */
const GIT = 'istio/istio snapshot HEAD 86c9f01 (2026-08-22), checked 2026-11-22';
const ANNOUNCE_1_29_9 = io('news/releases/1.29.x/announcing-1.29.9/index.md');
const gitAt = (ref: string): string => `istio/istio@${ref} — ${GIT}`;
const ioRead = (path: string): string => `${path} (read 2026-11-22)`;

const REV_TAGS_SINGLE = ['templates/revision-tags.yaml'];
const REV_TAGS_SPLIT = ['templates/revision-tags-mwc.yaml', 'templates/revision-tags-svc.yaml'];

const CHARTS_WITH_REMOTE = {
  base: 'base',
  istiod: 'istiod',
  cni: 'cni',
  ztunnel: 'ztunnel',
  gateway: 'gateway',
  istiodRemote: 'istiod-remote',
  istioOperator: 'istio-operator',
};
const CHARTS_1_24 = { base: 'base', istiod: 'istiod', cni: 'cni', ztunnel: 'ztunnel', gateway: 'gateway', ambientUmbrella: 'ambient' };

const ISTIOCTL_PROFILES_OLD = ['ambient', 'default', 'demo', 'empty', 'external', 'minimal', 'openshift', 'preview', 'remote'];
const ISTIOCTL_PROFILES_NEW = ['ambient', 'default', 'demo', 'empty', 'minimal', 'openshift', 'openshift-ambient', 'preview', 'remote', 'stable'];
const HELM_PROFILES_1_22 = ['ambient', 'demo', 'openshift', 'openshift-ambient', 'preview', 'stable'];
const HELM_PROFILES_1_24 = ['ambient', 'demo', 'preview', 'remote', 'stable'];
const PLATFORMS_1_24 = ['k3d', 'k3s', 'microk8s', 'minikube', 'openshift'];
const PLATFORMS_1_25 = ['gke', 'k3d', 'k3s', 'microk8s', 'minikube', 'openshift'];

const GRPCROUTE_MIN = { crd: 'grpcroutes.gateway.networking.k8s.io', min: '1.1.0' };
const BTLSP_MIN = { crd: 'backendtlspolicies.gateway.networking.k8s.io', min: '1.4.0' };
const TLSROUTE = 'tlsroutes.gateway.networking.k8s.io';
/**
 * From 1.30 istiod reads ReferenceGrant (and TLSRoute) from the standard channel's gateway.networking.k8s.io/v1, which
 * older bundles do not serve: "If you upgrade Istio to 1.30 without also upgrading the Gateway API CRDs in your
 * cluster to v1.5.x, TLSRoute and ReferenceGrant resources will become invisible to istiod" (istio.io
 * news/releases/1.30.x/announcing-1.30/upgrade-notes/, "Gateway API CRDs must be upgraded to v1.5.x").
 */
const REFERENCEGRANT_MIN_1_30 = { crd: 'referencegrants.gateway.networking.k8s.io', min: '1.5.0' };
/** Gateway/GatewayClass/HTTPRoute/ReferenceGrant must serve v1beta1 (precheck IST0156) ⇒ bundle ≥ v0.6.0. */
const GWAPI_MIN_BUNDLE = '0.6.0';

/** Provenance entries common to every release; per-release overrides are merged on top. */
function provenance(
  minor: string,
  latestTag: string,
  over: Partial<Record<keyof Release['provenance'], Provenance>> = {},
): Release['provenance'] {
  const compatRef = COMPATIBILITY_PROFILE_REFS[minor] ?? latestTag;
  return {
    released: { source: `istio/istio git tag ${minor}.0 (tagger date)`, verified: GIT },
    patches: { source: `istio/istio git tags ${minor}.* + ${io(`news/releases/${minor}.x/`)}`, verified: GIT },
    kubernetes: { source: ann(minor) + ' ("officially supported on Kubernetes versions")' },
    istioctlMinKubernetes: {
      source: `istio/istio@${latestTag}:istioctl/pkg/install/k8sversion/version.go (MinK8SVersion)`,
      verified: gitAt(`${minor}.* tags`),
    },
    charts: {
      source: `istio/istio@${latestTag}:manifests/**/Chart.yaml`,
      verified: gitAt(latestTag),
      note: 'Chart names from the repository; contents of the published Helm repo not verified.',
    },
    helmProfiles: { source: `istio/istio@${minor}.0:manifests/helm-profiles/`, verified: gitAt(`${minor}.0`) },
    compatibilityVersions: {
      source: `istio/istio@${compatRef}:manifests/helm-profiles/compatibility-version-*.yaml`,
      verified: gitAt(`${minor}.0 and ${compatRef}`),
    },
    compatibilityProfiles: {
      source: `istio/istio@${compatRef}:manifests/helm-profiles/compatibility-version-*.yaml`,
      verified: gitAt(compatRef),
    },
    revisionTagTemplates: {
      source: `istio/istio@${latestTag}:manifests/charts/istio-control/istio-discovery/templates/`,
      verified: gitAt(`${minor}.0 and ${latestTag}`),
    },
    crdsHelmTemplated: {
      source: `istio/istio@${latestTag}:manifests/charts/base/values.yaml (base.enableCRDTemplates)`,
      verified: gitAt(latestTag),
    },
    inClusterOperatorSupported: {
      source: `istio/istio@${latestTag}:manifests/charts/istio-operator (present ≤1.23, absent from 1.24.0); ${ann('1.23')}`,
      verified: gitAt(latestTag),
    },
    gatewayApi: {
      source: `istio/istio@${latestTag}:go.mod; pkg/kube/kclient/crdwatcher.go; pkg/config/schema/gatewayapi/minimumversions.go; istioctl/pkg/precheck/precheck.go (minBundle)`,
      verified: gitAt(`${minor}.* tags`),
    },
    eol: { source: eolNotice(minor, true) },
    ...over,
  };
}

const compat = (minor: string) => COMPATIBILITY_PROFILES[minor] ?? {};

// ── notes ──────────────────────────────────────────────────────────────────────────────────────────────────
const N118: Note[] = [
  {
    id: '1.18-gwapi-v0.6',
    kind: 'precondition',
    summary: 'Gateway API CRDs must be v0.6.0+ (Istio reads v1beta1 Gateway/GatewayClass/ReferenceGrant); istioctl x precheck detects it',
    appliesWhen: { component: 'gateway-api-crds', versionBelow: '0.6.0' },
    effect: { blocker: true, requireComponent: { component: 'gateway-api-crds', atLeast: '0.6.0' }, stepKind: 'gateway-api-crds-upgrade', placement: { before: 'istiod-upgrade' } },
    explanation:
      'Istio 1.18 reads the v1beta1 Gateway API resources, so Gateway API CRDs older than v0.6.0 must be upgraded before the new control plane starts, or gateways configured through them stop working.',
    source: rn('1.18', 'gateway-rg-beta.yaml'),
  },
  {
    id: '1.18-managed-gw-cp-min',
    kind: 'precondition',
    summary: 'Users of Gateway API automated deployment must first run control plane 1.16.5+ or 1.17.3+ before adopting 1.18 (else conflicting writes)',
    appliesWhen: { feature: 'gateway-api-automated-deployment' },
    effect: { blocker: true },
    explanation:
      'If you use Gateway API gateways that Istio deploys for you, the control plane must first run 1.16.5+ or 1.17.3+, otherwise the old and new control planes overwrite each other\'s gateway deployments during the canary.',
    source: up('1.18'),
  },
  {
    id: '1.18-managed-gw-rollout',
    kind: 'warning',
    summary: 'Managed (Gateway API) gateways are now fully rendered Deployments; they rolling-restart when their revision changes',
    appliesWhen: { feature: 'gateway-api-automated-deployment' },
    explanation:
      'Gateways that Istio deploys for Gateway API resources restart with a rolling update whenever their revision changes, so expect their pods to be replaced during the upgrade.',
    source: up('1.18'),
  },
  {
    id: '1.18-concurrency',
    kind: 'warning',
    summary: 'Proxy concurrency now derived from CPU limit for gateways too; set proxy.istio.io/config concurrency: 0 to keep all-cores behaviour',
    explanation:
      'Gateways now size their worker threads from their CPU limit, which can lower throughput of a gateway with a small limit; set concurrency to 0 in proxy.istio.io/config to keep using all cores.',
    source: rn('1.18', 'fix-concurrency.yaml'),
  },
  {
    id: '1.18-vs-wildcard',
    kind: 'warning',
    summary: 'Overlapping wildcard VirtualService hosts: most specific now wins; PERSIST_OLDEST_FIRST_HEURISTIC_FOR_VIRTUAL_SERVICE_HOST_MATCHING=true keeps old',
    effect: { revertFlags: { PERSIST_OLDEST_FIRST_HEURISTIC_FOR_VIRTUAL_SERVICE_HOST_MATCHING: 'true' } },
    explanation:
      'When several VirtualServices have overlapping wildcard hosts, the most specific host now wins instead of the oldest resource, which can change where some requests are routed.',
    source: rn('1.18', '45415-overlapping-wildcards.yaml'),
  },
  {
    id: '1.18-gwapi-alpha-off',
    kind: 'warning',
    summary: 'Alpha Gateway API types disabled by default; PILOT_ENABLE_ALPHA_GATEWAY_API=true re-enables',
    appliesWhen: { component: 'gateway-api-crds' },
    effect: { revertFlags: { PILOT_ENABLE_ALPHA_GATEWAY_API: 'true' } },
    explanation:
      'Alpha Gateway API resources are ignored by default from 1.18, so routes using them stop working unless istiod gets PILOT_ENABLE_ALPHA_GATEWAY_API=true.',
    source: rn('1.18', 'drop-gateway-alpha.yaml'),
  },
  {
    id: '1.18-k8s-api-removals',
    kind: 'precondition',
    summary: 'Ingress networking.k8s.io/v1beta1 and EndpointSlice discovery.k8s.io/v1beta1 no longer supported; MeshConfig.certificates removed',
    explanation:
      'Istio 1.18 no longer reads v1beta1 Ingress and EndpointSlice objects and drops MeshConfig.certificates, so manifests and mesh config still using them must be updated first.',
    source: rn('1.18', 'drop-118-ingress.yaml', 'es-drop-beta.yaml', 'chiron.yaml'),
  },
  {
    id: '1.18-release-manifests',
    kind: 'warning',
    summary: 'kustomization.yaml / gen-istio.yaml no longer shipped in release archives',
    explanation:
      'The release archive no longer contains kustomization.yaml or gen-istio.yaml, so pipelines that installed Istio from those files must switch to Helm or istioctl.',
    source: rn('1.18', 'drop-kustomize.yaml'),
  },
];

const N119: Note[] = [
  {
    id: '1.19-base-chart-cleanup',
    kind: 'warning',
    summary: 'Duplicated istiod RBAC/ServiceAccount removed from base chart (istiod-clusterrole, istio-reader-clusterrole, SA istiod); upgrade base and istiod together',
    appliesWhen: { installMethod: 'helm' },
    explanation:
      'The base chart no longer carries a copy of istiod\'s RBAC and service account (the istiod chart owns them), so upgrade base and istiod in the same change.',
    source: rn('1.19', 'manifest-base-cleanup.yaml'),
  },
  {
    id: '1.19-envoyfilter-names',
    kind: 'precondition',
    summary: 'EnvoyFilter must use canonical Envoy filter names and include typed_config; XDS v2 types now an error; run istioctl analyze',
    appliesWhen: { resourceExists: { kind: 'EnvoyFilter', group: 'networking.istio.io' } },
    explanation:
      'EnvoyFilters must use the canonical Envoy filter names with a typed_config, and old xDS v2 types are now rejected, so run istioctl analyze and fix any EnvoyFilter it reports before upgrading.',
    source: rn('1.19', 'deprecated-envoy-filter.yaml', 'no_extension_lookup_by_name.yaml', 'drop-xds-v2.yaml'),
  },
  {
    id: '1.19-gw-chart-replicas',
    kind: 'warning',
    summary: 'gateway chart sets spec.replicas only when replicaCount is a number (HPA-friendly)',
    appliesWhen: { component: 'gateway' },
    explanation:
      'The gateway chart sets a replica count only when replicaCount is a number, so a gateway scaled by an autoscaler is no longer reset to a fixed count on every Helm upgrade.',
    source: rn('1.19', '46121.yaml'),
  },
  {
    id: '1.19-gwapi-parentref-group',
    kind: 'precondition',
    summary: 'Gateway API parentRef of kind Service must set group: ""',
    appliesWhen: { component: 'gateway-api-crds' },
    explanation:
      'A Gateway API route attached to a Service must now say group: "" in its parentRef, or Istio 1.19 ignores the attachment and its traffic rules.',
    source: rn('1.19', '2309-gateway-api.yaml'),
  },
  {
    id: '1.19-flags-removed',
    kind: 'warning',
    summary: 'Many legacy pilot feature flags removed (ISTIO_DEFAULT_REQUEST_TIMEOUT, PILOT_ENABLE_LEGACY_AUTO_PASSTHROUGH, REWRITE_TCP_PROBES, ENABLE_LEGACY_FSGROUP_INJECTION, CNI_ENABLE_INSTALL, ...)',
    effect: {
      removedEnv: ['ISTIO_DEFAULT_REQUEST_TIMEOUT', 'PILOT_ENABLE_LEGACY_AUTO_PASSTHROUGH', 'REWRITE_TCP_PROBES', 'ENABLE_LEGACY_FSGROUP_INJECTION', 'CNI_ENABLE_INSTALL'],
    },
    explanation:
      'Many old istiod and proxy feature flags no longer exist in 1.19, so settings that still use them silently stop having an effect and should be removed.',
    source: `${rn('1.19', 'cni-refactor.yaml')}; istio/istio@release-1.19:releasenotes/notes/drop-*.yaml`,
  },
  {
    id: '1.19-istioctl-x-removed',
    kind: 'warning',
    summary: 'istioctl x uninstall/add-to-mesh/remove-from-mesh/kube-uninject removed; create-remote-secret/remote-clusters moved to top level',
    explanation:
      'Several experimental istioctl commands were removed and create-remote-secret moved to the top level, so scripts calling istioctl x for them need updating.',
    source: rn('1.19', '45640.yaml', '46051.yaml', 'drop-istioctl-mesh.yaml'),
  },
];

const N120: Note[] = [
  {
    id: '1.20-startup-probe',
    kind: 'warning',
    summary: 'Sidecar startupProbe on by default (pod killed if proxy not ready in 10 min); readiness defaults changed',
    appliesWhen: { mode: 'sidecar' },
    explanation:
      'Sidecars now get a startup probe by default, so a pod whose proxy is not ready within 10 minutes is restarted, and readiness settings have new defaults.',
    source: rn('1.20', 'startupProbe.yaml'),
  },
  {
    id: '1.20-filter-order',
    kind: 'warning',
    summary: 'Envoy filter order made consistent (inbound TCP: MX before authn; gateway TCP: stats after authz)',
    appliesWhen: { resourceExists: { kind: 'EnvoyFilter', group: 'networking.istio.io' } },
    explanation:
      'Envoy filters run in a consistent order from 1.20, which can change the behaviour of EnvoyFilters that depended on the old order of TCP metadata exchange, authentication, authorization and stats.',
    source: rn('1.20', 'filter-order.yaml'),
  },
  {
    id: '1.20-externalname-optin',
    kind: 'warning',
    summary: 'New ExternalName-as-alias semantics available opt-in (ENABLE_EXTERNAL_NAME_ALIAS=true); becomes default in 1.21',
    explanation:
      'A new way of treating ExternalName Services as plain aliases can be switched on in 1.20 and becomes the default in 1.21, so this is the release to test it.',
    source: rn('1.20', 'external-name.yaml'),
  },
  {
    id: '1.20-tag-cmd',
    kind: 'step',
    summary: 'Use `istioctl tag` (istioctl x revision tag removed)',
    explanation:
      'Revision tags are managed with istioctl tag from 1.20, because istioctl x revision tag no longer exists.',
    source: rn('1.20', '46257.yaml'),
  },
  {
    id: '1.20-operator-ambient',
    kind: 'precondition',
    summary: 'ambient profile can no longer be installed with the in-cluster operator',
    appliesWhen: { installMethod: 'operator', mode: 'ambient' },
    effect: { blocker: true, stepKind: 'install-method-migration' },
    explanation:
      'The in-cluster operator can no longer install the ambient profile, so ambient meshes must be installed with Helm or istioctl.',
    source: rn('1.20', '46651.yaml'),
  },
];

const N121: Note[] = [
  {
    id: '1.21-compat-introduced',
    kind: 'warning',
    summary: 'First release with Helm `profile` and `compatibilityVersion` values (zzz_profile.yaml in every chart)',
    explanation:
      'From 1.21 every chart accepts the profile and compatibilityVersion values, which is how this tool keeps older behaviour across an upgrade until you choose to adopt the new defaults.',
    source: `istio/istio@1.21.0:manifests/zzz_profile.yaml; ${ann('1.21')}`,
    verified: gitAt('1.21.0 (helm-profiles/ present; absent at 1.20.8)'),
  },
  {
    id: '1.21-auto-sni',
    kind: 'warning',
    summary: 'ENABLE_AUTO_SNI default true (SNI from Host header); revert with compatibilityVersion=1.20',
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_AUTO_SNI: 'false' } },
    explanation:
      'Sidecars now send the request\'s Host header as TLS SNI by default, which can change how upstream TLS servers answer; compatibilityVersion=1.20 restores the old behaviour.',
    source: rn('1.21', 'enable-auto-sni.yaml'),
  },
  {
    id: '1.21-verify-cert',
    kind: 'warning',
    summary: 'VERIFY_CERT_AT_CLIENT default true (server certs verified with OS CAs); compat 1.20 or DestinationRule insecureSkipVerify',
    compatibilityRevertible: true,
    effect: { revertFlags: { VERIFY_CERTIFICATE_AT_CLIENT: 'false' } },
    explanation:
      'Sidecars now verify upstream TLS certificates against the operating system\'s CAs by default, so connections to servers with untrusted certificates fail unless compatibilityVersion=1.20 or a DestinationRule says otherwise.',
    source: rn('1.21', 'enable-verify-certificate-at-client.yaml'),
  },
  {
    id: '1.21-externalname',
    kind: 'warning',
    summary: 'ExternalName Services now aliases: VS routing to them needs the target to exist, DR no longer applies; ENABLE_EXTERNAL_NAME_ALIAS=false opts out',
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_EXTERNAL_NAME_ALIAS: 'false' } },
    explanation:
      'ExternalName Services are now plain aliases, so a VirtualService routing to one needs the target to exist and DestinationRules for the ExternalName no longer apply; ENABLE_EXTERNAL_NAME_ALIAS=false opts out.',
    source: rn('1.21', 'external-name-on.yaml'),
  },
  {
    id: '1.21-gw-name-label',
    kind: 'step',
    summary: 'After upgrade, move selectors/policies from istio.io/gateway-name to gateway.networking.k8s.io/gateway-name (old label removed in 1.24)',
    appliesWhen: { resourceExists: { kind: 'Gateway', group: 'gateway.networking.k8s.io' } },
    effect: { stepKind: 'label-migration', placement: { after: 'istiod-upgrade' } },
    explanation:
      'After upgrading, move selectors and policies from the istio.io/gateway-name label to gateway.networking.k8s.io/gateway-name, because the old label disappears in 1.24.',
    source: rn('1.21', 'gateway-infra-gep.yaml'),
  },
  {
    id: '1.21-installed-state',
    kind: 'warning',
    summary: 'istioctl install no longer creates the installed-state IstioOperator nor the IstioOperator CRD; istioctl x revision removed (use istioctl tag list)',
    appliesWhen: { installMethod: 'istioctl' },
    explanation:
      'istioctl install no longer stores the installed IstioOperator in the cluster, so keep the IstioOperator file you install from, because later upgrades need it.',
    source: rn('1.21', 'drop-iop.yaml'),
  },
  {
    id: '1.21-pdb-v1beta1',
    kind: 'precondition',
    summary: 'policy/v1beta1 PodDisruptionBudget no longer supported; cni.psp_cluster_role removed',
    effect: { forbiddenHelmValues: ['cni.psp_cluster_role'] },
    explanation:
      'Istio 1.21 only works with policy/v1 PodDisruptionBudgets and removes cni.psp_cluster_role, so clusters or values still relying on the old APIs must be updated first.',
    source: rn('1.21', '48019.yaml', 'cni-drop-psp.yaml'),
  },
  {
    id: '1.21-telemetry-envoyfilter',
    kind: 'warning',
    summary: 'Legacy telemetry EnvoyFilters removed; prometheus/stackdriver configOverride values ignored',
    explanation:
      'The legacy telemetry EnvoyFilters are gone and their prometheus or stackdriver configOverride values are ignored, so metrics customised that way must move to the Telemetry API.',
    source: rn('1.21', 'drop-telemetry-envoyfilter.yaml'),
  },
];

const N122: Note[] = [
  {
    id: '1.22-delta-xds',
    kind: 'warning',
    summary: 'Delta xDS on by default; ISTIO_DELTA_XDS=false in proxies (or compat 1.21) reverts',
    compatibilityRevertible: true,
    effect: { revertFlags: { ISTIO_DELTA_XDS: 'false' } },
    explanation:
      'Proxies now receive configuration as incremental (delta) updates by default, which lowers istiod load; ISTIO_DELTA_XDS=false or compatibilityVersion=1.21 reverts it if a problem shows.',
    source: rn('1.22', 'delta-xds-default.yaml'),
  },
  {
    id: '1.22-tracing-default',
    kind: 'precondition',
    summary: 'Default tracing to zipkin.istio-system removed; run `istioctl x precheck --from-version=1.21`; use Telemetry API or compatibilityVersion=1.21',
    compatibilityRevertible: true,
    effect: { commands: ['istioctl x precheck --from-version=1.21'] },
    explanation:
      'Istio 1.22 no longer sends traces to zipkin.istio-system by default, so a mesh relying on that must configure tracing with the Telemetry API (istioctl x precheck --from-version=1.21 finds it) or keep compatibilityVersion=1.21.',
    source: rn('1.22', 'drop-default-tracing.yaml'),
  },
  {
    id: '1.22-resource-scoping',
    kind: 'warning',
    summary: 'ENHANCED_RESOURCE_SCOPING on: meshConfig.discoverySelectors now also filter Istio CRs and root-CA configmap distribution; compat 1.21',
    appliesWhen: { helmValue: { path: 'meshConfig.discoverySelectors', set: true } },
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_ENHANCED_RESOURCE_SCOPING: 'false' } },
    explanation:
      'meshConfig.discoverySelectors now also limit which Istio resources istiod reads and where it distributes the root certificate, which can hide configuration in unselected namespaces; compatibilityVersion=1.21 restores the old scoping.',
    source: rn('1.22', 'enable-enhanced-scope.yaml'),
  },
  {
    id: '1.22-se-targetport',
    kind: 'warning',
    summary: 'ServiceEntry resolution NONE now honours targetPort; compat 1.21',
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_RESOLUTION_NONE_TARGET_PORT: 'false' } },
    explanation:
      'ServiceEntries with resolution NONE now honour targetPort, which can change the port traffic is sent to; compatibilityVersion=1.21 keeps the old behaviour.',
    source: rn('1.22', 'targetPort-service-entry.yaml'),
  },
  {
    id: '1.22-waypoint-attach',
    kind: 'step',
    summary: 'Ambient: waypoints no longer attach by service account/namespace implicitly; label the namespace, service or workload with istio.io/use-waypoint',
    appliesWhen: { mode: 'ambient', component: 'waypoint' },
    effect: { stepKind: 'label-migration', placement: { after: 'istiod-upgrade' } },
    explanation:
      'In ambient mode waypoints no longer attach implicitly by service account or namespace, so label the namespace, service or workload with istio.io/use-waypoint or its traffic bypasses the waypoint.',
    source: rn('1.22', '49700.yaml'),
  },
  {
    id: '1.22-ambient-optout',
    kind: 'step',
    summary: 'Ambient opt-out now via pod label istio.io/dataplane-mode=none (annotation ambient.istio.io/redirection=disabled no longer honoured)',
    appliesWhen: { mode: 'ambient' },
    effect: { stepKind: 'label-migration', placement: { before: 'cni-upgrade' } },
    explanation:
      'To keep a pod out of ambient mode, label it istio.io/dataplane-mode=none, because the ambient.istio.io/redirection=disabled annotation is no longer honoured.',
    source: rn('1.22', '50804.yaml'),
  },
  {
    id: '1.22-external-profile',
    kind: 'precondition',
    summary: 'istioctl `external` profile removed; use `remote`',
    appliesWhen: { installMethod: 'istioctl', helmValue: { path: 'profile', equals: 'external' } },
    effect: { blocker: true },
    explanation:
      'The istioctl external profile no longer exists, so installs using it must use the remote profile instead.',
    source: rn('1.22', '50218.yaml'),
  },
  {
    id: '1.22-istio-cni-values',
    kind: 'step',
    summary: 'Move values.istio_cni.* to values.pilot.cni.* (old removed in 1.24); values.cni.privileged removed',
    appliesWhen: { anyOf: [{ helmValue: { path: 'istio_cni', set: true } }, { helmValue: { path: 'cni.privileged', set: true } }] },
    effect: {
      stepKind: 'helm-values-migration',
      placement: { before: 'istiod-upgrade' },
      renamedHelmValues: [{ from: 'istio_cni', to: 'pilot.cni' }],
      forbiddenHelmValues: ['cni.privileged'],
    },
    explanation:
      'CNI settings move from values.istio_cni.* to values.pilot.cni.* (the old ones are gone in 1.24) and values.cni.privileged is removed, so Helm values must be updated.',
    source: rn('1.22', 'move-istio_cni-to-pilot-values.yaml', 'deprecate-istio_cni.yaml', '49029.yaml'),
  },
  {
    id: '1.22-first-party-jwt',
    kind: 'precondition',
    summary: 'global.jwtPolicy=first-party-jwt removed (third-party-jwt only)',
    appliesWhen: { helmValue: { path: 'global.jwtPolicy', equals: 'first-party-jwt' } },
    effect: { blocker: true },
    explanation:
      'Istio 1.22 supports only third-party service account tokens, so a mesh installed with global.jwtPolicy=first-party-jwt must change that before upgrading.',
    source: rn('1.22', 'no-1p-jwt.yaml'),
  },
  {
    id: '1.22-v1-apis',
    kind: 'warning',
    summary: 'Istio APIs served as v1 (CRD storage v1beta1); manifests using v1 need base CRDs >=1.22',
    explanation:
      'Istio resources are also served as v1 from 1.22, so manifests written with the v1 API need the 1.22 or newer base chart CRDs installed first.',
    source: `istio/istio@1.22.0:manifests/charts/base/crds/crd-all.gen.yaml; ${ann('1.22')}`,
  },
];

const N123: Note[] = [
  {
    id: '1.23-operator-deprecated',
    kind: 'warning',
    summary: 'In-cluster IstioOperator controller deprecated; operator users must migrate to istioctl or Helm before upgrading to 1.24',
    appliesWhen: { anyOf: [{ installMethod: 'operator' }, { component: 'istio-operator' }] },
    explanation:
      'The in-cluster operator is deprecated in 1.23 and gone in 1.24, so a mesh it manages must be moved to istioctl or Helm before the next upgrade.',
    source: ann('1.23'),
    verified: ioRead(ann('1.23')),
  },
  {
    id: '1.23-stat-names',
    kind: 'warning',
    summary: "Cluster stat-name regex now uses ';' delimiter; dashboards/alerts on full cluster stat names may break; ENABLE_DELIMITED_STATS_TAG_REGEX=false or compat 1.22",
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_DELIMITED_STATS_TAG_REGEX: 'false' } },
    explanation:
      'Envoy cluster statistics now use a semicolon delimiter, so dashboards and alerts that match full cluster stat names may break; ENABLE_DELIMITED_STATS_TAG_REGEX=false or compatibilityVersion=1.22 keeps the old names.',
    source: rn('1.23', '51761.yaml'),
  },
  {
    id: '1.23-dns-exclusions',
    kind: 'warning',
    summary: 'DNS (UDP/TCP) now respects excludeOutboundIPRanges/excludeOutboundPorts annotations (documented retroactively in 1.25 notes)',
    explanation:
      'DNS traffic now respects the excludeOutboundIPRanges and excludeOutboundPorts annotations, so DNS queries to excluded addresses bypass the proxy.',
    source: rn('1.25', 'retroactive-note-for-53949.yaml'),
  },
  {
    id: '1.23-proto-api',
    kind: 'warning',
    summary: 'Go/protobuf API versions consolidated (only affects istio.io/api / client-go consumers)',
    explanation:
      'The Go and protobuf API versions were consolidated, which matters only to programs built against istio.io/api or Istio\'s client-go.',
    source: up('1.23'),
  },
  {
    id: '1.23-ambient-chart',
    kind: 'warning',
    summary: 'New `ambient` umbrella chart (base+istiod+cni+ztunnel); if used, only upgradable as a whole',
    appliesWhen: { component: 'ambient-umbrella-chart' },
    explanation:
      'Istio 1.23 adds an ambient umbrella chart installing base, istiod, CNI and ztunnel together, and a mesh installed with it can only be upgraded as a whole.',
    source: `${rn('1.23', '51174.yaml')}; ${io('docs/ambient/upgrade/helm/all-in-one/index.md')}`,
  },
  {
    id: '1.23-ztunnel-ns',
    kind: 'step',
    summary: 'If ztunnel is in a different namespace from istiod, set pilot.trustedZtunnelNamespace (supersedes CA_TRUSTED_NODE_ACCOUNTS)',
    appliesWhen: { mode: 'ambient', feature: 'ztunnel-namespace-differs' },
    effect: { stepKind: 'set-helm-values', placement: { before: 'istiod-upgrade' } },
    explanation:
      'If ztunnel runs in a different namespace from istiod, set pilot.trustedZtunnelNamespace so that istiod keeps trusting ztunnel\'s certificate requests.',
    source: rn('1.23', '51311.yaml'),
  },
];

const CRD_MIGRATION_SELECTOR = '$(kubectl get crds -l chart=istio -o name && kubectl get crds -l app.kubernetes.io/part-of=istio -o name)';

const N124: Note[] = [
  {
    id: '1.24-operator-removed',
    kind: 'precondition',
    summary: 'In-cluster operator removed (istio-operator chart gone); migrate to Helm or istioctl first (istioctl manifest translate helps move to Helm)',
    appliesWhen: { anyOf: [{ installMethod: 'operator' }, { component: 'istio-operator' }] },
    effect: { blocker: true, stepKind: 'install-method-migration', placement: { before: 'precheck' } },
    explanation:
      'Istio 1.24 no longer ships the in-cluster operator, so a mesh it manages must first be moved to Helm or istioctl (istioctl manifest translate helps) before it can be upgraded.',
    source: `${ann('1.23')}; istio/istio@1.24.6:manifests/charts (no istio-operator); ${chg('1.24')}`,
    verified: `${ioRead(ann('1.23'))}; ${gitAt('1.24.0 (manifests/charts/istio-operator absent; present at 1.23.6)')}`,
  },
  {
    id: '1.24-crds-v1',
    kind: 'precondition',
    summary: 'All components read v1 CRDs; CRDs from 1.21 or older unsupported -> upgrade base CRDs before istiod',
    effect: { order: ['crds-upgrade', 'istiod-upgrade'] },
    explanation:
      'From 1.24 every Istio component reads the v1 versions of the Istio CRDs, so the CRDs (base chart) are upgraded before the new istiod and CRDs installed by 1.21 or older are not supported.',
    source: chg('1.24'),
  },
  {
    id: '1.24-crd-helm-ownership',
    kind: 'step',
    summary: 'One-time: label/annotate Istio CRDs with Helm ownership (managed-by=Helm, release-name, release-namespace) so `helm upgrade istio-base` can manage them',
    detail:
      'From 1.24 base.enableCRDTemplates defaults to true: CRDs are rendered as templates and their labels are replaced by the standard Helm labels. CRDs installed by `helm install istio-base` (≤1.23 crds/ dir) or `kubectl apply` lack Helm ownership metadata; without this migration `helm upgrade istio-base` fails with "exists and cannot be imported into the current release: invalid ownership metadata". Users who keep upgrading CRDs with kubectl apply may skip it. base.enableCRDTemplates=false restores the legacy labels (deprecated).',
    appliesWhen: { installMethod: 'helm', crdsHelmOwned: false },
    effect: {
      stepKind: 'crd-migration-labels',
      placement: { before: 'crds-upgrade' },
      commands: [
        `kubectl label ${CRD_MIGRATION_SELECTOR} "app.kubernetes.io/managed-by=Helm"`,
        `kubectl annotate ${CRD_MIGRATION_SELECTOR} "meta.helm.sh/release-name=<base-release>"`,
        `kubectl annotate ${CRD_MIGRATION_SELECTOR} "meta.helm.sh/release-namespace=<istio-namespace>"`,
      ],
    },
    explanation:
      'The 1.24 base chart manages the Istio CRDs as ordinary Helm resources, so CRDs created earlier get Helm ownership labels and annotations once, without which helm upgrade of istio-base would refuse to touch them.',
    source: `${rn('1.24', '53318.yaml')}; ${up('1.24')}; ${io('boilerplates/crd-upgrade-123.md')}`,
    verified: `${gitAt('release-1.24:releasenotes/notes/53318.yaml and 1.24.0:manifests/charts/base/templates/crds.yaml')}; ${ioRead(up('1.24'))}`,
  },
  {
    id: '1.24-istiod-remote',
    kind: 'step',
    summary: 'istiod-remote chart removed: use `helm install istiod istio/istiod --set profile=remote`; istio-base now required in remote clusters too',
    appliesWhen: { component: 'istiod-remote' },
    effect: { stepKind: 'chart-switch', placement: { before: 'istiod-upgrade' } },
    explanation:
      'The istiod-remote chart is gone in 1.24: remote clusters install the istiod chart with profile=remote instead and now need the istio-base chart too.',
    source: `${rn('1.24', '53294.yaml')}; ${up('1.24')}`,
    verified: `${ioRead(up('1.24'))}; ${gitAt('1.24.0 (istiod-remote chart absent)')}`,
  },
  {
    id: '1.24-openshift-profile',
    kind: 'step',
    summary: 'Helm profile=openshift / openshift-ambient removed -> profile=<x> + global.platform=openshift',
    appliesWhen: { installMethod: 'helm', anyOf: [{ helmValue: { path: 'profile', equals: 'openshift' } }, { helmValue: { path: 'profile', equals: 'openshift-ambient' } }] },
    effect: { stepKind: 'helm-values-migration', placement: { before: 'crds-upgrade' }, setHelmValues: [{ path: 'global.platform', value: 'openshift' }] },
    explanation:
      'The openshift and openshift-ambient Helm profiles were removed in 1.24; OpenShift clusters set the usual profile plus global.platform=openshift on their charts.',
    source: rn('1.24', '52981.yaml'),
    verified: gitAt('1.24.0:manifests/helm-profiles (no openshift*.yaml; platform-openshift.yaml present)'),
  },
  {
    id: '1.24-helm-values-removed',
    kind: 'precondition',
    summary: 'Removed values: pilot.configNamespace, pilot.configSource, pilot.enableProtocolSniffingFor*, pilot.useMCP, global.autoscalingV2API, global.configRootNamespace, ... istio_cni.*',
    effect: {
      forbiddenHelmValues: [
        'pilot.configNamespace',
        'pilot.configSource',
        'pilot.enableProtocolSniffingForOutbound',
        'pilot.enableProtocolSniffingForInbound',
        'pilot.useMCP',
        'global.autoscalingV2API',
        'global.configRootNamespace',
        'global.defaultConfigVisibilitySettings',
        'global.useMCP',
        'sidecarInjectorWebhook.objectSelector',
        'sidecarInjectorWebhook.useLegacySelectors',
        'istio_cni',
      ],
    },
    explanation:
      'Some Helm values (for example pilot.configSource, global.autoscalingV2API and the istio_cni.* block) no longer exist in 1.24, so values that still set them must be cleaned up or they silently stop having an effect.',
    source: rn('1.24', '51987.yaml', '52645.yaml'),
  },
  {
    id: '1.24-gw-name-label-removed',
    kind: 'precondition',
    summary: 'istio.io/gateway-name label removed; selectors must use gateway.networking.k8s.io/gateway-name',
    appliesWhen: { resourceExists: { kind: 'Gateway', group: 'gateway.networking.k8s.io' } },
    effect: { stepKind: 'label-migration', placement: { before: 'istiod-upgrade' } },
    explanation:
      'Gateway API gateways lose the istio.io/gateway-name label in 1.24, so Services, NetworkPolicies or monitoring that select on it must select gateway.networking.k8s.io/gateway-name instead.',
    source: rn('1.24', '52049.yaml'),
  },
  {
    id: '1.24-compat-1.20-removed',
    kind: 'precondition',
    summary: 'compatibilityVersion=1.20 rejected; its flags (except ENABLE_AUTO_SNI) removed from Istio',
    appliesWhen: { helmValue: { path: 'compatibilityVersion', equals: '1.20' } },
    effect: { blocker: true },
    explanation:
      'compatibilityVersion=1.20 is rejected from 1.24 and the old behaviours it restored are gone, so a revision still pinned to it must drop the setting first.',
    source: rn('1.24', 'compatibility-version-1-20.yaml'),
    verified: gitAt('1.24.0:manifests/helm-profiles (compatibility-version-1.20.yaml absent)'),
  },
  {
    id: '1.24-ambient-dns-order',
    kind: 'order',
    summary: 'Ambient with cni.ambient.dnsCapture=true: upgrade istio-cni -> restart ambient workloads -> upgrade ztunnel (else DNS resolution failures)',
    detail: 'Restarting the workloads resolves the failures if they occur. Tracked in istio/ztunnel#1360.',
    appliesWhen: { mode: 'ambient', helmValue: { path: 'cni.ambient.dnsCapture', equals: true } },
    effect: { order: ['cni-upgrade', 'workload-restart', 'ztunnel-upgrade'] },
    explanation:
      'With ambient DNS capture on, istio-cni must be upgraded first, then the ambient workloads restarted, and only then ztunnel, or pods can fail to resolve names; the plan runs the steps in that order.',
    source: up('1.24'),
    verified: ioRead(up('1.24')),
  },
  {
    id: '1.24-retries',
    kind: 'warning',
    summary: 'Inbound retry policy added; 503 no longer retried by default; compat 1.23',
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_INBOUND_RETRY_POLICY: 'false', EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY: 'false' } },
    explanation:
      'Sidecars in 1.24 no longer retry requests that get a 503 from the local application by default; the plan keeps the 1.23 behaviour with compatibilityVersion until you choose to adopt the new default.',
    source: chg('1.24'),
  },
  {
    id: '1.24-sidecar-scope',
    kind: 'warning',
    summary: 'Sidecar/no-Sidecar service conflict resolution unified; PILOT_UNIFIED_SIDECAR_SCOPE=false temporarily',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_UNIFIED_SIDECAR_SCOPE: 'false' } },
    explanation:
      'When a service is visible both with and without a Sidecar resource, 1.24 resolves the conflict the same way in both cases, which can change which service a client reaches; PILOT_UNIFIED_SIDECAR_SCOPE=false restores the old behaviour for a while.',
    source: `${rn('1.24', 'sidecar-scope-unit.yaml')}; ${up('1.24')}`,
    verified: ioRead(up('1.24')),
  },
  {
    id: '1.24-dr-merge',
    kind: 'warning',
    summary: 'DestinationRules with different exportTo no longer merged; ENABLE_ENHANCED_DESTINATIONRULE_MERGE=false',
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_ENHANCED_DESTINATIONRULE_MERGE: 'false' } },
    explanation:
      'DestinationRules for the same host with different exportTo are no longer merged in 1.24, so a client may see a different traffic policy; ENABLE_ENHANCED_DESTINATIONRULE_MERGE=false restores the merge.',
    source: chg('1.24'),
  },
  {
    id: '1.24-cel-peer-metadata',
    kind: 'warning',
    summary: 'Telemetry CEL must use filter_state.downstream_peer/upstream_peer and xds.node; mixed-version expressions via has()',
    appliesWhen: { feature: 'telemetry-cel' },
    explanation:
      'Telemetry CEL expressions must read peer metadata from filter_state.downstream_peer/upstream_peer and xds.node in 1.24; expressions that must work on old and new proxies during the upgrade should guard with has().',
    source: `${rn('1.24', 'telemetry-cel.yaml')}; ${up('1.24')}`,
    verified: ioRead(up('1.24')),
  },
  {
    id: '1.24-istio-csr',
    kind: 'precondition',
    summary: 'cert-manager istio-csr <= v0.12.0: set meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED="false"',
    detail:
      'Istio 1.24 enforces ALPN on its internal gRPC; istio-csr v0.12.0 lacks the upstream fix (cert-manager/istio-csr#422). Symptom: "transport: authentication handshake failed: credentials: cannot check peer: missing selected ALPN property".',
    appliesWhen: { component: 'istio-csr', versionAtMost: '0.12' },
    effect: {
      stepKind: 'set-helm-values',
      placement: { before: 'istiod-upgrade' },
      setHelmValues: [
        {
          path: 'meshConfig.defaultConfig.proxyMetadata.GRPC_ENFORCE_ALPN_ENABLED',
          value: 'false',
          charts: ['istiod'],
          dropWhen: 'istio-csr is upgraded past v0.12.0 (cert-manager/istio-csr#422)',
        },
      ],
    },
    explanation:
      'istio-csr v0.12.0 or older cannot serve 1.24 proxies, which enforce ALPN on gRPC, unless the mesh sets proxyMetadata GRPC_ENFORCE_ALPN_ENABLED="false" (or istio-csr is upgraded first).',
    source: up('1.24'),
    verified: ioRead(up('1.24')),
  },
  {
    id: '1.24-removed-misc',
    kind: 'warning',
    summary: 'sidecar.istio.io/enableCoreDump annotation, --log_rotate_* flags, istioctl profile and istioctl manifest diff removed',
    explanation:
      '1.24 removes the sidecar.istio.io/enableCoreDump annotation, the --log_rotate_* flags and the istioctl profile and manifest diff commands, so scripts and manifests using them need changing.',
    source: rn('1.24', 'drop-coredump.yaml', 'drop-log-rotate.yaml', 'operator-drop-dump.yaml', 'operator-drop-diff.yaml'),
  },
  {
    id: '1.24-ambient-redirect',
    kind: 'warning',
    summary: 'Ambient GA; redirection switched TPROXY->REDIRECT',
    appliesWhen: { mode: 'ambient' },
    explanation:
      'Ambient mode is generally available in 1.24 and redirects traffic with REDIRECT instead of TPROXY rules, which changes the node-level iptables rules ambient pods get when they restart.',
    source: chg('1.24'),
  },
];

const N125: Note[] = [
  {
    id: '1.25-ambient-dns',
    kind: 'step',
    summary: 'Ambient DNS capture default on; only new pods get it: restart ambient pods or upgrade istio-cni with cni.ambient.reconcileIptablesOnStartup=true; opt out per pod or compat 1.24',
    detail: 'Per-pod opt-out: annotation ambient.istio.io/dns-capture=false. compatibilityVersion=1.24 sets ambient.dnsCapture=false in the cni chart.',
    appliesWhen: { mode: 'ambient' },
    compatibilityRevertible: true,
    effect: { stepKind: 'workload-restart', placement: { after: 'ztunnel-upgrade' }, revertFlags: { 'cni.ambient.dnsCapture': false } },
    explanation:
      'Ambient DNS capture is on by default from 1.25 but only new pods get it, so restart ambient pods (or let istio-cni reconcile them) for consistent name resolution, or keep it off per pod or with compatibilityVersion=1.24.',
    source: `${rn('1.25', 'ambient-dns-on.yaml')}; ${up('1.25')}`,
  },
  {
    id: '1.25-ip-autoallocate',
    kind: 'warning',
    summary: 'PILOT_ENABLE_IP_AUTOALLOCATE default true (ServiceEntry status.addresses set); compat 1.24',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_ENABLE_IP_AUTOALLOCATE: 'false' } },
    explanation:
      'istiod now assigns addresses to ServiceEntries without one by default (shown in their status), which changes how such hosts resolve; compatibilityVersion=1.24 turns it off.',
    source: rn('1.25', 'ip-allocation-v2-default.yaml'),
  },
  {
    id: '1.25-ztunnel-resname',
    kind: 'precondition',
    summary: 'ztunnel chart resources named after Helm release; if release name != ztunnel set --set resourceName=ztunnel (otherwise rename = downtime)',
    appliesWhen: { installMethod: 'helm', mode: 'ambient', feature: 'ztunnel-release-name-not-ztunnel' },
    effect: { stepKind: 'set-helm-values', placement: { before: 'ztunnel-upgrade' }, setHelmValues: [{ path: 'resourceName', value: 'ztunnel', charts: ['ztunnel'] }] },
    explanation:
      'The 1.25 ztunnel chart names its resources after the Helm release, so if your ztunnel release is not called ztunnel, set resourceName=ztunnel or the DaemonSet is recreated under a new name with downtime.',
    source: `${rn('1.25', 'ztunnel-helm-chart.yaml')}; ${up('1.25')}`,
  },
  {
    id: '1.25-internal-address',
    kind: 'warning',
    summary: 'Envoy 1.33 internalAddressConfig empty by default: internal headers at gateway need ENABLE_HCM_INTERNAL_NETWORKS+MeshNetworks',
    explanation:
      'Gateways no longer treat any address as internal by default, so internal-only headers are stripped unless you configure internal networks with ENABLE_HCM_INTERNAL_NETWORKS and MeshNetworks.',
    source: rn('1.25', '53402.yaml'),
  },
  {
    id: '1.25-opencensus',
    kind: 'precondition',
    summary: 'OpenCensus tracing removed; migrate to OpenTelemetry',
    appliesWhen: { feature: 'opencensus-tracing' },
    effect: { blocker: true },
    explanation:
      'OpenCensus tracing is removed in 1.25, so tracing configured with it must move to OpenTelemetry before upgrading or traces stop.',
    source: rn('1.25', 'opencensus-removal.yaml'),
  },
  {
    id: '1.25-grafana',
    kind: 'precondition',
    summary: 'Bundled dashboards need Grafana >= 7.2',
    appliesWhen: { component: 'grafana', versionBelow: '7.2' },
    effect: { requireComponent: { component: 'grafana', atLeast: '7.2' } },
    explanation:
      'The dashboards shipped with Istio 1.25 need Grafana 7.2 or newer, so upgrade Grafana first if you use them.',
    source: rn('1.25', 'grafana-rate-interval.yaml'),
  },
  {
    id: '1.25-cni-safe-upgrade',
    kind: 'warning',
    summary: 'istio-cni DaemonSet can be upgraded in place without cordoning (new pods blocked on node until agent ready); AMBIENT_DISABLE_SAFE_UPGRADE=true disables',
    appliesWhen: { mode: 'ambient' },
    explanation:
      'The istio-cni DaemonSet can now be upgraded in place without cordoning nodes, because new pods wait on each node until the new agent is ready; AMBIENT_DISABLE_SAFE_UPGRADE=true turns this off.',
    source: `${rn('1.25', '54180.yaml')}; ${ann('1.25')}`,
    verified: ioRead(ann('1.25')),
  },
  {
    id: '1.25-gke-platform',
    kind: 'step',
    summary: 'On GKE set global.platform=gke (replaces istio-cni GKE autodetection)',
    appliesWhen: { platform: 'gke', component: 'istio-cni' },
    effect: { stepKind: 'set-helm-values', placement: { before: 'cni-upgrade' }, setHelmValues: [{ path: 'global.platform', value: 'gke' }] },
    explanation:
      'On GKE set global.platform=gke in the Helm values, because istio-cni no longer detects GKE by itself.',
    source: rn('1.25', '54141.yaml'),
  },
];

const N126: Note[] = [
  {
    id: '1.26-ztunnel-resname-revert',
    kind: 'precondition',
    summary: 'ztunnel chart back to static name `ztunnel`; if you relied on 1.25 release-name naming set resourceName explicitly',
    appliesWhen: { installMethod: 'helm', mode: 'ambient', feature: 'ztunnel-release-name-not-ztunnel' },
    effect: { placement: { before: 'ztunnel-upgrade' } },
    explanation:
      'The ztunnel chart names its resources ztunnel again in 1.26, so if you relied on 1.25 naming them after the release, set resourceName explicitly to avoid the DaemonSet being replaced.',
    source: rn('1.26', 'ztunnel-helm-chart-revert.yaml'),
  },
  {
    id: '1.26-cni-hostnetwork',
    kind: 'warning',
    summary: 'istio-cni agent no longer runs in hostNetwork; compat 1.25 / ambient.shareHostNetworkNamespace=true restores',
    appliesWhen: { component: 'istio-cni' },
    compatibilityRevertible: true,
    effect: { revertFlags: { 'cni.ambient.shareHostNetworkNamespace': true } },
    explanation:
      'The istio-cni agent no longer runs in the host network from 1.26; compatibilityVersion=1.25 or ambient.shareHostNetworkNamespace=true restores the old setup if something depends on it.',
    source: rn('1.26', '54726.yaml'),
  },
  {
    id: '1.26-cacerts',
    kind: 'precondition',
    summary: 'Plugged-in CA: istiod now errors if the cacerts bundle is incomplete instead of silently falling back to self-signed',
    detail:
      'istiod reads the cacerts Secret (mounted at /etc/cacerts) as either ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem, or the kubernetes.io/tls form tls.crt, tls.key and ca.crt. A Secret with some of these keys but not all used to be ignored (istiod fell back to its self-signed CA); from 1.26 istiod refuses to start with "failed to create an istiod CA: incomplete signing CA bundle detected". Check the key names (never the values) before the new istiod is installed.',
    // Discovery reads the Secret's key names (never its values): incomplete blocks, complete or absent is silent,
    // unreadable (no permission to get Secrets) leaves the check to the operator.
    appliesWhen: { feature: 'plugged-in-ca-incomplete' },
    effect: {
      blocker: true,
      commands: [
        `kubectl get secret cacerts -n <istio-namespace> -o go-template='{{range $k, $v := .data}}{{$k}}{{"\\n"}}{{end}}'   # key names only: all of ca-cert.pem ca-key.pem root-cert.pem cert-chain.pem, or all of tls.crt tls.key ca.crt, or no Secret`,
        'kubectl create secret generic cacerts -n <istio-namespace> --from-file=ca-cert.pem --from-file=ca-key.pem --from-file=root-cert.pem --from-file=cert-chain.pem --dry-run=client -o yaml | kubectl apply -f -   # the whole bundle (istio.io docs/tasks/security/cert-management/plugin-ca-cert)',
      ],
    },
    explanation:
      'From 1.26 an incomplete plugged-in CA Secret (cacerts) stops istiod from starting instead of being silently replaced by its self-signed CA, so the Secret must hold a complete bundle, or be absent, before the new control plane is installed.',
    source: `${rn('1.26', 'check-cacerts-completeness.yaml')}; istio/istio:pilot/pkg/bootstrap/istio_ca.go (createIstioCA, checkCABundleCompleteness)`,
  },
  {
    id: '1.26-providers',
    kind: 'precondition',
    summary: 'Lightstep/OpenCensus telemetry providers deprecated, removed in 1.27: move to OpenTelemetry now',
    appliesWhen: { feature: 'lightstep-or-opencensus-provider' },
    explanation:
      'The Lightstep and OpenCensus telemetry providers are deprecated and removed in 1.27, so move tracing to OpenTelemetry now.',
    source: up('1.26'),
  },
  {
    id: '1.26-gw-secret-sa',
    kind: 'warning',
    summary: 'Gateway API gateways: TLS secret access needs namespace AND service-account match, or a ReferenceGrant',
    appliesWhen: { resourceExists: { kind: 'Gateway', group: 'gateway.networking.k8s.io' } },
    explanation:
      'A Gateway API gateway can now read a TLS secret only when both its namespace and service account match, or a ReferenceGrant allows it, so gateways using secrets elsewhere can lose their certificates.',
    source: rn('1.26', 'verify-sa-for-gateway-secrets.yaml'),
  },
  {
    id: '1.26-auto-sni-flag',
    kind: 'warning',
    summary: 'ENABLE_AUTO_SNI flag removed entirely',
    effect: { removedEnv: ['ENABLE_AUTO_SNI'] },
    explanation:
      'The ENABLE_AUTO_SNI flag no longer exists in 1.26, so a setting that still uses it has no effect and should be removed.',
    source: rn('1.26', '55568.yaml'),
  },
];

const N127: Note[] = [
  {
    id: '1.27-native-sidecars',
    kind: 'warning',
    summary: 'ENABLE_NATIVE_SIDECARS=auto: istio-proxy injected as native sidecar (init container) on kubelet >= 1.33 at next restart; compat 1.26 or sidecar.istio.io/nativeSidecar="false"',
    detail: 'Check other mutating webhooks that assume istio-proxy is a regular container.',
    appliesWhen: { mode: 'sidecar', kubernetesAtLeast: '1.33' },
    compatibilityRevertible: true,
    effect: { revertFlags: { ENABLE_NATIVE_SIDECARS: 'false' } },
    explanation:
      'On nodes with kubelet 1.33 or newer, restarted pods get istio-proxy as a native sidecar (an init container), which can surprise other admission webhooks; compatibilityVersion=1.26 or the sidecar.istio.io/nativeSidecar="false" annotation keeps the old injection.',
    source: `${rn('1.27', 'native-sidecar-default.yaml')}; istio/istio@1.27.0:pkg/kube/inject/webhook.go (minVersion 33)`,
  },
  {
    id: '1.27-providers-removed',
    kind: 'precondition',
    summary: 'Lightstep and OpenCensus providers removed',
    appliesWhen: { feature: 'lightstep-or-opencensus-provider' },
    effect: { blocker: true },
    explanation:
      'The Lightstep and OpenCensus providers are removed in 1.27, so any configuration still using them must move to OpenTelemetry before upgrading.',
    source: rn('1.27', '54002.yaml'),
  },
  {
    id: '1.27-grafana',
    kind: 'step',
    summary: 'Regenerate bundled Grafana dashboards after upgrade',
    appliesWhen: { component: 'grafana' },
    effect: { stepKind: 'regenerate-dashboards', placement: { after: 'istiod-upgrade' } },
    explanation:
      'Regenerate the bundled Grafana dashboards after the upgrade so they match the new metrics.',
    source: rn('1.27', '50124.yaml'),
  },
  {
    id: '1.27-crd-storage-v1',
    kind: 'warning',
    summary: 'networking.istio.io CRD storage version becomes v1 (all older versions still served)',
    explanation:
      'The networking.istio.io CRDs store objects as v1 from 1.27 while still serving the older versions, so existing manifests keep working.',
    source: 'derived: istio/istio@1.27.0 vs 1.26.8 manifests/charts/base/files/crd-all.gen.yaml',
  },
  {
    id: '1.27.6-debug-auth',
    kind: 'warning',
    summary: 'Debug endpoint authorization on by default; non-system namespaces limited to config_dump/ndsz/edsz of same namespace (Kiali etc.); ENABLE_DEBUG_ENDPOINT_AUTH=false',
    introducedIn: ['1.27.6', '1.28.4', '1.29.0', '1.30.0'],
    effect: { revertFlags: { ENABLE_DEBUG_ENDPOINT_AUTH: 'false' } },
    explanation:
      'istiod\'s debug endpoints now require authorization, so tools such as Kiali in other namespaces only see config_dump, ndsz and edsz of their own namespace unless ENABLE_DEBUG_ENDPOINT_AUTH=false.',
    source: rn('1.27', 'debug-endpoint-authorization.yaml'),
  },
  {
    id: '1.27.8-xds-debug-auth',
    kind: 'warning',
    summary: 'XDS debug endpoints on 15010 require auth (istioctl --plaintext affected)',
    introducedIn: ['1.27.8', '1.28.5', '1.29.1', '1.30.0'],
    effect: { revertFlags: { ENABLE_DEBUG_ENDPOINT_AUTH: 'false' } },
    explanation:
      'The xDS debug endpoints on port 15010 now require authentication, so tooling that used istioctl --plaintext against them stops working.',
    source: rn('1.27', 'statusgen-xds-auth.yaml'),
  },
];

const N128: Note[] = [
  {
    id: '1.28-inferencepool',
    kind: 'precondition',
    summary: 'InferencePool v1 only (v1alpha2 and rc versions removed); endpointPickerRef.portNumber -> port.number',
    appliesWhen: { resourceExists: { kind: 'InferencePool' } },
    explanation:
      'Only InferencePool v1 is read from 1.28 (v1alpha2 and release-candidate versions are gone, and endpointPickerRef.portNumber became port.number), so inference routes must be migrated first.',
    source: rn('1.28', '57219.yaml', '57219-rc2.yaml', '57219-final.yaml'),
  },
  {
    id: '1.28-btlsp',
    kind: 'precondition',
    summary: 'BackendTLSPolicy v1alpha3 removed; v1 (Gateway API >= v1.4 CRDs) only; istiod 1.28 ignores BackendTLSPolicy CRDs below bundle v1.4.0',
    appliesWhen: { resourceExists: { kind: 'BackendTLSPolicy', group: 'gateway.networking.k8s.io' } },
    effect: {
      requireComponent: { component: 'gateway-api-crds', atLeast: '1.4.0' },
      stepKind: 'gateway-api-crds-upgrade',
      placement: { before: 'istiod-upgrade' },
    },
    explanation:
      'BackendTLSPolicy v1alpha3 is removed and istiod 1.28 ignores BackendTLSPolicy CRDs older than Gateway API v1.4.0, so upgrade the Gateway API CRDs and policies first or backend TLS stops applying.',
    source: `${rn('1.28', 'gtw-140.yaml')}; istio/istio@1.28.0:pkg/kube/kclient/crdwatcher.go`,
    verified: gitAt('1.28.0:pkg/kube/kclient/crdwatcher.go (backendtlspolicies >= 1.4.0)'),
  },
  {
    id: '1.28-ztunnel-nack',
    kind: 'order',
    summary: 'Old ztunnels NACK resolution:NONE ServiceEntries (PASSTHROUGH) from 1.28 istiod; upgrade ztunnel promptly after istiod',
    appliesWhen: { mode: 'ambient' },
    effect: { order: ['istiod-upgrade', 'ztunnel-upgrade'] },
    explanation:
      'ztunnels older than 1.28 reject some ServiceEntries that a 1.28 istiod sends, so upgrade ztunnel promptly after istiod.',
    source: rn('1.28', '57656.yaml'),
  },
  {
    id: '1.28-metric-rotation',
    kind: 'precondition',
    summary: 'METRIC_ROTATION_INTERVAL / METRIC_GRACEFUL_DELETION_INTERVAL removed; use sidecar.istio.io/statsEvictionInterval',
    effect: { removedEnv: ['METRIC_ROTATION_INTERVAL', 'METRIC_GRACEFUL_DELETION_INTERVAL'] },
    explanation:
      'METRIC_ROTATION_INTERVAL and METRIC_GRACEFUL_DELETION_INTERVAL are removed in 1.28, so use the sidecar.istio.io/statsEvictionInterval annotation instead.',
    source: rn('1.28', 'remove-metric-rotation.yaml'),
  },
  {
    id: '1.28-gw-span',
    kind: 'warning',
    summary: 'PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY default true; compat 1.27',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY: 'false' } },
    explanation:
      'Gateways now create a separate tracing span for upstream requests by default, which changes trace shapes; compatibilityVersion=1.27 keeps the old spans.',
    source: rn('1.28', 'spawn-upstream-span-for-gateway.yaml'),
  },
  {
    id: '1.28-shadow-suffix',
    kind: 'warning',
    summary: 'Mirror (shadow) host suffix behaviour changed; DISABLE_SHADOW_HOST_SUFFIX=false or compat 1.27 restores',
    compatibilityRevertible: true,
    effect: { revertFlags: { DISABLE_SHADOW_HOST_SUFFIX: 'false' } },
    explanation:
      'The host name used for mirrored (shadow) traffic changed, which can affect services that receive mirrored requests; DISABLE_SHADOW_HOST_SUFFIX=false or compatibilityVersion=1.27 restores it.',
    source: `${rn('1.28', '57530.yaml')}; istio/istio@release-1.28:manifests/helm-profiles/compatibility-version-1.27.yaml`,
  },
  {
    id: '1.28-crd-storage-v1',
    kind: 'warning',
    summary: 'security.istio.io CRD storage version becomes v1',
    explanation:
      'The security.istio.io CRDs store objects as v1 from 1.28 while still serving the older versions, so existing manifests keep working.',
    source: 'derived: istio/istio@1.28.0 manifests/charts/base/files/crd-all.gen.yaml',
  },
  {
    id: '1.28-revision-tag-templates',
    kind: 'step',
    summary: 'istiod chart revision-tags.yaml split into revision-tags-mwc.yaml + revision-tags-svc.yaml; tag Services istiod-revision-tag-<tag> added: render tags with the new template paths',
    appliesWhen: { installMethod: 'helm' },
    effect: { automatedBy: 'revisionTagTemplates' },
    explanation:
      'From 1.28 the istiod chart renders revision tags from two templates and adds a Service per tag, and the plan already renders tags with the new template paths.',
    source: 'istio/istio@1.28.0:manifests/charts/istio-control/istio-discovery/templates/ (commit 51c5b65491a)',
    verified: gitAt('1.27.9 vs 1.28.0 istio-discovery/templates'),
  },
];

const N129: Note[] = [
  {
    id: '1.29-reconcile-iptables',
    kind: 'warning',
    summary: 'cni.ambient.reconcileIptablesOnStartup default true: new istio-cni pods rewrite in-pod rules of enrolled ambient pods; set false or compat 1.28',
    detail: 'With the Helm cni chart, compatibilityVersion does not restore it: see 1.29-compat-reconcile-keypath.',
    appliesWhen: { mode: 'ambient' },
    compatibilityRevertible: true,
    effect: { revertFlags: { 'cni.ambient.reconcileIptablesOnStartup': false } },
    explanation:
      'New istio-cni pods now rewrite the traffic rules inside already enrolled ambient pods when they start, which changes upgrade behaviour on each node; set cni.ambient.reconcileIptablesOnStartup=false or compatibilityVersion=1.28 to keep the old behaviour.',
    source: rn('1.29', 'reconcile-iptables-default-true.yaml'),
  },
  {
    id: '1.29-compat-reconcile-keypath',
    kind: 'warning',
    summary: 'Helm cni chart: compatibilityVersion 1.25-1.28 does not restore reconcileIptablesOnStartup=false (profiles set cni.ambient.*, chart reads ambient.*); set ambient.reconcileIptablesOnStartup=false explicitly',
    detail:
      'Derived from the chart source, not from a test run: the 1.29+ compatibility profiles set cni.ambient.reconcileIptablesOnStartup, the istio-cni chart templates/configmap-cni.yaml reads .Values.ambient.reconcileIptablesOnStartup, and zzz_profile.yaml merges the profile onto the chart defaults unchanged. Behaviour through istioctl (values.cni.*) not checked.',
    appliesWhen: {
      installMethod: 'helm',
      mode: 'ambient',
      anyOf: ['1.25', '1.26', '1.27', '1.28'].map((v) => ({ helmValue: { path: 'compatibilityVersion', equals: v } })),
    },
    effect: { setHelmValues: [{ path: 'cni.ambient.reconcileIptablesOnStartup', value: false, charts: ['cni'] }] },
    explanation:
      'With the Helm cni chart, compatibilityVersion 1.25 to 1.28 does not switch off the new iptables reconciliation, so set ambient.reconcileIptablesOnStartup=false explicitly if you need the old behaviour.',
    source:
      'istio/istio@release-1.31:manifests/helm-profiles/compatibility-version-1.28.yaml; istio/istio@release-1.31:manifests/charts/istio-cni/templates/configmap-cni.yaml; istio/istio@release-1.31:manifests/charts/istio-cni/templates/zzz_profile.yaml',
    verified: 'static reading of the chart templates in the istio/istio snapshot HEAD 86c9f01 (no helm run)',
  },
  {
    id: '1.29-ambient-dns',
    kind: 'step',
    summary: '(Repeated in 1.29 notes) ambient DNS capture on; existing pods need restart or reconcile',
    appliesWhen: { mode: 'ambient' },
    sameAs: '1.25-ambient-dns',
    effect: { stepKind: 'workload-restart', placement: { after: 'ztunnel-upgrade' } },
    explanation:
      'Ambient DNS capture is on and existing pods only get it when they restart or are reconciled by istio-cni.',
    source: up('1.29'),
  },
  {
    id: '1.29-dryrun-authz',
    kind: 'order',
    summary: 'Before setting AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, every ztunnel must be >= 1.29 (older ztunnels enforce dry-run policies)',
    appliesWhen: { mode: 'ambient', env: { name: 'AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY', equals: 'true' } },
    effect: { placement: { after: 'ztunnel-upgrade' } },
    explanation:
      'Do not enable dry-run authorization policies (AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true) until every ztunnel runs 1.29 or newer, because older ztunnels would enforce them.',
    source: rn('1.29', 'authz-dry-run-ambient.yaml'),
  },
  {
    id: '1.29-debug-auth',
    kind: 'warning',
    summary: 'Debug endpoint authorization on by default (see 1.27.6 note)',
    sameAs: '1.27.6-debug-auth',
    explanation:
      'istiod\'s debug endpoints require authorization by default, so debugging tools outside istio-system see less unless ENABLE_DEBUG_ENDPOINT_AUTH=false.',
    source: up('1.29'),
    verified: ioRead(ann('1.29')),
  },
  {
    id: '1.29-cb-metrics',
    kind: 'warning',
    summary: 'Circuit-breaker remaining metrics no longer tracked; DISABLE_TRACK_REMAINING_CB_METRICS=false or compat 1.28',
    compatibilityRevertible: true,
    effect: { revertFlags: { DISABLE_TRACK_REMAINING_CB_METRICS: 'false' } },
    explanation:
      'Envoy no longer tracks the circuit-breaker "remaining" metrics, so dashboards using them go empty; DISABLE_TRACK_REMAINING_CB_METRICS=false or compatibilityVersion=1.28 keeps them.',
    source: rn('1.29', 'disable-track-remaining-cb-metrics.yaml'),
  },
  {
    id: '1.29-stats-compression',
    kind: 'step',
    summary: 'sidecar.istio.io/statsCompression annotation removed; use proxyConfig statsCompression (default true)',
    appliesWhen: { feature: 'stats-compression-annotation' },
    effect: { stepKind: 'manual', placement: { before: 'istiod-upgrade' } },
    explanation:
      'The sidecar.istio.io/statsCompression annotation is removed, so set statsCompression in proxyConfig instead (it is on by default).',
    source: rn('1.29', '48051.yaml'),
  },
  {
    id: '1.29-base-chart',
    kind: 'warning',
    summary: "Upgrade notes repeat the 1.19 'base Helm chart removals' table (istiod RBAC/SA owned by istiod chart)",
    appliesWhen: { installMethod: 'helm' },
    explanation:
      'As since 1.19, istiod\'s RBAC and service account belong to the istiod chart, so upgrade base and istiod in the same change.',
    source: up('1.29'),
  },
  {
    id: '1.29.6-we-hbone',
    kind: 'step',
    summary: 'Auto-registered WorkloadEntries created before upgrade need re-registration or label networking.istio.io/tunnel=http for HBONE',
    introducedIn: ['1.29.6', '1.30.3', '1.31.0'],
    appliesWhen: { feature: 'auto-registered-workloadentry' },
    effect: { stepKind: 'workloadentry-reregistration', placement: { after: 'istiod-upgrade' } },
    explanation:
      'WorkloadEntries registered automatically before the upgrade must re-register, or be labelled networking.istio.io/tunnel=http, before they can be reached over HBONE.',
    source: rn('1.29', '60788.yaml'),
  },
];

const N130: Note[] = [
  {
    id: '1.30-min-k8s',
    kind: 'precondition',
    summary: 'Kubernetes >= 1.32 (istioctl minimum raised to 1.32)',
    explanation:
      'Istio 1.30 needs Kubernetes 1.32 or newer, so upgrade the cluster first if it is older.',
    source: `${rn('1.30', 'updateMinK8sto1.32.yaml')}; istio/istio@1.30.0:istioctl/pkg/install/k8sversion/version.go`,
    verified: gitAt('1.30.0 (MinK8SVersion = 32)'),
  },
  {
    id: '1.30-gwapi-crds',
    kind: 'order',
    summary: 'TLSRoute CRD must be bundle >= v1.5.0 for 1.30 but 1.28/1.29 istiod ignore TLSRoute CRDs > v1.4.1: upgrade Gateway API CRDs and switch traffic to 1.30 together',
    detail: 'Do not serve TLSRoute from both revisions during the canary; istioctl analyze IST0176 checks CRD bundle versions.',
    appliesWhen: { resourceExists: { kind: 'TLSRoute', group: 'gateway.networking.k8s.io' } },
    effect: {
      order: ['istiod-upgrade', 'gateway-api-crds-upgrade', 'traffic-switch'],
      requireComponent: { component: 'gateway-api-crds', atLeast: '1.5.0' },
    },
    explanation:
      'TLSRoute needs Gateway API CRDs v1.5.0 or newer for 1.30 while 1.28 and 1.29 ignore TLSRoute CRDs newer than v1.4.1, so upgrade those CRDs and switch TLSRoute traffic to 1.30 in the same change.',
    source: `istio/istio@1.30.3:pkg/config/schema/gatewayapi/minimumversions.go; istio/istio@1.29.6:pkg/kube/kclient/crdwatcher.go; ${rn('1.30', 'gateway-api-crd-version-analyzer.yaml')}; ${up('1.30')}`,
    verified: gitAt('1.30.0 crdwatcher.go (tlsroutes >= 1.5.0), 1.28.7+/1.29.3+ MaximumCRDVersions (tlsroutes <= 1.4.1)'),
  },
  {
    id: '1.30-sidecar-svc-ns',
    kind: 'warning',
    summary: 'Same hostname in several namespaces: Kubernetes Service preferred, then oldest; PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE=false or compat <= 1.29',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE: 'false' } },
    explanation:
      'When the same host name exists in several namespaces, proxies now prefer the Kubernetes Service and then the oldest one, which can change where traffic goes; compatibilityVersion 1.29 or older keeps the old choice.',
    source: `${rn('1.30', 'sidecar-pick-best-service-namespace.yaml')}; ${up('1.30')}`,
    verified: ioRead(up('1.30')),
  },
  {
    id: '1.30-cni-exclude-ns',
    kind: 'warning',
    summary: 'istio-cni agent now honours excludeNamespaces: enrolled ambient pods in excluded namespaces get un-enrolled',
    appliesWhen: { mode: 'ambient', helmValue: { path: 'cni.excludeNamespaces', set: true } },
    explanation:
      'The istio-cni agent now honours excludeNamespaces, so ambient pods in excluded namespaces are taken out of the mesh.',
    source: `${rn('1.30', '59295.yaml')}; ${up('1.30')}`,
    verified: ioRead(up('1.30')),
  },
  {
    id: '1.30-cni-perms',
    kind: 'warning',
    summary: 'CNI config files written 0600; CNI_CONF_GROUP_READ=true for 0640',
    appliesWhen: { component: 'istio-cni' },
    effect: { revertFlags: { CNI_CONF_GROUP_READ: 'true' } },
    explanation:
      'CNI configuration files are written readable by root only, so node agents that read them need CNI_CONF_GROUP_READ=true to make them group-readable.',
    source: `${rn('1.30', '59075.yaml')}; ${up('1.30')}`,
    verified: ioRead(up('1.30')),
  },
  {
    id: '1.30-xds-debug-auth',
    kind: 'warning',
    summary: 'XDS debug endpoints (15010) require auth; istioctl --plaintext tooling affected',
    sameAs: '1.27.8-xds-debug-auth',
    explanation:
      'The xDS debug endpoints on port 15010 require authentication, so tooling using istioctl --plaintext against them stops working.',
    source: up('1.30'),
    verified: ioRead(up('1.30')),
  },
  {
    id: '1.30-untaint',
    kind: 'step',
    summary: 'Drop manual PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS when taint.enabled is set (now automatic)',
    appliesWhen: { env: { name: 'PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS', set: true } },
    effect: { stepKind: 'helm-values-migration', placement: { before: 'istiod-upgrade' } },
    explanation:
      'Remove a manually set PILOT_ENABLE_NODE_UNTAINT_CONTROLLERS when taint.enabled is set, because istiod now turns it on by itself.',
    source: `${rn('1.30', 'helm-fix-untaint-controller.yaml')}; ${up('1.30')}`,
    verified: ioRead(up('1.30')),
  },
  {
    id: '1.30-registry',
    kind: 'warning',
    summary: 'Default image registry registry.istio.io (1.30 is last minor published to gcr.io/istio-release)',
    explanation:
      'The default image registry becomes registry.istio.io and 1.30 is the last release published to gcr.io/istio-release, so mirrors and admission policies must allow the new registry.',
    source: ann('1.30'),
    verified: ioRead(ann('1.30')),
  },
  {
    id: '1.30-trafficextension-crd',
    kind: 'step',
    summary: 'New CRD TrafficExtension (extensions.istio.io/v1alpha1): upgrade base chart/CRDs first',
    effect: { order: ['crds-upgrade', 'istiod-upgrade'] },
    explanation:
      'Istio 1.30 adds the TrafficExtension CRD, so the base chart (CRDs) is upgraded before istiod, as the plan does.',
    source: 'istio/istio@1.30.3:manifests/charts/base/files/crd-all.gen.yaml',
  },
];

const N131: Note[] = [
  {
    id: '1.31.1-signing-key-v2',
    kind: 'precondition',
    summary: 'Releases from 1.31.1 are signed with istio-key-v2.pub (https://istio.io/misc/istio-key-v2.pub): update image signature verification policies before the new images roll out',
    detail: 'One version of the blog post also lists 1.30.4+ as signed with istio-key-v2.pub; the version linked from the 1.31 upgrade notes lists 1.18.x-1.30.x and 1.31.0 with istio-key.pub.',
    introducedIn: ['1.31.1'],
    appliesWhen: { feature: 'image-signature-verification' },
    explanation:
      'Images from 1.31.1 are signed with a new key (istio-key-v2.pub), so image signature policies must accept it before the new images roll out or the pods are rejected.',
    source: io('blog/2026/retirement-of-gcp/index.md'),
    verified: 'istio/istio.io:content/en/blog/2026/retirement-of-gcp/index.md (read 2026-12-03)',
  },
  {
    id: '1.31-unhealthy-eps',
    kind: 'warning',
    summary: 'Unhealthy endpoints sent by default unless OutlierDetection.minHealthPercent set; PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS=false or compat 1.30',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS: 'false' } },
    explanation:
      'Proxies now also receive unhealthy endpoints unless outlier detection sets a minimum healthy percentage, which can send traffic to failing pods; PILOT_AUTO_SEND_UNHEALTHY_ENDPOINTS=false or compatibilityVersion=1.30 keeps the old behaviour.',
    source: rn('1.31', '60690.yaml'),
  },
  {
    id: '1.31-strict-gw-merge',
    kind: 'warning',
    summary: 'PILOT_ENABLE_STRICT_GATEWAY_MERGING default on: Istio Gateway CRs in other namespaces no longer merged into managed Gateway API gateway proxies; compat 1.30',
    compatibilityRevertible: true,
    effect: { revertFlags: { PILOT_ENABLE_STRICT_GATEWAY_MERGING: 'false' } },
    explanation:
      'Istio Gateway resources in other namespaces are no longer merged into Gateway API gateways, so listeners defined that way disappear; compatibilityVersion=1.30 keeps merging.',
    source: `${rn('1.31', 'strict-gateway-merging.yaml')}; ${ann('1.31')}`,
    verified: ioRead(ann('1.31')),
  },
  {
    id: '1.31-span-flag-removed',
    kind: 'precondition',
    summary: 'PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY removed (always on); remove any explicit false',
    detail: 'compatibility-version-1.30.yaml still lists this flag although 1.31 removed it.',
    appliesWhen: { env: { name: 'PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY', set: true } },
    effect: { removedEnv: ['PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY'] },
    explanation:
      'PILOT_SPAWN_UPSTREAM_SPAN_FOR_GATEWAY no longer exists in 1.31 (the behaviour is always on), so remove any explicit setting of it.',
    source: rn('1.31', 'remove-spawn-upstream-span-for-gateway.yaml'),
  },
  {
    id: '1.31-wds-size',
    kind: 'precondition',
    summary: 'Large ambient meshes (~40k+ workloads): raise istiod ISTIO_GPRC_MAXRECVMSGSIZE (~1MiB per 10k workloads+services) before upgrading ztunnel',
    detail: 'Also on release-1.29/1.30 branches but in no tag of the checked snapshot (presumably 1.29.7+/1.30.4+, unconfirmed).',
    appliesWhen: { mode: 'ambient', feature: 'large-ambient-mesh' },
    effect: { placement: { before: 'ztunnel-upgrade' } },
    explanation:
      'In very large ambient meshes (about 40,000 workloads or more) raise istiod\'s ISTIO_GPRC_MAXRECVMSGSIZE before upgrading ztunnel, or ztunnel may fail to receive its configuration.',
    source: rn('1.31', 'wds-reconnect-version-skip.yaml'),
  },
  {
    id: '1.31-xds-api-auth',
    kind: 'warning',
    summary: 'XDS `api` generator (MCP) requires control-plane identity; ENABLE_XDS_API_GENERATOR_AUTH=false restores',
    effect: { revertFlags: { ENABLE_XDS_API_GENERATOR_AUTH: 'false' } },
    explanation:
      'The xDS api generator used by MCP clients now requires a control-plane identity, so such clients are refused unless ENABLE_XDS_API_GENERATOR_AUTH=false.',
    source: `${rn('1.31', 'xds-api-generator-auth.yaml')}; ${ann('1.31')}`,
    verified: ioRead(ann('1.31')),
  },
  {
    id: '1.31-we-hbone',
    kind: 'step',
    summary: 'Auto-registered WorkloadEntries: re-register or add networking.istio.io/tunnel=http',
    sameAs: '1.29.6-we-hbone',
    appliesWhen: { feature: 'auto-registered-workloadentry' },
    effect: { stepKind: 'workloadentry-reregistration', placement: { after: 'istiod-upgrade' } },
    explanation:
      'WorkloadEntries registered automatically must re-register, or be labelled networking.istio.io/tunnel=http, to be reached over HBONE.',
    source: up('1.31'),
  },
  {
    id: '1.31-tcproute-min',
    kind: 'precondition',
    summary: 'TCPRoute CRD must be Gateway API bundle >= v1.6.0 or istiod ignores TCPRoutes',
    appliesWhen: { resourceExists: { kind: 'TCPRoute', group: 'gateway.networking.k8s.io' } },
    effect: {
      requireComponent: { component: 'gateway-api-crds', atLeast: '1.6.0' },
      stepKind: 'gateway-api-crds-upgrade',
      placement: { before: 'traffic-switch' },
    },
    explanation:
      'istiod 1.31 ignores TCPRoutes unless the Gateway API CRDs are v1.6.0 or newer, so upgrade those CRDs first if you use TCPRoute.',
    source: 'istio/istio@release-1.31:pkg/config/schema/gatewayapi/minimumversions.go',
    verified: gitAt('release-1.31:pkg/config/schema/gatewayapi/minimumversions.go'),
  },
];

// ── releases ───────────────────────────────────────────────────────────────────────────────────────────────
const range = (minor: string, from: number, to: number, skip: number[] = []): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)
    .filter((p) => !skip.includes(p))
    .map((p) => `${minor}.${p}`);

export const RELEASES: readonly Release[] = [
  {
    minor: '1.18',
    released: '2023-06-07',
    eol: '2023-12-26',
    latestPatch: '1.18.7',
    patches: range('1.18', 0, 7),
    kubernetes: { min: '1.24', max: '1.27' },
    istioctlMinKubernetes: '1.24',
    istioctlMinKubernetesHistory: [
      { fromPatch: '1.18.0', min: '1.23' },
      { fromPatch: '1.18.1', min: '1.24' },
    ],
    charts: CHARTS_WITH_REMOTE,
    helmProfiles: [],
    istioctlProfiles: ISTIOCTL_PROFILES_OLD,
    compatibilityVersions: [],
    compatibilityProfiles: {},
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v0.6.2', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [] },
    provenance: provenance('1.18', '1.18.7', {
      kubernetes: { source: `${ann('1.18')}; istio/istio.io:data/compatibility/supportStatus.yml`, verified: ioRead('istio/istio.io:data/compatibility/supportStatus.yml') },
      patches: { source: `istio/istio git tags 1.18.*; ${io('news/releases/1.18.x/announcing-1.18.4/index.md')}`, verified: GIT, note: '1.18.4 has an announcement but no tag in the snapshot' },
      eol: { source: `${eolNotice('1.18')}; ${eolNotice('1.18', true)} (final notice 2024-01-03)` },
    }),
    notes: N118,
  },
  {
    minor: '1.19',
    released: '2023-09-05',
    eol: '2024-04-24',
    latestPatch: '1.19.10',
    patches: range('1.19', 0, 10),
    kubernetes: { min: '1.25', max: '1.28' },
    istioctlMinKubernetes: '1.25',
    charts: CHARTS_WITH_REMOTE,
    helmProfiles: [],
    istioctlProfiles: ISTIOCTL_PROFILES_OLD,
    compatibilityVersions: [],
    compatibilityProfiles: {},
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v0.8.0', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [] },
    provenance: provenance('1.19', '1.19.10', {
      kubernetes: { source: `${ann('1.19')}; istio/istio.io:data/compatibility/supportStatus.yml`, verified: ioRead('istio/istio.io:data/compatibility/supportStatus.yml') },
      patches: { source: `istio/istio git tags 1.19.*; ${io('news/releases/1.19.x/announcing-1.19.2/index.md')}`, verified: GIT, note: '1.19.2 has an announcement but no tag in the snapshot' },
    }),
    notes: N119,
  },
  {
    minor: '1.20',
    released: '2023-11-14',
    eol: '2024-06-25',
    latestPatch: '1.20.8',
    patches: range('1.20', 0, 8),
    kubernetes: { min: '1.25', max: '1.28' },
    istioctlMinKubernetes: '1.25',
    charts: CHARTS_WITH_REMOTE,
    helmProfiles: [],
    istioctlProfiles: ISTIOCTL_PROFILES_OLD,
    compatibilityVersions: [],
    compatibilityProfiles: {},
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v1.0.1-0.20231102234152-004e14bfe016', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [] },
    provenance: provenance('1.20', '1.20.8', {
      kubernetes: {
        source: `${ann('1.20')}; istio/istio.io:data/compatibility/supportStatus.yml`,
        note: 'supportStatus.yml (2024 version) lists 1.25-1.29 for 1.20; the catalog keeps the .0 announcement range 1.25-1.28.',
      },
    }),
    notes: N120,
  },
  {
    minor: '1.21',
    released: '2024-03-13',
    eol: '2024-09-27',
    latestPatch: '1.21.6',
    patches: range('1.21', 0, 6),
    kubernetes: { min: '1.26', max: '1.29' },
    istioctlMinKubernetes: '1.26',
    charts: CHARTS_WITH_REMOTE,
    helmProfiles: ['ambient', 'demo', 'openshift', 'preview'],
    istioctlProfiles: ISTIOCTL_PROFILES_OLD,
    compatibilityVersions: ['1.20'],
    compatibilityProfiles: compat('1.21'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v1.0.1-0.20240112015229-444631bfe06f', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [] },
    provenance: provenance('1.21', '1.21.6', {
      kubernetes: { source: `${ann('1.21')}; istio/istio.io:data/compatibility/supportStatus.yml`, verified: ioRead('istio/istio.io:data/compatibility/supportStatus.yml') },
      eol: { source: eolNotice('1.21') },
    }),
    notes: N121,
  },
  {
    minor: '1.22',
    released: '2024-05-13',
    eol: '2025-01-21',
    latestPatch: '1.22.8',
    patches: range('1.22', 0, 8),
    kubernetes: { min: '1.27', max: '1.30' },
    istioctlMinKubernetes: '1.26',
    charts: CHARTS_WITH_REMOTE,
    helmProfiles: HELM_PROFILES_1_22,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.20', '1.21'],
    compatibilityProfiles: compat('1.22'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v1.1.0', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [GRPCROUTE_MIN] },
    provenance: provenance('1.22', '1.22.8', {
      kubernetes: { source: `${ann('1.22')}; istio/istio.io:data/compatibility/supportStatus.yml`, verified: ioRead('istio/istio.io:data/compatibility/supportStatus.yml') },
      eol: { source: `${eolNotice('1.22')}; ${eolNotice('1.22', true)} (final notice 2025-01-22)` },
    }),
    notes: N122,
  },
  {
    minor: '1.23',
    released: '2024-08-14',
    eol: '2025-04-16',
    latestPatch: '1.23.6',
    patches: range('1.23', 0, 6),
    kubernetes: { min: '1.27', max: '1.30' },
    istioctlMinKubernetes: '1.26',
    charts: { ...CHARTS_WITH_REMOTE, ambientUmbrella: 'ambient' },
    helmProfiles: HELM_PROFILES_1_22,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.20', '1.21', '1.22'],
    compatibilityProfiles: compat('1.23'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: false,
    inClusterOperatorSupported: true,
    gatewayApi: { goModule: 'v1.1.0', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [GRPCROUTE_MIN] },
    provenance: provenance('1.23', '1.23.6', { kubernetes: { source: ann('1.23'), verified: ioRead(ann('1.23')) } }),
    notes: N123,
  },
  {
    minor: '1.24',
    released: '2024-11-07',
    eol: '2025-06-19',
    latestPatch: '1.24.6',
    patches: range('1.24', 0, 6),
    kubernetes: { min: '1.28', max: '1.31' },
    istioctlMinKubernetes: '1.28',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_24,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.21', '1.22', '1.23'],
    compatibilityProfiles: compat('1.24'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: { goModule: 'v1.2.1', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [GRPCROUTE_MIN] },
    provenance: provenance('1.24', '1.24.6', {
      kubernetes: { source: ann('1.24'), verified: ioRead(ann('1.24')) },
      eol: { source: eolNotice('1.24', true), note: 'Announced EOL 2025-06-19; the final notice publishdate field says 2025-04-24 (inconsistent).' },
    }),
    notes: N124,
  },
  {
    minor: '1.25',
    released: '2025-03-03',
    eol: '2025-09-22',
    latestPatch: '1.25.5',
    patches: range('1.25', 0, 5),
    kubernetes: { min: '1.29', max: '1.32' },
    istioctlMinKubernetes: '1.29',
    istioctlMinKubernetesHistory: [
      { fromPatch: '1.25.0', min: '1.28' },
      { fromPatch: '1.25.1', min: '1.29' },
    ],
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.22', '1.23', '1.24'],
    compatibilityProfiles: compat('1.25'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: { goModule: 'v1.2.1', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [GRPCROUTE_MIN] },
    provenance: provenance('1.25', '1.25.5', { kubernetes: { source: ann('1.25'), verified: ioRead(ann('1.25')) } }),
    notes: N125,
  },
  {
    minor: '1.26',
    released: '2025-05-08',
    eol: '2025-12-19',
    latestPatch: '1.26.8',
    patches: range('1.26', 0, 8),
    kubernetes: { min: '1.29', max: '1.32' },
    istioctlMinKubernetes: '1.29',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.23', '1.24', '1.25'],
    compatibilityProfiles: compat('1.26'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: { goModule: 'v1.3.0', minBundle: GWAPI_MIN_BUNDLE, crdBounds: [GRPCROUTE_MIN] },
    provenance: provenance('1.26', '1.26.8', {
      kubernetes: {
        source: ann('1.26'),
        verified: ioRead(ann('1.26')),
        note: 'Tip adds: "We expect 1.33 to work also, and plan to add testing and support before Istio 1.26.1" — a widened range in newer supportStatus.yml is unconfirmed.',
      },
    }),
    notes: N126,
  },
  {
    minor: '1.27',
    released: '2025-08-11',
    eol: '2026-03-30',
    latestPatch: '1.27.9',
    patches: range('1.27', 0, 9),
    kubernetes: { min: '1.29', max: '1.33' },
    istioctlMinKubernetes: '1.29',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.24', '1.25', '1.26'],
    compatibilityProfiles: compat('1.27'),
    revisionTagTemplates: REV_TAGS_SINGLE,
    tagServices: false,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: {
      goModule: 'v1.3.0',
      minBundle: GWAPI_MIN_BUNDLE,
      crdBounds: [GRPCROUTE_MIN, { crd: TLSROUTE, max: '1.4.0', sincePatch: '1.27.9' }],
    },
    provenance: provenance('1.27', '1.27.9', { kubernetes: { source: ann('1.27'), verified: ioRead(`${ann('1.27')} @09f52a1`) } }),
    notes: N127,
  },
  {
    minor: '1.28',
    released: '2025-11-05',
    eol: '2026-06-28',
    latestPatch: '1.28.10',
    patches: range('1.28', 0, 10),
    kubernetes: { min: '1.29', max: '1.34' },
    istioctlMinKubernetes: '1.30',
    istioctlMinKubernetesHistory: [
      { fromPatch: '1.28.0', min: '1.29' },
      { fromPatch: '1.28.2', min: '1.30' },
    ],
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.25', '1.26', '1.27'],
    compatibilityProfiles: compat('1.28'),
    revisionTagTemplates: REV_TAGS_SPLIT,
    tagServices: true,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: {
      goModule: 'v1.4.1',
      minBundle: GWAPI_MIN_BUNDLE,
      crdBounds: [
        GRPCROUTE_MIN,
        BTLSP_MIN,
        { crd: TLSROUTE, max: '1.4.0', sincePatch: '1.28.6', untilPatch: '1.28.6' },
        { crd: TLSROUTE, max: '1.4.1', sincePatch: '1.28.7' },
      ],
    },
    provenance: provenance('1.28', '1.28.10', {
      kubernetes: {
        source: `${ann('1.28')} @9a2608b`,
        verified: ioRead(`${ann('1.28')} @9a2608b ("1.29 to 1.34", publishdate 2025-11-05)`),
        note: 'Another version of the page (@14b604a, publishdate 2025-11-04) says 1.29 to 1.35; the version matching the tag date is used.',
      },
      eol: { source: `${eolNotice('1.28')}; ${eolNotice('1.28', true)} (final notice 2026-07-01)` },
    }),
    notes: N128,
  },
  {
    minor: '1.29',
    released: '2026-02-16',
    eol: '2026-10-15',
    latestPatch: '1.29.9',
    patches: range('1.29', 0, 9),
    kubernetes: { min: '1.31', max: '1.35' },
    istioctlMinKubernetes: '1.30',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.25', '1.26', '1.27', '1.28'],
    compatibilityProfiles: compat('1.29'),
    securityFixes: [
      {
        patch: '1.29.9',
        advisory: 'ISTIO-SECURITY-2026-007',
        summary: 'GHSA-w44g-8m76-8gc5 (AuthorizationPolicy method match bypass over HTTP/2), GHSA-7p2q-4xvg-vxc6 (istiod crash with an IP-addressed ambient waypoint)',
        source: ANNOUNCE_1_29_9,
      },
    ],
    revisionTagTemplates: REV_TAGS_SPLIT,
    tagServices: true,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: {
      goModule: 'v1.4.1',
      minBundle: GWAPI_MIN_BUNDLE,
      crdBounds: [
        GRPCROUTE_MIN,
        BTLSP_MIN,
        { crd: TLSROUTE, max: '1.4.0', sincePatch: '1.29.2', untilPatch: '1.29.2' },
        { crd: TLSROUTE, max: '1.4.1', sincePatch: '1.29.3' },
      ],
    },
    provenance: provenance('1.29', '1.29.6', {
      released: { source: 'istio/istio git tag 1.29.0 (tagger date)', verified: GIT, note: 'Announcement versions say 2026-02-12; the 1.27 EOL notice says 26 Feb 2026.' },
      kubernetes: { source: `${ann('1.29')} @ae221ab`, verified: ioRead(`${ann('1.29')} @ae221ab`) },
      patches: {
        source: `istio/istio git tags 1.29.0-1.29.6; ${io('news/releases/1.29.x/announcing-1.29.7/index.md')}; ${io('news/releases/1.29.x/announcing-1.29.8/index.md')}; ${ANNOUNCE_1_29_9}`,
        verified: `${GIT}; ${ioRead(io('news/releases/1.29.x/announcing-1.29.8/index.md'))} (publishdate 2026-09-21)`,
        note: '1.29.9 is the last 1.29 patch per its announcement; that page was not in the istio.io copy re-read on 2026-12-03 (it ends at 1.29.8).',
      },
      eol: {
        source: `${ANNOUNCE_1_29_9}; ${eolNotice('1.29')}`,
        note: 'The EOL notice (publishdate 2026-09-09) announced 2026-10-12; support ended on 2026-10-15 with 1.29.9.',
      },
      securityFixes: {
        source: ANNOUNCE_1_29_9,
        unconfirmed: true,
        note: 'Not re-read here. Whether 1.30/1.31 patches carrying ISTIO-SECURITY-2026-007 were published was not found in the sources available on 2026-12-03.',
      },
    }),
    notes: N129,
  },
  {
    minor: '1.30',
    released: '2026-05-18',
    latestPatch: '1.30.5',
    patches: range('1.30', 0, 5),
    kubernetes: { min: '1.32', max: '1.36' },
    istioctlMinKubernetes: '1.32',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.25', '1.26', '1.27', '1.28', '1.29'],
    compatibilityProfiles: compat('1.30'),
    securityFixes: [
      {
        patch: '1.30.1',
        advisory: 'CVE-2026-47774',
        summary: 'Envoy memory exhaustion by crafted HTTP/2 request headers (CVSS 7.5)',
        source: io('news/releases/1.30.x/announcing-1.30.1/index.md'),
      },
      {
        patch: '1.30.4',
        advisory: 'ISTIO-SECURITY-2026-006',
        summary: 'Envoy CVEs (CVSS up to 7.5, among them an RBAC bypass); GHSA-qm8v-g4f9-qhjx (BackendTLSPolicy fail-open: sidecars sent plaintext when caCertificateRefs could not be resolved); EnvoyFilter proxyVersion regex without bound',
        source: io('news/releases/1.30.x/announcing-1.30.4/index.md'),
      },
      {
        patch: '1.30.5',
        advisory: 'istioctl analyze kubeconfig fix',
        summary: 'istioctl analyze built clients from istio-system multicluster secrets without sanitising them, so a crafted secret could run exec credential plugins on the machine running istioctl',
        source: io('news/releases/1.30.x/announcing-1.30.5/index.md'),
      },
    ],
    revisionTagTemplates: REV_TAGS_SPLIT,
    tagServices: true,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: {
      goModule: 'v1.5.1',
      minBundle: GWAPI_MIN_BUNDLE,
      crdBounds: [GRPCROUTE_MIN, BTLSP_MIN, { crd: TLSROUTE, min: '1.5.0' }, REFERENCEGRANT_MIN_1_30],
    },
    provenance: provenance('1.30', '1.30.3', {
      kubernetes: { source: ann('1.30'), verified: ioRead(ann('1.30')) },
      patches: {
        source: `istio/istio git tags 1.30.0-1.30.3; ${io('news/releases/1.30.x/announcing-1.30.4/index.md')}; ${io('news/releases/1.30.x/announcing-1.30.5/index.md')}`,
        verified: `${GIT}; ${ioRead(io('news/releases/1.30.x/announcing-1.30.5/index.md'))} (publishdate 2026-09-21)`,
      },
      securityFixes: {
        source: `${io('news/releases/1.30.x/announcing-1.30.1/index.md')}; ${io('news/releases/1.30.x/announcing-1.30.4/index.md')}; ${io('news/releases/1.30.x/announcing-1.30.5/index.md')}`,
        verified: 'istio.io news/releases/1.30.x/announcing-1.30.{1,4,5}/ (zh pages, read 2026-12-03); 1.30.x index lists 1.30.0-1.30.4 with dates 05-18, 06-04, 06-24, 07-16, 08-27',
        note: 'No 1.30 patch carrying ISTIO-SECURITY-2026-007 (fixed in 1.29.9) was found on istio.io on 2026-12-03.',
      },
      eol: {
        source: 'istio/istio.io:content/en/docs/releases/supported-releases/index.md (policy: 6 weeks after 1.32.0)',
        unconfirmed: true,
        note: 'No EOL date published; 1.32.0 not released as of the catalog.',
      },
    }),
    notes: N130,
  },
  {
    minor: '1.31',
    released: '2026-08-31',
    latestPatch: '1.31.1',
    patches: ['1.31.0', '1.31.1'],
    kubernetes: { min: '1.32', max: '1.36' },
    istioctlMinKubernetes: '1.32',
    charts: CHARTS_1_24,
    helmProfiles: HELM_PROFILES_1_24,
    helmPlatforms: PLATFORMS_1_25,
    istioctlProfiles: ISTIOCTL_PROFILES_NEW,
    compatibilityVersions: ['1.25', '1.26', '1.27', '1.28', '1.29', '1.30'],
    compatibilityProfiles: compat('1.31'),
    securityFixes: [
      {
        patch: '1.31.1',
        advisory: 'GHSA-qm8v-g4f9-qhjx',
        summary: 'BackendTLSPolicy fail-open: sidecars sent upstream traffic in plaintext when caCertificateRefs could not be resolved; also istioctl analyze ran exec plugins from crafted multicluster secrets',
        source: io('news/releases/1.31.x/announcing-1.31.1/index.md'),
      },
    ],
    revisionTagTemplates: REV_TAGS_SPLIT,
    tagServices: true,
    crdsHelmTemplated: true,
    inClusterOperatorSupported: false,
    gatewayApi: {
      goModule: 'v1.6.0',
      minBundle: GWAPI_MIN_BUNDLE,
      crdBounds: [
        GRPCROUTE_MIN,
        BTLSP_MIN,
        { crd: TLSROUTE, min: '1.5.0' },
        REFERENCEGRANT_MIN_1_30,
        { crd: 'tcproutes.gateway.networking.k8s.io', min: '1.6.0' },
      ],
    },
    provenance: provenance('1.31', 'release-1.31', {
      released: {
        source: `${eolNotice('1.29')} ("Istio 1.31 was released on the 31st of August, 2026"); https://github.com/istio/istio/releases (Istio 1.31.0, published 31 Aug)`,
        verified: 'https://github.com/istio/istio/releases (read 2026-12-03): 1.31.0 published 31 Aug, after 1.31.0-rc.4 and beside 1.30.4 and 1.29.7 (27 Aug)',
        note: 'No 1.31.0 tag in the checked git snapshot; the announcement version read (@401f5ca) has publishdate 2026-08-20 (a draft date).',
      },
      kubernetes: { source: ann('1.31'), verified: ioRead(ann('1.31')) },
      patches: {
        source: `${io('news/releases/1.31.x/announcing-1.31/_index.md')}; ${io('news/releases/1.31.x/announcing-1.31.1/index.md')}`,
        verified: `${ioRead(io('news/releases/1.31.x/announcing-1.31.1/index.md'))} (publishdate 2026-09-21); no news/releases/1.32.x directory exists`,
      },
      istioctlMinKubernetes: { source: 'istio/istio@release-1.31:istioctl/pkg/install/k8sversion/version.go', verified: gitAt('release-1.31') },
      eol: {
        source: 'istio/istio.io:content/en/docs/releases/supported-releases/index.md (policy: 6 weeks after 1.33.0)',
        unconfirmed: true,
        note: 'No EOL date published; a secondary source quotes "~Feb 2027 (Expected)".',
      },
    }),
    notes: N131,
  },
];

export const NEWEST_KNOWN = '1.31.1';
export const GENERATED_FROM =
  'istio/istio (HEAD 86c9f01, 2026-08-22) + istio/istio.io content pages; re-verified 2026-11-22; 1.29.9, 1.29 EOL, signing keys and artifact hosting updated 2026-12-03';
