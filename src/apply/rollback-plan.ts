import { ExitCode, UserError } from '../errors.js';
import type { Plan, PlanCommand, PlanStep, VerifySpec } from '../plan/schema.js';
import { releasesChangedBy } from '../plan/commands.js';
import { recoveredTo, type NeededRecovery } from './pending-recovery.js';
import type { Cluster } from './ports.js';
import type { RunRecord, StepRecord, StepStatus } from './run-record.js';

/** Steps whose changes may still be in the cluster. */
const UNWINDABLE: ReadonlySet<StepStatus> = new Set(['succeeded', 'failed', 'running']);

/** Kinds whose inverse points injection back at the old revision: they go first. */
const INJECTION_POINTERS = new Set(['tag-move', 'namespace-relabel']);

export interface RollbackEntry {
  step: PlanStep;
  rec: StepRecord;
  /** Index of the step in the plan. */
  index: number;
  /** `undo` runs the step's rollback (its `recorded-before` revisions filled from `rec`); `restart` restarts its workloads again onto the old revision. */
  action: 'undo' | 'restart';
  commands: PlanCommand[];
  verify: VerifySpec[];
}

/**
 * The rollback of a run, in the order that strands nothing: tags and namespace labels back first, then sidecar
 * workloads restarted onto the old revision and verified there, then everything else newest first (the new
 * revision's removal among it); an in-place run restarts its workloads once the old revision's istiod is back. A plain reverse order would remove the new istiod while pods it injected still run,
 * because the restart step itself has nothing to undo. Returns the entries, or the step that cannot be undone.
 */
export function buildRollbackPlan(plan: Plan, record: RunRecord, fromIndex: number): { entries: RollbackEntry[]; stopAt?: PlanStep } {
  const todo = plan.steps
    .map((step, index) => ({ step, rec: record.steps[index]!, index }))
    .filter((x) => x.index >= fromIndex && UNWINDABLE.has(x.rec.status))
    .reverse();
  const blocker = todo.find((x) => x.step.irreversible || x.step.rollback === null);
  // Unwinding stops at a step that cannot be undone: only what was done after it is unwound.
  const unwind = blocker ? todo.filter((x) => x.index > blocker.index) : todo;
  // A tag moved back is verified back, so what follows reads the truth: at the revision an earlier hop of the plan
  // moved it to, or else the one the plan found it on.
  const tagsBack = (x: (typeof todo)[number]): VerifySpec[] =>
    x.step.verify.flatMap((v) => {
      if (v.type !== 'tag-points-to') return [];
      const earlier = plan.steps
        .slice(0, x.index)
        .flatMap((s) => s.verify)
        .filter((e) => e.type === 'tag-points-to' && e.tag === v.tag)
        .at(-1);
      const was = earlier?.type === 'tag-points-to' ? earlier.revision : plan.facts[`tag/${v.tag}/revision`];
      return typeof was === 'string' ? [{ ...v, revision: was }] : [];
    });
  const undo = (x: (typeof todo)[number]): RollbackEntry => ({ ...x, action: 'undo', commands: x.step.rollback?.commands ?? [], verify: tagsBack(x) });
  const pointers = unwind.filter((x) => INJECTION_POINTERS.has(x.step.kind)).map(undo);
  const restarts = unwind
    .filter((x) => x.step.kind === 'workload-restart' && x.step.verify.some((v) => v.type === 'workloads-restarted' && v.revision !== null))
    .map((x): RollbackEntry => ({
      ...x,
      action: 'restart',
      commands: x.step.commands,
      verify: x.step.verify.map((v) => (v.type === 'workloads-restarted' ? { ...v, revision: plan.source.revision, proxyVersion: plan.source.version } : v)),
    }));
  const rest = unwind.filter((x) => !INJECTION_POINTERS.has(x.step.kind) && !restarts.some((r) => r.index === x.index)).map(undo);
  // In place, the old revision's own istiod was upgraded: restarted before its undo, the workloads would be injected
  // with the new proxy again. They are restarted right after the last istiod-upgrade undo (found by the real tier).
  const inPlace = restarts.filter((r) => r.step.verify.some((v) => v.type === 'workloads-restarted' && v.revision === plan.source.revision));
  const lastIstiodUndo = rest.map((e) => e.step.kind).lastIndexOf('istiod-upgrade');
  if (!inPlace.length || lastIstiodUndo < 0) return { entries: [...pointers, ...restarts, ...rest], ...(blocker ? { stopAt: blocker.step } : {}) };
  const canary = restarts.filter((r) => !inPlace.includes(r));
  const entries = [...pointers, ...canary, ...rest.slice(0, lastIstiodUndo + 1), ...inPlace, ...rest.slice(lastIstiodUndo + 1)];
  return { entries, ...(blocker ? { stopAt: blocker.step } : {}) };
}

/**
 * A later run of the same mesh built on this one: rolling this one back would pull components from under it (the
 * CRDs, ztunnel, tags of four minors later back to the first). The later run has to be undone first.
 */
export function refuseSuperseded(record: RunRecord, runs: RunRecord[], cli: (...args: string[]) => string): void {
  const later = runs
    .filter((r) => r.runId !== record.runId && r.istioNamespace === record.istioNamespace && r.clusterId === record.clusterId && r.startedAt > record.startedAt)
    .filter((r) => r.status !== 'rolled-back' && r.steps.some((s) => s.status === 'succeeded'))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  if (!later.length) return;
  const newest = later[0]!;
  throw new UserError(
    `run ${record.runId} was superseded by run ${later.map((r) => r.runId).join(', ')} (started later on the same mesh); rolling it back would undo what ${later.length > 1 ? 'those runs build' : 'that run builds'} on; nothing was changed`,
    ExitCode.blocked,
    `undo the newest run first: ${cli('rollback', newest.runId)}`,
  );
}

/** A step of the run already rolled back, with its record. */
export interface UndoneStep {
  step: PlanStep;
  rec: StepRecord;
  index: number;
}

/** The run's steps already rolled back. */
export function undoneSteps(plan: Plan, record: RunRecord): UndoneStep[] {
  return plan.steps.map((step, index) => ({ step, rec: record.steps[index]!, index })).filter((x) => x.rec.status === 'rolled-back');
}

/**
 * Records, per release the step changes, the Helm revision its rollback left. The rollback already succeeded: a read
 * that fails here leaves `undoneTo` unset (the drift check then falls back to the run's own revisions) rather than
 * failing a run whose cluster is in order.
 */
export async function recordUndoneRevisions(step: PlanStep, rec: StepRecord, cluster: Pick<Cluster, 'helmRevision'>): Promise<void> {
  for (const r of releasesChangedBy(step)) {
    const revisions = rec.helmRevisions[r.key];
    if (!revisions) continue;
    const undoneTo = await cluster.helmRevision(r.release, r.namespace).catch(() => undefined);
    if (undoneTo !== undefined) revisions.undoneTo = undoneTo;
  }
}

/**
 * Drift since the run: a Helm release the rollback would roll back must still be at the revision the run left it
 * at; otherwise someone (or another run) changed it since, and `helm rollback` would throw their change away too.
 * A release several steps of the run changed (one per hop of a multi-hop run) was left where the last of them put it.
 */
export async function refuseRollbackDrift(entries: RollbackEntry[], cluster: Cluster, recoveries: NeededRecovery[] = [], undone: UndoneStep[] = []): Promise<void> {
  const leftAt = new Map<string, { release: string; namespace: string; after: number; index: number }>();
  for (const e of entries) {
    if (e.action !== 'undo') continue;
    for (const r of releasesChangedBy(e.step)) {
      const after = e.rec.helmRevisions[r.key]?.after;
      if (typeof after !== 'number' || (leftAt.get(r.key)?.index ?? -1) > e.index) continue;
      leftAt.set(r.key, { release: r.release, namespace: r.namespace, after, index: e.index });
    }
  }
  // A later step of the run on the same release was rolled back already (after a failure, or by an interrupted
  // rollback): the release is where the earliest such undo left it.
  for (const [key, r] of leftAt) {
    const later = undone.filter((u) => u.index > r.index && typeof u.rec.helmRevisions[key]?.undoneTo === 'number').sort((a, b) => a.index - b.index)[0];
    if (later) r.after = later.rec.helmRevisions[key]!.undoneTo!;
  }
  const changes: string[] = [];
  for (const [key, r] of leftAt) {
    // A release an interrupted helm call left pending is where its recovery rolls it back to.
    const now = recoveredTo(recoveries, r.namespace, r.release) ?? (await cluster.helmRevision(r.release, r.namespace));
    if (now !== r.after) changes.push(`helm/${key}/revision: ${r.after} (left by the run) → ${now ?? '(absent)'}`);
  }
  if (changes.length) {
    throw new UserError(`the cluster changed since the run: ${changes.length} release(s) are not where the run left them; nothing was changed`, ExitCode.blocked, `${changes.join('\n  ')}\n  look at istio-upgrade status and history before undoing anything by hand`);
  }
}
