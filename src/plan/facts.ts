import type { Inventory } from '../k8s/inventory.js';

export type FactValue = string | number | boolean | null;

/**
 * The one vocabulary of fact keys. The planner writes facts and step preconditions with it, the
 * step descriptors say with it which facts their steps change, and apply compares with it; no key
 * is spelled by hand anywhere else.
 */
export const factKey = {
  kubernetesVersion: 'kubernetes/version',
  clusterId: 'cluster/id',
  validator: 'defaults/validator',
  crdsHelmOwned: 'crds/helm-owned',
  cniVersion: 'cni/version',
  ztunnelVersion: 'ztunnel/version',
  revisionVersion: (revision: string) => `revision/${revision}/version`,
  revisionHealth: (revision: string) => `revision/${revision}/health`,
  tagRevision: (tag: string) => `tag/${tag}/revision`,
  namespaceRevisionLabel: (namespace: string) => `namespace/${namespace}/revision-label`,
  helmRevision: (namespace: string, release: string) => `${helmReleasePrefix(namespace, release)}revision`,
  helmStatus: (namespace: string, release: string) => `${helmReleasePrefix(namespace, release)}status`,
  helmChartVersion: (namespace: string, release: string) => `${helmReleasePrefix(namespace, release)}chartVersion`,
} as const;

function helmReleasePrefix(namespace: string, release: string): string {
  return `helm/${namespace}/${release}/`;
}

/** Every fact of one Helm release (revision, status, chart version): what a helm command changes. */
export function helmReleaseFacts(namespace: string, release: string): string[] {
  return [factKey.helmRevision(namespace, release), factKey.helmStatus(namespace, release), factKey.helmChartVersion(namespace, release)];
}

/** Groups of keys a step can change without knowing their names at plan time (every revision, every tag). */
export const factGroup = {
  helmRelease: helmReleasePrefix,
  helmReleases: 'helm/',
  revisions: 'revision/',
  tags: 'tag/',
} as const;

/** Which fact keys something changes: exact keys plus whole groups. */
export interface FactSet {
  keys: string[];
  groups: string[];
}

export function factMatcher(set: FactSet): (key: string) => boolean {
  return (key) => set.keys.includes(key) || set.groups.some((g) => key.startsWith(g));
}

/**
 * The observations a plan rests on, as flat key → value pairs. Apply recomputes them from a fresh
 * inventory and compares the keys each step names in `preconditions`, so drift is reported as
 * "helm/istio-system/istiod-1-23-6/revision: 3 → 4" rather than a vague "cluster changed".
 */
export function collectFacts(inv: Inventory): Record<string, FactValue> {
  const f: Record<string, FactValue> = {};
  f[factKey.kubernetesVersion] = inv.cluster.kubernetesVersion;
  f[factKey.clusterId] = inv.cluster.clusterId;
  for (const r of inv.revisions) {
    f[factKey.revisionVersion(r.name)] = r.version;
    f[factKey.revisionHealth(r.name)] = r.health;
  }
  for (const t of inv.tags) f[factKey.tagRevision(t.name)] = t.revision;
  f[factKey.validator] = inv.defaults.validatorRevision;
  for (const rel of inv.helmReleases) {
    f[factKey.helmRevision(rel.namespace, rel.name)] = rel.revision;
    f[factKey.helmStatus(rel.namespace, rel.name)] = rel.status;
    f[factKey.helmChartVersion(rel.namespace, rel.name)] = rel.chartVersion;
  }
  f[factKey.crdsHelmOwned] = inv.crds.istio.length > 0 && inv.crds.istio.every((c) => c.helmOwned);
  for (const n of inv.dataPlane.namespaces) f[factKey.namespaceRevisionLabel(n.name)] = n.revisionLabel;
  if (inv.ambient.cni) f[factKey.cniVersion] = inv.ambient.cni.version;
  if (inv.ambient.ztunnel) f[factKey.ztunnelVersion] = inv.ambient.ztunnel.version;
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
