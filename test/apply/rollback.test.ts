import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/executor.js';
import { loadRun, rollbackRun, type RollbackOptions } from '../../src/apply/rollback.js';
import type { Plan } from '../../src/plan/schema.js';
import { UserError } from '../../src/errors.js';
import { CONTEXT, harness, NS, testPlan, type Harness } from './fakes.js';

const RUN = '20261122-100000-aaaaaa';
const opts = (over: Partial<RollbackOptions> = {}): RollbackOptions => ({ timeoutMs: 600_000, holder: 'bob@desk', hintFlags: ['--context', CONTEXT], ...over });
const noPlanFile = async (): Promise<Plan> => {
  throw new Error('the stored plan copy must be used');
};

async function appliedRun(plan: Plan): Promise<Harness> {
  const h = harness();
  const r = await executePlan(plan, h.options, h.deps);
  expect(r.exitCode).toBe(0);
  h.journal.length = 0;
  return h;
}

async function unwind(h: Harness, over: Partial<RollbackOptions> = {}) {
  const { record, plan } = await loadRun(h.store, over.runId, { readPlan: noPlanFile });
  return rollbackRun(record, plan, opts(over), h.deps);
}

describe('rollback of a run', () => {
  it('unwinds as a plan that strands nothing: tags back (verified), workloads restarted onto the old revision (verified), then the rest newest first', async () => {
    const h = await appliedRun(testPlan({ irreversible: false }));
    const result = await unwind(h);

    expect(result).toMatchObject({ kind: 'RollbackResult', runId: RUN, status: 'rolled-back', exitCode: 0 });
    expect(result.rolledBack).toEqual(['h1-tag-move-default', 'h1-workload-restart-tag-default', 'h1-istiod-install', 'h1-base-chart-upgrade', 'h1-preflight']);
    expect(result.plan.map((e) => [e.stepId, e.action])).toEqual([
      ['h1-tag-move-default', 'undo'],
      ['h1-workload-restart-tag-default', 'restart'],
      ['h1-istiod-install', 'undo'],
      ['h1-base-chart-upgrade', 'undo'],
      ['h1-preflight', 'undo'],
    ]);
    expect(h.journal).toEqual([
      'helm template istiod-1-23-6 istio/istiod -n istio-system --version 1.23.6 -s templates/revision-tags.yaml --set revisionTags={default} --set revision=1-23-6',
      'api apply-rendered',
      'verify tag-points-to',
      'api rollout-restart',
      'api rollout-restart',
      'api rollout-restart',
      'verify workloads-restarted',
      'helm uninstall istiod-1-24-6 -n istio-system --wait',
      'helm rollback istio-base 2 -n istio-system --wait',
    ]);
    const restartCheck = h.cluster.verifies.at(-1)!.spec;
    expect(restartCheck).toMatchObject({ type: 'workloads-restarted', revision: '1-23-6', proxyVersion: '1.23.6' });
    expect(h.cluster.verifies.filter((v) => v.spec.type === 'tag-points-to').at(-1)!.spec).toEqual({ type: 'tag-points-to', tag: 'default', revision: '1-23-6' });
    const record = (await h.store.load(RUN))!.record;
    expect(record.status).toBe('rolled-back');
    expect(record.steps.every((s) => s.status === 'rolled-back')).toBe(true);
    expect(record.steps.find((s) => s.id === 'h1-workload-restart-tag-default')!.note).toBe('restarted onto 1-23-6');
    expect(h.events.filter((e) => e.event === 'rolled-back').map((e) => e.stepId)).toEqual(result.rolledBack);
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('stops at an irreversible step with a clear message and undoes nothing before it', async () => {
    const h = await appliedRun(testPlan());
    const result = await unwind(h);
    expect(result.exitCode).toBe(3);
    expect(result.error).toBe('step h1-old-revision-removal-1-23-6 cannot be undone (Remove the old revision 1-23-6); unwinding stopped there, it and the steps before it remain applied');
    expect(result.rolledBack).toEqual([]);
    expect(h.journal).toEqual([]);
  });

  it('unwinds down to and including --to-step, leaving earlier steps applied', async () => {
    const h = await appliedRun(testPlan({ irreversible: false }));
    const result = await unwind(h, { toStep: 'h1-istiod-install' });
    expect(result.rolledBack).toEqual(['h1-tag-move-default', 'h1-workload-restart-tag-default', 'h1-istiod-install']);
    expect(h.journal.at(-1)).toBe('helm uninstall istiod-1-24-6 -n istio-system --wait');
    const record = (await h.store.load(RUN))!.record;
    expect(record.steps.find((s) => s.id === 'h1-base-chart-upgrade')!.status).toBe('succeeded');
  });

  it('exits 5 when a rollback command fails, listing what is left to undo by hand', async () => {
    const h = await appliedRun(testPlan({ irreversible: false }));
    h.runner.outcome = (req) => (req.args[0] === 'uninstall' ? { ok: false, reason: 'failed', message: 'helm uninstall exited with 1: release not found' } : { ok: true, stdout: 'kind: X' });
    const result = await unwind(h);
    expect(result).toMatchObject({ status: 'rollback-failed', exitCode: 5, rolledBack: ['h1-tag-move-default', 'h1-workload-restart-tag-default'] });
    expect(result.nextCommands).toEqual([
      `helm uninstall istiod-1-24-6 -n istio-system --wait --kube-context ${CONTEXT}`,
      `helm rollback istio-base 2 -n istio-system --wait --kube-context ${CONTEXT}`,
      `istio-upgrade rollback ${RUN} --context ${CONTEXT}`,
    ]);
    expect((await h.store.load(RUN))!.record.steps.find((s) => s.id === 'h1-istiod-install')!.error).toBe('rollback failed: helm uninstall exited with 1: release not found');
  });

  it('also undoes a step that failed with --on-failure stop', async () => {
    const h = harness();
    // helm install --wait timed out: the release exists, its revision 1 failed
    h.runner.outcome = (req) => (req.args[0] === 'install' ? (h.cluster.helmRevisions.set(`${NS}/istiod-1-24-6`, 1), { ok: false, reason: 'failed', message: 'boom' }) : { ok: true, stdout: '' });
    await executePlan(testPlan(), { ...h.options, onFailure: 'stop' }, h.deps);
    h.journal.length = 0;
    h.runner.outcome = () => ({ ok: true, stdout: '' });
    const result = await unwind(h, { runId: RUN });
    expect(result.rolledBack).toEqual(['h1-istiod-install', 'h1-base-chart-upgrade', 'h1-preflight']);
    expect(h.journal[0]).toBe('helm uninstall istiod-1-24-6 -n istio-system --wait');
  });

  it('a failed install that created no release has nothing to undo: no helm uninstall, the rest unwound, exit 0', async () => {
    const h = harness();
    // chart not found: helm install fails before it writes a release
    h.runner.outcome = (req) => (req.args[0] === 'install' ? { ok: false, reason: 'failed', message: 'helm install exited with 1: Error: INSTALLATION FAILED: chart "istiod" version "1.24.6" not found' } : { ok: true, stdout: '' });
    await executePlan(testPlan(), { ...h.options, onFailure: 'stop' }, h.deps);
    h.journal.length = 0;
    h.runner.outcome = () => ({ ok: true, stdout: '' });
    const result = await unwind(h, { runId: RUN });
    expect(result).toMatchObject({ status: 'rolled-back', exitCode: 0, rolledBack: ['h1-istiod-install', 'h1-base-chart-upgrade', 'h1-preflight'] });
    expect(h.journal.filter((l) => l.startsWith('helm '))).toEqual(['helm rollback istio-base 2 -n istio-system --wait']);
    const rec = (await h.store.load(RUN))!.record.steps.find((s) => s.id === 'h1-istiod-install')!;
    expect(rec).toMatchObject({ status: 'rolled-back', note: 'nothing to undo: Helm release istio-system/istiod-1-24-6 does not exist: nothing to uninstall' });
  });

  it('refuses another context and an unknown --to-step', async () => {
    const h = await appliedRun(testPlan({ irreversible: false }));
    h.cluster.context = 'staging';
    await expect(unwind(h)).rejects.toMatchObject({ exitCode: 3, message: `run ${RUN} ran against context "prod-eu" but the current context is "staging"` });
    h.cluster.context = CONTEXT;
    const e = await unwind(h, { toStep: 'h9-nope' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(64);
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('finds the run in the cluster when this machine has no record of it, given the plan file it executed', async () => {
    const h = await appliedRun(testPlan({ irreversible: false }));
    const elsewhere = harness({ cluster: h.cluster, journal: h.journal });
    const { record, plan } = await loadRun(elsewhere.store, RUN, { readPlan: async () => testPlan({ irreversible: false }), planFile: 'plan.json' });
    const result = await rollbackRun(record, plan, opts({ runId: RUN }), elsewhere.deps);
    expect(result.rolledBack).toHaveLength(5);
    expect((await h.cluster.configMaps.get(NS, `istio-upgrade-run-${RUN}`))!.data['run.json']).toContain('"status":"rolled-back"');
  });
});
