import { label } from '../objects.js';
import type { NamespaceInfo, Revision, Tag, Workload } from '../inventory.js';
import { versionFromImage } from './lean-pod.js';
import { injectsEnabledNamespaces } from './control-plane.js';
import type { LeanPod, RawCluster } from './raw.js';

export function buildNamespaces(raw: RawCluster, revisions: Revision[], tags: Tag[]): NamespaceInfo[] {
  const revNames = new Set(revisions.map((r) => r.name));
  const tagTarget = new Map(tags.map((t) => [t.name, t.revision]));
  // Without a `default` tag, istio-injection=enabled reaches the revision-less istiod only while its own
  // injector webhooks are active (istioctl deactivates them when it creates the tag).
  const revisionLess = revisions.find((r) => r.name === 'default');
  const revisionLessInjects =
    !!revisionLess?.injectorWebhook && injectsEnabledNamespaces(raw.mutatingWebhooks.find((m) => m.metadata.name === revisionLess.injectorWebhook));
  const defaultTarget = tagTarget.get('default') ?? (revisionLessInjects ? 'default' : null);
  const out: NamespaceInfo[] = [];
  for (const n of raw.namespaces) {
    const injection = label(n, 'istio-injection') ?? null;
    const revisionLabel = label(n, 'istio.io/rev') ?? null;
    const dataplaneMode = label(n, 'istio.io/dataplane-mode') ?? null;
    if (!injection && !revisionLabel && !dataplaneMode) continue;
    let effectiveRevision: string | null = null;
    // Istio's injector gives istio-injection precedence over istio.io/rev.
    if (injection === 'enabled') effectiveRevision = defaultTarget;
    else if (injection !== 'disabled' && revisionLabel) {
      effectiveRevision = tagTarget.get(revisionLabel) ?? (revNames.has(revisionLabel) ? revisionLabel : null);
    }
    out.push({ name: n.metadata.name, injection, revisionLabel, dataplaneMode, effectiveRevision });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The workload that owns a pod, and whether a rollout restart can replace it. */
function ownerOf(pod: LeanPod, deploymentKeys: Set<string>): { kind: string; name: string; restartable: boolean } {
  const o = pod.owner;
  if (!o) return { kind: 'Pod', name: pod.name, restartable: false };
  if (o.kind === 'ReplicaSet') {
    if (pod.podTemplateHash && o.name.endsWith(`-${pod.podTemplateHash}`)) {
      const deployment = o.name.slice(0, -(pod.podTemplateHash.length + 1));
      if (deploymentKeys.has(`${pod.namespace}/${deployment}`)) return { kind: 'Deployment', name: deployment, restartable: true };
    }
    return { kind: 'ReplicaSet', name: o.name, restartable: false };
  }
  if (o.kind === 'StatefulSet' || o.kind === 'DaemonSet') return { kind: o.kind, name: o.name, restartable: true };
  return { kind: o.kind, name: o.name, restartable: false };
}

export function buildWorkloads(raw: RawCluster): Workload[] {
  const groups = new Map<string, Workload>();
  const add = (pod: LeanPod, mode: Workload['mode']) => {
    const owner = ownerOf(pod, raw.deploymentKeys);
    const revision = mode === 'sidecar' ? (pod.revision ?? 'default') : null;
    const proxyVersion = mode === 'sidecar' ? versionFromImage(pod.proxyImage) : null;
    const key = `${pod.namespace}\0${owner.kind}\0${owner.name}\0${revision}\0${proxyVersion}\0${mode}`;
    const w = groups.get(key);
    if (w) w.pods++;
    else groups.set(key, { namespace: pod.namespace, kind: owner.kind, name: owner.name, revision, proxyVersion, pods: 1, restartable: owner.restartable, mode });
  };
  for (const p of raw.injectedPods) add(p, 'sidecar');
  for (const p of raw.ambientPods) add(p, 'ambient');
  return [...groups.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || String(a.revision).localeCompare(String(b.revision)),
  );
}

export function proxyCounts(workloads: Workload[]): { namespace: string; revision: string; version: string | null; count: number }[] {
  const m = new Map<string, { namespace: string; revision: string; version: string | null; count: number }>();
  for (const w of workloads) {
    if (w.mode !== 'sidecar' || !w.revision) continue;
    const key = `${w.namespace}\0${w.revision}\0${w.proxyVersion}`;
    const cur = m.get(key);
    if (cur) cur.count += w.pods;
    else m.set(key, { namespace: w.namespace, revision: w.revision, version: w.proxyVersion, count: w.pods });
  }
  return [...m.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.revision.localeCompare(b.revision));
}
