import { parseDuration, parseTimerDuration } from '../../apply/duration.js';
import { connectionFrom } from '../connection.js';
import { executePlan } from '../../apply/executor.js';
import { meshAnalyzer, skippedAnalyzer } from '../../apply/run-analyze.js';
import { toolPathsFrom } from '../../apply/tool-paths.js';
import { checkPlanPrerequisites } from '../../apply/plan-needs.js';
import { holderIdentity } from '../../apply/lock.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { renderDryRun } from '../../report/dry-run/index.js';
import { renderApplyResultText } from '../../report/apply-result/text.js';
import { readMeshPlanDocument } from '../../apply/mesh/plan-file.js';
import { isMeshRunId } from '../../apply/mesh/record.js';
import { defaultStateDir, LocalRunStore } from '../../apply/run-state.js';
import { ExecaRunner } from '../../apply/subprocess.js';
import { askOrInterrupted, terminalConfirmer } from '../../apply/terminal.js';
import { ExitCode, UserError } from '../../errors.js';
import type { Plan } from '../../plan/schema.js';
import { checkPlanIntegrity, readEd25519Key, sealPlan } from '../../plans/plan-integrity.js';
import type { RunFlags } from '../apply-options.js';
import { DEFAULTS } from '../options.js';
import { asAttempt, liveRunDeps, liveRuntime, wireRun } from '../run-deps.js';
import { confirmReapply } from '../reapply.js';
import { dryRunChecks } from '../../apply/dry-run-check.js';
import { writeStdout } from '../write-output.js';
import { renderDocument, toJson } from '../../report/structured.js';
import { renderPlan } from '../../report/plan/index.js';
import { textStyle } from '../color.js';
import { makePlan, type PlanOptions } from './plan.js';
import { useCatalogOfPlan } from '../catalog-option.js';
import { overridesForApply } from '../apply-overrides.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ApplyOptions extends RunFlags, Partial<Omit<PlanOptions, keyof RunFlags | 'out' | 'detailedExitcode'>> {
  dryRun?: boolean;
  offline?: boolean;
  resume?: string;
  maxPlanAge?: string;
  onFailure: 'rollback' | 'stop';
  rollbackTimeout?: string;
  yes?: boolean;
  /** No `istioctl analyze` before and after; recorded as skipped with this flag as the reason. */
  skipAnalyze?: boolean;
  verifyKey?: string;
  allowAnyCluster?: boolean;
  /** Mesh plans only: the one cluster whose next parts to apply. */
  cluster?: string;
}

interface Limits {
  stepTimeoutMs: number;
  rollbackTimeoutMs: number;
  maxPlanAgeMs?: number;
}

/** Bad flag values (durations, --helm/--istioctl) are usage errors (exit 2), found before any file is read or any cluster is contacted. */
export function parseLimits(opts: ApplyOptions): Limits {
  const stepTimeoutMs = parseTimerDuration(opts.stepTimeout, '--step-timeout');
  const rollbackTimeoutMs = opts.rollbackTimeout !== undefined ? parseTimerDuration(opts.rollbackTimeout, '--rollback-timeout') : stepTimeoutMs;
  // An empty value is an error, not "no limit": `--max-plan-age "$UNSET_VAR"` must not turn the check off.
  const maxPlanAgeMs = opts.maxPlanAge !== undefined ? parseDuration(opts.maxPlanAge, '--max-plan-age') : undefined;
  toolPathsFrom(opts);
  return { stepTimeoutMs, rollbackTimeoutMs, ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}) };
}

export async function applyCommand(opts: ApplyOptions, planArg?: string): Promise<number> {
  parseLimits(opts);
  if (opts.cluster !== undefined || (opts.resume !== undefined && isMeshRunId(opts.resume)) || (planArg !== undefined && (await readMeshPlanDocument(planArg)) !== undefined)) {
    return (await import('./apply-mesh.js')).applyMeshCommand(opts, planArg);
  }
  if (opts.to !== undefined) return planThenApply(opts, planArg);
  if (!planArg && !opts.resume) throw new UserError('apply needs a plan file (istio-upgrade apply plan.json) or --resume <run-id>', ExitCode.usage);
  let plan: Plan;
  let planPath: string;
  const verifyKey = opts.verifyKey !== undefined ? await readEd25519Key(opts.verifyKey, '--verify-key', 'public') : undefined;
  if (planArg) {
    plan = await readPlanFile(planArg);
    planPath = planArg;
    const check = checkPlanIntegrity(plan, planArg, verifyKey);
    process.stderr.write(
      check.status === 'unsealed'
        ? `plan ${plan.metadata.id}: ${planArg} records no digest (written by hand or by an older version); its content is ${check.digest}\n`
        : `plan ${plan.metadata.id}: digest ${check.digest} verified${check.status === 'signed' ? ', signed by the --verify-key key' : ''}\n`,
    );
  } else {
    const local = new LocalRunStore(opts.stateDir ?? defaultStateDir());
    const stored = await local.loadPlan(opts.resume!);
    const record = await local.load(opts.resume!);
    if (!stored || !record) throw new UserError(`run ${opts.resume} has no local copy of its plan in ${local.stateDir}; pass the plan file: istio-upgrade apply <plan.json> --resume ${opts.resume}`);
    plan = stored;
    planPath = record.planPath;
    if (verifyKey) checkPlanIntegrity(plan, `the plan of run ${opts.resume}`, verifyKey);
  }
  return applyPlan(plan, planPath, opts);
}

/**
 * `apply --to`: plan against the live cluster, show the plan, then ask. The approval of an unreviewed
 * plan is a person at a terminal or an explicit --yes; CI never waits on a prompt.
 */
async function planThenApply(opts: ApplyOptions, planArg: string | undefined): Promise<number> {
  if (planArg) throw new UserError('apply takes either a plan file or --to, not both', ExitCode.usage);
  if (opts.resume) throw new UserError('--resume continues a run of a plan file; it cannot be combined with --to', ExitCode.usage);
  if (opts.verifyKey !== undefined) throw new UserError('--verify-key checks a plan file; apply --to makes an unsigned plan on the spot', ExitCode.usage);
  const made = await makePlan({ ...DEFAULTS, ...opts });
  const { inventory } = made;
  const plan = sealPlan(made.plan);
  const shown = renderPlan(plan, inventory, opts.output, textStyle(opts.color));
  if (opts.output !== 'text') process.stderr.write(shown);
  else await writeStdout(shown);
  if (plan.blockers.length) return ExitCode.blocked;
  if (plan.upToDate) return ExitCode.ok;
  if (!opts.dryRun && !opts.yes) {
    const confirmer = terminalConfirmer();
    if (!confirmer.interactive || process.env.CI) {
      throw new UserError('apply --to needs --yes when it cannot ask (no terminal, or CI is set); or review it first: istio-upgrade plan --to ' + opts.to + ' --out plan.json && istio-upgrade apply plan.json', ExitCode.usage);
    }
    if (!(await askOrInterrupted(confirmer, `Apply these ${plan.steps.length} steps to context ${plan.metadata.context}? Type yes`, 'yes'))) {
      process.stderr.write('not applied: the confirmation was not "yes"; nothing was changed\n');
      return ExitCode.blocked;
    }
  }
  return applyMadePlan(plan, opts);
}

/** A plan made on the spot (apply --to, cleanup) is kept in the state directory, where its run record points. */
export async function applyMadePlan(plan: Plan, opts: ApplyOptions): Promise<number> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const planPath = join(stateDir, 'plans', `${plan.metadata.id}.json`);
  await mkdir(dirname(planPath), { recursive: true, mode: 0o700 });
  await writeFile(planPath, toJson(plan), { mode: 0o600 });
  return applyPlan(plan, planPath, opts);
}

/** Entry point shared with `apply --to` (plan, then apply): the plan is already in memory. */
export async function applyPlan(plan: Plan, planPath: string, opts: ApplyOptions): Promise<number> {
  const { stepTimeoutMs, rollbackTimeoutMs, maxPlanAgeMs } = parseLimits(opts);

  if (opts.offline && !opts.dryRun) throw new UserError('--offline only goes with --dry-run', ExitCode.usage);
  if (opts.dryRun && opts.offline) return dryRun(plan, opts);
  // Local inputs the plan was made with, checked before the cluster is contacted.
  await useCatalogOfPlan(plan, opts.catalog);
  const overrides = overridesForApply(plan, opts);
  if (opts.dryRun) return checkedDryRun(plan, opts, maxPlanAgeMs, overrides);

  const { LiveCluster } = await import('../../apply/live-cluster.js');
  const cluster = await LiveCluster.connect(connectionFrom(opts), plan.source.istioNamespace);
  const w = wireRun(opts, cluster, overrides);
  const holder = holderIdentity();
  const reapplying = await confirmReapply(plan, opts, w.store, 'ask');
  if (reapplying) process.stderr.write(`${reapplying}\n`);
  const result = await asAttempt(w, cluster, { plan, rollback: false, holder }, () => executePlan(
    plan,
    {
      planPath,
      onFailure: opts.onFailure,
      stepTimeoutMs,
      rollbackTimeoutMs,
      ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}),
      ...(opts.resume ? { resume: opts.resume } : {}),
      yes: opts.yes ?? false,
      allowAnyCluster: opts.allowAnyCluster ?? false,
      ...(opts.backupDir !== undefined ? { backupDir: opts.backupDir } : {}),
      holder,
      hintFlags: w.hintFlags,
    },
    {
      ...liveRunDeps(w, cluster),
      confirm: terminalConfirmer(),
      prerequisites: (p, signal, timeoutMs) => checkPlanPrerequisites(p, { runner: w.runner, versions: w.versions, reviewAccess: (x) => cluster.reviewAccess(x), fetchManifest: (url, s) => cluster.fetchManifest(url, s), signal, timeoutMs }),
      analyze: opts.skipAnalyze ? skippedAnalyzer('--skip-analyze') : meshAnalyzer(w.runner),
    },
  ));
  if (opts.output !== 'text') await writeStdout(renderDocument(result, opts.output));
  process.stderr.write(renderApplyResultText(result, w.store.local.logPath(result.runId)));
  return result.exitCode;
}

/**
 * The checks of a real apply, reading only: a refusal throws the UserError (and exit code) the real apply would
 * give; otherwise what was checked goes to stderr and the commands to stdout.
 */
async function checkedDryRun(plan: Plan, opts: ApplyOptions, maxPlanAgeMs: number | undefined, overrides: ReadonlyMap<string, string> | undefined): Promise<number> {
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  const cluster = await LiveCluster.connect(connectionFrom(opts), plan.source.istioNamespace);
  const w = wireRun(opts, cluster, overrides);
  const reapply = await confirmReapply(plan, opts, w.store, 'check');
  const checks = await dryRunChecks(
    plan,
    { ...(maxPlanAgeMs !== undefined ? { maxPlanAgeMs } : {}), canApprove: (opts.yes ?? false) || terminalConfirmer().interactive, allowAnyCluster: opts.allowAnyCluster ?? false },
    { cluster, clock: liveRuntime.clock, runner: w.runner, store: w.store, reviewAccess: (x) => cluster.reviewAccess(x), fetchManifest: (url, s) => cluster.fetchManifest(url, s) },
  );
  if (reapply) checks.push(reapply);
  if (plan.metadata.catalog) checks.push(`the release catalog file is the one the plan was made with (${plan.metadata.catalog.digest})`);
  if (overrides) checks.push(`the value overrides of ${[...overrides.keys()].join(', ')} are the ones the plan was made with (${plan.valueOverrides!.keys.length} keys)`);
  process.stderr.write(`checked against context "${cluster.context}" (reads only):\n${checks.map((c) => `  ✓ ${c}\n`).join('')}`);
  return dryRun(plan, opts, { context: cluster.context, runner: w.runner, checks });
}

/** Offline: no connection, no lock, no record. The context shown is the one apply would insist on. */
async function dryRun(plan: Plan, opts: ApplyOptions, live?: { context: string; runner: ExecaRunner; checks: string[] }): Promise<number> {
  const context = live?.context ?? opts.context ?? plan.metadata.context ?? '<current-context>';
  const runner =
    live?.runner ??
    new ExecaRunner({
      paths: toolPathsFrom(opts),
      context,
      kubeconfigFiles: [],
      callerEnv: {},
    });
  const ctx = { context, display: runner.display.bind(runner) };
  await writeStdout(renderDryRun(plan, ctx, live?.checks, opts.output));
  return ExitCode.ok;
}
