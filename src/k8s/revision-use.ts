import semver from 'semver';
import type { Finding, Inventory, Revision } from './inventory.js';

export interface RevisionUseOptions {
  /** The removal moves defaultRevision / the default validator to another revision first. */
  defaultsMovedFirst: boolean;
}

/**
 * What still uses an istiod revision in the cluster as it is now, one reason each: a tag pointing at it, a namespace
 * injecting with it, a running pod, gateway or waypoint it injected, the default/validator target. Empty means that
 * removing it strands nothing. Irreversible removals ask this of the live cluster right before they run.
 */
export function revisionUsers(inv: Pick<Inventory, 'tags' | 'dataPlane' | 'gateways' | 'waypoints' | 'defaults'>, revision: string, opts: RevisionUseOptions): string[] {
  const out: string[] = [];
  for (const t of inv.tags) if (t.revision === revision) out.push(`tag ${t.name} points at it`);
  for (const n of inv.dataPlane.namespaces) {
    if (n.revisionLabel === revision) out.push(`namespace ${n.name} is labelled istio.io/rev=${revision}`);
    else if (n.revisionLabel === null && n.effectiveRevision === revision) out.push(`namespace ${n.name} injects with it (istio-injection)`);
  }
  const pods = inv.dataPlane.workloads.filter((w) => w.mode === 'sidecar' && w.revision === revision && w.pods > 0);
  if (pods.length) out.push(`${pods.reduce((s, w) => s + w.pods, 0)} pod(s) run its proxy (${pods.slice(0, 5).map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')}${pods.length > 5 ? ', …' : ''})`);
  for (const g of inv.gateways) if (g.revision === revision) out.push(`gateway ${g.namespace}/${g.name} was injected by it`);
  for (const w of inv.waypoints) if (w.revision === revision) out.push(`waypoint ${w.namespace}/${w.name} runs on it`);
  if (!opts.defaultsMovedFirst) {
    if (inv.defaults.baseDefaultRevision === revision) out.push('it is the base chart defaultRevision');
    if (inv.defaults.validatorRevision === revision) out.push('istiod-default-validator targets it');
  }
  return out;
}

export interface RevisionCleanup {
  /** The revision that stays (and takes defaultRevision / the default validator); null without an istiod. */
  keep: Revision | null;
  /** Installed revisions nothing uses, oldest first. */
  unused: Revision[];
}

/** Tags an istiod Helm release renders itself (its `revisionTags` value): uninstalling it would delete them. */
export function releaseRenderedTags(inv: Omit<Inventory, 'findings'>, r: Revision): string[] {
  const rel = r.helmRelease ? inv.helmReleases.find((h) => h.name === r.helmRelease!.release && h.namespace === r.helmRelease!.namespace) : undefined;
  const tags = rel?.values.revisionTags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

const byVersion = (a: Revision, b: Revision) => (semver.valid(a.version ?? '') && semver.valid(b.version ?? '') ? semver.compare(a.version!, b.version!) : (a.version ?? '').localeCompare(b.version ?? ''));

/**
 * Which installed revisions nothing uses: no tag, no namespace, no pod, gateway or waypoint, not ztunnel's control
 * plane, no tag webhooks rendered by its release. The default/validator target counts as unused, since a cleanup
 * moves it first to the revision that stays: the one the default tag points at, else the newest in use, else (nothing
 * uses any) the validator's target or the newest. That one is never removed, so a mesh always keeps a control plane.
 */
export function revisionCleanup(inv: Omit<Inventory, 'findings'>): RevisionCleanup {
  const installed = inv.revisions.filter((r) => r.deployment).sort(byVersion);
  const ztunnel = inv.ambient.ztunnel?.revision ?? null;
  const used = installed.filter((r) => r.name === ztunnel || releaseRenderedTags(inv, r).length > 0 || revisionUsers(inv, r.name, { defaultsMovedFirst: true }).length > 0);
  const pick = (among: Revision[]) => among.find((r) => r.name === inv.defaults.tagRevision) ?? among.find((r) => r.name === inv.defaults.validatorRevision) ?? among.at(-1) ?? null;
  const keep = used.length ? pick(used) : pick(installed);
  return { keep, unused: installed.filter((r) => !used.includes(r) && r !== keep) };
}

/** The `status` finding for revisions a cleanup would remove. */
export function unusedRevisionsFinding(inv: Omit<Inventory, 'findings'>): Finding | undefined {
  const { unused, keep } = revisionCleanup(inv);
  if (!unused.length) return undefined;
  const names = unused.map((r) => `${r.name} (${r.version ?? 'unknown version'})`).join(', ');
  return {
    id: 'revisions-unused',
    severity: 'info',
    message: `revision(s) ${names} are installed but nothing uses them (no tag, namespace, pod, gateway or waypoint); ${keep ? `${keep.name} stays; ` : ''}remove them with: istio-upgrade cleanup`,
  };
}
