import semver from 'semver';
import type { Inventory } from '../../k8s/inventory.js';
import type { Hop } from '../../plan/schema.js';
import { gatewayApiFor } from '../catalog/index.js';

/**
 * When a hop's istiod needs a newer Gateway API CRD bundle than the cluster has, and where it goes. istiod ignores a
 * Gateway API CRD whose `gateway.networking.k8s.io/bundle-version` is outside the bounds its release accepts
 * (istio/istio pkg/kube/kclient/crdwatcher.go, minimumCRDVersions), so routes of that kind silently stop working. The
 * bundle is upgraded in the first hop that needs it, right before that hop's istiod is installed or upgraded (the 1.30
 * upgrade notes: "Before upgrading to Istio 1.30, install the Gateway API v1.5.x CRDs"), never in an earlier hop: the
 * istiod of an earlier hop may ignore the newer CRD (1.28/1.29 accept TLSRoute only up to bundle 1.4.1). Until the
 * hop's tags and gateways move, the previous revision may ignore those kinds; the plan says which.
 */
export interface GatewayApiUpgrade {
  /** The hop whose istiod needs it; the upgrade runs right before that hop's istiod. */
  hop: number;
  from: string;
  to: string;
  channel: 'standard' | 'experimental';
  /** The CRDs found in the cluster whose bundle the hop's istiod would ignore, with the bound it needs. */
  needs: { crd: string; min: string }[];
  /** The release manifest that installs it (the Gateway API project's documented install). */
  manifest: string;
  /** Re-applying the bundle found before, to undo it. */
  rollbackManifest: string;
  /** CRDs the previous revision's istiod ignores once the bundle is upgraded, until what it serves has moved. */
  previousIgnores: string[];
}

export type GatewayApiDecision =
  | { kind: 'none' }
  | { kind: 'upgrade'; upgrade: GatewayApiUpgrade }
  /** Needed, but the operator said a platform team owns these CRDs (--skip-gateway-api-crds): a blocker names what to ask for. */
  | { kind: 'skipped'; upgrade: GatewayApiUpgrade };

const v = (s: string): string => semver.coerce(s)?.version ?? '0.0.0';
/** Where kubernetes-sigs/gateway-api publishes its release manifests (`v<version>/<channel>-install.yaml`). */
export const GATEWAY_API_RELEASES = 'https://github.com/kubernetes-sigs/gateway-api/releases/download';

export function gatewayApiDecision(gw: Inventory['crds']['gatewayApi'], hops: Hop[], skip: boolean, releases = GATEWAY_API_RELEASES): GatewayApiDecision {
  const manifestUrl = (version: string, channel: string) => `${releases.replace(/\/+$/, '')}/v${v(version)}/${channel}-install.yaml`;
  if (!gw.present || !gw.bundleVersion || !semver.coerce(gw.bundleVersion)) return { kind: 'none' };
  const present = new Set(gw.crds.map((c) => c.name));
  const current = v(gw.bundleVersion);
  for (const hop of hops) {
    const bounds = gatewayApiFor(hop.to);
    const needs = (bounds?.crdBounds ?? []).filter((b) => b.min && present.has(b.crd) && semver.lt(current, v(b.min))).map((b) => ({ crd: b.crd, min: v(b.min!) }));
    if (!needs.length) continue;
    // The bundle Istio built this release against, at least every minimum found.
    const to = [v(bounds!.goModule ?? '0.0.0'), ...needs.map((n) => n.min)].sort(semver.rcompare)[0]!;
    const previousIgnores = (gatewayApiFor(hop.from)?.crdBounds ?? []).filter((b) => b.max && present.has(b.crd) && semver.gt(to, v(b.max))).map((b) => `${b.crd} (accepts up to ${v(b.max!)})`);
    const channel = gw.channel === 'experimental' ? 'experimental' : 'standard';
    const upgrade: GatewayApiUpgrade = { hop: hop.index, from: current, to, channel, needs, manifest: manifestUrl(to, channel), rollbackManifest: manifestUrl(current, channel), previousIgnores };
    return { kind: skip ? 'skipped' : 'upgrade', upgrade };
  }
  return { kind: 'none' };
}
