import type { Inventory } from '../../k8s/inventory.js';

/**
 * The condition a primary-remote mesh must keep at every moment: each injector webhook of a remote cluster names a
 * revision its primary runs (deployed and healthy). Otherwise new pods of the remote are refused or left without a
 * sidecar. Returns what breaks it, one line each.
 */
export function remoteInjectorProblems(remote: { name: string; inventory: Inventory }, primary: { name: string; inventory: Inventory }): string[] {
  const running = primary.inventory.revisions.filter((r) => r.health === 'healthy').map((r) => r.name);
  return (remote.inventory.mesh?.remoteInstalls ?? [])
    .filter((i) => i.injectorWebhook !== null && !running.includes(i.revision))
    .map((i) => `${remote.name}: webhook ${i.injectorWebhook} injects with revision ${i.revision}, which ${primary.name} does not run (it runs ${running.join(', ') || 'no healthy revision'})`);
}
