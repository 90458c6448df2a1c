import semver from 'semver';
import type { Inventory } from './inventory.js';

type Mesh = Pick<Inventory, 'revisions' | 'dataPlane'>;

/**
 * Why a workload's pods are still on another revision than the one being kept current:
 * - `revision-removed`: the revision that injected them is no longer installed;
 * - `namespace-moved`: their namespace now injects with another revision and they were not restarted since;
 * - `namespace-pinned`: their namespace still selects that revision (by name or through a tag);
 * - `pod-selected`: their namespace carries no injection label, so the pods chose the revision themselves.
 */
export type StragglerReason = 'revision-removed' | 'namespace-moved' | 'namespace-pinned' | 'pod-selected';

export interface Straggler {
  namespace: string;
  kind: string;
  name: string;
  pods: number;
  /** The injecting revision (pod annotation `istio.io/rev`). */
  revision: string;
  proxyVersion: string | null;
  restartable: boolean;
  reason: StragglerReason;
  /** The revision new pods of the namespace get now; null when none. */
  namespaceRevision: string | null;
}

/**
 * Sidecar workloads injected by a revision other than `current`, or by `current` in a namespace that now injects
 * with another revision: the pods an upgrade of `current` leaves on an older proxy unless something restarts them.
 */
export function findStragglers(inv: Mesh, current: string): Straggler[] {
  const installed = new Set(inv.revisions.filter((r) => r.deployment).map((r) => r.name));
  const namespaces = new Map(inv.dataPlane.namespaces.map((n) => [n.name, n]));
  const out: Straggler[] = [];
  for (const w of inv.dataPlane.workloads) {
    if (w.mode !== 'sidecar' || !w.revision) continue;
    const ns = namespaces.get(w.namespace);
    const namespaceRevision = ns?.effectiveRevision ?? null;
    const reason: StragglerReason | null = !installed.has(w.revision)
      ? 'revision-removed'
      : !ns
        ? w.revision === current ? null : 'pod-selected'
        : namespaceRevision !== w.revision
          ? 'namespace-moved'
          : w.revision === current ? null : 'namespace-pinned';
    if (!reason) continue;
    out.push({ namespace: w.namespace, kind: w.kind, name: w.name, pods: w.pods, revision: w.revision, proxyVersion: w.proxyVersion, restartable: w.restartable, reason, namespaceRevision });
  }
  return out;
}

/** Minors a proxy is behind `reference`; null when either version is unreadable. */
export function minorsBehind(proxyVersion: string | null, reference: string | null): number | null {
  const p = semver.coerce(proxyVersion ?? '');
  const r = semver.coerce(reference ?? '');
  if (!p || !r || p.major !== r.major) return null;
  return r.minor - p.minor;
}

/** One line per group of stragglers sharing namespace, revision, proxy and reason. */
export interface StragglerGroup {
  namespace: string;
  revision: string;
  proxyVersion: string | null;
  reason: StragglerReason;
  namespaceRevision: string | null;
  workloads: Straggler[];
}

export function groupStragglers(list: Straggler[]): StragglerGroup[] {
  const groups = new Map<string, StragglerGroup>();
  for (const s of list) {
    const key = `${s.namespace}\0${s.revision}\0${s.proxyVersion}\0${s.reason}`;
    const g = groups.get(key);
    if (g) g.workloads.push(s);
    else groups.set(key, { namespace: s.namespace, revision: s.revision, proxyVersion: s.proxyVersion, reason: s.reason, namespaceRevision: s.namespaceRevision, workloads: [s] });
  }
  return [...groups.values()];
}

/** "namespace shop: Deployment/cart (2 pods) injected by 1-22-8 (proxy 1.22.8, 2 minors behind the target 1.24.6); the namespace now injects with 1-23-6" */
export function describeStragglers(g: StragglerGroup, reference: { label: string; version: string | null }): string {
  const behind = minorsBehind(g.proxyVersion, reference.version);
  const distance =
    behind === null ? `proxy ${g.proxyVersion ?? 'unknown'}` : `proxy ${g.proxyVersion}, ${behind <= 0 ? 'same minor as' : `${behind} minor${behind === 1 ? '' : 's'} behind`} ${reference.label}`;
  const why: Record<StragglerReason, string> = {
    'revision-removed': `revision ${g.revision} is no longer installed`,
    'namespace-moved': g.namespaceRevision ? `the namespace now injects with ${g.namespaceRevision}` : 'the namespace no longer injects with any installed revision',
    'namespace-pinned': `the namespace still selects ${g.revision}`,
    'pod-selected': `the pods select ${g.revision} themselves (no namespace injection label)`,
  };
  const names = g.workloads.map((w) => `${w.kind}/${w.name} (${w.pods} pod${w.pods === 1 ? '' : 's'})`).join(', ');
  return `namespace ${g.namespace}: ${names} injected by ${g.revision} (${distance}); ${why[g.reason]}`;
}

/** The revision `status` measures stragglers against: the one the `default` tag points at, else the newest installed. */
export function currentRevision(inv: Pick<Inventory, 'revisions' | 'defaults'>): Inventory['revisions'][number] | undefined {
  const installed = inv.revisions.filter((r) => r.deployment);
  const tagged = installed.find((r) => r.name === inv.defaults.tagRevision);
  if (tagged) return tagged;
  const v = (r: { version: string | null }) => semver.coerce(r.version ?? '')?.version ?? '0.0.0';
  return [...installed].sort((a, b) => semver.rcompare(v(a), v(b)))[0];
}
