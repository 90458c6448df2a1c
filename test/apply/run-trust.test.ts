/** Run records are evidence, not instructions: forged or lying records never make apply or rollback act. */
import { describe, expect, it } from 'vitest';
import { helmCommand } from '../../src/plan/commands.js';
import { executePlan } from '../../src/apply/executor.js';
import { loadRun, rollbackRun } from '../../src/apply/rollback.js';
import { runConfigMapName } from '../../src/apply/run-state.js';
import { newRunRecord } from '../../src/apply/run-record.js';
import { UserError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/schema.js';
import { CONTEXT, CLUSTER_ID, harness, NS, T0, testPlan } from './fakes.js';

const RUN = '20261122-100000-aaaaaa';
const FORGED = '20261123-000000-666666';
const rbOpts = { timeoutMs: 600_000, holder: 'bob@desk', hintFlags: ['--context', CONTEXT] };

/** A plan whose rollback runs what an attacker wants, under the id of the real plan. */
function evilPlan(): Plan {
  const p = testPlan({ irreversible: false });
  const base = p.steps.find((s) => s.kind === 'base-chart-upgrade')!;
  base.rollback = { commands: [{ via: 'helm', argv: ['helm', 'upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--post-renderer', '/tmp/evil.sh'], description: 'evil' }] };
  return p;
}

/** Writes an `istio-upgrade-run-*` ConfigMap as anyone with ConfigMap write access in the Istio namespace could. */
async function forge(h: ReturnType<typeof harness>, plan: Plan, status: 'succeeded' | 'failed', stepStatus: 'succeeded' | 'pending') {
  const record = newRunRecord(plan, { runId: FORGED, planPath: 'plan.json', context: CONTEXT, clusterId: CLUSTER_ID, now: T0 + 86_400_000 });
  record.status = status;
  for (const s of record.steps) s.status = stepStatus;
  await h.cluster.configMaps.create(NS, {
    name: runConfigMapName(FORGED),
    labels: { 'app.kubernetes.io/managed-by': 'istio-upgrade', 'istio-upgrade.io/plan-id': plan.metadata.id },
    data: { 'run.json': JSON.stringify(record), 'plan.json': JSON.stringify(plan) },
  });
}

const refusal = (p: Promise<unknown>) => p.then(() => expect.unreachable('expected a refusal'), (e: unknown) => e as UserError);

describe('rollback never runs commands from a record it cannot trust', () => {
  it('a forged newest ConfigMap with its own plan: refused without the plan file, nothing runs', async () => {
    const h = harness();
    await forge(h, evilPlan(), 'succeeded', 'succeeded');
    const e = await refusal(loadRun(h.store, undefined, { readPlan: async () => expect.unreachable('no plan file was given') }));
    expect(e).toBeInstanceOf(UserError);
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`run ${FORGED} is recorded only in the cluster (ConfigMap istio-upgrade-run-${FORGED}), which anyone allowed to write ConfigMaps there can forge; nothing was rolled back`);
    expect(e.hint).toContain(`--plan plan.json`);
    expect(h.journal).toEqual([]);
  });

  it('with the real plan file passed, a record embedding another plan is refused', async () => {
    const h = harness();
    await forge(h, evilPlan(), 'succeeded', 'succeeded');
    const e = await refusal(loadRun(h.store, FORGED, { readPlan: async () => testPlan({ irreversible: false }), planFile: 'plan.json' }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^run 20261123-000000-666666 in the cluster does not embed plan\.json \(plan plan-20261122T095500-abc123, sha256:[0-9a-f]{64}\): it is not a run of that plan/);
    expect(h.journal).toEqual([]);
  });

  it('--trust-cluster-record: the record is shown and used only when a person confirms it', async () => {
    const h = harness();
    await forge(h, testPlan({ irreversible: false }), 'succeeded', 'succeeded');
    const shown: string[] = [];
    const declined = await refusal(loadRun(h.store, FORGED, { readPlan: async () => expect.unreachable(), confirmClusterRecord: async (f) => (shown.push(f.record.runId), false) }));
    expect(declined.exitCode).toBe(3);
    expect(shown).toEqual([FORGED]);
    const { record, plan } = await loadRun(h.store, FORGED, { readPlan: async () => expect.unreachable(), confirmClusterRecord: async () => true });
    expect(record.runId).toBe(FORGED);
    expect(plan.metadata.id).toBe(testPlan().metadata.id);
  });

  it('the run recorded on this machine wins over a forged cluster copy of the same run', async () => {
    const h = harness();
    expect((await executePlan(testPlan({ irreversible: false }), h.options, h.deps)).exitCode).toBe(0);
    // Someone rewrites the run's ConfigMap with a newer timestamp and an evil plan.
    const cm = (await h.cluster.configMaps.get(NS, runConfigMapName(RUN)))!;
    const rec = JSON.parse(cm.data['run.json']!);
    rec.updatedAt = '2099-01-01T00:00:00.000Z';
    await h.cluster.configMaps.replace(NS, { ...cm, data: { 'run.json': JSON.stringify(rec), 'plan.json': JSON.stringify(evilPlan()) } });
    h.journal.length = 0;
    const { record, plan } = await loadRun(h.store, RUN, { readPlan: async () => expect.unreachable('the local copy is used') });
    const result = await rollbackRun(record, plan, rbOpts, h.deps);
    expect(result.exitCode).toBe(0);
    expect(h.journal.join('\n')).not.toContain('evil');
    expect(h.journal).toContain('helm rollback istio-base 2 -n istio-system --wait');
  });
});

describe('apply decides "already applied" from the live cluster, never from a record alone', () => {
  it('a forged "succeeded" record of the real plan: the cluster does not show it, so apply refuses instead of exit 0', async () => {
    const h = harness();
    await forge(h, testPlan(), 'succeeded', 'succeeded');
    h.cluster.verifyWith = (spec, ctx) => (ctx.probe ? { ok: false, reason: `${spec.type}: not there` } : { ok: true });
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^run 20261123-000000-666666 records step h1-\S+ as done, but the cluster does not show it: /);
    expect(h.journal.filter((l) => !l.endsWith('(probe)'))).toEqual([]);
    expect(h.progress.lines.join('\n')).not.toContain('already applied');
  });

  it('a forged record embedding another plan is ignored with a warning; the real plan runs as a new run', async () => {
    const h = harness();
    await forge(h, evilPlan(), 'succeeded', 'succeeded');
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result).toMatchObject({ runId: RUN, status: 'succeeded', exitCode: 0 });
    expect(h.progress.lines).toContain(`warn ignoring run record ${FORGED} found in the cluster: the plan embedded in it is not plan.json (a record from an edited plan, or a forged one)`);
    expect(h.journal.join('\n')).not.toContain('evil');
    expect(h.journal.some((l) => l.startsWith('helm upgrade istio-base'))).toBe(true);
  });

  it('a forged "failed" record that marks steps done skips nothing the cluster does not show', async () => {
    const h = harness();
    await forge(h, testPlan(), 'failed', 'succeeded');
    h.cluster.verifyWith = (spec, ctx) => (ctx.probe && spec.type === 'helm-release' ? { ok: false, reason: 'istio-base is at 1.23.6' } : { ok: true });
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(h.journal.filter((l) => !l.endsWith('(probe)'))).toEqual([]);
  });

  it('a forged record that marks the restarts done is checked against the pods: still on the old revision, refused', async () => {
    const h = harness();
    await forge(h, testPlan(), 'failed', 'succeeded');
    // Everything else shows; only the restarted workloads' pods are still injected by the old revision.
    h.cluster.verifyWith = (spec, ctx) => (ctx.probe && spec.type === 'workloads-restarted' ? { ok: false, reason: 'pod shop/cart-1 was injected by 1-23-6, not 1-24-2' } : { ok: true });
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^run 20261123-000000-666666 records step h1-workload-restart-\S+ as done, but the cluster does not show it: pod shop\/cart-1 was injected by 1-23-6/);
    expect(h.journal.filter((l) => !l.endsWith('(probe)'))).toEqual([]);
    // The restart is judged by the pods' state, not by when it happened (a later step may restart them again).
    const probed = h.cluster.verifies.filter((v) => v.spec.type === 'workloads-restarted');
    expect(probed.length).toBeGreaterThan(0);
    expect(probed.every((v) => v.ctx.since === undefined)).toBe(true);
  });

  it('a lying local checkpoint ("succeeded", nothing done) does not give exit 0 with no work', async () => {
    const h = harness();
    expect((await executePlan(testPlan(), h.options, h.deps)).exitCode).toBe(0);
    // The cluster is restored from a backup: the upgrade is gone, the local record still says succeeded.
    const again = harness({ stateDir: h.stateDir, cluster: h.cluster });
    again.cluster.verifyWith = (spec, ctx) => (ctx.probe && spec.type !== 'preflight-passed' ? { ok: false, reason: 'not upgraded' } : { ok: true });
    const e = await refusal(executePlan(testPlan(), again.options, again.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(`run ${RUN} records step`);
  });

  it('resume refuses a plan edited after the first attempt, even with the same step ids', async () => {
    const h = harness();
    h.runner.outcome = (req) => (req.args[0] === 'install' ? { ok: false, reason: 'failed', message: 'boom' } : { ok: true, stdout: req.args[0] === 'template' ? 'kind: MutatingWebhookConfiguration' : '' });
    const first = await executePlan(testPlan(), { ...h.options, onFailure: 'stop' }, h.deps);
    expect(first.exitCode).toBe(5);
    // Edited consistently (typed operation and argv agree), so only the digest recorded at the first attempt tells.
    const edited = testPlan();
    const install = edited.steps.find((s) => s.kind === 'istiod-install')!;
    const op = install.commands[0]!.helm!;
    if (op.op !== 'install') throw new Error('expected a helm install');
    op.values.settings.push({ flag: 'set', key: 'pilot.replicaCount', value: '1' });
    install.commands[0] = helmCommand(op, install.commands[0]!.description);
    const again = harness({ stateDir: h.stateDir, cluster: h.cluster });
    const e = await refusal(executePlan(edited, again.options, again.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^plan\.json is not the plan run 20261122-100000-aaaaaa started with: its digest is sha256:[0-9a-f]{64}, the run recorded sha256:[0-9a-f]{64} \(the plan was edited after the first attempt\)$/);
    expect(again.runner.runs).toEqual([]);
  });
});
