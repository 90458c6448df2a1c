import { parseTimerDuration } from '../../apply/duration.js';
import { holderIdentity } from '../../apply/lock.js';
import { parseMeshPlan, readMeshPlanDocument } from '../../apply/mesh/plan-file.js';
import { LocalMeshRuns, type MeshRunRecord } from '../../apply/mesh/record.js';
import { crossClusterProblems, saveEverywhere } from '../../apply/mesh/runner.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { loadRun, rollbackRun } from '../../apply/rollback.js';
import { defaultStateDir } from '../../apply/run-state.js';
import { ExitCode, UserError } from '../../errors.js';
import { renderDocument } from '../../report/structured.js';
import { asAttempt, liveRunDeps, liveRuntime } from '../run-deps.js';
import { writeStdout } from '../write-output.js';
import { connectMesh, meshSummary } from './apply-mesh.js';
import { reviewRollback, type RollbackCommandOptions } from './rollback.js';

/**
 * `rollback MESH-RUN-ID`: the mesh run's parts unwound newest first, each with the single-cluster rollback of that
 * cluster's run down to the part's first step, and the remotes checked against their primaries after each part.
 */
export async function rollbackMeshCommand(opts: RollbackCommandOptions, meshRunId: string): Promise<number> {
  const timeoutMs = parseTimerDuration(opts.stepTimeout, '--step-timeout');
  const local = new LocalMeshRuns(opts.stateDir ?? defaultStateDir());
  const record = await local.load(meshRunId);
  if (!record) throw new UserError(`mesh run ${meshRunId} not found in ${local.stateDir} (mesh runs are unwound from the machine that ran them)`);
  if (opts.toStep !== undefined) throw new UserError('--to-step unwinds one run; for one cluster of a mesh run use: istio-upgrade rollback <that cluster\'s run id> --context <its context>', ExitCode.usage);
  const planPath = opts.plan ?? record.planPath;
  const doc = await readMeshPlanDocument(planPath);
  if (!doc) throw new UserError(`${planPath} is not a mesh plan; pass the mesh plan file the run applied with --plan FILE`, ExitCode.usage);
  const { plan, check } = parseMeshPlan(doc, planPath);
  if (check.digest !== record.digest) throw new UserError(`${planPath} has digest ${check.digest}, but mesh run ${meshRunId} applied ${record.digest}; pass the file it applied with --plan`, ExitCode.blocked);

  const live = await connectMesh(plan, opts);
  const members = new Map(live.map((m) => [m.name, m] as const));
  const deps = { local, members, now: () => liveRuntime.clock.now(), progress: live[0]!.w.progress };
  const holder = holderIdentity();
  const toUnwind = [...record.parts].reverse().filter((p) => p.status === 'succeeded' || p.status === 'failed');
  const result = (exitCode: number, error?: string, nextCommands: string[] = []) => ({ ...summaryOf(record), exitCode, ...(error ? { error } : {}), nextCommands });
  for (const part of toUnwind) {
    const m = members.get(part.cluster)!;
    const runId = record.clusters.find((c) => c.name === part.cluster)?.runId;
    if (!runId) continue;
    deps.progress.info(`mesh run ${meshRunId}: unwinding part ${part.index} on ${part.cluster} (run ${runId})`);
    const { record: run, plan: runPlan } = await loadRun(m.w.store, runId, { readPlan: readPlanFile });
    const r = await asAttempt(m.w, m.cluster, { plan: runPlan, rollback: true, holder }, () =>
      rollbackRun(run, runPlan, { toStep: part.steps[0]!, timeoutMs, holder, hintFlags: m.w.hintFlags, review: (entries, stopAt, recoveries) => reviewRollback(runId, entries, stopAt, recoveries, opts) }, liveRunDeps(m.w, m.cluster)),
    );
    if (opts.dryRun) continue;
    const entry = record.clusters.find((c) => c.name === part.cluster)!;
    entry.status = r.status;
    if (r.exitCode !== ExitCode.ok) {
      record.status = r.status === 'rolled-back' ? 'failed' : r.status;
      await saveEverywhere(record, deps, plan);
      return finish(opts, result(r.exitCode, `unwinding part ${part.index} on ${part.cluster} (run ${runId}) stopped: ${r.error ?? r.status}; the parts after it are unwound, the ones before it are not`, r.nextCommands));
    }
    part.status = 'rolled-back';
    const problems = await crossClusterProblems(plan, deps);
    record.checks.push({ afterPart: part.index, at: new Date(deps.now()).toISOString(), ok: !problems.length, problems });
    await saveEverywhere(record, deps, plan);
    if (problems.length) return finish(opts, result(ExitCode.failedUnknown, `after unwinding part ${part.index} the mesh is not consistent: ${problems.join('; ')}`));
  }
  if (opts.dryRun) return finish(opts, result(ExitCode.ok));
  record.status = 'rolled-back';
  await saveEverywhere(record, deps, plan);
  return finish(opts, result(ExitCode.ok));
}

function summaryOf(r: MeshRunRecord) {
  return { apiVersion: 'istio-upgrade/v1' as const, kind: 'MeshRollbackResult' as const, meshRunId: r.meshRunId, planId: r.planId, status: r.status, clusters: r.clusters, parts: r.parts, checks: r.checks };
}

async function finish(opts: RollbackCommandOptions, result: ReturnType<typeof summaryOf> & { exitCode: number; error?: string; nextCommands: string[] }): Promise<number> {
  if (opts.output !== 'text') await writeStdout(renderDocument(result, opts.output));
  process.stderr.write(meshSummary(result));
  return result.exitCode;
}
