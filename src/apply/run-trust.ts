import { ExitCode, UserError } from '../errors.js';
import { planDigest } from '../plans/plan-integrity.js';
import type { Plan, VerifySpec } from '../plan/schema.js';
import type { Cluster } from './ports.js';
import { DONE_STEP, type RunRecord } from './run-record.js';

/**
 * Run records are evidence, not instructions. A record in the state directory was written by this user; a copy in
 * an `istio-upgrade-run-*` ConfigMap can be written by anyone allowed to write ConfigMaps in the Istio namespace. So
 * a cluster copy only counts when the plan embedded in it is, digest for digest, the plan the operator holds (the
 * plan file passed to apply or rollback, or the run's local copy); and what a record says is done is only believed
 * once the live cluster shows it.
 */

export type RecordOrigin = 'local' | 'cluster';

export interface FoundRun {
  record: RunRecord;
  /** The plan stored with the record (locally, or embedded in its ConfigMap). */
  plan: Plan | undefined;
  /** The apiVersion of a stored plan made by an older istio-upgrade, which this one never runs. */
  olderPlan?: string;
  origin: RecordOrigin;
}

/** Whether a record may steer a run of `plan`; a cluster copy needs the same plan embedded. */
export function trustedFor(found: FoundRun, plan: Plan): boolean {
  if (found.record.planId !== plan.metadata.id) return false;
  if (found.origin === 'local') return true;
  return found.plan !== undefined && planDigest(found.plan) === planDigest(plan);
}

export function untrustedNote(found: FoundRun, planPath: string): string {
  return `ignoring run record ${found.record.runId} found in the cluster: the plan embedded in it is not ${planPath} (a record from an edited plan, or a forged one)`;
}

/** Resume continues a run only with the plan it started with: the digest recorded at the first attempt must match. */
export function checkSamePlan(record: RunRecord, recordedPlan: Plan | undefined, plan: Plan, planPath: string): void {
  const now = planDigest(plan);
  const then = recordedPlan ? planDigest(recordedPlan) : record.planDigest;
  if (then !== undefined && then !== now) {
    throw new UserError(
      `${planPath} is not the plan run ${record.runId} started with: its digest is ${now}, the run recorded ${then} (the plan was edited after the first attempt)`,
      ExitCode.blocked,
      `continue with the original plan file, or roll the run back (istio-upgrade rollback ${record.runId}) and make a new plan`,
    );
  }
}

/** Verifications that are not evidence of cluster state: they look at this machine. */
const LOCAL_ONLY: ReadonlySet<VerifySpec['type']> = new Set(['backup-written', 'preflight-passed']);

type RestartSpec = Extract<VerifySpec, { type: 'workloads-restarted' }>;
const workloadKey = (w: RestartSpec['workloads'][number]) => `${w.kind}/${w.namespace}/${w.name}`;

/**
 * What a done restart step leaves in the cluster: its workloads' pods injected by the expected revision and proxy. When
 * it was replaced again by a later done step (the next hop's restart, a gateway upgrade), only that later step's
 * expectation holds, so the earlier one is not checked. A restart that expects neither a revision nor a proxy version
 * leaves nothing to see, and the moment of the restart is not evidence (a later step may restart the same pods).
 */
function restartEvidence(spec: RestartSpec, restartedLater: ReadonlySet<string>): RestartSpec | undefined {
  if (spec.revision === null && spec.proxyVersion === null) return undefined;
  const workloads = spec.workloads.filter((w) => !restartedLater.has(workloadKey(w)));
  return workloads.length ? { ...spec, workloads } : undefined;
}

export type DoneCheck = { ok: true } | { ok: false; stepId: string; reason: string };

/**
 * Looks (once, without waiting) whether the cluster shows the effect of every step the record says is done. A record
 * that claims more than the cluster shows (a forged ConfigMap, a hand-edited or restored state directory) is caught
 * here, before "already applied" is printed or a step is skipped.
 */
export async function confirmDoneSteps(plan: Plan, record: RunRecord, cluster: Cluster, signal: AbortSignal, now: () => number, budgetMs: number): Promise<DoneCheck> {
  const restartedLater = new Set<string>();
  const checks: { stepId: string; specs: VerifySpec[] }[] = [];
  // Walk backwards so that a restart knows whether a later done step replaced the same pods again.
  for (let i = plan.steps.length - 1; i >= 0; i--) {
    const step = plan.steps[i]!;
    const rec = record.steps[i];
    if (!rec || !DONE_STEP.has(rec.status)) continue;
    const restartedHere: string[] = [];
    const specs: VerifySpec[] = [];
    for (const spec of step.verify) {
      if (LOCAL_ONLY.has(spec.type)) continue;
      if (spec.type === 'workloads-restarted') {
        const evidence = restartEvidence(spec, restartedLater);
        if (evidence) specs.push(evidence);
        restartedHere.push(...spec.workloads.map(workloadKey));
      } else {
        specs.push(spec);
      }
    }
    for (const key of restartedHere) restartedLater.add(key);
    checks.unshift({ stepId: step.id, specs });
  }
  for (const { stepId, specs } of checks) {
    for (const spec of specs) {
      const v = await cluster.verify(spec, { signal, deadline: now() + budgetMs, probe: true }).catch((e: Error) => ({ ok: false as const, reason: e.message }));
      if (!v.ok) return { ok: false, stepId, reason: v.reason };
    }
  }
  return { ok: true };
}

export function recordContradicted(record: RunRecord, check: Extract<DoneCheck, { ok: false }>): UserError {
  return new UserError(
    `run ${record.runId} records step ${check.stepId} as done, but the cluster does not show it: ${check.reason}`,
    ExitCode.blocked,
    'the record is stale, edited or forged; nothing was changed. Look at istio-upgrade status and history, then make a new plan',
  );
}

export interface RollbackTrust {
  readPlan: (path: string) => Promise<Plan>;
  /** `rollback --plan FILE`: the plan the run executed, held by the operator. */
  planFile?: string;
  /** `--trust-cluster-record`: shows the record and asks a person; false without a terminal. */
  confirmClusterRecord?: (found: FoundRun, plan: Plan) => Promise<boolean>;
}

/**
 * The run `rollback` unwinds and the plan whose rollback commands it runs. The state directory's record and plan are
 * the operator's own. A run known only from its ConfigMap is not: its embedded plan is used only when it is the plan
 * file the operator passes (--plan), or after a person at a terminal reviewed it (--trust-cluster-record).
 */
export async function chooseRollbackRun(candidates: FoundRun[], runId: string | undefined, stateDir: string, trust: RollbackTrust): Promise<{ record: RunRecord; plan: Plan }> {
  const id = runId ?? [...candidates].sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt))[0]?.record.runId;
  if (!id) throw new UserError(`no upgrade runs recorded (looked in ${stateDir} and the run ConfigMaps)`);
  const local = candidates.find((c) => c.record.runId === id && c.origin === 'local');
  const remote = candidates.find((c) => c.record.runId === id && c.origin === 'cluster');
  if (!local && !remote) throw new UserError(`run ${id} not found (neither in ${stateDir} nor as a ConfigMap)`);
  const older = (local ?? remote)!.olderPlan;
  if (older) {
    throw new UserError(
      `run ${id} ran a plan made by an older istio-upgrade (${older}); this version rebuilds every command from typed operations, which that plan does not have, so it cannot roll it back`,
      ExitCode.blocked,
      `roll it back with the istio-upgrade version that ran it (history shows the run), or undo its steps by hand`,
    );
  }

  let plan: Plan;
  let record: RunRecord;
  if (local) {
    plan = trust.planFile ? await trust.readPlan(trust.planFile) : (local.plan ?? (await trust.readPlan(local.record.planPath)));
    checkSamePlan(local.record, local.plan, plan, trust.planFile ?? local.record.planPath);
    record = local.record;
    // The cluster copy may be newer (the run went on from another machine); it counts only with the same plan embedded.
    if (remote && trustedFor(remote, plan) && remote.record.updatedAt > record.updatedAt) record = remote.record;
  } else if (trust.planFile) {
    plan = await trust.readPlan(trust.planFile);
    if (!trustedFor(remote!, plan)) {
      throw new UserError(
        `run ${id} in the cluster does not embed ${trust.planFile} (plan ${plan.metadata.id}, ${planDigest(plan)}): it is not a run of that plan, or its record was altered; nothing was rolled back`,
        ExitCode.blocked,
      );
    }
    record = remote!.record;
  } else {
    const embedded = remote!.plan;
    const reviewed = embedded !== undefined && trust.confirmClusterRecord !== undefined && (await trust.confirmClusterRecord(remote!, embedded));
    if (!reviewed || !embedded) {
      throw new UserError(
        `run ${id} is recorded only in the cluster (ConfigMap istio-upgrade-run-${id}), which anyone allowed to write ConfigMaps there can forge; nothing was rolled back`,
        ExitCode.blocked,
        `pass the plan file the run executed: istio-upgrade rollback ${id} --plan plan.json; or review the record on a terminal with --trust-cluster-record`,
      );
    }
    plan = embedded;
    record = remote!.record;
  }
  if (record.planId !== plan.metadata.id || record.steps.length !== plan.steps.length || record.steps.some((s, i) => s.id !== plan.steps[i]!.id)) {
    throw new UserError(`the plan of run ${id} (${trust.planFile ?? record.planPath}) no longer matches the run's steps`);
  }
  return { record, plan };
}
