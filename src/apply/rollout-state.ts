import { arrayField, numberField, stringField, type KubeObject } from '../k8s/objects.js';
import { versionFromImage } from '../k8s/discover/lean-pod.js';

/**
 * Whether a workload has finished rolling out, judged the way `kubectl rollout status` should:
 * the controller has seen the newest generation, every replica is updated and available, no pod
 * of an older template is left, and a pod that cannot start fails the wait at once instead of
 * after the timeout.
 */

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export type RolloutState = { phase: 'done' } | { phase: 'progressing'; message: string } | { phase: 'failed'; message: string };

/** Waiting reasons that do not heal by waiting. */
export const FATAL_WAITING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName', 'CreateContainerError']);

export function podFailure(pods: KubeObject[]): string | undefined {
  for (const pod of pods) {
    const statuses = [...arrayField(pod, 'status', 'initContainerStatuses'), ...arrayField(pod, 'status', 'containerStatuses')];
    for (const cs of statuses) {
      const reason = stringField(cs, 'state', 'waiting', 'reason');
      if (reason && FATAL_WAITING.has(reason)) {
        const msg = stringField(cs, 'state', 'waiting', 'message');
        return `pod ${pod.metadata.namespace}/${pod.metadata.name} container ${stringField(cs, 'name') ?? '?'}: ${reason}${msg ? ` (${msg.split('\n')[0]})` : ''}`;
      }
    }
  }
  return undefined;
}

/** The pod-template-hash of the Deployment's newest ReplicaSet (highest revision annotation it owns). */
export function currentTemplateHash(deployment: KubeObject, replicaSets: KubeObject[]): string | undefined {
  const uid = deployment.metadata.uid;
  const owned = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === deployment.metadata.name)));
  const want = deployment.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const byRevision = owned.sort((a, b) => rev(b) - rev(a));
  const current = (want && owned.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === want)) || byRevision[0];
  return current?.metadata.labels?.['pod-template-hash'];
}

function rev(rs: KubeObject): number {
  return Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

function generationSeen(w: KubeObject): string | undefined {
  const gen = w.metadata.generation;
  const observed = numberField(w, 'status', 'observedGeneration');
  if (gen !== undefined && (observed === undefined || observed < gen)) return `waiting for the controller to observe generation ${gen} (observed ${observed ?? 'none'})`;
  return undefined;
}

/** For Deployments pass the current template hash (currentTemplateHash) so old pods can be told apart. */
export function evaluateRollout(kind: WorkloadKind, w: KubeObject, pods: KubeObject[], templateHash?: string, expectVersion?: string): RolloutState {
  const unseen = generationSeen(w);
  if (unseen) return { phase: 'progressing', message: unseen };

  if (expectVersion) {
    const images = arrayField(w, 'spec', 'template', 'spec', 'containers').map((c) => stringField(c, 'image'));
    const versions = images.map((i) => versionFromImage(i));
    if (!versions.some((v) => v === expectVersion || v?.startsWith(`${expectVersion}.`))) {
      return { phase: 'failed', message: `${kind} ${w.metadata.namespace}/${w.metadata.name} runs ${images.join(', ') || 'no image'}, not version ${expectVersion}` };
    }
  }

  let current = pods;
  let old: KubeObject[] = [];
  if (kind === 'Deployment' && templateHash) {
    current = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] === templateHash);
    old = pods.filter((p) => p.metadata.labels?.['pod-template-hash'] !== templateHash);
  } else if (kind === 'StatefulSet') {
    const updateRevision = stringField(w, 'status', 'updateRevision');
    if (updateRevision) {
      current = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === updateRevision);
      old = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== updateRevision);
    }
  }
  const failure = podFailure(current);
  if (failure) return { phase: 'failed', message: failure };

  if (kind === 'Deployment') {
    const cond = arrayField(w, 'status', 'conditions').find((c) => stringField(c, 'type') === 'Progressing');
    if (cond && stringField(cond, 'reason') === 'ProgressDeadlineExceeded') {
      return { phase: 'failed', message: `Deployment ${w.metadata.namespace}/${w.metadata.name} exceeded its progress deadline: ${stringField(cond, 'message') ?? ''}`.trim() };
    }
    const desired = numberField(w, 'spec', 'replicas') ?? 1;
    const updated = numberField(w, 'status', 'updatedReplicas') ?? 0;
    const available = numberField(w, 'status', 'availableReplicas') ?? 0;
    const total = numberField(w, 'status', 'replicas') ?? 0;
    if (updated < desired) return { phase: 'progressing', message: `${updated}/${desired} replicas updated` };
    if (total > updated) return { phase: 'progressing', message: `${total - updated} old replica(s) pending termination` };
    if (available < desired) return { phase: 'progressing', message: `${available}/${desired} replicas available` };
  } else if (kind === 'StatefulSet') {
    const desired = numberField(w, 'spec', 'replicas') ?? 1;
    const updated = numberField(w, 'status', 'updatedReplicas') ?? 0;
    const ready = numberField(w, 'status', 'readyReplicas') ?? 0;
    const available = numberField(w, 'status', 'availableReplicas') ?? ready;
    if (updated < desired) return { phase: 'progressing', message: `${updated}/${desired} replicas updated` };
    if (Math.min(ready, available) < desired) return { phase: 'progressing', message: `${Math.min(ready, available)}/${desired} replicas ready` };
    const cur = stringField(w, 'status', 'currentRevision');
    const upd = stringField(w, 'status', 'updateRevision');
    if (cur && upd && cur !== upd) return { phase: 'progressing', message: `current revision ${cur} is not yet ${upd}` };
  } else {
    const desired = numberField(w, 'status', 'desiredNumberScheduled') ?? 0;
    const updated = numberField(w, 'status', 'updatedNumberScheduled') ?? 0;
    const available = numberField(w, 'status', 'numberAvailable') ?? 0;
    if (updated < desired) return { phase: 'progressing', message: `${updated}/${desired} nodes updated` };
    if (available < desired) return { phase: 'progressing', message: `${available}/${desired} pods available` };
  }
  if (old.length) return { phase: 'progressing', message: `${old.length} pod(s) of the previous template still present` };
  return { phase: 'done' };
}

/** `matchLabels` as a label selector; matchExpressions are rare on workloads and only narrow further. */
export function podSelector(w: KubeObject): string | undefined {
  const labels = (w as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector?.matchLabels;
  if (!labels || !Object.keys(labels).length) return undefined;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
