import type { Inventory, Revision } from '../../k8s/inventory.js';

/**
 * The revision being upgraded: the one the `default` tag points at, else the only one, else the
 * one most namespaces use, else the newest. Other revisions are reported, not upgraded.
 */
export function activeRevision(inv: Inventory): Revision | undefined {
  const installed = inv.revisions.filter((r) => r.deployment);
  if (installed.length <= 1) return installed[0];
  const byDefault = installed.find((r) => r.name === inv.defaults.tagRevision);
  if (byDefault) return byDefault;
  const usage = (r: Revision) => inv.dataPlane.namespaces.filter((n) => n.effectiveRevision === r.name).length;
  return [...installed].sort((a, b) => usage(b) - usage(a) || (b.version ?? '').localeCompare(a.version ?? '', undefined, { numeric: true }))[0];
}

/** `1.24.2` → `1-24-2`: revision names must be DNS-1123 labels. */
export function revisionNameFor(version: string): string {
  return version.replace(/\./g, '-');
}

