import { describe, expect, it } from 'vitest';
import { invocationOf, UnsafeOperationError } from '../../src/plan/commands.js';
import { resolvedFrom, type StepRecord } from '../../src/apply/run-record.js';
import { helmRollback } from '../../src/steps/commands.js';

const rollback = helmRollback({ release: 'istio-cni', namespace: 'istio-system' });
const rec = (before: number | null): StepRecord =>
  ({ id: 'h2-cni-upgrade', status: 'failed', startedAt: null, finishedAt: null, commandsDone: 0, helmRevisions: { 'istio-system/istio-cni': { before, after: null } } }) as StepRecord;

describe('helm rollback targets', () => {
  it('are never a number guessed at plan time: the plan shows a placeholder for the recorded revision', () => {
    expect(rollback.helm).toEqual({ op: 'rollback', release: 'istio-cni', namespace: 'istio-system', rollbackTo: 'recorded-before', wait: true });
    expect(rollback.argv).toEqual(['helm', 'rollback', 'istio-cni', '<revision-before:istio-system/istio-cni>', '-n', 'istio-system', '--wait']);
  });

  it('are the revision the run recorded before the step, whatever retries added since', () => {
    expect(invocationOf(rollback, resolvedFrom(rec(4)))).toEqual({ tool: 'helm', args: ['rollback', 'istio-cni', '4', '-n', 'istio-system', '--wait'] });
  });

  it('refuse to run when the run recorded no revision of the release before the step (nothing known to go back to)', () => {
    expect(() => invocationOf(rollback, resolvedFrom(rec(null)))).toThrow(UnsafeOperationError);
    expect(() => invocationOf(rollback, resolvedFrom(undefined))).toThrow(/no Helm revision of istio-system\/istio-cni was recorded/);
  });
});
