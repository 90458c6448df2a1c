import semver from 'semver';
import type { Inventory, Revision } from '../../k8s/inventory.js';

/**
 * A run that stopped half-way (a failed ztunnel step, a Ctrl-C before the tags moved) leaves a revision at the target
 * next to components that are not. Comparing only the active revision's version with the target would call that
 * "nothing to do"; every component is compared instead and the plan continues from where the cluster is.
 */
export interface PartialUpgrade {
  /** The older revision that tags, namespaces or pods still use (or the target revision when only node agents, charts or proxies lag). */
  from: Revision;
  /** The revision that already runs the target version: it is reused, not installed again. */
  to: Revision;
  /** What is not at the target yet, for the plan's warning. */
  lagging: string[];
}

const older = (v: string | null | undefined, target: string): boolean => !!v && semver.valid(v.replace(/^v/, '')) !== null && semver.lt(v.replace(/^v/, ''), target);

/** Whether anything still follows `rev`: a tag, a namespace, a sidecar pod, a gateway. */
function usedBy(inv: Inventory, rev: string): string[] {
  return [
    ...inv.tags.filter((t) => t.revision === rev).map((t) => `tag ${t.name}`),
    ...inv.dataPlane.namespaces.filter((n) => n.effectiveRevision === rev).map((n) => `namespace ${n.name}`),
    ...inv.gateways.filter((g) => g.revision === rev).map((g) => `gateway ${g.namespace}/${g.name}`),
    ...(inv.dataPlane.workloads.some((w) => w.mode === 'sidecar' && w.revision === rev) ? [`pods injected by ${rev}`] : []),
  ];
}

/** Components of the mesh below `target`, by name. */
function laggingComponents(inv: Inventory, target: string): string[] {
  const out: string[] = [];
  for (const r of inv.helmReleases) {
    if (!['base', 'cni', 'ztunnel', 'gateway'].includes(r.component)) continue;
    if (older(r.chartVersion, target)) out.push(`${r.component} release ${r.namespace}/${r.name} at ${r.chartVersion}`);
  }
  if (older(inv.ambient.cni?.version, target)) out.push(`istio-cni at ${inv.ambient.cni!.version}`);
  if (older(inv.ambient.ztunnel?.version, target)) out.push(`ztunnel at ${inv.ambient.ztunnel!.version}`);
  return [...new Set(out)];
}

/**
 * The partial upgrade to finish towards `target`, or undefined when there is none: either the active revision is
 * below the target and a revision at exactly the target already exists (an earlier run installed it), or the active
 * revision is at the target while an older revision is still used or components lag behind.
 */
export function partialUpgrade(inv: Inventory, active: Revision, target: string, targetRevisionName: string): PartialUpgrade | undefined {
  const installed = inv.revisions.filter((r) => r.deployment && r.version && semver.valid(r.version));
  const atTarget = active.version === target ? active : installed.find((r) => r.version === target && r.name === targetRevisionName);
  if (!atTarget) return undefined;
  const lagging = laggingComponents(inv, target);
  if (active.version !== target) {
    return { from: active, to: atTarget, lagging: [`revision ${active.name} at ${active.version} (${usedBy(inv, active.name).join(', ') || 'active'})`, ...lagging] };
  }
  // The newest older revision something still follows is the one to move away from.
  const stillUsed = installed
    .filter((r) => r.name !== atTarget.name && older(r.version, target) && usedBy(inv, r.name).length > 0)
    .sort((a, b) => semver.rcompare(a.version!, b.version!))[0];
  const laggingProxies = inv.dataPlane.proxies.filter((p) => p.revision === atTarget.name && older(p.version, target));
  if (stillUsed) return { from: stillUsed, to: atTarget, lagging: [`revision ${stillUsed.name} at ${stillUsed.version} (${usedBy(inv, stillUsed.name).join(', ')})`, ...lagging] };
  if (lagging.length) return { from: atTarget, to: atTarget, lagging };
  if (laggingProxies.length) return { from: atTarget, to: atTarget, lagging: laggingProxies.map((p) => `${p.count} proxy(ies) in ${p.namespace} at ${p.version}`) };
  return undefined;
}
