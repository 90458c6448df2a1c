import { describe, expect, it } from 'vitest';
import { withRecordedRevisions } from '../../src/apply/recorded-rollback.js';
import type { PlanCommand } from '../../src/plan/schema.js';
import type { StepRecord } from '../../src/apply/run-record.js';

const rollback: PlanCommand = { argv: ['helm', 'rollback', 'istio-cni', '2', '-n', 'istio-system', '--wait'], via: 'helm', description: 'roll back' };
const rec = (before: number | null): StepRecord =>
  ({ id: 'h2-cni-upgrade', status: 'failed', startedAt: null, finishedAt: null, commandsDone: 0, helmRevisions: { 'istio-system/istio-cni': { before, after: null } } }) as StepRecord;

describe('helm rollback targets', () => {
  it('use the revision the run recorded before the step when the plan guessed another', () => {
    const [cmd] = withRecordedRevisions([rollback], rec(4));
    expect(cmd!.argv).toEqual(['helm', 'rollback', 'istio-cni', '4', '-n', 'istio-system', '--wait']);
    expect(cmd!.description).toContain('revision 4, recorded before the step ran');
  });

  it('keep the plan when the record agrees, has nothing, or the command is not a rollback', () => {
    expect(withRecordedRevisions([rollback], rec(2))).toEqual([rollback]);
    expect(withRecordedRevisions([rollback], rec(null))).toEqual([rollback]);
    expect(withRecordedRevisions([rollback], undefined)).toEqual([rollback]);
    const uninstall: PlanCommand = { argv: ['helm', 'uninstall', 'istiod-1-24-6', '-n', 'istio-system'], via: 'helm', description: 'x' };
    expect(withRecordedRevisions([uninstall], rec(4))).toEqual([uninstall]);
  });
});
