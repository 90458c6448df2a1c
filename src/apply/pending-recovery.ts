/**
 * A helm call killed mid-operation (kill -9, a node or CI runner gone) leaves its release's newest revision
 * `pending-install`, `pending-upgrade` or `pending-rollback` for ever, and Helm 3 and Helm 4 alike then refuse every
 * `helm upgrade` of it ("another operation (install/upgrade/rollback) is in progress"; pkg/action/upgrade.go). Resume
 * and rollback recover it explicitly rather than retry into the same refusal:
 *
 * - when an earlier revision was deployed (or superseded by a good one), `helm rollback <release> <that revision>`:
 *   both majors allow a rollback over a pending newest revision (pkg/action/rollback.go checks none) and it restores
 *   the objects a half-applied upgrade changed. Helm 4 applies it with the target revision's own method (`--server-side`
 *   defaults to `auto`), so a revision Helm 3 wrote goes back client-side; a release the step itself applies with
 *   `--server-side=false` (Helm 4 installed it server-side with a chart before 1.28) is rolled back with it too.
 * - otherwise (a first install cut short: nothing to roll back to, "release has no 0 version"), the stuck record is
 *   marked `failed`, which is what Helm itself records for an operation that ends in error: `helm upgrade --install`
 *   then upgrades from it and `helm uninstall` removes it.
 *
 * Only what the run itself left is recovered: a pending revision newer than the one recorded before the run's step
 * changed the release (the run holds the upgrade lock, so that helm call was the run's own, and it is gone).
 */
import { encodeReleasePayload, decodeReleasePayload, isPendingRelease, lastGoodRevision } from '../k8s/helm-release.js';
import { helmArgs, helmCommand, releasesChangedBy, type Resolved } from '../plan/commands.js';
import type { PlanCommand, PlanStep } from '../plan/schema.js';
import { shellLine } from '../plan/shell.js';
import { runPlanCommand, type CommandEnv } from './command-exec.js';
import type { Cluster, LogSink } from './ports.js';
import type { RunRecord, StepRecord } from './run-record.js';

export interface HelmRevisionState {
  revision: number;
  status: string;
}

export interface ReleaseHistory {
  release: string;
  namespace: string;
  /** Every revision Helm keeps, in any order. */
  history: HelmRevisionState[];
}

export type PendingRecovery =
  | { kind: 'none' }
  | { kind: 'rollback'; release: string; namespace: string; stuck: HelmRevisionState; toRevision: number; serverSide?: false }
  | { kind: 'mark-failed'; release: string; namespace: string; stuck: HelmRevisionState };

export type NeededRecovery = Exclude<PendingRecovery, { kind: 'none' }>;

/** What to do about a release whose newest revision is pending-*; `none` for any other release. */
export function pendingRecovery(h: ReleaseHistory): PendingRecovery {
  const sorted = [...h.history].sort((a, b) => a.revision - b.revision);
  const stuck = sorted.at(-1);
  if (!stuck || !isPendingRelease(stuck)) return { kind: 'none' };
  const good = lastGoodRevision(sorted, stuck.revision);
  return good !== null
    ? { kind: 'rollback', release: h.release, namespace: h.namespace, stuck, toRevision: good }
    : { kind: 'mark-failed', release: h.release, namespace: h.namespace, stuck };
}

/** The rollback of a recovery as a plan command of the one builder (release names from the cluster are checked there). */
function rollbackCommand(r: Extract<PendingRecovery, { kind: 'rollback' }>): { cmd: PlanCommand; resolved: Resolved } {
  return {
    cmd: helmCommand({ op: 'rollback', release: r.release, namespace: r.namespace, rollbackTo: 'recorded-before', wait: true, ...(r.serverSide === false ? { serverSide: false as const } : {}) }, `roll ${r.namespace}/${r.release} back to revision ${r.toRevision}, its last good one`),
    resolved: { revisionBefore: () => r.toRevision },
  };
}

function stuckText(r: NeededRecovery): string {
  return `Helm release ${r.namespace}/${r.release} revision ${r.stuck.revision} is ${r.stuck.status}, left by an interrupted helm call`;
}

/** One line for a person, before anything runs: what is stuck and what will be done about it. */
export function describeRecovery(r: NeededRecovery): string {
  if (r.kind === 'mark-failed') return `${stuckText(r)}: mark that revision failed (there is no earlier revision to roll back to)`;
  const { cmd, resolved } = rollbackCommand(r);
  return `${stuckText(r)}: ${shellLine(['helm', ...helmArgs(cmd.helm!, resolved)])}`;
}

/** A release Secret's `data.release` with the record's status set to failed (Helm's own record of an operation that ended in error). */
export function markedFailedPayload(payload: string, description: string): string {
  const rel = decodeReleasePayload(payload);
  const info = (rel.info ?? {}) as Record<string, unknown>;
  return encodeReleasePayload({ ...rel, info: { ...info, status: 'failed', description } });
}

/** Writes a release record (the Secret `sh.helm.release.v1.<release>.v<revision>`, its payload and `status` label). */
export interface HelmRecordWriter {
  markFailed(namespace: string, release: string, revision: number, description: string): Promise<void>;
}

/**
 * Whether the step applies `release` client-side under Helm 4 (src/plans/helm-apply-method.ts): its recovery rollback
 * must too, since Helm 4's rollback otherwise uses the server-side method the release was installed with and
 * conflicts with istiod's field ownership just as the step's own commands would.
 */
function appliedClientSide(step: PlanStep, namespace: string, release: string): boolean {
  return [...step.commands, ...(step.rollback?.commands ?? [])].some(
    (c) => c.helm && c.helm.namespace === namespace && c.helm.release === release && 'serverSide' in c.helm && c.helm.serverSide === false,
  );
}

/**
 * The recoveries a step needs before it continues or is undone: its releases whose newest revision is pending-* and
 * newer than the revision recorded before the step changed them. Reads only.
 */
export async function stepRecoveries(step: PlanStep, rec: StepRecord | undefined, cluster: Pick<Cluster, 'helmHistory'>): Promise<NeededRecovery[]> {
  const out: NeededRecovery[] = [];
  for (const r of releasesChangedBy(step)) {
    const before = rec?.helmRevisions[r.key]?.before;
    // Never recorded: the step did not get to change it.
    if (before === undefined) continue;
    const decision = pendingRecovery({ ...r, history: await cluster.helmHistory(r.release, r.namespace) });
    if (decision.kind === 'none' || decision.stuck.revision <= (before ?? 0)) continue;
    out.push(decision.kind === 'rollback' && appliedClientSide(step, r.namespace, r.release) ? { ...decision, serverSide: false } : decision);
  }
  return out;
}

/** stepRecoveries over several steps, one per release. */
export async function recoveriesOf(steps: { step: PlanStep; rec: StepRecord | undefined }[], cluster: Pick<Cluster, 'helmHistory'>): Promise<NeededRecovery[]> {
  const byKey = new Map<string, NeededRecovery>();
  for (const { step, rec } of steps) for (const r of await stepRecoveries(step, rec, cluster)) byKey.set(`${r.namespace}/${r.release}`, r);
  return [...byKey.values()];
}

export interface RecoveryEnv extends CommandEnv {
  records: HelmRecordWriter;
  deadline: number;
}

/** Carries out a recovery; the message says what was done (for the run log, the attempt and the person). */
export async function recoverPending(r: NeededRecovery, env: RecoveryEnv): Promise<{ ok: boolean; message: string }> {
  const what = `Helm release ${r.namespace}/${r.release} revision ${r.stuck.revision} (${r.stuck.status}, left by an interrupted helm call)`;
  if (r.kind === 'rollback') {
    const { cmd, resolved } = rollbackCommand(r);
    const out = await runPlanCommand(cmd, undefined, env.deadline, env, resolved);
    return out.ok ? { ok: true, message: `${what}: rolled back to revision ${r.toRevision}` } : { ok: false, message: `${what}: helm rollback to revision ${r.toRevision} failed: ${out.message}` };
  }
  try {
    await env.records.markFailed(r.namespace, r.release, r.stuck.revision, `${r.stuck.status} left by an interrupted helm call; marked failed by istio-upgrade`);
    env.log?.(`\n# ${what}: marked failed\n`);
    return { ok: true, message: `${what}: marked failed (there is no earlier revision to roll back to)` };
  } catch (e) {
    return { ok: false, message: `${what}: could not mark it failed: ${(e as Error).message}` };
  }
}

/** Keeps a recovery on the attempt that made it (the run record's newest, still open) and in the run log. */
export function recordRecovery(record: RunRecord, message: string, log: LogSink | undefined): void {
  const attempt = record.attempts?.at(-1);
  if (attempt && attempt.endedAt === null) (attempt.recovered ??= []).push(message);
  log?.(`# recovered: ${message}\n`);
}

/** The revision whose content a release is back at once its recovery rolled it back; for drift checks made before the recovery runs. */
export function recoveredTo(recoveries: NeededRecovery[], namespace: string, release: string): number | undefined {
  const r = recoveries.find((x) => x.namespace === namespace && x.release === release);
  return r?.kind === 'rollback' ? r.toRevision : undefined;
}

export interface RecoveryRun extends RecoveryEnv {
  record: RunRecord;
  /** Tells the person, before each recovery runs. */
  say: (line: string) => void;
  /** Checkpoints the record (with the recovery on its attempt). */
  save: () => Promise<void>;
}

/** Runs recoveries in order, each announced, recorded and checkpointed; stops at the first that fails. */
export async function runRecoveries(recoveries: NeededRecovery[], run: RecoveryRun): Promise<{ ok: true } | { ok: false; message: string }> {
  for (const r of recoveries) {
    run.say(describeRecovery(r));
    const out = await recoverPending(r, run);
    if (!out.ok) return { ok: false, message: out.message };
    recordRecovery(run.record, out.message, run.log);
    await run.save();
  }
  return { ok: true };
}
