/**
 * Images of the new revision and of every chart the plan upgrades: reused Helm values and IstioOperator settings whose
 * `hub`/`image` point at a retired Istio registry are reported with their value path and the replacement, and a hop
 * whose target images cannot come from the hub in effect is a blocker, not a pull error at rollout time.
 */
import semver from 'semver';
import type { Inventory } from '../../k8s/inventory.js';
import { upgradePolicy } from '../catalog/index.js';
import { retiredImageHub } from '../chart-source.js';
import { imageSettings, type ImageSetting } from '../image-hub.js';
import type { Findings } from './findings.js';
import type { PlanRequest } from './request.js';

/**
 * Istio's GCP retirement (istio.io blog/2026/retirement-of-gcp; 1.31 upgrade notes): 1.31 and later were never
 * published to the retired registries, and the last outage test ends 2026-12-09 15:00 UTC, after which they are gone.
 */
const FIRST_MINOR_NOT_PUBLISHED = '1.31.0';
const GONE_AFTER = Date.parse('2026-12-09T15:00:00Z');

interface Located extends ImageSetting {
  /** `Helm release istio-system/istiod-1-23-2` or `IstioOperator file iop.yaml`. */
  where: string;
}

/** Install methods whose Helm values are written by an operator (Sail, the in-cluster IstioOperator), not reused by a plan. */
const OPERATOR_MANAGED = new Set(['sail', 'operator']);

function located(inv: Inventory, req: PlanRequest): Located[] {
  const fromReleases = (OPERATOR_MANAGED.has(inv.installMethod) ? [] : inv.helmReleases)
    .filter((r) => r.component !== 'other')
    .flatMap((r) => imageSettings(r.values).map((s) => ({ ...s, where: `Helm release ${r.namespace}/${r.name}` })));
  const fromOperator = (req.istioOperatorFile?.imageSettings ?? []).map((s) => ({ ...s, where: `IstioOperator file ${req.istioOperatorFile!.path}` }));
  return [...fromReleases, ...fromOperator];
}

/** Whether a retired registry can still serve `target` on the day of planning. */
function retiredStillServes(target: string, now: Date): boolean {
  return semver.lt(target, FIRST_MINOR_NOT_PUBLISHED) && now.getTime() < GONE_AFTER;
}

export function imageHubFindings(inv: Inventory, req: PlanRequest, target: string, f: Findings): void {
  const rule = upgradePolicy().artifactHosting;
  const replacement = rule.images;
  if (req.hub) {
    // The operator chose the hub for every chart; only a retired one is a problem (a mirror's content cannot be seen from here).
    if (retiredImageHub(req.hub) && !retiredStillServes(target, req.now)) {
      f.blocker('retired-image-hub', `--hub ${req.hub} is a retired Istio registry that cannot serve Istio ${target}; use --hub ${replacement} or a mirror of it`, { source: rule.source });
    } else if (retiredImageHub(req.hub)) {
      f.warning('retired-image-hub', `--hub ${req.hub} is a retired Istio registry (gone after 2026-12-09 15:00 UTC); use --hub ${replacement} or a mirror of it`, { source: rule.source });
    }
  }
  for (const s of located(inv, req)) {
    const newValue = retiredImageHub(s.value);
    if (!newValue) continue;
    const isHub = s.path === 'hub' || s.path.endsWith('.hub');
    // A full image reference keeps its name and tag: gcr.io/istio-release/pilot:1.23.2 → docker.io/istio/pilot:1.23.2.
    const fixed = isHub ? replacement : `${replacement}/${s.value.split('/').pop()!}`;
    // --hub replaces hubs; an `image` that is a full reference bypasses every hub and keeps pulling from where it says.
    if (isHub && req.hub) {
      f.warning('retired-image-value', `${s.where} sets ${s.path}: ${s.value} (a retired registry); --hub ${req.hub} takes its place for the charts this plan installs`, { source: rule.source });
      continue;
    }
    const message = `${s.where} sets ${s.path}: ${s.value}, a retired Istio registry; set ${s.path}: ${fixed}${isHub ? ` (or plan with --hub ${replacement})` : ''}`;
    if (retiredStillServes(target, req.now)) f.warning('retired-image-value', `${message}; it is gone after 2026-12-09 15:00 UTC`, { source: rule.source });
    else f.blocker('retired-image-value', `${message}: Istio ${target} images cannot come from there`, { source: rule.source, remedy: isHub ? [`plan again with --hub ${replacement}`] : [`change ${s.path} to ${fixed} in the release's values, then plan again`] });
  }
}
