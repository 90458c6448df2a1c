import type { Inventory } from '../k8s/inventory.js';
import { isPendingRelease } from '../k8s/helm-release.js';

/**
 * What must hold right before the first change, re-read from the live cluster: an interrupted
 * Helm operation (`pending-*`) blocks every further helm command on that release, and an
 * unhealthy control plane is no base to upgrade from.
 */
export function preflightProblems(inv: Inventory): string[] {
  const problems: string[] = [];
  for (const r of inv.helmReleases) {
    if (isPendingRelease(r)) {
      problems.push(
        `Helm release ${r.namespace}/${r.name} is ${r.status} (revision ${r.revision})` +
          (r.lastGoodRevision !== null ? `: recover with helm rollback ${r.name} ${r.lastGoodRevision} -n ${r.namespace}` : ''),
      );
    }
  }
  for (const rev of inv.revisions) {
    if (rev.health !== 'healthy') problems.push(`istiod revision ${rev.name} is ${rev.health}`);
  }
  return problems;
}
