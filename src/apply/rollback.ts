import { ExitCode, UserError } from '../errors.js';
import type { Plan, PlanStep } from '../plan/schema.js';
import { istioMinorOf, runPlanCommand, runUndoCommand } from './command-exec.js';
import { holdToRecorded, pinnedManifests } from './gateway-api-bundle.js';
import { fetchBundles } from './prerequisites.js';
import type { EventSink } from './events.js';
import { acquireLock, observingMessage } from './lock.js';
import { exitCodeOfAbort, runStopController } from './signal-hub.js';
import type { Clock, Cluster, LogSink, PinnedManifest, Runner, SignalSource } from './ports.js';
import type { Progress } from './progress.js';
import { shellLine } from '../plan/shell.js';
import { commandLines, describeVerify } from './render.js';
import { chooseRollbackRun, type RollbackTrust } from './run-trust.js';
import { resolvedFrom, type RunRecord, type RunStatus } from './run-record.js';
import { buildRollbackPlan, recordUndoneRevisions, refuseRollbackDrift, refuseSuperseded, undoneSteps, type RollbackEntry } from './rollback-plan.js';
import { revisionUsers } from '../k8s/revision-use.js';
import { refuseCommandDrift } from './stale.js';
import { describeRecovery, recoveriesOf, runRecoveries } from './pending-recovery.js';
import type { CheckpointStore } from './run-state.js';

export interface RollbackOptions {
  /** The run to unwind; the newest recorded run when absent. */
  runId?: string;
  /** Unwind down to and including this step. */
  toStep?: string;
  /** Budget of each step's rollback commands. */
  timeoutMs: number;
  holder: string;
  hintFlags: string[];
  /**
   * Shown the rollback plan before anything changes: 'go' runs it, 'stop' returns it unrun (--dry-run, or a person who
   * did not confirm). Absent: run it (tests of the unwinding itself).
   */
  review?: (entries: RollbackEntry[], stopAt: PlanStep | undefined, recoveries: string[]) => Promise<'go' | 'dry-run' | 'declined'>;
}

/** What a run needs from the outside world; apply adds a confirmer for irreversible steps. */
export interface RollbackDeps {
  cluster: Cluster;
  runner: Runner;
  store: CheckpointStore;
  clock: Clock;
  signals: SignalSource;
  progress: Progress;
  events: EventSink;
  /** Where subprocess output of a run goes (the run log); none in tests. */
  logFor?: (runId: string) => LogSink;
  /** GET of a release manifest a rollback re-applies, fetched and held to the run's digest before the first change. */
  fetchManifest?: (url: string, signal: AbortSignal) => Promise<string>;
}

export interface RollbackResult {
  apiVersion: 'istio-upgrade/v1';
  kind: 'RollbackResult';
  runId: string;
  planId: string;
  status: RunStatus;
  exitCode: number;
  rolledBack: string[];
  /** The rollback plan, in the order it runs (or would run). */
  plan: { stepId: string; action: 'undo' | 'restart'; commands: string[] }[];
  /** Helm releases left pending-* by an interrupted helm call, recovered before the unwinding (pending-recovery.ts). */
  recover: string[];
  error?: string;
  nextCommands: string[];
}

function stoppedAt(step: PlanStep): string {
  return `step ${step.id} cannot be undone (${step.title}); unwinding stopped there, it and the steps before it remain applied`;
}

/** Pods still injected by the revision an istiod-install step added, which its rollback is about to remove. */
async function podsLeftOn(step: PlanStep, cluster: Cluster): Promise<string[]> {
  const deployment = step.verify.find((v) => v.type === 'deployment-rollout');
  if (!deployment || deployment.type !== 'deployment-rollout') return [];
  const revision = deployment.name === 'istiod' ? 'default' : deployment.name.replace(/^istiod-/, '');
  const inv = await cluster.inventory();
  return revisionUsers(inv, revision, { defaultsMovedFirst: true }).map((why) => `${revision}: ${why}`);
}

/** The run to unwind and its plan, by the trust rules of run-trust.ts. */
export async function loadRun(store: CheckpointStore, runId: string | undefined, trust: RollbackTrust): Promise<{ record: RunRecord; plan: Plan }> {
  return chooseRollbackRun(await store.candidates(undefined, runId), runId, store.local.stateDir, trust);
}

/**
 * The release manifests the rollback re-applies (a Gateway API bundle found before the run), fetched and checked before
 * its first change and held to the digest the run recorded: a missing, foreign or changed one refuses the rollback with
 * nothing changed, rather than failing it halfway. Without a fetcher (tests), each is fetched at its step and held to
 * the recorded digest there.
 */
async function pinRollbackManifests(order: RollbackEntry[], record: RunRecord, fetch: RollbackDeps['fetchManifest']): Promise<Map<string, PinnedManifest>> {
  const needs = order.flatMap((e) => e.commands.flatMap((c) => (c.api?.type === 'apply-gateway-api-crds' ? [{ url: c.api.url, version: c.api.version, channel: c.api.channel }] : [])));
  if (!fetch || !needs.length) return pinnedManifests(record.gatewayApiBundles);
  // No run listens to the stop signals yet, so Ctrl-C here exits at once (signal-hub.ts): nothing has changed.
  const { problems, fetched } = await fetchBundles(needs, fetch, new AbortController().signal);
  const { manifests, changed } = holdToRecorded(record.gatewayApiBundles, fetched);
  problems.push(...changed);
  if (problems.length) throw new UserError(`cannot roll back run ${record.runId}: ${problems.join('; ')}; nothing was changed`, ExitCode.blocked);
  return manifests;
}

/** Unwinds the completed reversible steps of a run, newest first, with each step's recorded rollback commands. */
export async function rollbackRun(record: RunRecord, plan: Plan, opts: RollbackOptions, deps: RollbackDeps): Promise<RollbackResult> {
  const { cluster, clock, progress } = deps;
  refuseCommandDrift(plan);
  if (cluster.context !== record.context) {
    throw new UserError(`run ${record.runId} ran against context "${record.context}" but the current context is "${cluster.context}"`, ExitCode.blocked, `pass --context ${record.context}`);
  }
  const clusterId = await cluster.clusterId();
  if (record.clusterId !== null && record.clusterId !== clusterId) {
    throw new UserError(`run ${record.runId} ran against cluster ${record.clusterId} but context "${cluster.context}" reaches cluster ${clusterId ?? '(unknown)'}`, ExitCode.blocked);
  }
  let last = 0;
  if (opts.toStep) {
    last = plan.steps.findIndex((s) => s.id === opts.toStep);
    if (last < 0) throw new UserError(`--to-step ${opts.toStep} is not a step of run ${record.runId} (steps: ${plan.steps.map((s) => s.id).join(', ')})`, ExitCode.usage);
  }
  const cli = (...args: string[]) => shellLine(['istio-upgrade', ...args, ...opts.hintFlags]);
  refuseSuperseded(record, await deps.store.runs(), cli);
  const { entries: order, stopAt } = buildRollbackPlan(plan, record, last);
  const recoveries = await recoveriesOf(order, cluster);
  await refuseRollbackDrift(order, cluster, recoveries, undoneSteps(plan, record));
  const manifests = await pinRollbackManifests(order, record, deps.fetchManifest);
  const display = { context: cluster.context, display: deps.runner.display.bind(deps.runner) };
  const shown = order.map((e) => ({ stepId: e.step.id, action: e.action, commands: e.commands.flatMap((c) => commandLines(c, display, resolvedFrom(e.rec)).filter((l) => !l.trimStart().startsWith('#'))) }));
  const rolledBack: string[] = [];
  const unrun = (exitCode: number, error?: string): RollbackResult => ({
    apiVersion: 'istio-upgrade/v1',
    kind: 'RollbackResult',
    runId: record.runId,
    planId: record.planId,
    status: record.status,
    exitCode,
    rolledBack,
    plan: shown,
    recover: recoveries.map(describeRecovery),
    ...(error ? { error } : {}),
    nextCommands: [],
  });
  if (!order.length) {
    progress.info(`run ${record.runId}: nothing to roll back${opts.toStep ? ` down to ${opts.toStep}` : ''}${stopAt ? ` (step ${stopAt.id} cannot be undone)` : ''}`);
    return unrun(stopAt ? ExitCode.blocked : ExitCode.ok, stopAt ? stoppedAt(stopAt) : undefined);
  }
  const decision = opts.review ? await opts.review(order, stopAt, recoveries.map(describeRecovery)) : 'go';
  if (decision === 'dry-run') return unrun(ExitCode.ok);
  if (decision === 'declined') return unrun(ExitCode.blocked, 'the rollback was not confirmed; nothing was changed');

  const interrupt = runStopController();
  const off = deps.signals.onInterrupt((sig) => {
    if (!interrupt.signal.aborted) interrupt.abort(new Error(sig));
  });
  const lock = await acquireLock(cluster.leases, clock, { namespace: record.istioNamespace, holder: opts.holder, runId: record.runId, onObserve: (l) => progress.info(observingMessage(l)) }).catch((e) => {
    off();
    throw e;
  });
  const log = deps.logFor?.(record.runId);
  const interruptCode = () => exitCodeOfAbort(interrupt.signal);
  const done = async (status: RunStatus, exitCode: number, error?: string, nextCommands: string[] = []): Promise<RollbackResult> => {
    record.status = status;
    await deps.store.save(record);
    return { ...unrun(exitCode, error), status, nextCommands };
  };
  const manual = (steps: PlanStep[]) => steps.flatMap((s) => (s.rollback?.commands ?? []).flatMap((c) => commandLines(c, display, resolvedFrom(record.steps[plan.steps.indexOf(s)])).filter((l) => !l.trimStart().startsWith('#'))));

  try {
    if (recoveries.length) {
      // The first checkpoint opens this attempt, which keeps the recoveries.
      await deps.store.save(record);
      const recovered = await runRecoveries(recoveries, {
        cluster,
        runner: deps.runner,
        clock,
        signal: interrupt.signal,
        ...(log ? { log } : {}),
        records: cluster.helmRecords,
        deadline: clock.now() + opts.timeoutMs,
        record,
        say: (line) => progress.info(line),
        save: () => deps.store.save(record),
      });
      if (!recovered.ok) {
        if (interrupt.signal.aborted) return done('interrupted', interruptCode(), `interrupted while recovering a pending Helm release: ${recovered.message}`, [cli('rollback', record.runId)]);
        return done('rollback-failed', ExitCode.failedUnknown, `could not recover a pending Helm release before rolling back: ${recovered.message}; nothing was rolled back`, [cli('status'), cli('rollback', record.runId)]);
      }
    }
    for (let k = 0; k < order.length; k++) {
      const { step, rec, index: i, action, commands, verify } = order[k]!;
      if (interrupt.signal.aborted) return done('interrupted', interruptCode(), `interrupted before rolling back step ${step.id}`, [cli('rollback', record.runId)]);
      const stranded = step.kind === 'istiod-install' ? await podsLeftOn(step, cluster) : [];
      if (stranded.length) {
        return done('rollback-failed', ExitCode.failedUnknown, `not removing the new revision of step ${step.id}: ${stranded.join('; ')}; the steps before it were rolled back`, [cli('status'), cli('rollback', record.runId)]);
      }
      const started = clock.now();
      progress.stepStarted(step, i, plan.steps.length, true);
      const deadline = started + opts.timeoutMs;
      let previous: string | undefined;
      let failure: string | undefined;
      const skipped: string[] = [];
      for (const cmd of commands) {
        progress.stepUpdate(step, cmd.description);
        const env = { cluster, runner: deps.runner, clock, signal: interrupt.signal, ...(log ? { log } : {}), ...istioMinorOf(plan, step), manifests };
        const r = action === 'undo' ? await runUndoCommand(cmd, previous, deadline, env, resolvedFrom(rec)) : await runPlanCommand(cmd, previous, deadline, env, resolvedFrom(rec));
        if (!r.ok) {
          failure = r.message;
          break;
        }
        if (r.skipped) skipped.push(r.skipped);
        previous = r.stdout;
      }
      for (const spec of failure === undefined ? verify : []) {
        progress.stepUpdate(step, `verifying: ${describeVerify(spec)}`);
        const v = await cluster.verify(spec, { signal: interrupt.signal, deadline, probe: false, since: started }).catch((e: Error) => ({ ok: false as const, reason: e.message }));
        if (!v.ok) failure = `verification failed: ${v.reason}`;
      }
      const ms = clock.now() - started;
      if (failure !== undefined) {
        if (interrupt.signal.aborted) {
          progress.stepFinished(step, 'interrupted', ms);
          return done('interrupted', interruptCode(), `interrupted while rolling back step ${step.id}`, [...manual([step]), cli('rollback', record.runId)]);
        }
        rec.error = `rollback failed: ${failure}`;
        progress.stepFinished(step, 'failed', ms, rec.error);
        deps.events.emit({ ts: new Date(clock.now()).toISOString(), runId: record.runId, stepId: step.id, kind: step.kind, event: 'failed', durationMs: ms, error: rec.error });
        return done('rollback-failed', ExitCode.failedUnknown, `rolling back step ${step.id} failed: ${failure}`, [...manual(order.slice(k).map((x) => x.step)), cli('rollback', record.runId)]);
      }
      if (action === 'undo') await recordUndoneRevisions(step, rec, cluster);
      rec.status = 'rolled-back';
      rec.commandsDone = 0;
      rec.finishedAt = new Date(clock.now()).toISOString();
      rec.note = action === 'restart' ? `restarted onto ${plan.source.revision}` : commands.length && skipped.length < commands.length ? 'rolled back' : skipped.length ? `nothing to undo: ${skipped.join('; ')}` : 'nothing to undo';
      delete rec.error;
      rolledBack.push(step.id);
      await deps.store.save(record);
      deps.events.emit({ ts: rec.finishedAt, runId: record.runId, stepId: step.id, kind: step.kind, event: 'rolled-back', durationMs: ms });
      progress.stepFinished(step, 'rolled-back', ms, rec.note);
    }
    if (stopAt) return done(record.status, ExitCode.blocked, stoppedAt(stopAt));
    return done('rolled-back', ExitCode.ok);
  } finally {
    off();
    await lock.release().catch((e: Error) => progress.warn(`could not release the upgrade lock (it expires within a minute): ${e.message}`));
  }
}
