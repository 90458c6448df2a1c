import { executePlan } from '../../apply/executor.js';
import { holderIdentity } from '../../apply/lock.js';
import { parseMeshPlan, readMeshPlanDocument } from '../../apply/mesh/plan-file.js';
import { LocalMeshRuns, MeshRunMirror } from '../../apply/mesh/record.js';
import { runMesh, type MeshApplyResult, type MeshMemberRun } from '../../apply/mesh/runner.js';
import { runStopController } from '../../apply/signal-hub.js';
import { checkPlanPrerequisites } from '../../apply/plan-needs.js';
import { defaultStateDir } from '../../apply/run-state.js';
import { terminalConfirmer } from '../../apply/terminal.js';
import { ExitCode, UserError } from '../../errors.js';
import type { MeshPlan } from '../../plans/mesh/schema.js';
import { checkPlanIntegrity, readEd25519Key } from '../../plans/plan-integrity.js';
import { renderDocument } from '../../report/structured.js';
import { connectionFrom } from '../connection.js';
import { asAttempt, liveRunDeps, liveRuntime, wireRun, type RunWiring } from '../run-deps.js';
import type { RunFlags } from '../apply-options.js';
import type { LiveCluster } from '../../apply/live-cluster.js';
import type { Plan } from '../../plan/schema.js';
import { writeStdout } from '../write-output.js';
import { parseLimits, type ApplyOptions } from './apply.js';

export interface LiveMember {
  name: string;
  plan: Plan;
  cluster: LiveCluster;
  mirror: MeshRunMirror;
  w: RunWiring;
}

/** Connects every cluster of a mesh plan through its recorded context (one kubeconfig, or KUBECONFIG merging several). */
export async function connectMesh(plan: MeshPlan, flags: RunFlags): Promise<LiveMember[]> {
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  const out: LiveMember[] = [];
  for (const c of plan.clusters) {
    const own = { ...flags, context: c.plan.metadata.context! };
    const cluster = await LiveCluster.connect(connectionFrom(own), c.plan.source.istioNamespace);
    out.push({ name: c.name, plan: c.plan, cluster, mirror: new MeshRunMirror(cluster.configMaps, cluster.istioNamespace), w: wireRun(own, cluster) });
  }
  return out;
}

/** `apply MESHPLAN [--cluster NAME]`: the clusters' parts in the mesh order, as one mesh run. */
export async function applyMeshCommand(opts: ApplyOptions, planArg: string | undefined): Promise<number> {
  const { stepTimeoutMs, rollbackTimeoutMs, maxPlanAgeMs } = parseLimits(opts);
  if (!planArg) throw new UserError('a mesh run continues from its mesh plan file: istio-upgrade apply MESHPLAN [--resume MESH-RUN-ID]', ExitCode.usage);
  if (opts.to !== undefined) throw new UserError('apply takes either a plan file or --to, not both', ExitCode.usage);
  if (opts.dryRun) throw new UserError('apply --dry-run runs single-cluster plans; review a mesh plan with plan -o markdown, or dry-run one cluster with plan --context <cluster> --out', ExitCode.usage);
  const doc = await readMeshPlanDocument(planArg);
  if (!doc) throw new UserError(`${planArg} is not a mesh plan: --cluster and mesh run ids go with a plan written by plan --context A --context B --out FILE`, ExitCode.usage);
  const verifyKey = opts.verifyKey !== undefined ? await readEd25519Key(opts.verifyKey, '--verify-key', 'public') : undefined;
  const { plan, check } = parseMeshPlan(doc, planArg, (d) => checkPlanIntegrity(d, planArg, verifyKey));
  process.stderr.write(`mesh plan ${plan.metadata.id}: digest ${check.digest}${check.status === 'unsealed' ? ' (the file records none)' : ' verified'}; clusters ${plan.clusters.map((c) => `${c.name} (context ${c.plan.metadata.context})`).join(', ')}\n`);
  const holder = holderIdentity();
  const stateDir = opts.stateDir ?? defaultStateDir();
  const live = await connectMesh(plan, opts);
  const bind = ({ w, ...m }: LiveMember): MeshMemberRun => ({
    ...m,
    prerequisites: () => checkPlanPrerequisites(m.plan, { runner: w.runner, reviewAccess: (x) => m.cluster.reviewAccess(x), fetchManifest: (url, s) => m.cluster.fetchManifest(url, s), signal: runStopController().signal, timeoutMs: stepTimeoutMs }),
    execute: (part, runId) =>
      asAttempt(w, m.cluster, { plan: m.plan, rollback: false, holder }, () =>
        executePlan(
          m.plan,
          {
            planPath: planArg,
            onFailure: opts.onFailure,
            stepTimeoutMs,
            rollbackTimeoutMs,
            ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}),
            ...(runId ? { resume: runId } : {}),
            yes: opts.yes ?? false,
            allowAnyCluster: opts.allowAnyCluster ?? false,
            ...(opts.backupDir !== undefined ? { backupDir: opts.backupDir } : {}),
            holder,
            hintFlags: w.hintFlags,
            stopBefore: part.stopBefore,
          },
          { ...liveRunDeps(w, m.cluster), confirm: terminalConfirmer(), prerequisites: (p, signal, timeoutMs) => checkPlanPrerequisites(p, { runner: w.runner, reviewAccess: (x) => m.cluster.reviewAccess(x), fetchManifest: (url, s) => m.cluster.fetchManifest(url, s), signal, timeoutMs }) },
        ),
      ),
  });
  const members = new Map(live.map((m) => [m.name, bind(m)] as const));
  const result = await runMesh(
    plan,
    {
      planPath: planArg,
      digest: check.digest,
      ...(opts.cluster !== undefined ? { only: opts.cluster } : {}),
      ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
      ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}),
      allowAnyCluster: opts.allowAnyCluster ?? false,
      hintFlags: [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...(opts.stateDir ? ['--state-dir', opts.stateDir] : [])],
    },
    { members, local: new LocalMeshRuns(stateDir), now: () => liveRuntime.clock.now(), progress: live[0]!.w.progress },
  );
  if (opts.output !== 'text') await writeStdout(renderDocument(result, opts.output));
  process.stderr.write(meshSummary(result));
  return result.exitCode;
}

/** The closing lines: the mesh run, each cluster's run, and what to run next. */
export function meshSummary(r: Pick<MeshApplyResult, 'meshRunId' | 'status' | 'error' | 'clusters' | 'nextCommands'>): string {
  const lines = [
    `mesh run ${r.meshRunId}: ${r.status}${r.error ? ` — ${r.error}` : ''}`,
    ...r.clusters.map((c) => `  ${c.name.padEnd(12)} context ${c.context.padEnd(12)} run ${(c.runId ?? '-').padEnd(28)} ${c.status}`),
  ];
  if (r.nextCommands.length) lines.push('next:', ...r.nextCommands.map((c) => `  ${c}`));
  return `${lines.join('\n')}\n`;
}
