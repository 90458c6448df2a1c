import { parseTimerDuration } from '../../apply/duration.js';
import { connectionFrom } from '../connection.js';
import { holderIdentity } from '../../apply/lock.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { loadRun, rollbackRun } from '../../apply/rollback.js';
import { validateNamespace } from '../options.js';
import { askOrInterrupted, terminalConfirmer } from '../../apply/terminal.js';
import type { FoundRun } from '../../apply/run-trust.js';
import { shellLine } from '../../plan/shell.js';
import { planDigest } from '../../plans/plan-integrity.js';
import type { Plan, PlanStep } from '../../plan/schema.js';
import type { RollbackEntry } from '../../apply/rollback-plan.js';
import { ExitCode, UserError } from '../../errors.js';
import { isMeshRunId } from '../../apply/mesh/record.js';
import type { RunFlags } from '../apply-options.js';
import { asAttempt, liveRunDeps, wireRun } from '../run-deps.js';
import { renderApplyResultText } from '../../report/apply-result/text.js';
import { writeStdout } from '../write-output.js';
import { renderDocument } from '../../report/structured.js';

export interface RollbackCommandOptions extends RunFlags {
  istioNamespace: string;
  toStep?: string;
  dryRun?: boolean;
  yes?: boolean;
  plan?: string;
  trustClusterRecord?: boolean;
}

/** `--trust-cluster-record`: the record and every command it would lead to are shown; a person types the run id. */
async function reviewClusterRecord(found: FoundRun, plan: Plan): Promise<boolean> {
  const confirmer = terminalConfirmer();
  if (!confirmer.interactive || process.env.CI) {
    throw new UserError('--trust-cluster-record needs a person at a terminal to review the record; without one pass --plan FILE', ExitCode.usage);
  }
  const r = found.record;
  const lines = [
    `run ${r.runId} is recorded only in the cluster (ConfigMap istio-upgrade-run-${r.runId}); review it before trusting it:`,
    `  plan ${r.planId} (${planDigest(plan)}), context ${r.context}, cluster ${r.clusterId ?? '(none)'}, started ${r.startedAt}, status ${r.status}`,
    ...plan.steps.map((s, i) => `  ${r.steps[i]?.status ?? '?'}  ${s.id}${s.rollback ? s.rollback.commands.map((c) => `\n      undo: ${shellLine(c.argv)}`).join('') : '  (no rollback)'}`),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  return askOrInterrupted(confirmer, `Type the run id ${r.runId} to roll it back with these commands`, r.runId);
}

/** Prints the rollback plan, then: --dry-run stops, --yes goes, a terminal asks, anything else is a usage error. */
export async function reviewRollback(runId: string, entries: RollbackEntry[], stopAt: PlanStep | undefined, recoveries: string[], opts: RollbackCommandOptions): Promise<'go' | 'dry-run' | 'declined'> {
  const lines = [
    ...(recoveries.length ? ['first, recover what an interrupted helm call left pending (Helm refuses every other operation on it):', ...recoveries.map((r) => `  ${r}`)] : []),
    `rollback plan for run ${runId} (${entries.length} step(s), in this order):`,
    ...entries.flatMap((e, k) => [
      `  ${k + 1}. ${e.step.id}: ${e.action === 'restart' ? 'restart its workloads again onto the old revision, then verify them there' : e.commands.length ? 'undo' : 'nothing to undo'}`,
      ...e.commands.map((c) => `       ${shellLine(c.argv)}`),
    ]),
    ...(stopAt ? [`  step ${stopAt.id} cannot be undone: unwinding stops after the steps above`] : []),
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  if (opts.dryRun) return 'dry-run';
  if (opts.yes) return 'go';
  const confirmer = terminalConfirmer();
  if (!confirmer.interactive || process.env.CI) throw new UserError('rollback needs --yes when it cannot ask (no terminal, or CI is set); --dry-run shows the plan only', ExitCode.usage);
  return (await askOrInterrupted(confirmer, `Roll back run ${runId} with these ${entries.length} step(s)? Type yes`, 'yes')) ? 'go' : 'declined';
}

export async function rollbackCommand(opts: RollbackCommandOptions, runId?: string): Promise<number> {
  if (runId !== undefined && isMeshRunId(runId)) return (await import('./rollback-mesh.js')).rollbackMeshCommand(opts, runId);
  const timeoutMs = parseTimerDuration(opts.stepTimeout, '--step-timeout');
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  let cluster = await LiveCluster.connect(connectionFrom(opts), validateNamespace(opts.istioNamespace));
  const { record, plan } = await loadRun(wireRun(opts, cluster).store, runId, {
    readPlan: readPlanFile,
    ...(opts.plan !== undefined ? { planFile: opts.plan } : {}),
    ...(opts.trustClusterRecord ? { confirmClusterRecord: reviewClusterRecord } : {}),
  });
  // The run knows its Istio namespace; the lock and its ConfigMap live there, whatever the flag said.
  if (record.istioNamespace !== cluster.istioNamespace) cluster = new LiveCluster(cluster.source, record.istioNamespace);
  const w = wireRun(opts, cluster);
  const holder = holderIdentity();
  const result = await asAttempt(w, cluster, { plan, rollback: true, holder }, () =>
    rollbackRun(
      record,
      plan,
      { ...(opts.toStep ? { toStep: opts.toStep } : {}), timeoutMs, holder, hintFlags: w.hintFlags, review: (entries, stopAt, recoveries) => reviewRollback(record.runId, entries, stopAt, recoveries, opts) },
      liveRunDeps(w, cluster),
    ),
  );
  if (opts.output !== 'text') await writeStdout(renderDocument(result, opts.output));
  process.stderr.write(renderApplyResultText(result, w.store.local.logPath(result.runId)));
  return result.exitCode;
}
