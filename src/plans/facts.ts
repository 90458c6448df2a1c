import type { Inventory } from '../k8s/inventory.js';

export type FactValue = string | number | boolean | null;

/**
 * The observations a plan rests on, as flat key → value pairs. Apply recomputes them from a fresh
 * inventory and compares the keys each step names in `preconditions`, so drift is reported as
 * "helm/istio-system/istiod-1-23-6/revision: 3 → 4" rather than a vague "cluster changed".
 */
export function collectFacts(inv: Inventory): Record<string, FactValue> {
  const f: Record<string, FactValue> = {};
  f['kubernetes/version'] = inv.cluster.kubernetesVersion;
  f['cluster/id'] = inv.cluster.clusterId;
  for (const r of inv.revisions) {
    f[`revision/${r.name}/version`] = r.version;
    f[`revision/${r.name}/health`] = r.health;
  }
  for (const t of inv.tags) f[`tag/${t.name}/revision`] = t.revision;
  f['defaults/validator'] = inv.defaults.validatorRevision;
  for (const rel of inv.helmReleases) {
    const k = `helm/${rel.namespace}/${rel.name}`;
    f[`${k}/revision`] = rel.revision;
    f[`${k}/status`] = rel.status;
    f[`${k}/chartVersion`] = rel.chartVersion;
  }
  f['crds/helm-owned'] = inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned);
  for (const n of inv.dataPlane.namespaces) f[`namespace/${n.name}/revision-label`] = n.revisionLabel;
  if (inv.ambient.cni) f['cni/version'] = inv.ambient.cni.version;
  if (inv.ambient.ztunnel) f['ztunnel/version'] = inv.ambient.ztunnel.version;
  return f;
}

export interface FactChange {
  key: string;
  planned: FactValue | undefined;
  now: FactValue | undefined;
}

export function diffFacts(planned: Record<string, FactValue>, now: Record<string, FactValue>, keys: Iterable<string>): FactChange[] {
  const out: FactChange[] = [];
  for (const key of new Set(keys)) {
    if (planned[key] !== now[key]) out.push({ key, planned: planned[key], now: now[key] });
  }
  return out;
}
