/**
 * Rolling back a multi-hop run (one step per hop changes the same release or tag): the drift check judges each Helm
 * release by where the run's last change left it, and each tag moved back is verified at the revision the hop
 * before it had moved it to.
 */
import { describe, expect, it } from 'vitest';
import { buildRollbackPlan, recordUndoneRevisions, refuseRollbackDrift, type RollbackEntry } from '../../src/apply/rollback-plan.js';
import type { StepRecord } from '../../src/apply/run-record.js';
import type { Plan, PlanStep } from '../../src/plan/schema.js';
import { UserError } from '../../src/errors.js';
import { FakeCluster, NS } from './fakes.js';
import { helmUpgrade } from '../../src/steps/commands.js';
import { readFileSync } from 'node:fs';

/** An undo entry of a step that upgraded istio-cni from revision `before` to `after` (rollback entries run newest first). */
function cniUpgrade(index: number, before: number, after: number): RollbackEntry {
  const step = { id: `h${index}-cni-upgrade`, kind: 'cni-upgrade', commands: [helmUpgrade({ release: 'istio-cni', namespace: NS }, 'cni', { kind: 'alias', name: 'istio' }, '1.24.6', [])] } as unknown as PlanStep;
  const rec = { id: step.id, status: 'succeeded', helmRevisions: { [`${NS}/istio-cni`]: { before, after } } } as unknown as StepRecord;
  return { step, rec, index, action: 'undo', commands: [], verify: [] };
}

describe('rollback drift check', () => {
  const twoHops = [cniUpgrade(12, 2, 3), cniUpgrade(5, 1, 2)];

  it('after a rollback, the revision it left is recorded; a failed read leaves it unrecorded instead of failing the run', async () => {
    const { step, rec } = cniUpgrade(5, 1, 2);
    const cluster = new FakeCluster([]);
    cluster.helmRevisions.set(`${NS}/istio-cni`, 3);
    await recordUndoneRevisions(step, rec, cluster);
    expect(rec.helmRevisions[`${NS}/istio-cni`]!.undoneTo).toBe(3);
    const failing = cniUpgrade(5, 1, 2);
    await expect(recordUndoneRevisions(failing.step, failing.rec, { helmRevision: () => Promise.reject(new Error('503 from the API server')) })).resolves.toBeUndefined();
    expect(failing.rec.helmRevisions[`${NS}/istio-cni`]!.undoneTo).toBeUndefined();
  });

  it('a release upgraded once per hop is where the last hop left it: no drift', async () => {
    const cluster = new FakeCluster([]);
    cluster.helmRevisions.set(`${NS}/istio-cni`, 3);
    await expect(refuseRollbackDrift(twoHops, cluster)).resolves.toBeUndefined();
  });

  it('a change after the run is named once, against the revision the run left', async () => {
    const cluster = new FakeCluster([]);
    cluster.helmRevisions.set(`${NS}/istio-cni`, 4);
    const e = await refuseRollbackDrift(twoHops, cluster).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toBe('the cluster changed since the run: 1 release(s) are not where the run left them; nothing was changed');
    expect((e as UserError).hint?.split('\n')[0]).toBe(`helm/${NS}/istio-cni/revision: 3 (left by the run) → 4`);
  });
});

describe('rollback of tags moved once per hop', () => {
  const tagMove = (hop: number, revision: string) =>
    ({ id: `h${hop}-tag-move-default`, hop, kind: 'tag-move', commands: [], verify: [{ type: 'tag-points-to', tag: 'default', revision }], rollback: { commands: [] } }) as unknown as PlanStep;

  it('each undo is verified at the revision the tag had before that hop moved it', () => {
    const plan = { steps: [tagMove(1, '1-24-6'), tagMove(2, '1-25-5')], facts: { 'tag/default/revision': '1-23-6' } } as unknown as Plan;
    const record = { steps: plan.steps.map((s) => ({ id: s.id, status: 'succeeded', helmRevisions: {} })) } as unknown as Parameters<typeof buildRollbackPlan>[1];
    const { entries } = buildRollbackPlan(plan, record, 0);
    expect(entries.map((e) => [e.step.id, e.verify])).toEqual([
      ['h2-tag-move-default', [{ type: 'tag-points-to', tag: 'default', revision: '1-24-6' }]],
      ['h1-tag-move-default', [{ type: 'tag-points-to', tag: 'default', revision: '1-23-6' }]],
    ]);
  });
});

describe('rollback of an in-place run', () => {
  it("restarts the workloads after istiod's undo: before it, the revision still injects the new proxy", () => {
    const plan = JSON.parse(readFileSync(new URL('../../fixtures/golden/sidecar-1.22-in-place-to-1.23.plan.json', import.meta.url), 'utf8')) as Plan;
    const record = { steps: plan.steps.map((s) => ({ id: s.id, status: 'succeeded', helmRevisions: {} })) } as unknown as Parameters<typeof buildRollbackPlan>[1];
    const { entries } = buildRollbackPlan(plan, record, 0);
    expect(entries.map((e) => `${e.action} ${e.step.kind}`)).toEqual([
      'undo gateway-upgrade',
      'undo istiod-upgrade',
      'restart workload-restart',
      'undo base-chart-upgrade',
      'undo backup',
      'undo preflight',
    ]);
    const restart = entries.find((e) => e.action === 'restart')!;
    expect(restart.verify.find((v) => v.type === 'workloads-restarted')).toMatchObject({ revision: plan.source.revision, proxyVersion: plan.source.version });
  });
});
