import type { CheckpointStore } from '../apply/run-state.js';
import { askOrInterrupted, terminalConfirmer } from '../apply/terminal.js';
import { ExitCode, UserError } from '../errors.js';
import type { Plan } from '../plan/schema.js';

/**
 * Applying a plan whose run a person rolled back on purpose reverses that decision, so it is confirmed again: typed on
 * a terminal, or `--yes`; without either it is refused before anything is read from or written to the mesh. A run
 * that rolled itself back (a failed step) is continued as before: finishing it is what the new apply is for.
 * 'check' (dry-run) only says what a real apply would do, or throws its refusal.
 */
export async function confirmReapply(plan: Plan, opts: { resume?: string; yes?: boolean }, store: CheckpointStore, mode: 'ask' | 'check'): Promise<string | undefined> {
  const run = opts.resume ? (await store.load(opts.resume))?.record : (await store.runs(plan.metadata.id))[0];
  if (!run || run.status !== 'rolled-back') return undefined;
  const last = run.attempts?.at(-1);
  if (last && last.kind !== 'rollback') return undefined;
  const what = `run ${run.runId} of this plan was rolled back${last ? ` by ${last.operator.name} at ${last.endedAt ?? last.startedAt}` : ''}`;
  if (opts.yes) return `${what}; --yes re-applies it`;
  const confirmer = terminalConfirmer();
  if (!confirmer.interactive || process.env.CI) throw new UserError(`${what}; re-applying it needs --yes when it cannot ask (no terminal, or CI is set)`, ExitCode.usage);
  if (mode === 'check') return `${what}; a real apply asks before re-applying it`;
  if (!(await askOrInterrupted(confirmer, `${what}. Apply it again? Type yes`, 'yes'))) {
    throw new UserError('not re-applied: the confirmation was not "yes"; nothing was changed', ExitCode.blocked);
  }
  return undefined;
}
