/**
 * A helm call killed mid-operation (kill -9, a node or CI runner gone) leaves its release's newest revision
 * `pending-install`, `pending-upgrade` or `pending-rollback` for ever, and Helm 3 and Helm 4 alike then refuse every
 * `helm upgrade` of it ("another operation (install/upgrade/rollback) is in progress"; pkg/action/upgrade.go). Resume
 * and rollback must recover it explicitly rather than retry into the same refusal:
 *
 * - when an earlier revision was deployed (or superseded by a good one), `helm rollback <release> <that revision>`:
 *   both majors allow a rollback over a pending newest revision (pkg/action/rollback.go checks none) and it restores
 *   the objects a half-applied upgrade changed. Helm 4 applies it with the target revision's own method (`--server-side`
 *   defaults to `auto`), so a revision Helm 3 wrote goes back client-side; nothing differs in the command.
 * - otherwise (a first install cut short: nothing to roll back to, "release has no 0 version"), the stuck record is
 *   marked `failed`, which is what Helm itself records for an operation that ends in error: `helm upgrade --install`
 *   then upgrades from it and `helm uninstall` removes it.
 */
import { encodeReleasePayload, decodeReleasePayload, isPendingRelease, lastGoodRevision } from '../k8s/helm-release.js';
import type { RunOutcome, Runner } from './ports.js';

export interface ReleaseHistory {
  release: string;
  namespace: string;
  /** Every revision Helm keeps, in any order. */
  history: { revision: number; status: string }[];
}

export type PendingRecovery =
  | { kind: 'none' }
  | { kind: 'rollback'; release: string; namespace: string; stuck: { revision: number; status: string }; toRevision: number }
  | { kind: 'mark-failed'; release: string; namespace: string; stuck: { revision: number; status: string } };

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

/** The helm argv (after `helm`) of a rollback recovery; `--wait` alone means the same on Helm 3 and Helm 4. */
export function rollbackArgs(r: Extract<PendingRecovery, { kind: 'rollback' }>, timeoutMs: number): string[] {
  return ['rollback', r.release, String(r.toRevision), '-n', r.namespace, '--wait', '--timeout', `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`];
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

export interface RecoveryDeps {
  runner: Runner;
  records: HelmRecordWriter;
  signal: AbortSignal;
  timeoutMs: number;
}

/** Carries out a recovery; the message says what was done (for the run log and the person). */
export async function recoverPending(r: PendingRecovery, deps: RecoveryDeps): Promise<{ ok: true; message: string } | { ok: false; message: string }> {
  if (r.kind === 'none') return { ok: true, message: 'nothing pending' };
  const what = `Helm release ${r.namespace}/${r.release} revision ${r.stuck.revision} (${r.stuck.status}, left by an interrupted helm call)`;
  if (r.kind === 'rollback') {
    const out: RunOutcome = await deps.runner.run({ tool: 'helm', args: rollbackArgs(r, deps.timeoutMs), timeoutMs: deps.timeoutMs, signal: deps.signal });
    return out.ok ? { ok: true, message: `${what}: rolled back to revision ${r.toRevision}` } : { ok: false, message: `${what}: helm rollback to revision ${r.toRevision} failed: ${out.message}` };
  }
  try {
    await deps.records.markFailed(r.namespace, r.release, r.stuck.revision, `${r.stuck.status} left by an interrupted helm call; marked failed by istio-upgrade`);
    return { ok: true, message: `${what}: marked failed (there is no earlier revision to roll back to)` };
  } catch (e) {
    return { ok: false, message: `${what}: could not mark it failed: ${(e as Error).message}` };
  }
}
