import { chartRef, helm, istioctl } from './commands.js';
import type { PlanCommand } from '../plans/plan-schema.js';
import type { BuiltStep } from './types.js';

export interface RemovalParams {
  method: 'helm' | 'istioctl';
  oldRevision: string;
  newRevision: string;
  namespace: string;
  istiodRelease: string | null;
  chartRepo: string;
  /** When the base chart's defaultRevision or the default validator still names the old revision. */
  moveDefaultFirst: { baseRelease: string; baseNamespace: string; version: string } | null;
  /** Tags the old release rendered itself: uninstalling it deletes them, so they are re-created at once. */
  recreateTags: { tags: string[]; commands: PlanCommand[] } | null;
}

/** Removes the OLD control plane only. The ambient guide's last command deletes "istiod-$REVISION", the new one. */
export function oldRevisionRemovalStep(p: RemovalParams): BuiltStep {
  const commands: PlanCommand[] = [];
  if (p.moveDefaultFirst) {
    const b = p.moveDefaultFirst;
    commands.push(
      helm(
        ['upgrade', b.baseRelease, chartRef(p.chartRepo, 'base'), '-n', b.baseNamespace, '--version', b.version, '--set', `defaultRevision=${p.newRevision}`, '--wait'],
        `point istiod-default-validator (base defaultRevision) at ${p.newRevision} before its target disappears`,
        { release: b.baseRelease, namespace: b.baseNamespace },
      ),
    );
  }
  commands.push(
    p.method === 'helm' && p.istiodRelease
      ? helm(['uninstall', p.istiodRelease, '-n', p.namespace, '--wait'], `remove the old control plane ${p.oldRevision}`)
      : istioctl(['uninstall', '--revision', p.oldRevision, '-y'], `remove the old control plane ${p.oldRevision}`),
  );
  if (p.recreateTags) commands.push(...p.recreateTags.commands);
  return {
    kind: 'old-revision-removal',
    qualifier: p.oldRevision,
    title: `Remove the old revision ${p.oldRevision}`,
    why: [
      { text: `Nothing uses ${p.oldRevision} any more: no tag points at it, no namespace is labelled with it, no running pod was injected by it.` },
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
