// Upgrade-path rules that hold for every release. Data only; validated by UpgradePolicySchema (see validate.ts).
import type { UpgradePolicy } from './schema.js';

const IO = 'istio/istio.io:content/en/';

export const UPGRADE_POLICY: UpgradePolicy = {
  generalMaxMinorJump: {
    value: 2,
    wording:
      'Upgrading across more than two minor versions (e.g., `1.6.x` to `1.9.x`) in one step is not officially tested or recommended.',
    source: `${IO}docs/setup/upgrade/_index.md`,
  },
  canaryMaxMinorJump: {
    value: 2,
    recommended: true,
    wording:
      'When using revision-based upgrades jumping across two minor versions is supported (e.g. upgrading directly from version `1.15` to `1.17`). This is in contrast to in-place upgrades where it is required to upgrade to each intermediate minor release.',
    source: `${IO}docs/setup/upgrade/canary/index.md`,
  },
  inPlaceMaxMinorJump: {
    value: 1,
    downgradeMaxMinorJump: 1,
    wording:
      'The installed Istio version is no more than one minor version less than the upgrade version. For example, 1.6.0 or higher is required before you start the upgrade process to 1.7.x.',
    source: `${IO}docs/setup/upgrade/in-place/index.md`,
  },
  ambientMaxMinorJump: {
    value: 1,
    derived: true,
    wording:
      'Derived: istio-cni and ztunnel tolerate only control plane 1.x and 1.x+1 and cannot be canaried, so an ambient mesh cannot take a two-minor jump (istiod would be two minors ahead of ztunnel/CNI).',
    source: `${IO}docs/ambient/upgrade/helm/index.md`,
  },
  controlPlaneDataPlaneSkew: {
    controlPlaneAheadMaxMinors: 1,
    dataPlaneAheadAllowed: false,
    wording:
      'The Istio control plane can be one version ahead of the data plane. However, the data plane cannot be ahead of control plane. We recommend using revisions so that there is no skew at all.',
    source: `${IO}docs/releases/supported-releases/index.md`,
  },
  ambient: {
    order: ['crds-upgrade', 'istiod-upgrade', 'cni-upgrade', 'ztunnel-upgrade', 'tag-move', 'gateway-upgrade'],
    nodeComponentMaxSkewMinors: 1,
    wording:
      'The CNI at version 1.x is compatible with the control plane at version 1.x+1 and 1.x. ... The ztunnel at version 1.x is compatible with the control plane at version 1.x+1 and 1.x. This means the control plane must be upgraded before ztunnel. Istio does not currently support canary upgrades of ztunnel/istio-cni, even with the use of revisions.',
    source: `${IO}docs/ambient/upgrade/helm/index.md`,
  },
  ambientUmbrellaChart: {
    upgradeAsWholeOnly: true,
    wording:
      'if you install everything as part of this wrapper chart, you can only upgrade or uninstall ambient via this wrapper chart - you cannot upgrade or uninstall subcomponents individually.',
    source: `${IO}docs/ambient/upgrade/helm/all-in-one/index.md (draft: true)`,
  },
  crdsFirst: {
    phase: 'crds-upgrade',
    wording:
      'The cluster-wide Custom Resource Definitions (CRDs) must be upgraded prior to the deployment of a new version of the control plane',
    source: `${IO}docs/ambient/upgrade/helm/index.md; ${IO}docs/setup/upgrade/helm/index.md`,
  },
  supportWindow: {
    minorsAfter: 2,
    weeksAfter: 6,
    wording: 'Support provided until 6 weeks after the N+2 minor release (ex. 1.11 supported until 6 weeks after 1.13.0 is released)',
    source: `${IO}docs/releases/supported-releases/index.md`,
  },
  compatibilityVersionOnEveryChart: {
    charts: ['istiod', 'cni', 'ztunnel', 'gateway'],
    derived: true,
    wording:
      'Derived: each chart applies the compatibility profile independently through its own templates/zzz_profile.yaml and ambient flags live in the cni chart, so set the same compatibilityVersion on every chart.',
    source: 'istio/istio@release-1.31:manifests/zzz_profile.yaml',
  },
  precheck: {
    command: 'istioctl x precheck',
    fromVersionEffectiveUpToMinor: '1.21',
    wording:
      '`istioctl x precheck --from-version 1.N` only adds the zipkin tracing check (minor <= 21); for --from-version >= 1.22 it adds nothing.',
    source: 'istio/istio@86c9f01:istioctl/pkg/precheck/precheck.go',
  },
  artifactHosting: {
    retiredRegistries: ['gcr.io/istio-release', 'registry.istio.io'],
    retiredChartRepositories: ['istio-release.storage.googleapis.com', 'gcr.io/istio-release/charts'],
    helmRepository: 'https://blob.istio.io/istio-release/charts',
    ociCharts: 'oci://ghcr.io/istio/release/charts',
    images: 'docker.io/istio',
    wording:
      'Helm charts and other release artifacts will be removed from the above locations in December 2026. All Helm charts of all Istio versions are currently available at `https://blob.istio.io/istio-release/charts` ... All OCI Helm charts of all Istio versions are currently available at `ghcr.io/istio/release/charts`',
    source: `${IO}blog/2026/retirement-of-gcp/index.md; ${IO}news/releases/1.31.x/announcing-1.31/upgrade-notes/index.md`,
  },
};
