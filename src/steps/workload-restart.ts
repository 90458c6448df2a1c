import { apiCommand } from '../plan/commands.js';
import type { Inventory } from '../k8s/inventory.js';
import { NO_FACTS, type StepDescriptor } from './descriptor.js';
import type { HopContext } from './hop-context.js';
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
      apiCommand(
        { type: 'rollout-restart', workloads: batch.map(({ kind, namespace, name }) => ({ kind, namespace, name })) },
        `batch ${i + 1}/${batches.length}: ${batch.map((w) => `${w.namespace}/${w.name}`).join(', ')}`,
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

/** Sidecar workloads of these namespaces: the restartable ones, and the names of those that are not. */
function sidecarWorkloads(inv: Inventory, namespaces: Set<string>, exclude: Set<string>): { targets: RestartTarget[]; unrestartable: string[] } {
  const unrestartable: string[] = [];
  const restartable = inv.dataPlane.workloads.filter((w) => {
    if (w.mode !== 'sidecar' || !namespaces.has(w.namespace) || exclude.has(`${w.namespace}/${w.name}`)) return false;
    if (!w.restartable) unrestartable.push(`${w.namespace}/${w.kind}/${w.name}`);
    return w.restartable;
  });
  return { targets: restartTargets(restartable), unrestartable };
}

/** One target per workload, its pods summed over the revisions they run. */
function restartTargets(workloads: Inventory['dataPlane']['workloads']): RestartTarget[] {
  const out = new Map<string, RestartTarget>();
  for (const w of workloads) {
    const k = `${w.kind}/${w.namespace}/${w.name}`;
    const t = out.get(k);
    if (t) t.pods += w.pods;
    else out.set(k, { kind: w.kind as RestartTarget['kind'], namespace: w.namespace, name: w.name, pods: w.pods });
  }
  return [...out.values()];
}

/** Ambient pods restarted where a catalog note puts it; ambient meshes only, never sidecar pods. */
export function restartAmbientWorkloads(ctx: HopContext, qualifier: string, reason: string, source: string): void {
  const targets = restartTargets(ctx.inv.dataPlane.workloads.filter((w) => w.mode === 'ambient' && w.restartable));
  if (!targets.length) return;
  ctx.add(workloadRestartStep({ qualifier, reason, source, workloads: targets, batchSize: ctx.req.restartBatchSize, expectRevision: null, expectProxyVersion: null, unrestartable: [] }));
}

/** Sidecar pods of these namespaces, onto the hop's new revision; Helm gateways roll with their own chart. */
export function restartNamespaces(ctx: HopContext, namespaces: string[], qualifier: string, reason: string): void {
  const helmGateways = new Set(ctx.inv.gateways.filter((g) => g.type === 'helm').map((g) => `${g.namespace}/${g.name}`));
  const { targets, unrestartable } = sidecarWorkloads(ctx.inv, new Set(namespaces), helmGateways);
  if (!targets.length) return;
  targets.forEach((t) => ctx.restarted.add(`${t.namespace}/${t.name}`));
  ctx.add(workloadRestartStep({ qualifier, reason, workloads: targets, batchSize: ctx.req.restartBatchSize, expectRevision: ctx.hop.revision, expectProxyVersion: ctx.hop.to, unrestartable }));
}

/**
 * Restarts are mostly companions planned by the step they follow (node agents, relabels, tag
 * moves). At its own phase it restarts the data plane of an in-place upgrade.
 */
export const workloadRestart: StepDescriptor = {
  kind: 'workload-restart',
  phase: 88,
  requestedByNotes: true,
  plan(ctx) {
    const { inv, hop } = ctx;
    const from = ctx.state.revision;
    if (from === hop.revision && ctx.reuse) {
      // Finishing on the same revision: restart what still runs an older proxy of it.
      const namespaces = [...new Set(inv.dataPlane.proxies.filter((p) => p.revision === hop.revision && p.version !== null && p.version !== hop.to).map((p) => p.namespace))];
      restartNamespaces(ctx, namespaces, `rev-${hop.revision}-lagging`, `still running an older proxy of ${hop.revision}`);
    } else if (ctx.req.strategy === 'in-place') {
      const namespaces = inv.dataPlane.namespaces.filter((n) => n.effectiveRevision === from).map((n) => n.name);
      restartNamespaces(ctx, namespaces, `rev-${from}`, `served by the upgraded revision ${from}`);
    }
  },
  touches: () => NO_FACTS,
};
