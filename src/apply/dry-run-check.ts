import { ExitCode, UserError } from '../errors.js';
import type { Plan } from '../plan/schema.js';
import { checkPlanFits, refuseDrift, requireApprovalPossible } from './executor.js';
import { lockAvailability } from './lock.js';
import type { Clock, Cluster, Runner, Tool } from './ports.js';
import { preflightProblems } from './preflight-check.js';
import { DONE_STEP } from './run-record.js';
import type { CheckpointStore } from './run-state.js';

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

  await refuseDrift(plan, latest, cluster);
  done.push('no drift in the facts the pending steps rest on');

  const lock = await lockAvailability(cluster.leases, deps.clock, cluster.istioNamespace);
  done.push(lock ? `lock: ${lock}` : 'the upgrade lock is free');

  const problems = preflightProblems(await cluster.inventory());
  if (problems.length) throw new UserError(`precondition failed: ${problems.join('; ')}`, ExitCode.blocked);
  done.push('no Helm release of the mesh is pending-*, every istiod revision is healthy');

  const needed = new Set<Tool>();
  const optional = new Set<Tool>();
  for (const s of pending) for (const c of s.commands) if (c.via !== 'kubernetes-api') (c.optional ? optional : needed).add(c.via);
  for (const tool of needed) {
    if (!(await deps.runner.available(tool))) throw new UserError(`${tool} is needed by the plan's pending steps but was not found (on PATH, or pass --${tool})`, ExitCode.blocked);
  }
  for (const tool of optional) if (!needed.has(tool) && !(await deps.runner.available(tool))) done.push(`skipped: ${tool} not found (its optional checks are skipped)`);
  if (needed.size) done.push(`found ${[...needed].sort().join(' and ')}`);

  requireApprovalPossible(plan, latest, opts.canApprove);
  return done;
}
