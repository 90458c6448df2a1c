/**
 * One sentence per catalog note, written for the operator who reads a change ticket rather than for someone who
 * knows the release notes: what changes for them and what they have to do. Keyed by note id (the notes and their
 * sources stay in releases.ts); the change-ticket report shows the sentence with the note's source link, and
 * falls back to the note's release-note summary, labelled as such, for notes not explained here yet.
 */
export const OPERATOR_EXPLANATIONS: Readonly<Record<string, string>> = {
  '1.24-operator-removed':
    'Istio 1.24 no longer ships the in-cluster operator, so a mesh it manages must first be moved to Helm or istioctl (istioctl manifest translate helps) before it can be upgraded.',
  '1.24-crds-v1':
    'From 1.24 every Istio component reads the v1 versions of the Istio CRDs, so the CRDs (base chart) are upgraded before the new istiod and CRDs installed by 1.21 or older are not supported.',
  '1.24-crd-helm-ownership':
    'The 1.24 base chart manages the Istio CRDs as ordinary Helm resources, so CRDs created earlier get Helm ownership labels and annotations once, without which helm upgrade of istio-base would refuse to touch them.',
  '1.24-istiod-remote':
    'The istiod-remote chart is gone in 1.24: remote clusters install the istiod chart with profile=remote instead and now need the istio-base chart too.',
  '1.24-openshift-profile':
    'The openshift and openshift-ambient Helm profiles were removed in 1.24; OpenShift clusters set the usual profile plus global.platform=openshift on their charts.',
  '1.24-helm-values-removed':
    'Some Helm values (for example pilot.configSource, global.autoscalingV2API and the istio_cni.* block) no longer exist in 1.24, so values that still set them must be cleaned up or they silently stop having an effect.',
  '1.24-gw-name-label-removed':
    'Gateway API gateways lose the istio.io/gateway-name label in 1.24, so Services, NetworkPolicies or monitoring that select on it must select gateway.networking.k8s.io/gateway-name instead.',
  '1.24-compat-1.20-removed':
    'compatibilityVersion=1.20 is rejected from 1.24 and the old behaviours it restored are gone, so a revision still pinned to it must drop the setting first.',
  '1.24-ambient-dns-order':
    'With ambient DNS capture on, istio-cni must be upgraded first, then the ambient workloads restarted, and only then ztunnel, or pods can fail to resolve names; the plan runs the steps in that order.',
  '1.24-retries':
    'Sidecars in 1.24 no longer retry requests that get a 503 from the local application by default; the plan keeps the 1.23 behaviour with compatibilityVersion until you choose to adopt the new default.',
  '1.24-sidecar-scope':
    'When a service is visible both with and without a Sidecar resource, 1.24 resolves the conflict the same way in both cases, which can change which service a client reaches; PILOT_UNIFIED_SIDECAR_SCOPE=false restores the old behaviour for a while.',
  '1.24-dr-merge':
    'DestinationRules for the same host with different exportTo are no longer merged in 1.24, so a client may see a different traffic policy; ENABLE_ENHANCED_DESTINATIONRULE_MERGE=false restores the merge.',
  '1.24-cel-peer-metadata':
    'Telemetry CEL expressions must read peer metadata from filter_state.downstream_peer/upstream_peer and xds.node in 1.24; expressions that must work on old and new proxies during the upgrade should guard with has().',
  '1.24-istio-csr':
    'istio-csr v0.12.0 or older cannot serve 1.24 proxies, which enforce ALPN on gRPC, unless the mesh sets proxyMetadata GRPC_ENFORCE_ALPN_ENABLED="false" (or istio-csr is upgraded first).',
  '1.24-removed-misc':
    '1.24 removes the sidecar.istio.io/enableCoreDump annotation, the --log_rotate_* flags and the istioctl profile and manifest diff commands, so scripts and manifests using them need changing.',
  '1.24-ambient-redirect':
    'Ambient mode is generally available in 1.24 and redirects traffic with REDIRECT instead of TPROXY rules, which changes the node-level iptables rules ambient pods get when they restart.',
};
