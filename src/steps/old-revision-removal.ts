import type { Inventory } from '../k8s/inventory.js';
import { revisionTagTemplates } from '../plans/catalog/index.js';
import { factGroup, factKey } from '../plan/facts.js';
import { istioctlCommand } from '../plan/commands.js';
import { byHand } from '../plan/by-hand.js';
import { helmUninstall } from './commands.js';
import type { StepDescriptor } from './descriptor.js';
import { helmReleaseOf, type HopContext } from './hop-context.js';
import { injectorSettings, tagPointCommands } from './tag-move.js';
import type { PlanCommand } from '../plan/schema.js';
import type { BuiltStep } from './types.js';

export interface RemovalParams {
  method: 'helm' | 'istioctl';
  oldRevision: string;
  newRevision: string;
  namespace: string;
  istiodRelease: string | null;
  /** When the base chart's defaultRevision or the default validator still names the old revision. */
  /** Tags the old release rendered itself: uninstalling it deletes them, so they are re-created at once. */
  recreateTags: { tags: string[]; commands: PlanCommand[] } | null;
  /** The hop of this plan that installed it as a stepping stone to the target. */
  installedByHop?: number;
}

/** Removes the OLD control plane only. The ambient guide's last command deletes "istiod-$REVISION", the new one. */
export function oldRevisionRemovalStep(p: RemovalParams): BuiltStep {
  const commands: PlanCommand[] = [];
  commands.push(
    p.method === 'helm' && p.istiodRelease
      ? helmUninstall({ release: p.istiodRelease, namespace: p.namespace }, `remove the old control plane ${p.oldRevision}`)
      : istioctlCommand({ op: 'uninstall', revision: p.oldRevision }, `remove the old control plane ${p.oldRevision}`),
  );
  if (p.recreateTags) commands.push(...p.recreateTags.commands);
  return {
    kind: 'old-revision-removal',
    qualifier: p.oldRevision,
    title: `Remove the old revision ${p.oldRevision}`,
    why: [
      { text: `Nothing uses ${p.oldRevision} any more: no tag points at it, no namespace is labelled with it, no running pod was injected by it.` },
      ...(p.installedByHop
        ? [{ text: `Hop ${p.installedByHop} of this plan installed ${p.oldRevision} as a stepping stone, so it goes without --include-cleanup; the last hop's previous revision stays for the rollback of that hop.` }]
        : []),
      ...(p.recreateTags
        ? [{ text: `Release ${p.istiodRelease} rendered the tag webhooks ${p.recreateTags.tags.join(', ')}; uninstalling it deletes them, so they are re-created for ${p.newRevision} right after.` }]
        : []),
    ],
    commands,
    verify: [{ type: 'revision-absent', revision: p.oldRevision }],
    rollback: null,
    irreversible: true,
    disruption:
      `none if nothing uses ${p.oldRevision}; it cannot be undone except by installing ${p.oldRevision} again` +
      (p.recreateTags ? `; pods created in the seconds between the uninstall and the re-creation of tags ${p.recreateTags.tags.join(', ')} are not injected` : ''),
  };
}

/** Tags an istiod release renders itself (its `revisionTags` value). */
function releaseRenderedTags(inv: Inventory, ref: { release: string; namespace: string } | null): string[] {
  const values = helmReleaseOf(inv, ref)?.values.revisionTags;
  return Array.isArray(values) ? values.filter((t): t is string => typeof t === 'string') : [];
}

/** Why the old revision cannot go yet, once this hop is done; empty when nothing uses it. */
function stillInUse(ctx: HopContext, oldRevision: string): string[] {
  const { inv, state, hop } = ctx;
  const reasons: string[] = [];
  if ([...state.tags.values()].includes(oldRevision)) reasons.push(`tags still point at it (${[...state.tags].filter(([, r]) => r === oldRevision).map(([t]) => t).join(', ')})`);
  if ([...state.namespaceRevLabels.values()].includes(oldRevision)) reasons.push('namespaces are still labelled with it');
  // Pods from earlier hops were restarted onto the previous new revision, so only hop 1 sees the inventory's pods.
  const remaining = hop.index === 1 ? inv.dataPlane.workloads.filter((w) => w.mode === 'sidecar' && w.revision === oldRevision && !ctx.restarted.has(`${w.namespace}/${w.name}`)) : [];
  const gatewaysPinned = inv.gateways.filter((g) => (g.revision === oldRevision && g.type !== 'helm') || state.gatewaysOnOld.has(`${g.namespace}/${g.name}`));
  if (remaining.length) reasons.push(`${remaining.reduce((s, w) => s + w.pods, 0)} pod(s) would still run its proxy (${remaining.slice(0, 5).map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')})`);
  if (gatewaysPinned.length) reasons.push(`gateways are pinned to it (${gatewaysPinned.map((g) => `${g.namespace}/${g.name}`).join(', ')})`);
  if (state.defaultRevision === oldRevision) reasons.push('istiod-default-validator still targets it');
  return reasons;
}

/**
 * Canary: removal of the old revision, planned only when nothing can still be using it once this hop is done: with
 * --include-cleanup, or for a revision an earlier hop of the plan installed that the last hop does not roll back to.
 */
export const oldRevisionRemoval: StepDescriptor = {
  kind: 'old-revision-removal',
  phase: 100,
  plan(ctx) {
    const { inv, req, state, f, method, hop } = ctx;
    const oldRevision = state.revision;
    const newRevision = hop.revision;
    if (req.strategy !== 'canary' || oldRevision === newRevision) return;
    const ns = inv.istioNamespace;
    const reasons = stillInUse(ctx, oldRevision);
    const oldRel = inv.revisions.find((r) => r.name === oldRevision)?.helmRelease ?? null;
    const istiodRelease = hop.index === 1 ? (oldRel?.release ?? null) : `istiod-${oldRevision}`;
    const ownedTags = hop.index === 1 && method === 'helm' ? releaseRenderedTags(inv, oldRel).filter((t) => state.tags.get(t) === newRevision) : [];
    const recreateTags = ownedTags.length
      ? {
          tags: ownedTags,
          commands: ownedTags.flatMap((tag) => tagPointCommands({ method, tag, namespace: ns, charts: ctx.charts, injector: injectorSettings(inv) }, { revision: newRevision, version: hop.to, templates: revisionTagTemplates(hop.to) })),
        }
      : null;
    if (recreateTags) {
      f.warning('tags-owned-by-old-release', `tags ${ownedTags.join(', ')} are rendered by Helm release ${oldRel!.release}; removing it deletes them, so the removal step re-creates them for ${newRevision} immediately after`);
    }
    // An earlier hop of this plan installed it and nothing uses it now: removed even without --include-cleanup, except
    // by the last hop, whose rollback returns to it (a run is unwound only down to its latest irreversible step).
    const intermediate = hop.index > 1 && hop.index < ctx.lastHop;
    // The hop's default-revision-move step already took defaultRevision and the validator off it (else it is still in use).
    const removal = oldRevisionRemovalStep({ method, oldRevision, newRevision, namespace: ns, istiodRelease, recreateTags, ...(intermediate ? { installedByHop: hop.index - 1 } : {}) });

    if (!(req.includeCleanup || intermediate) || reasons.length) {
      if (reasons.length) f.warning('old-revision-in-use', `revision ${oldRevision} cannot be removed by this plan: ${reasons.join('; ')}`);
      ctx.followUps.push({
        id: `h${hop.index}-remove-${oldRevision}`,
        title: `When nothing uses revision ${oldRevision} any more, remove it (irreversible${intermediate ? '' : '; plan with --include-cleanup to include it'})`,
        commands: byHand(removal.commands),
      });
      return;
    }
    ctx.add(removal, []);
  },
  // Uninstalling a release removes its revision, the tags it rendered, and possibly the default validator's target.
  touches: () => ({ keys: [factKey.validator], groups: [factGroup.revisions, factGroup.tags, factGroup.helmReleases] }),
};
