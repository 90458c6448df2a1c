import { ExitCode, UserError } from '../../errors.js';
import type { Inventory } from '../../k8s/inventory.js';
import type { Plan } from '../../plan/schema.js';
import type { MeshPlan } from '../../plans/mesh/schema.js';
import { checkPlanFits, type ApplyResult } from '../executor.js';
import type { Cluster } from '../ports.js';
import type { PrerequisiteReport } from '../prerequisites.js';
import type { Progress } from '../progress.js';
import { remoteInjectorProblems } from './cross-cluster.js';
import { meshParts, type MeshPart } from './parts.js';
import { newMeshRunId, type LocalMeshRuns, type MeshRunMirror, type MeshRunRecord } from './record.js';

/** One cluster of the mesh as the runner sees it: its plan, its connection, and the executor bound to it. */
export interface MeshMemberRun {
  name: string;
  plan: Plan;
  cluster: Cluster;
  mirror: MeshRunMirror;
  prerequisites(): Promise<PrerequisiteReport>;
  /** One part: the cluster's plan up to `stopBefore`, continuing `runId` when the cluster already has a run. */
  execute(part: MeshPart, runId: string | null): Promise<ApplyResult>;
}

export interface MeshRunOptions {
  planPath: string;
  digest: string;
  /** `--cluster NAME`: run only the next parts of this cluster, refusing when the mesh order puts another first. */
  only?: string;
  /** Continue this mesh run (otherwise the plan's unfinished mesh run, if any). */
  resume?: string;
  maxPlanAgeMs?: number;
  allowAnyCluster: boolean;
  hintFlags: string[];
}

export interface MeshRunDeps {
  members: Map<string, MeshMemberRun>;
  local: LocalMeshRuns;
  now: () => number;
  progress: Progress;
}

export interface MeshApplyResult {
  apiVersion: 'istio-upgrade/v1';
  kind: 'MeshApplyResult';
  meshRunId: string;
  planId: string;
  status: MeshRunRecord['status'];
  exitCode: number;
  clusters: MeshRunRecord['clusters'];
  parts: MeshRunRecord['parts'];
  checks: MeshRunRecord['checks'];
  error?: string;
  nextCommands: string[];
}

/**
 * Applies a mesh plan as one run: every cluster's identity, the plan's age and every cluster's prerequisites are
 * checked before the first change; then the mesh order runs part by part, each part being the single-cluster
 * executor on that cluster's plan (its lock, checkpoints and drift checks), and after each part the remotes' injectors
 * are checked against their primaries. A failure stops the mesh run; the clusters before it stay as they were left.
 */
export async function runMesh(plan: MeshPlan, opts: MeshRunOptions, deps: MeshRunDeps): Promise<MeshApplyResult> {
  if (plan.blockers.length) {
    throw new UserError(`mesh plan ${plan.metadata.id} has ${plan.blockers.length} blocker(s) and cannot be applied: ${plan.blockers.map((b) => b.message).join('; ')}`, ExitCode.blocked, 'fix the blockers and make a new plan');
  }
  if (opts.only !== undefined && !plan.clusters.some((c) => c.name === opts.only)) {
    throw new UserError(`--cluster ${opts.only} is not a cluster of mesh plan ${plan.metadata.id} (clusters: ${plan.clusters.map((c) => c.name).join(', ')})`, ExitCode.usage);
  }
  const member = (name: string) => deps.members.get(name)!;
  const ids = new Map<string, string | null>();
  for (const c of plan.clusters) ids.set(c.name, await checkPlanFits(c.plan, member(c.name).cluster, deps.now(), opts.maxPlanAgeMs, opts.allowAnyCluster));

  const record = await chooseMeshRun(plan, opts, deps, ids);
  const parts = meshParts(plan);
  const pending = parts.filter((p) => record.parts[p.index - 1]!.status !== 'succeeded');
  const cli = (...args: string[]) => ['istio-upgrade', ...args, ...opts.hintFlags].join(' ');
  const result = (exitCode: number, error?: string, nextCommands: string[] = []): MeshApplyResult => ({
    apiVersion: 'istio-upgrade/v1',
    kind: 'MeshApplyResult',
    meshRunId: record.meshRunId,
    planId: record.planId,
    status: record.status,
    exitCode,
    clusters: record.clusters,
    parts: record.parts,
    checks: record.checks,
    ...(error ? { error } : {}),
    nextCommands,
  });
  if (!pending.length) {
    deps.progress.info(`mesh plan ${plan.metadata.id} was already applied by mesh run ${record.meshRunId}; nothing to do`);
    return result(ExitCode.ok);
  }
  const toRun = opts.only === undefined ? pending : takeWhile(pending, (p) => p.cluster === opts.only);
  if (!toRun.length) {
    const first = pending[0]!;
    throw new UserError(
      `--cluster ${opts.only}: the mesh order runs ${first.cluster}'s part ${first.index} (${first.stepIds.join(', ')}) first; nothing was changed`,
      ExitCode.blocked,
      `apply that part first: ${cli('apply', opts.planPath, '--cluster', first.cluster)}`,
    );
  }
  const touched = [...new Set(toRun.map((p) => p.cluster))];
  const unmet = (await Promise.all(touched.map(async (name) => (await member(name).prerequisites()).problems.map((p) => `${name}: ${p}`)))).flat();
  if (unmet.length) throw new UserError(`prerequisites not met, nothing was changed: ${unmet.join('; ')}`, ExitCode.blocked);
  const before = await crossClusterProblems(plan, deps);
  if (before.length) throw new UserError(`the mesh is not consistent before any change: ${before.join('; ')}`, ExitCode.blocked, 'fix the remotes\' webhooks first (istio-upgrade status --context … --context …)');

  const save = () => saveEverywhere(record, deps, plan);
  record.status = 'running';
  await save();
  for (const part of toRun) {
    const entry = record.clusters.find((c) => c.name === part.cluster)!;
    deps.progress.info(`mesh run ${record.meshRunId}: part ${part.index}/${parts.length}, cluster ${part.cluster} (${part.stepIds.length} step(s))`);
    const r = await member(part.cluster).execute(part, entry.runId);
    entry.runId = r.runId;
    entry.status = r.status;
    const state = record.parts[part.index - 1]!;
    if (r.exitCode !== ExitCode.ok || (r.status !== 'succeeded' && r.status !== 'paused')) {
      // A failed step the executor rolled back leaves the part's earlier steps applied: the part stays to unwind.
      state.status = 'failed';
      // A mesh run is rolled-back only by `rollback MESH-RUN-ID`; the executor undoing one failed step is a failure.
      record.status = r.status === 'interrupted' || r.status === 'rollback-failed' ? r.status : 'failed';
      await save();
      return result(r.exitCode || ExitCode.failedUnknown, `cluster ${part.cluster} (run ${r.runId}): ${r.error ?? r.status}; the mesh run stopped there, clusters before it are left as their parts finished`, [
        `fix it, then continue: ${cli('apply', opts.planPath)}`,
        `or undo the mesh run, newest part first: ${cli('rollback', record.meshRunId)}`,
      ]);
    }
    state.status = 'succeeded';
    state.finishedAt = new Date(deps.now()).toISOString();
    const problems = await crossClusterProblems(plan, deps);
    record.checks.push({ afterPart: part.index, at: new Date(deps.now()).toISOString(), ok: !problems.length, problems });
    if (problems.length) {
      record.status = 'failed';
      await save();
      return result(ExitCode.failedUnknown, `after part ${part.index} (${part.cluster}) the mesh is not consistent: ${problems.join('; ')}`, [cli('rollback', record.meshRunId)]);
    }
    await save();
  }
  record.status = record.parts.every((p) => p.status === 'succeeded') ? 'succeeded' : 'paused';
  await save();
  const next = parts.find((p) => record.parts[p.index - 1]!.status !== 'succeeded');
  return result(ExitCode.ok, undefined, next ? [cli('apply', opts.planPath, ...(opts.only !== undefined ? ['--cluster', next.cluster] : []))] : []);
}

/** The mesh run this apply continues: `--resume ID`, else the plan's newest mesh run; a new one when there is none. */
async function chooseMeshRun(plan: MeshPlan, opts: MeshRunOptions, deps: MeshRunDeps, ids: Map<string, string | null>): Promise<MeshRunRecord> {
  const found = opts.resume ? await deps.local.load(opts.resume) : (await deps.local.list(plan.metadata.id))[0];
  if (opts.resume && !found) throw new UserError(`mesh run ${opts.resume} not found in ${deps.local.stateDir}`);
  if (found && found.status !== 'rolled-back') {
    if (found.planId !== plan.metadata.id || found.digest !== opts.digest) {
      throw new UserError(`mesh run ${found.meshRunId} applied plan ${found.planId} (${found.digest}), not this file (${plan.metadata.id}, ${opts.digest})`, ExitCode.blocked);
    }
    if (found.status !== 'succeeded') deps.progress.info(`continuing mesh run ${found.meshRunId}`);
    return found;
  }
  const at = new Date(deps.now()).toISOString();
  return {
    apiVersion: 'istio-upgrade/v1',
    kind: 'MeshRun',
    meshRunId: newMeshRunId(deps.now()),
    planId: plan.metadata.id,
    planPath: opts.planPath,
    digest: opts.digest,
    startedAt: at,
    updatedAt: at,
    status: 'running',
    clusters: plan.clusters.map((c) => ({ name: c.name, context: c.plan.metadata.context!, clusterId: ids.get(c.name) ?? null, runId: null, status: 'pending' as const })),
    parts: meshParts(plan).map((p) => ({ index: p.index, cluster: p.cluster, steps: p.stepIds, status: 'pending' as const, finishedAt: null })),
    checks: [],
  };
}

/** What the record writes and the cross-cluster check need of a cluster (rollback has no executor to bind). */
export type MemberView = Pick<MeshMemberRun, 'cluster' | 'mirror'>;

/** Local first (resume needs it); the clusters' copies are evidence, so a failed write there is a warning. */
export async function saveEverywhere(record: MeshRunRecord, deps: Pick<MeshRunDeps, 'local' | 'now' | 'progress'> & { members: Map<string, MemberView> }, plan: MeshPlan): Promise<void> {
  record.updatedAt = new Date(deps.now()).toISOString();
  await deps.local.save(record);
  await Promise.all(
    plan.clusters.map((c) => deps.members.get(c.name)!.mirror.save(record).catch((e: Error) => deps.progress.warn(`could not write the mesh run record to ${c.name}: ${e.message}`))),
  );
}

/** Every remote of the mesh against its primary, from fresh inventories. */
export async function crossClusterProblems(plan: MeshPlan, deps: { members: Map<string, MemberView> }): Promise<string[]> {
  const remotes = plan.clusters.filter((c) => c.role === 'remote' && c.controlPlane);
  if (!remotes.length) return [];
  const inventories = new Map<string, Promise<Inventory>>();
  const inv = (name: string) => {
    if (!inventories.has(name)) inventories.set(name, deps.members.get(name)!.cluster.inventory());
    return inventories.get(name)!;
  };
  const out: string[] = [];
  for (const r of remotes) out.push(...remoteInjectorProblems({ name: r.name, inventory: await inv(r.name) }, { name: r.controlPlane!, inventory: await inv(r.controlPlane!) }));
  return out;
}

function takeWhile<T>(items: T[], pred: (t: T) => boolean): T[] {
  const i = items.findIndex((x) => !pred(x));
  return i < 0 ? items : items.slice(0, i);
}
