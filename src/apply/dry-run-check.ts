import { ExitCode, UserError } from '../errors.js';
import type { Plan } from '../plan/schema.js';
import { checkPlanFits, refuseDrift, refuseUnmetPrerequisites, requireApprovalPossible } from './executor.js';
import { lockAvailability } from './lock.js';
import { checkPlanPrerequisites } from './plan-needs.js';
import type { Permission } from './permissions.js';
import type { Clock, Cluster, Runner } from './ports.js';
import { preflightProblems } from './preflight-check.js';
import { CONTINUED, DONE_STEP } from './run-record.js';
import { describeRecovery, recoveriesOf } from './pending-recovery.js';
import type { CheckpointStore } from './run-state.js';
import { bundleLine } from './gateway-api-bundle.js';

/** Each helm/istioctl read of the prerequisites; they run side by side. */
const PREREQUISITE_TIMEOUT_MS = 120_000;

export interface DryRunCheckOptions {
  maxPlanAgeMs?: number;
  allowAnyCluster: boolean;
  /** --yes, or a terminal to type confirmations on: irreversible steps can be approved. */
  canApprove: boolean;
}

export interface DryRunCheckDeps {
  cluster: Cluster;
  clock: Clock;
  runner: Runner;
  store: CheckpointStore;
  /** SelfSubjectAccessReview for the identity a real apply would use. */
  reviewAccess?: (p: Permission) => Promise<boolean>;
  /** GET of the Gateway API release manifests the plan applies, checked as the real apply checks them. */
  fetchManifest?: (url: string, signal: AbortSignal) => Promise<string>;
}

/**
 * `apply --dry-run` against the cluster: every check a real apply makes before its first change, reading only
 * (no lock taken, no record written), so a dry run in CI exits as the real apply would. Throws the same
 * UserError a real apply would; returns what it checked, one line each.
 */
export async function dryRunChecks(plan: Plan, opts: DryRunCheckOptions, deps: DryRunCheckDeps): Promise<string[]> {
  const { cluster } = deps;
  const done: string[] = [];
  const clusterId = await checkPlanFits(plan, cluster, deps.clock.now(), opts.maxPlanAgeMs, opts.allowAnyCluster);
  done.push(`plan not blocked${opts.maxPlanAgeMs !== undefined ? ', within --max-plan-age' : ''}; context "${cluster.context}", cluster ${clusterId ?? '(unknown)'} as planned`);

  const latest = (await deps.store.runs(plan.metadata.id))[0];
  if (latest?.status === 'succeeded') return [...done, `already applied by run ${latest.runId}: a real apply changes nothing`];
  const pending = plan.steps.filter((_, i) => !DONE_STEP.has(latest?.steps[i]?.status ?? 'pending'));
  if (latest) done.push(`a real apply continues run ${latest.runId} (${latest.status}) at step ${pending[0]?.id ?? '(none)'}`);
  // The real apply's order: the refusals that need no subprocess first (approval, lock, drift), then the prerequisites.
  requireApprovalPossible(plan, latest, opts.canApprove);
  const lock = await lockAvailability(cluster.leases, deps.clock, cluster.istioNamespace);
  done.push(lock ? `lock: ${lock}` : 'the upgrade lock is free');
  await refuseDrift(plan, latest, cluster);
  done.push('no drift in the facts the pending steps rest on');

  // What the interrupted steps' killed helm calls left pending, which the real apply recovers before continuing them.
  const interrupted = latest ? plan.steps.flatMap((step, i) => (CONTINUED.has(latest.steps[i]?.status ?? 'pending') ? [{ step, rec: latest.steps[i] }] : [])) : [];
  const recoveries = await recoveriesOf(interrupted, cluster);
  done.push(...recoveries.map((r) => `a real apply first recovers: ${describeRecovery(r)}`));

  // The preflight step checks these once, before the first change; a resumed run has passed it and continues with
  // what it changed itself (a half-installed new istiod is not healthy yet), so the dry run checks what the real one does.
  if (pending.some((s) => s.kind === 'preflight')) {
    const inv = await cluster.inventory();
    const problems = preflightProblems({ ...inv, helmReleases: inv.helmReleases.filter((h) => !recoveries.some((r) => r.release === h.name && r.namespace === h.namespace)) });
    if (problems.length) throw new UserError(`precondition failed: ${problems.join('; ')}`, ExitCode.blocked);
    done.push('no Helm release of the mesh is pending-*, every istiod revision is healthy');
  }

  // The preflight step's prerequisites, as the real apply checks them before its first change.
  const pre = await checkPlanPrerequisites(plan, {
    runner: deps.runner,
    signal: new AbortController().signal,
    timeoutMs: PREREQUISITE_TIMEOUT_MS,
    ...(deps.reviewAccess ? { reviewAccess: deps.reviewAccess } : {}),
    ...(deps.fetchManifest ? { fetchManifest: deps.fetchManifest } : {}),
  });
  refuseUnmetPrerequisites(pre);
  done.push(`prerequisites met${pre.tools.length ? ` (${pre.tools.join(', ')})` : ''}: every chart version resolves from its source${deps.reviewAccess ? ', every API action of the plan is allowed' : ''}`);
  done.push(...(pre.bundles ?? []).map(bundleLine));
  return done;
}
