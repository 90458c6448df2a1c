import { ExitCode, UserError, type ExitCodeValue } from '../errors.js';
import { exitCodeOfAbort, runStopController } from './signal-hub.js';
import { PromptInterrupted } from './terminal.js';
import { collectFacts } from '../plan/facts.js';
import type { Plan, PlanCommand, PlanStep } from '../plan/schema.js';
import { istioMinorOf, runPlanCommand, runUndoCommand, type CommandEnv } from './command-exec.js';
import type { PrerequisiteReport } from './prerequisites.js';
import { releasesChangedBy } from '../plan/commands.js';
import type { EventSink, StepEvent } from './events.js';
import { acquireLock, lockAvailability, observingMessage, type HeldLock } from './lock.js';
import type { Clock, Cluster, Confirmer, LogSink, PinnedManifest, Runner, SignalSource } from './ports.js';
import { bundleLine, holdToRecorded } from './gateway-api-bundle.js';
import type { Progress } from './progress.js';
import { shellLine } from '../plan/shell.js';
import { commandLines, confirmationWord, describeVerify } from './render.js';
import { CONTINUED, DONE_STEP, newRunId, newRunRecord, recordMatchesPlan, resolvedFrom, type RunRecord, type RunStatus, type StepRecord } from './run-record.js';
import { recordUndoneRevisions } from './rollback-plan.js';
import type { CheckpointStore } from './run-state.js';
import type { RollbackDeps } from './rollback.js';
import { checkSamePlan, confirmDoneSteps, recordContradicted, trustedFor, untrustedNote, type FoundRun } from './run-trust.js';
import { checkBackupDirectories } from './backup.js';
import { checkGateBefore } from './run-gates.js';
import { analyzeLines, type AnalyzeWhen, type MeshAnalyzer } from './run-analyze.js';
import { runRecoveries, stepRecoveries } from './pending-recovery.js';
import { checkIdentity, checkPlanAge, refuseChangedOperatorFiles, refuseCommandDrift, staleError, staleFacts } from './stale.js';

export interface ExecuteOptions {
  /** Where the plan came from; recorded in the run and used in printed commands. */
  planPath: string;
  onFailure: 'rollback' | 'stop';
  stepTimeoutMs: number;
  rollbackTimeoutMs: number;
  maxPlanAgeMs?: number;
  /** Continue exactly this run (`--resume`); otherwise the plan's unfinished run is found by plan id. */
  resume?: string;
  /** Irreversible steps run without a typed confirmation. */
  yes: boolean;
  holder: string;
  /** Connection flags repeated in the printed resume/rollback commands (e.g. --context). */
  hintFlags: string[];
  /** Used when a test needs a fixed run id. */
  runId?: string;
  /** --backup-dir on this command line: the plan's backup may go there even outside the working directory. */
  backupDir?: string;
  /** Where relative backup directories resolve (default: the process's working directory). */
  cwd?: string;
  /** Apply a plan that records no cluster identity to whatever cluster the context reaches. */
  allowAnyCluster?: boolean;
  /** A mesh run applies a cluster's plan in parts: steps from this index on wait (status paused) for other clusters. */
  stopBefore?: number;
}

export interface ExecutorDeps extends RollbackDeps {
  confirm: Confirmer;
  /** Binaries, chart sources, permissions and reachability, checked in the preflight step before its commands. */
  prerequisites?: (plan: Plan, signal: AbortSignal, timeoutMs: number) => Promise<PrerequisiteReport>;
  /** `istioctl analyze` of the mesh before the first change and after the last step (src/apply/run-analyze.ts). */
  analyze?: MeshAnalyzer;
}

export interface ApplyResult {
  apiVersion: 'istio-upgrade/v1';
  kind: 'ApplyResult';
  runId: string;
  planId: string;
  status: RunStatus;
  exitCode: number;
  steps: (StepRecord & { kind: string; title: string })[];
  error?: string;
  /** What a person should run next, in order. */
  nextCommands: string[];
  /** What `istioctl analyze` found before and after, once the run finished. */
  analyze?: string[];
}

const RESUME_PROBE_MS = 60_000;

/** What apply checks before anything else (and `apply --dry-run` too): not blocked, recent enough, this cluster. */
export async function checkPlanFits(plan: Plan, cluster: Cluster, nowMs: number, maxPlanAgeMs: number | undefined, allowAnyCluster: boolean): Promise<string | null> {
  if (plan.blockers.length) {
    throw new UserError(
      `plan ${plan.metadata.id} has ${plan.blockers.length} blocker(s) and cannot be applied: ${plan.blockers.map((b) => b.message).join('; ')}`,
      ExitCode.blocked,
      'fix the blockers and make a new plan',
    );
  }
  refuseCommandDrift(plan);
  refuseChangedOperatorFiles(plan);
  if (cluster.istioNamespace !== plan.source.istioNamespace) throw new Error(`cluster port is for namespace ${cluster.istioNamespace}, the plan for ${plan.source.istioNamespace}`);
  checkPlanAge(plan, maxPlanAgeMs, nowMs);
  const clusterId = await cluster.clusterId();
  checkIdentity(plan, cluster.context, clusterId, allowAnyCluster);
  return clusterId;
}

/** Drift in the facts the steps not yet done rest on, ignoring what steps this run already started changed. */
export async function refuseDrift(plan: Plan, record: RunRecord | undefined, cluster: Cluster): Promise<void> {
  const status = (i: number) => record?.steps[i]?.status ?? 'pending';
  const pending = plan.steps.filter((_, i) => !DONE_STEP.has(status(i)));
  if (!pending.length) return;
  const started = plan.steps.filter((_, i) => status(i) !== 'pending');
  const changes = staleFacts(plan, collectFacts(await cluster.inventory()), pending, started);
  if (changes.length) throw staleError(plan, changes);
}

/** Without a terminal nobody can type a confirmation: say so before the first change, not in the middle. */
export function requireApprovalPossible(plan: Plan, record: RunRecord | undefined, canApprove: boolean): void {
  if (canApprove) return;
  const pending = plan.steps.filter((s, i) => s.irreversible && !DONE_STEP.has(record?.steps[i]?.status ?? 'pending'));
  if (pending.length) {
    throw new UserError(`the plan has irreversible step(s) ${pending.map((s) => s.id).join(', ')} and there is no terminal to confirm them`, ExitCode.usage, 'pass --yes to run them without a typed confirmation');
  }
}

/**
 * Executes a reviewed plan: checks it still fits the cluster, takes the lock, then runs each
 * pending step's commands and verifications, checkpointing after every command. `apply --to`
 * (plan then apply) calls this with a freshly made plan.
 */
export async function executePlan(plan: Plan, opts: ExecuteOptions, deps: ExecutorDeps): Promise<ApplyResult> {
  const { cluster, clock } = deps;
  checkBackupDirectories(plan, opts.cwd ?? process.cwd(), opts.backupDir);
  const clusterId = await checkPlanFits(plan, cluster, clock.now(), opts.maxPlanAgeMs, opts.allowAnyCluster ?? false);

  const interrupt = runStopController();
  const off = deps.signals.onInterrupt((sig) => {
    if (interrupt.signal.aborted) return;
    deps.progress.warn(`${sig} received: stopping the current command, then recording where the run stopped`);
    interrupt.abort(new Error(sig));
  });
  try {
    const run = new Run(plan, opts, deps, interrupt.signal, clusterId);
    // The refusals that cost a few reads come before the prerequisites' subprocesses and access reviews.
    if ((await run.refuseEarly()) === 'done') return run.alreadyApplied();
    const prerequisites = await prerequisitesFirst(plan, opts, deps, interrupt.signal);
    const lock = await acquireLock(cluster.leases, clock, {
      namespace: plan.source.istioNamespace,
      holder: opts.holder,
      onObserve: (l) => deps.progress.info(observingMessage(l)),
      onTakeover: (prev) => deps.progress.warn(`took over the expired upgrade lock of ${prev.holderIdentity} (last renewed ${prev.renewTime})`),
    });
    try {
      return await run.execute(lock, prerequisites);
    } finally {
      await lock.release().catch((e: Error) => deps.progress.warn(`could not release the upgrade lock (it expires within a minute): ${e.message}`));
    }
  } finally {
    off();
  }
}

/** Unmet prerequisites refuse the apply (exit 3) with each one's fix; `apply --dry-run` says the same. */
export function refuseUnmetPrerequisites(pre: PrerequisiteReport): void {
  if (pre.problems.length) throw new UserError(`prerequisites not met: ${pre.problems.join('; ')}`, ExitCode.blocked);
}

/**
 * The preflight step's prerequisites (binaries, chart sources, permissions, reachability) only read, and nothing a
 * concurrent apply changes: they are checked before the lock is taken and before a run record is written, so an
 * unmet one leaves nothing behind. What can change meanwhile (pending releases, istiod health, drift) is checked
 * under the lock by the preflight step's own commands and the drift check.
 */
async function prerequisitesFirst(plan: Plan, opts: ExecuteOptions, deps: ExecutorDeps, signal: AbortSignal): Promise<PrerequisiteReport | undefined> {
  if (!deps.prerequisites || !plan.steps.some((s) => s.kind === 'preflight')) return undefined;
  const pre = await deps.prerequisites(plan, signal, opts.stepTimeoutMs);
  if (signal.aborted) throw new UserError('interrupted before any change', exitCodeOfAbort(signal) as ExitCodeValue);
  refuseUnmetPrerequisites(pre);
  return pre;
}

type StepEnd = 'succeeded' | 'skipped' | 'failed' | 'interrupted' | 'lock-lost';

/** Which copies of which runs, at which checkpoint. */
function fingerprint(runs: FoundRun[]): string {
  return runs.map((r) => `${r.origin}:${r.record.runId}:${r.record.updatedAt}`).join(',');
}

class Run {
  private record!: RunRecord;
  private isNew = false;
  /** The records of this plan refuseEarly chose from; under the lock the choice is made again only if they changed. */
  private recordsSeen = '';
  private log: LogSink | undefined;
  /** Output of the command that failed the current step, when it printed findings (a precheck). */
  private failureOutput: string | undefined;
  private lock!: HeldLock;
  /** Release manifests pinned before the first change (pinBundles). */
  private manifests = new Map<string, PinnedManifest>();
  /** Checked before the lock (prerequisitesFirst); what they found goes into the preflight step's record. */
  private prerequisites: PrerequisiteReport | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly opts: ExecuteOptions,
    private readonly deps: ExecutorDeps,
    private readonly signal: AbortSignal,
    private readonly clusterId: string | null,
  ) {}

  private now(): number {
    return this.deps.clock.now();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private async save(): Promise<void> {
    await this.deps.store.save(this.record);
  }

  private event(step: PlanStep, event: StepEvent['event'], extra: Partial<StepEvent> = {}): void {
    this.deps.events.emit({ ts: this.iso(), runId: this.record.runId, stepId: step.id, kind: step.kind, event, ...extra });
  }

  private env(): CommandEnv {
    return { cluster: this.deps.cluster, runner: this.deps.runner, clock: this.deps.clock, signal: this.signal, ...(this.log ? { log: this.log } : {}), ...(this.manifests.size ? { manifests: this.manifests } : {}) };
  }

  private cli(...args: string[]): string {
    return shellLine(['istio-upgrade', ...args, ...this.opts.hintFlags]);
  }

  /**
   * Every refusal that needs no subprocess, before the prerequisites run and before the lock is taken, reading only:
   * the run this apply continues (or "already applied", or a run whose rollback failed), irreversible steps nobody can
   * confirm (exit 64), another apply holding the lock, drift (exit 3). What a concurrent apply may change meanwhile
   * is checked again under the lock (execute).
   */
  async refuseEarly(underLock = false): Promise<'done' | 'run'> {
    const chosen = await this.chooseRun();
    this.record = chosen.record;
    if (chosen.kind === 'done') return 'done';
    this.isNew = chosen.kind === 'new';
    this.requireApprovalPossible();
    if (!underLock) await lockAvailability(this.deps.cluster.leases, this.deps.clock, this.plan.source.istioNamespace);
    await refuseDrift(this.plan, this.record, this.deps.cluster);
    if (this.signal.aborted) throw new UserError('interrupted before any change', this.interruptCode() as ExitCodeValue);
    return 'run';
  }

  alreadyApplied(): ApplyResult {
    this.deps.progress.info(`plan ${this.plan.metadata.id} was already applied by run ${this.record.runId}; nothing to do`);
    return this.result(ExitCode.ok);
  }

  async execute(lock: HeldLock, prerequisites: PrerequisiteReport | undefined): Promise<ApplyResult> {
    const { plan, deps } = this;
    this.lock = lock;
    this.prerequisites = prerequisites;
    // Another apply of this plan may have run between refuseEarly and the lock: then choose again, under the lock.
    if ((await this.recordsNow()) !== this.recordsSeen) {
      if ((await this.refuseEarly(true)) === 'done') return this.alreadyApplied();
    } else {
      // Another plan's run may have changed the cluster meanwhile; drift is what the lock makes final.
      await refuseDrift(this.plan, this.record, this.deps.cluster);
    }
    this.pinBundles();
    const isNew = this.isNew;
    await this.lock.setRunId(this.record.runId);
    this.log = deps.logFor?.(this.record.runId);

    if (!isNew) {
      const at = this.record.steps.findIndex((s) => !DONE_STEP.has(s.status));
      deps.progress.info(`resuming run ${this.record.runId} at step ${this.record.steps[at]?.id ?? '(none left)'}`);
      await this.probeUnfinished();
    }
    if (this.signal.aborted) throw new UserError('interrupted before any change', this.interruptCode() as ExitCodeValue);

    this.record.status = 'running';
    if (isNew) await deps.store.savePlan(this.record.runId, plan);
    await this.save();

    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i]!;
      const rec = this.record.steps[i]!;
      if (DONE_STEP.has(rec.status)) continue;
      if (this.opts.stopBefore !== undefined && i >= this.opts.stopBefore) return this.paused();
      if (this.signal.aborted) return this.interrupted(step);
      if (step.irreversible && !this.opts.yes) {
        const word = confirmationWord(step);
        const ok = await deps.confirm.confirm(`Step ${step.id} cannot be undone: ${step.title}. Type "${word}" to run it`, word).catch((e: unknown) => {
          if (e instanceof PromptInterrupted) return 'interrupted' as const;
          throw e;
        });
        if (ok === 'interrupted') {
          this.record.status = 'interrupted';
          await this.save();
          return this.result(ExitCode.interrupted, `interrupted at the confirmation of step ${step.id}; nothing of it ran`, [this.cli('apply', this.opts.planPath), this.cli('rollback', this.record.runId)]);
        }
        if (!ok) {
          this.record.status = 'interrupted';
          await this.save();
          return this.result(ExitCode.blocked, `step ${step.id} was not confirmed; nothing of it ran`, [this.cli('apply', this.opts.planPath)]);
        }
      }
      // After the read-only preflight, before the first change.
      if (step.kind !== 'preflight' && !this.record.analyze?.before && this.record.steps.every((r, j) => r.status === 'pending' || plan.steps[j]!.kind === 'preflight')) await this.analyze('before');
      // Right before the step (after its confirmation): the live cluster still fits the hop or the removal.
      const gate = await checkGateBefore(plan, i, deps.cluster, this.iso());
      if (gate) {
        rec.gate = gate.record;
        if (gate.failure) return this.gateFailed(step, rec, gate.failure);
        deps.progress.info(`${gate.record.title}: passed`);
      }
      const end = await this.runStep(step, rec, i);
      if (end === 'interrupted') return this.interrupted(step);
      if (end === 'lock-lost') return this.lockLost(step);
      if (end === 'failed') return this.failed(step, rec);
    }
    await this.analyze('after');
    this.record.status = 'succeeded';
    await this.save();
    return this.result(ExitCode.ok);
  }

  /**
   * The Gateway API manifests the prerequisites fetched and checked are what the run applies: their bytes go to the
   * step, their digests into the record. An earlier attempt's digest is the one that counts: other bytes under the
   * same URL are refused before any change (gateway-api-bundle.ts says why the plan itself holds no digest).
   */
  private pinBundles(): void {
    const recorded = this.record.gatewayApiBundles ?? [];
    const fetched = this.prerequisites?.bundles ?? [];
    const { manifests, changed } = holdToRecorded(recorded, fetched);
    if (changed.length) {
      throw new UserError(`${changed.join('; ')} (run ${this.record.runId}); nothing was changed`, ExitCode.blocked, 'a release manifest must not change under its URL: check the mirror the plan names (--gateway-api-releases), or roll the run back and make a new plan');
    }
    const added = fetched.filter((b) => !recorded.some((r) => r.url === b.url)).map(({ text: _, ...pin }) => pin);
    if (added.length) this.record.gatewayApiBundles = [...recorded, ...added];
    this.manifests = manifests;
    for (const b of fetched) this.deps.progress.info(bundleLine(b));
  }

  /** Reported with the run and kept in its record; never a reason to stop it, whatever it finds. */
  private async analyze(when: AnalyzeWhen): Promise<void> {
    if (!this.deps.analyze) return;
    const result = await this.deps.analyze(when, this.plan, this.signal, this.log);
    const lines = analyzeLines(when, this.record.analyze?.before, result);
    this.record.analyze = { ...this.record.analyze, [when]: result, ...(when === 'after' ? { report: lines } : {}) };
    for (const l of lines) {
      if (l.startsWith('new: ')) this.deps.progress.warn(l);
      else this.deps.progress.info(l);
    }
    await this.save();
  }

  /**
   * Which run this apply continues. Only records this machine wrote, or cluster copies that embed this very plan,
   * are considered (run-trust.ts); a resumed run must have started with this plan; and a run is "already applied"
   * or skips steps only when the live cluster shows what its record says is done.
   */
  private async chooseRun(): Promise<{ kind: 'new' | 'resume'; record: RunRecord } | { kind: 'done'; record: RunRecord }> {
    const { plan, opts, deps } = this;
    const fresh = (): RunRecord =>
      newRunRecord(plan, { runId: opts.runId ?? newRunId(this.now()), planPath: opts.planPath, context: deps.cluster.context, clusterId: this.clusterId, now: this.now() });
    const runs = await this.trustedRuns(opts.resume);
    this.recordsSeen = fingerprint(runs);
    let chosen: FoundRun | undefined;
    if (opts.resume) {
      chosen = runs[0];
      if (!chosen) throw new UserError(`run ${opts.resume} not found (neither in ${deps.store.local.stateDir} nor as a ConfigMap in ${plan.source.istioNamespace} embedding this plan)`);
      if (!recordMatchesPlan(chosen.record, plan)) throw new UserError(`run ${opts.resume} belongs to plan ${chosen.record.planId}, not to ${plan.metadata.id} (or the plan's steps changed)`);
    } else {
      chosen = runs[0];
      if (!chosen) return { kind: 'new', record: fresh() };
    }
    const latest = chosen.record;
    checkSamePlan(latest, chosen.plan, plan, opts.planPath);
    if (latest.status === 'rollback-failed' && !opts.resume) {
      throw new UserError(
        `run ${latest.runId} of this plan failed and its rollback failed too; a person has to look first`,
        ExitCode.blocked,
        `then continue it with: ${this.cli('apply', opts.planPath, '--resume', latest.runId)}\n  or undo it with: ${this.cli('rollback', latest.runId)}`,
      );
    }
    if (!recordMatchesPlan(latest, plan)) throw new UserError(`run ${latest.runId} has plan id ${plan.metadata.id} but different steps: the plan file was edited after that run started`);
    // "Already applied" is never taken from a record alone, and a record from the cluster skips no step on its word.
    if (latest.status === 'succeeded' || chosen.origin === 'cluster') {
      const shown = await confirmDoneSteps(plan, latest, deps.cluster, this.signal, () => this.now(), RESUME_PROBE_MS);
      if (!shown.ok) throw recordContradicted(latest, shown);
    }
    return latest.status === 'succeeded' ? { kind: 'done', record: latest } : { kind: 'resume', record: latest };
  }

  /** What recordsSeen compares: the trusted records of this plan as they are now. */
  private async recordsNow(): Promise<string> {
    return fingerprint(await this.trustedRuns(this.opts.resume, false));
  }

  /** The records that may steer this run, newest first: one per run id, the newer trusted copy winning. */
  private async trustedRuns(runId: string | undefined, warn = true): Promise<FoundRun[]> {
    const byId = new Map<string, FoundRun>();
    for (const found of await this.deps.store.candidates(runId ? undefined : this.plan.metadata.id, runId)) {
      if (!trustedFor(found, this.plan)) {
        if (warn && found.origin === 'cluster' && found.record.planId === this.plan.metadata.id) this.deps.progress.warn(untrustedNote(found, this.opts.planPath));
        continue;
      }
      const seen = byId.get(found.record.runId);
      if (!seen || seen.record.updatedAt < found.record.updatedAt) byId.set(found.record.runId, { ...found, plan: seen?.plan ?? found.plan });
    }
    return [...byId.values()].sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }

  /** Without a terminal nobody can type a confirmation: say so before the first change, not in the middle. */
  private requireApprovalPossible(): void {
    requireApprovalPossible(this.plan, this.record, this.opts.yes || this.deps.confirm.interactive);
  }

  /** A step that was cut short may have done its work anyway; then it must not run again. */
  private async probeUnfinished(): Promise<void> {
    for (let i = 0; i < this.plan.steps.length; i++) {
      const step = this.plan.steps[i]!;
      const rec = this.record.steps[i]!;
      if (!CONTINUED.has(rec.status)) continue;
      // A check is never "already applied": it runs again.
      if (!step.verify.length || step.kind === 'preflight') continue;
      const since = rec.startedAt ? Date.parse(rec.startedAt) : undefined;
      let applied = true;
      for (const spec of step.verify) {
        const v = await this.deps.cluster
          .verify(spec, { signal: this.signal, deadline: this.now() + RESUME_PROBE_MS, probe: true, ...(since !== undefined ? { since } : {}) })
          .catch((e: Error) => ({ ok: false as const, reason: e.message }));
        if (!v.ok) {
          applied = false;
          break;
        }
      }
      if (applied) {
        rec.status = 'succeeded';
        rec.note = 'already applied';
        rec.finishedAt = this.iso();
        delete rec.error;
        this.event(step, 'succeeded', { note: 'already applied' });
        this.deps.progress.info(`step ${step.id}: its effect is already present; marked done (already applied)`);
      }
    }
  }

  private async runStep(step: PlanStep, rec: StepRecord, index: number): Promise<StepEnd> {
    const { deps, opts } = this;
    const started = this.now();
    // A step recorded as running or failed was cut short (or stopped by --on-failure stop) and is continued.
    const continuing = CONTINUED.has(rec.status);
    if (rec.status === 'pending' || rec.status === 'rolled-back') {
      rec.startedAt = new Date(started).toISOString();
      rec.commandsDone = 0;
    }
    rec.status = 'running';
    rec.finishedAt = null;
    delete rec.error;
    delete rec.note;
    deps.progress.stepStarted(step, index, this.plan.steps.length);
    this.event(step, 'started');
    for (const r of releasesChangedBy(step)) {
      if (!(r.key in rec.helmRevisions)) rec.helmRevisions[r.key] = { before: await deps.cluster.helmRevision(r.release, r.namespace), after: null };
    }
    await this.save();

    const deadline = started + opts.stepTimeoutMs;
    if (continuing) {
      const recovered = await this.recoverPendingReleases(step, rec, deadline);
      if (!recovered.ok) {
        if (this.signal.aborted) return this.stepInterrupted(step, started);
        rec.error = recovered.message;
        return 'failed';
      }
    }
    let from = rec.commandsDone;
    // apply-rendered consumes the previous command's output, which is not kept across processes: render again.
    if (from > 0 && from < step.commands.length && step.commands[from]!.api?.type === 'apply-rendered') from -= 1;
    if (step.kind === 'preflight' && this.prerequisites?.tools.length) rec.note = this.prerequisites.tools.join(', ');
    let previous: string | undefined;
    let ranSomething = step.commands.length === 0;
    const skipped: string[] = [];
    for (let c = from; c < step.commands.length; c++) {
      if (this.signal.aborted) return this.stepInterrupted(step, started);
      if (this.lock.lost) return 'lock-lost';
      const cmd = step.commands[c]!;
      deps.progress.stepUpdate(step, `${c + 1}/${step.commands.length} ${cmd.description}`);
      if (continuing && c === from) {
        const leftover = await this.interruptedHelm(step, cmd, rec, deadline);
        if (leftover.kind === 'failed') {
          if (this.signal.aborted) return this.stepInterrupted(step, started);
          rec.error = leftover.message;
          return 'failed';
        }
        if (leftover.kind === 'done') {
          deps.progress.info(`step ${step.id}: ${leftover.note}; not running it again`);
          ranSomething = true;
          previous = undefined;
          rec.commandsDone = Math.max(rec.commandsDone, c + 1);
          await this.save();
          this.event(step, 'command', { command: c, note: leftover.note });
          continue;
        }
      }
      const r = await runPlanCommand(cmd, previous, deadline, { ...this.env(), ...istioMinorOf(this.plan, step) });
      if (!r.ok) {
        if (this.signal.aborted) return this.stepInterrupted(step, started);
        rec.error = r.message;
        this.failureOutput = r.output;
        return 'failed';
      }
      if (r.skipped) {
        deps.progress.info(`step ${step.id}: ${r.skipped}`);
        skipped.push(r.skipped);
      } else ranSomething = true;
      previous = r.stdout;
      rec.commandsDone = Math.max(rec.commandsDone, c + 1);
      await this.save();
      this.event(step, 'command', { command: c, ...(r.skipped ? { note: r.skipped } : {}) });
    }

    if (this.lock.lost) return 'lock-lost';
    const verifyDeadline = this.now() + opts.stepTimeoutMs;
    for (const spec of step.verify) {
      if (this.signal.aborted) return this.stepInterrupted(step, started);
      deps.progress.stepUpdate(step, `verifying: ${describeVerify(spec)}`);
      const v = await deps.cluster.verify(spec, { signal: this.signal, deadline: verifyDeadline, probe: false }).catch((e: Error) => ({ ok: false as const, reason: e.message }));
      if (!v.ok) {
        if (this.signal.aborted) return this.stepInterrupted(step, started);
        rec.error = `verification failed: ${v.reason}`;
        return 'failed';
      }
    }
    for (const r of releasesChangedBy(step)) rec.helmRevisions[r.key]!.after = await deps.cluster.helmRevision(r.release, r.namespace);
    rec.status = ranSomething ? 'succeeded' : 'skipped';
    // What did not run stays visible in the record and the report, not only in the scrollback.
    if (skipped.length) rec.note = skipped.join('; ');
    rec.finishedAt = this.iso();
    await this.save();
    const ms = this.now() - started;
    this.event(step, rec.status === 'skipped' ? 'skipped' : 'succeeded', { durationMs: ms });
    deps.progress.stepFinished(step, rec.status === 'skipped' ? 'skipped' : 'succeeded', ms);
    return rec.status === 'skipped' ? 'skipped' : 'succeeded';
  }

  /** Releases this step's killed helm call left pending-*: Helm refuses to go on until they are recovered explicitly. */
  private recoverPendingReleases(step: PlanStep, rec: StepRecord, deadline: number): Promise<{ ok: true } | { ok: false; message: string }> {
    return stepRecoveries(step, rec, this.deps.cluster).then((todo) =>
      runRecoveries(todo, {
        ...this.env(),
        records: this.deps.cluster.helmRecords,
        deadline,
        record: this.record,
        say: (line) => this.deps.progress.info(`step ${step.id}: ${line}`),
        save: () => this.save(),
      }),
    );
  }

  /**
   * A helm command cut short (Ctrl-C, a crash, a CI job killed with its children, --on-failure stop) can leave its
   * release where helm refuses to go on: `helm install` refuses a name in use (a failed or pending install), and
   * `helm upgrade` refuses a release whose latest revision is pending-* (recovered before: recoverPendingReleases).
   * What this step itself left behind (a release that did not exist when the step first started; a revision newer than
   * the one it started from) is either complete — deployed at the planned chart, so the command is done — or, for an
   * install, undone with the step's own rollback before the command runs again. An upgrade needs nothing: helm
   * upgrades from a failed revision or from the one a recovery rolled back to.
   */
  private async interruptedHelm(step: PlanStep, cmd: PlanCommand, rec: StepRecord, deadline: number): Promise<{ kind: 'run' } | { kind: 'done'; note: string } | { kind: 'failed'; message: string }> {
    const op = cmd.helm;
    if (op?.op !== 'install' && op?.op !== 'upgrade') return { kind: 'run' };
    const { op: sub, release, namespace, version: chartVersion } = op;
    const key = `${namespace}/${release}`;
    const before = rec.helmRevisions[key]?.before;
    // Unknown (undefined), a release that was there before an install, none before an upgrade: not this step's doing.
    if (before === undefined || (sub === 'install') !== (before === null)) return { kind: 'run' };
    const now = await this.deps.cluster.helmStatus(release, namespace);
    if (!now || (before !== null && now.revision <= before)) return { kind: 'run' };
    if (now.status === 'deployed') {
      const complete = await this.deps.cluster
        .verify({ type: 'helm-release', release, namespace, status: 'deployed', chartVersion }, { signal: this.signal, deadline, probe: true })
        .catch((e: Error) => ({ ok: false as const, reason: e.message }));
      if (complete.ok) return { kind: 'done', note: `Helm release ${key} revision ${now.revision} is already ${sub === 'install' ? 'installed' : 'upgraded'}` };
    }
    // A step without a rollback (irreversible) leaves helm to say what is wrong.
    if (sub === 'upgrade' || !step.rollback?.commands.length) return { kind: 'run' };
    this.deps.progress.info(`step ${step.id}: Helm release ${key} revision ${now.revision} (${now.status}) was left behind by the interrupted ${sub}; undoing it with the step's rollback before running helm ${sub} again`);
    const rb = await this.runRollback(step);
    return rb.ok ? { kind: 'run' } : { kind: 'failed', message: `could not undo Helm release ${key} revision ${now.revision} (${now.status}) left behind by the interrupted ${sub}: ${rb.message}` };
  }

  private stepInterrupted(step: PlanStep, started: number): StepEnd {
    this.deps.progress.stepFinished(step, 'interrupted', this.now() - started);
    return 'interrupted';
  }

  /** 130 for Ctrl-C and SIGTERM, 129 for SIGHUP. */
  private interruptCode(): number {
    return exitCodeOfAbort(this.signal);
  }

  private async interrupted(step: PlanStep): Promise<ApplyResult> {
    this.record.status = 'interrupted';
    await this.save();
    return this.result(this.interruptCode(), `interrupted during step ${step.id}; the step is recorded as running and is checked first on resume`, [
      this.cli('apply', this.opts.planPath),
      this.cli('rollback', this.record.runId),
    ]);
  }

  /**
   * A skew gate found offenders (src/plan/gates.ts): a proxy too far behind, an ambient minor skipped, or something
   * still on a revision about to be removed — changed since planning or left by an earlier step. Nothing of the step
   * ran; once the operator fixes the offenders, apply continues the run here and checks the gate again.
   */
  private async gateFailed(step: PlanStep, rec: StepRecord, failure: string): Promise<ApplyResult> {
    rec.error = `not run: ${failure}`;
    this.record.status = 'failed';
    await this.save();
    return this.result(ExitCode.blocked, `step ${step.id} not run: ${failure}`, [`fix the offenders (restart them onto a newer revision, or move them off the revision), then: ${this.cli('apply', this.opts.planPath)}`]);
  }

  private async paused(): Promise<ApplyResult> {
    this.record.status = 'paused';
    await this.save();
    return this.result(ExitCode.ok);
  }

  /** Someone else may be changing the cluster now: neither continue nor roll back over them. */
  private async lockLost(step: PlanStep): Promise<ApplyResult> {
    this.record.status = 'failed';
    await this.save();
    return this.result(ExitCode.failedUnknown, `the upgrade lock was taken over or could not be renewed during step ${step.id}; stopped without rolling back`, [
      this.cli('history'),
      this.cli('apply', this.opts.planPath, '--resume', this.record.runId),
    ]);
  }

  private async failed(step: PlanStep, rec: StepRecord): Promise<ApplyResult> {
    const { deps, opts } = this;
    const ms = rec.startedAt ? this.now() - Date.parse(rec.startedAt) : 0;
    rec.status = 'failed';
    rec.finishedAt = this.iso();
    await this.save();
    this.event(step, 'failed', { durationMs: ms, error: rec.error ?? 'failed' });
    deps.progress.stepFinished(step, 'failed', ms, rec.error);
    const error = `step ${step.id} failed: ${rec.error ?? 'unknown error'}`;
    if (step.kind === 'preflight') return this.preconditionFailed(step);
    const manual = this.manualRollback(step);

    if (opts.onFailure === 'stop' || step.rollback === null) {
      this.record.status = 'failed';
      await this.save();
      const why = step.rollback === null ? ' (the step has no rollback)' : ' (--on-failure stop)';
      return this.result(ExitCode.failedUnknown, `${error}; nothing was rolled back${why}`, [...manual, this.cli('rollback', this.record.runId)]);
    }

    deps.progress.info(`rolling back step ${step.id}`);
    const rb = await this.runRollback(step);
    if (rb.ok) {
      await recordUndoneRevisions(step, rec, deps.cluster);
      rec.status = 'rolled-back';
      rec.commandsDone = 0;
      rec.note = rb.nothingRan ? `nothing to roll back after failure: ${rb.nothingRan}` : 'rolled back after failure';
      this.record.status = 'rolled-back';
      await this.save();
      this.event(step, 'rolled-back');
      deps.progress.info(rb.nothingRan ? `step ${step.id} changed nothing; nothing to roll back` : `step ${step.id} rolled back`);
      return this.result(ExitCode.failedRolledBack, `${error}; ${rb.nothingRan ? 'the step changed nothing (nothing to roll back)' : 'the step was rolled back'}, earlier steps remain applied`, [
        this.cli('rollback', this.record.runId),
        this.cli('apply', opts.planPath),
      ]);
    }
    if (this.signal.aborted) {
      this.record.status = 'interrupted';
      await this.save();
      return this.result(this.interruptCode(), `${error}; its rollback was interrupted`, [...manual, this.cli('rollback', this.record.runId)]);
    }
    rec.error = `${rec.error ?? 'failed'}; rollback failed: ${rb.message}`;
    this.record.status = 'rollback-failed';
    await this.save();
    return this.result(ExitCode.failedUnknown, `${error}; its rollback failed: ${rb.message}`, [...manual, this.cli('rollback', this.record.runId)]);
  }

  /**
   * The preflight step only reads (Istio's `istioctl x precheck`, pending Helm releases, istiod health): its failure
   * is a precondition of the upgrade, found before any change, not a failed change to roll back.
   */
  private async preconditionFailed(step: PlanStep): Promise<ApplyResult> {
    this.record.status = 'failed';
    await this.save();
    const output = this.failureOutput ? `\n${this.failureOutput.replace(/^/gm, '    ')}` : '';
    return this.result(ExitCode.blocked, `precondition failed before any change: step ${step.id}: ${this.record.steps.find((s) => s.id === step.id)?.error ?? 'failed'}${output}`, [
      `fix what the check reports, then: ${this.cli('apply', this.opts.planPath)}`,
    ]);
  }

  /** The failed step's own rollback, with a time budget of its own; `nothingRan` says what had nothing to undo, when nothing ran. */
  private async runRollback(step: PlanStep): Promise<{ ok: true; nothingRan?: string } | { ok: false; message: string }> {
    const deadline = this.now() + this.opts.rollbackTimeoutMs;
    let previous: string | undefined;
    const rec = this.record.steps.find((s) => s.id === step.id);
    const skipped: string[] = [];
    const commands = step.rollback?.commands ?? [];
    for (const cmd of commands) {
      const r = await runUndoCommand(cmd, previous, deadline, { ...this.env(), ...istioMinorOf(this.plan, step) }, resolvedFrom(rec));
      if (!r.ok) return { ok: false, message: r.message };
      if (r.skipped) {
        this.deps.progress.info(`step ${step.id}: ${r.skipped}`);
        skipped.push(r.skipped);
      }
      previous = r.stdout;
    }
    return commands.length && skipped.length === commands.length ? { ok: true, nothingRan: skipped.join('; ') } : { ok: true };
  }

  private manualRollback(step: PlanStep): string[] {
    const ctx = { context: this.deps.cluster.context, display: this.deps.runner.display.bind(this.deps.runner) };
    const resolved = resolvedFrom(this.record.steps.find((s) => s.id === step.id));
    return (step.rollback?.commands ?? []).flatMap((c) => commandLines(c, ctx, resolved).filter((l) => !l.trimStart().startsWith('#')));
  }

  private result(exitCode: number, error?: string, nextCommands: string[] = []): ApplyResult {
    const byId = new Map(this.plan.steps.map((s) => [s.id, s]));
    return {
      apiVersion: 'istio-upgrade/v1',
      kind: 'ApplyResult',
      runId: this.record.runId,
      planId: this.plan.metadata.id,
      status: this.record.status,
      exitCode,
      steps: this.record.steps.map((s) => ({ ...s, kind: byId.get(s.id)?.kind ?? 'unknown', title: byId.get(s.id)?.title ?? '' })),
      ...(error ? { error } : {}),
      nextCommands,
      ...(this.record.analyze?.report ? { analyze: this.record.analyze.report } : {}),
    };
  }
}
