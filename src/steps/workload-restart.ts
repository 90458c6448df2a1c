import { api } from './commands.js';
import type { BuiltStep } from './types.js';

export interface RestartTarget {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  pods: number;
}

export interface WorkloadRestartParams {
  /** Short reason used in the id and title, e.g. `tag-default` or `ambient-dns`. */
  qualifier: string;
  reason: string;
  source?: string;
  workloads: RestartTarget[];
  batchSize: number;
  /** What restarted sidecar pods must run afterwards; null for ambient pods. */
  expectRevision: string | null;
  expectProxyVersion: string | null;
  /** Pods that no rollout can replace (bare Pods, Jobs, orphan ReplicaSets). */
  unrestartable: string[];
}

export function workloadRestartStep(p: WorkloadRestartParams): BuiltStep {
  // Batches never span namespaces, so each one is also a valid `kubectl rollout restart -n` line.
  const batches: RestartTarget[][] = [];
  const byNamespace = new Map<string, RestartTarget[]>();
  for (const w of p.workloads) byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
  for (const group of byNamespace.values()) for (let i = 0; i < group.length; i += p.batchSize) batches.push(group.slice(i, i + p.batchSize));
  const pods = p.workloads.reduce((s, w) => s + w.pods, 0);
  return {
    kind: 'workload-restart',
    qualifier: p.qualifier,
    title: `Restart ${p.workloads.length} workload(s) (${pods} pod(s)) ${p.reason}`,
    why: [
      { text: p.expectRevision ? `Sidecars are injected at pod creation: pods keep the old proxy until recreated.` : `Restart ${p.reason}: the upgrade note requires it.`, source: p.source },
      ...(p.unrestartable.length ? [{ text: `Not restartable by a rollout, recreate by hand: ${p.unrestartable.join(', ')}` }] : []),
    ],
    commands: batches.map((batch, i) =>
      api(
        ['kubectl', 'rollout', 'restart', ...batch.map((w) => `${w.kind.toLowerCase()}/${w.name}`), '-n', batch[0]!.namespace],
        `batch ${i + 1}/${batches.length}: ${batch.map((w) => `${w.namespace}/${w.name}`).join(', ')}`,
        { type: 'rollout-restart', workloads: batch.map(({ kind, namespace, name }) => ({ kind, namespace, name })) },
      ),
    ),
    verify: [
      {
        type: 'workloads-restarted',
        workloads: p.workloads.map(({ kind, namespace, name }) => ({ kind, namespace, name })),
        revision: p.expectRevision,
        proxyVersion: p.expectProxyVersion,
      },
    ],
    // A restart cannot be undone; rolling back the step that caused it (tag move, CNI) and restarting again can.
    rollback: { commands: [] },
    irreversible: false,
    disruption: `rolling restarts, ${p.batchSize} workload(s) at a time; each workload keeps serving if it has more than one replica and a PodDisruptionBudget or surge`,
  };
}
