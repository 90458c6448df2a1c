/**
 * Helm 4 applies server-side to a release it installed (`apply_method: ssa` in the release record) and keeps that
 * method for the release's `upgrade` and `rollback` unless told otherwise (`--server-side=auto`, the default:
 * helm.sh/helm/v4 pkg/action/upgrade.go getUpgradeServerSideValue). istiod takes field ownership (manager
 * `pilot-discovery`) of `failurePolicy` on the validating webhooks it flips to `Fail`, and Istio charts before 1.28
 * still render `failurePolicy: Ignore` on upgrade (the base and istiod charts stopped in 1.28: istio/istio#59367 and
 * #59488; the standalone `default` chart only in 1.31, #61614), so a server-side upgrade or rollback of such a chart
 * conflicts and fails. Client-side apply (three-way merge) has no field owners to conflict
 * with, and it is what Helm 3 always does.
 *
 * Decided at plan time from the inventory's release records, not at apply time from the helm client: the record is
 * what Helm 4's `auto` reads, and the plan's facts pin each release's revision (a release changed after planning
 * makes the plan stale), so the choice is fixed when the plan is made. As a typed field of the helm operation it is
 * shown to the reviewer, and the drift check compares its argv. Rendering it per client at apply time would run
 * something other than the plan shows. The client only matters for Helm 3, which rejects `--server-side`; a release
 * Helm 4 installed is normally managed with Helm 4, and the preflight refuses a Helm 3 client for a plan that
 * carries the flag (src/apply/prerequisites.ts).
 */
import { minorNumber } from '../util/version.js';
import type { HelmRelease } from '../k8s/inventory.js';

/** First Istio minor whose charts no longer render a `failurePolicy` istiod takes over. */
const OWNERSHIP_SAFE_MINOR = 28;

/**
 * Whether Helm 4 must be told to upgrade `release` and roll it back client-side (`--server-side=false`) because
 * server-side apply of one of the chart versions involved (the one it runs now, the one it goes to) would conflict
 * with istiod; never for a release Helm 3 wrote (Helm 3 has no `--server-side` and applies client-side anyway).
 */
export function needsClientSideApply(release: Pick<HelmRelease, 'applyMethod' | 'chartVersion'> | undefined, targetVersion: string): boolean {
  if (release?.applyMethod !== 'ssa') return false;
  return Math.min(minorNumber(release.chartVersion), minorNumber(targetVersion)) < OWNERSHIP_SAFE_MINOR;
}
