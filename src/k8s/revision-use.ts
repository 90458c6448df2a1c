import type { Inventory } from './inventory.js';

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
