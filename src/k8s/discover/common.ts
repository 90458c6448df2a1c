import { annotation, label, numberField, type KubeObject } from '../objects.js';
import type { DecodedHelmRelease } from '../helm-release.js';
import type { Health, HelmRef, InstallMethod, Rollout } from '../inventory.js';

/** Index of decoded releases by namespace/name. */
export type ReleaseIndex = Map<string, DecodedHelmRelease>;

export function releaseKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The Helm release that owns an object, if its annotations say so and the release record exists. */
export function helmOwner(obj: KubeObject, releases: ReleaseIndex): HelmRef | null {
  const name = annotation(obj, 'meta.helm.sh/release-name');
  const ns = annotation(obj, 'meta.helm.sh/release-namespace') ?? obj.metadata.namespace;
  if (!name || !ns || !releases.has(releaseKey(ns, name))) return null;
  return { release: name, namespace: ns };
}

export interface OperatorContext {
  /** Names of IstioOperator CRs, when an in-cluster operator Deployment exists. */
  operatorIops: Set<string>;
}

/**
 * How an object was installed. `app.kubernetes.io/managed-by: Helm` alone proves nothing:
 * istioctl renders through the Helm engine and stamps it too.
 */
export function installMethodOf(obj: KubeObject, releases: ReleaseIndex, ops: OperatorContext): InstallMethod {
  if (obj.metadata.ownerReferences?.some((o) => o.apiVersion.startsWith('sailoperator.io/'))) return 'sail';
  if (helmOwner(obj, releases)) return 'helm';
  if (label(obj, 'operator.istio.io/managed') === 'Reconcile') {
    const owning = label(obj, 'install.operator.istio.io/owning-resource');
    return owning && ops.operatorIops.has(owning) ? 'operator' : 'istioctl';
  }
  return 'unknown';
}

export function deploymentRollout(d: KubeObject): Rollout {
  const desired = numberField(d, 'spec', 'replicas') ?? 1;
  const generation = d.metadata.generation ?? null;
  const observedGeneration = numberField(d, 'status', 'observedGeneration') ?? null;
  const ready = numberField(d, 'status', 'readyReplicas') ?? 0;
  const updated = numberField(d, 'status', 'updatedReplicas') ?? 0;
  const available = numberField(d, 'status', 'availableReplicas') ?? 0;
  const total = numberField(d, 'status', 'replicas') ?? updated;
  const observed = generation === null || (observedGeneration !== null && observedGeneration >= generation);
  return { generation, observedGeneration, desired, ready, updated, available, complete: observed && updated >= desired && available >= desired && total <= updated };
}

export function daemonSetRollout(d: KubeObject): Rollout {
  const desired = numberField(d, 'status', 'desiredNumberScheduled') ?? 0;
  const generation = d.metadata.generation ?? null;
  const observedGeneration = numberField(d, 'status', 'observedGeneration') ?? null;
  const ready = numberField(d, 'status', 'numberReady') ?? 0;
  const updated = numberField(d, 'status', 'updatedNumberScheduled') ?? 0;
  const available = numberField(d, 'status', 'numberAvailable') ?? 0;
  const observed = generation === null || (observedGeneration !== null && observedGeneration >= generation);
  return { generation, observedGeneration, desired, ready, updated, available, complete: observed && updated >= desired && available >= desired };
}

export function healthOf(r: Rollout): Health {
  if (r.desired === 0) return 'unknown';
  if (!r.complete) return r.ready > 0 ? 'progressing' : 'degraded';
  return r.ready >= r.desired ? 'healthy' : 'degraded';
}
