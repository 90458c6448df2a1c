import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { istioctlCommand } from '../../src/plan/commands.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/executor.js';
import { LOCK_ID_ANNOTATION, LOCK_NAME, microTime, RUN_ID_ANNOTATION } from '../../src/apply/lock.js';
import type { RunOutcome } from '../../src/apply/ports.js';
import { PromptInterrupted } from '../../src/apply/terminal.js';
import { UserError } from '../../src/errors.js';
import { CLUSTER_ID, CONTEXT, confirmer, FakeCluster, harness, inventory, NS, T0, testPlan, type Harness } from './fakes.js';
import type { Plan } from '../../src/plan/schema.js';
import { finishStep } from '../../src/steps/types.js';
import { gatewayApiCrdsStep } from '../../src/steps/gateway-api-crds-upgrade.js';
import { manifestDigest } from '../../src/apply/gateway-api-bundle.js';
import { loadRun, rollbackRun } from '../../src/apply/rollback.js';

const RUN = '20261122-100000-aaaaaa';

async function refusal(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('executePlan: the step loop', () => {
  it('runs every step in plan order, commands then verification, and leaves a succeeded record', async () => {
    const h = harness();
    h.runner.outcome = (req) => {
      if (req.args[0] === 'upgrade' && req.args[1] === 'istio-base') h.cluster.helmRevisions.set(`${NS}/istio-base`, 3);
      return { ok: true, stdout: req.args[0] === 'template' ? 'kind: MutatingWebhookConfiguration # rendered' : '' };
    };
    const result = await executePlan(testPlan(), h.options, h.deps);

    expect(result).toMatchObject({ apiVersion: 'istio-upgrade/v1', kind: 'ApplyResult', runId: RUN, status: 'succeeded', exitCode: 0, nextCommands: [] });
    expect(h.journal).toEqual([
      'api preflight-checks',
      'istioctl x precheck --from-version 1.23',
      'helm upgrade istio-base istio/base -n istio-system --version 1.24.6 --wait --values <values-of:istio-system/istio-base>',
      'verify helm-release',
      'helm install istiod-1-24-6 istio/istiod -n istio-system --version 1.24.6 --set revision=1-24-6 --set-json revisionTags=[] --wait --values <values-of:istio-system/istiod-1-23-6>',
      'verify helm-release',
      'verify deployment-rollout',
      'helm template istiod-1-24-6 istio/istiod -n istio-system --version 1.24.6 -s templates/revision-tags.yaml --set revisionTags={default} --set revision=1-24-6',
      'api apply-rendered',
      'verify tag-points-to',
      'api rollout-restart',
      'api rollout-restart',
      'api rollout-restart',
      'verify workloads-restarted',
      'helm uninstall istiod-1-23-6 -n istio-system --wait',
      'verify revision-absent',
    ]);
    // apply-rendered applies exactly what the previous command of its step printed
    expect(h.cluster.actions.find((a) => a.action.type === 'apply-rendered')!.previousOutput).toBe('kind: MutatingWebhookConfiguration # rendered');
    // the values reference travels to the runner, never the values
    expect(h.runner.runs.find((r) => r.args[0] === 'install')!.valuesFrom).toEqual({ release: 'istiod-1-23-6', namespace: NS });
    expect(result.steps.every((s) => s.status === 'succeeded')).toBe(true);
    expect(result.steps.find((s) => s.id === 'h1-base-chart-upgrade')!.helmRevisions).toEqual({ 'istio-system/istio-base': { before: 2, after: 3 } });

    expect(h.events.filter((e) => e.stepId === 'h1-tag-move-default').map((e) => e.event)).toEqual(['started', 'command', 'command', 'succeeded']);
    expect(h.events.every((e) => e.runId === RUN && e.ts === new Date(T0).toISOString())).toBe(true);

    const cm = await h.cluster.configMaps.get(NS, `istio-upgrade-run-${RUN}`);
    expect(cm!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'istio-upgrade', 'istio-upgrade.io/plan-id': 'plan-20261122T095500-abc123' });
    expect(JSON.parse(cm!.data['run.json']!)).toMatchObject({ runId: RUN, status: 'succeeded', context: CONTEXT, clusterId: CLUSTER_ID });
    expect(JSON.parse(cm!.data['plan.json']!).metadata.id).toBe('plan-20261122T095500-abc123');
    expect(h.cluster.leases.items.size).toBe(0);
    expect(h.signals.subscribed).toBe(0);
  });

  it('checkpoints after every command, atomically, locally and in the ConfigMap', async () => {
    const h = harness();
    await executePlan(testPlan(), h.options, h.deps);
    const restart = h.saves.map((r) => r.steps.find((s) => s.id === 'h1-workload-restart-tag-default')!).map((s) => `${s.status}:${s.commandsDone}`);
    const distinct = restart.filter((v, i) => v !== restart[i - 1]);
    expect(distinct).toEqual(['pending:0', 'running:0', 'running:1', 'running:2', 'running:3', 'succeeded:3']);
    expect(readdirSync(join(h.stateDir, 'runs', RUN)).sort()).toEqual(['plan.json', 'run.json']);
    const onDisk = JSON.parse(readFileSync(join(h.stateDir, 'runs', RUN, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('succeeded');
    expect(h.cluster.configMaps.writes).toBe(h.saves.length);
  });

  it('runs the preflight checks once: its check command, and no verification after it that reads them again', async () => {
    const h = harness();
    let checks = 0;
    h.cluster.actWith = (action) => void (action.type === 'preflight-checks' && checks++);
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(0);
    expect(checks).toBe(1);
    expect(h.cluster.verifies.filter((v) => v.spec.type === 'preflight-passed')).toEqual([]);
  });

  it('skips an optional istioctl command when istioctl is not installed', async () => {
    const h = harness();
    h.runner.missing.add('istioctl');
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(0);
    expect(h.journal.some((l) => l.startsWith('istioctl'))).toBe(false);
    expect(h.progress.lines).toContain('info step h1-preflight: skipped: istioctl not found (istioctl x precheck)');
    expect(result.steps[0]).toMatchObject({ id: 'h1-preflight', status: 'succeeded', note: 'skipped: istioctl not found (istioctl x precheck)' });
  });

  it('a failed istioctl x precheck is a precondition: exit 3 before any change, with its findings, nothing rolled back', async () => {
    const h = harness();
    const normal = h.runner.outcome;
    h.runner.outcome = (req) =>
      req.args[0] === 'x' ? { ok: false, reason: 'failed', message: 'istioctl x exited with 1: Error: Issues found', output: 'Error [IST0156] (Gateway api) v1beta1 not served' } : normal(req);
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(3);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('precondition failed before any change: step h1-preflight');
    expect(result.error).toContain('Error [IST0156] (Gateway api) v1beta1 not served');
    expect(h.journal).toEqual(['api preflight-checks', expect.stringMatching(/^istioctl x precheck /)]);
    expect(result.steps.slice(1).every((s) => s.status === 'pending')).toBe(true);
    expect(h.cluster.leases.items.size).toBe(0);

    // Fixed and applied again: the check runs again (a check is never "already applied"), then the plan.
    h.runner.outcome = normal;
    const again = await executePlan(testPlan(), h.options, h.deps);
    expect(again.exitCode).toBe(0);
    expect(h.journal.filter((l) => l.startsWith('istioctl x precheck'))).toHaveLength(2);
  });
});

describe('executePlan: resume', () => {
  it('continues a crashed run after its last completed command, repeating no step and no command', async () => {
    const first = harness();
    // The process dies while the restart step moves on to its second batch.
    first.progress.stepUpdate = (step, text) => {
      if (step.id === 'h1-workload-restart-tag-default' && text.startsWith('2/3')) throw new Error('killed');
    };
    await expect(executePlan(testPlan(), first.options, first.deps)).rejects.toThrow('killed');

    const second = harness({ stateDir: first.stateDir, cluster: first.cluster, journal: first.journal });
    second.cluster.verifyWith = (spec, ctx) => (ctx.probe ? { ok: false, reason: `${spec.type} not there yet` } : { ok: true });
    const journalStart = first.journal.length;
    const result = await executePlan(testPlan(), { ...second.options, runId: 'ignored-when-resuming' }, second.deps);

    expect(result).toMatchObject({ runId: RUN, status: 'succeeded', exitCode: 0 });
    const secondRun = first.journal.slice(journalStart);
    expect(secondRun).toEqual([
      'verify workloads-restarted (probe)',
      'api rollout-restart',
      'api rollout-restart',
      'verify workloads-restarted',
      'helm uninstall istiod-1-23-6 -n istio-system --wait',
      'verify revision-absent',
    ]);
    const restarted = first.cluster.actions.slice(-2).map((a) => (a.action.type === 'rollout-restart' ? a.action.workloads.map((w) => w.name) : []));
    expect(restarted).toEqual([['checkout'], ['db']]);
    expect(second.progress.lines).toContain('info resuming run 20261122-100000-aaaaaa at step h1-workload-restart-tag-default');
  });

  it('marks a step left running as done, without running it again, when its effect is already present', async () => {
    const first = harness();
    first.progress.stepUpdate = (step, text) => {
      if (step.id === 'h1-istiod-install' && text.startsWith('verifying: Deployment')) throw new Error('killed');
    };
    await expect(executePlan(testPlan(), first.options, first.deps)).rejects.toThrow('killed');
    const before = first.journal.length;

    const second = harness({ stateDir: first.stateDir, cluster: first.cluster, journal: first.journal });
    const result = await executePlan(testPlan(), second.options, second.deps);
    const secondRun = first.journal.slice(before);

    expect(secondRun.slice(0, 2)).toEqual(['verify helm-release (probe)', 'verify deployment-rollout (probe)']);
    expect(secondRun.filter((l) => l.startsWith('helm install'))).toEqual([]);
    const step = result.steps.find((s) => s.id === 'h1-istiod-install')!;
    expect(step).toMatchObject({ status: 'succeeded', note: 'already applied' });
    expect(second.events.find((e) => e.stepId === 'h1-istiod-install')).toMatchObject({ event: 'succeeded', note: 'already applied' });
    // probes look once and carry the step start, so only effects of this run count
    expect(first.cluster.verifies.filter((v) => v.ctx.probe).every((v) => v.ctx.since === Date.parse(step.startedAt!))).toBe(true);
  });

  it.each([
    // helm install refuses a name in use: a failed (or pending) release the step created is uninstalled first
    { sub: 'install', release: 'istiod-1-24-6', before: null, left: { revision: 1, status: 'failed' }, expected: ['helm uninstall istiod-1-24-6', 'helm install istiod-1-24-6'] },
    { sub: 'install', release: 'istiod-1-24-6', before: null, left: { revision: 1, status: 'pending-install' }, expected: ['helm uninstall istiod-1-24-6', 'helm install istiod-1-24-6'] },
    // completed behind the dead process: not run again (verification follows)
    { sub: 'install', release: 'istiod-1-24-6', before: null, left: { revision: 1, status: 'deployed' }, expected: [] },
    // helm upgrade refuses a pending latest revision: rolled back to the step's starting revision first
    { sub: 'upgrade', release: 'istio-base', before: 2, left: { revision: 3, status: 'pending-upgrade' }, expected: ['helm rollback istio-base', 'helm upgrade istio-base'] },
    // helm upgrades from a failed revision as it is
    { sub: 'upgrade', release: 'istio-base', before: 2, left: { revision: 3, status: 'failed' }, expected: ['helm upgrade istio-base'] },
    { sub: 'upgrade', release: 'istio-base', before: 2, left: { revision: 3, status: 'deployed' }, expected: [] },
  ] as const)('continues a step whose helm $sub was cut short leaving revision $left.revision $left.status: $expected', async ({ sub, release, left, expected }) => {
    const key = `${NS}/${release}`;
    const first = harness();
    // The process is stopped (Ctrl-C) while helm runs; helm has already stored a revision.
    first.runner.outcome = (req) => {
      if (req.args[0] === sub && req.args[1] === release) {
        first.cluster.helmRevisions.set(key, left.revision);
        first.cluster.helmStatuses.set(key, left.status);
        first.signals.trigger('SIGINT');
        return { ok: false, reason: 'cancelled', message: `helm ${sub} was cancelled` };
      }
      return { ok: true, stdout: req.args[0] === 'template' ? 'kind: MutatingWebhookConfiguration' : '' };
    };
    await expect(executePlan(testPlan(), first.options, first.deps)).resolves.toMatchObject({ exitCode: 130 });

    const second = harness({ stateDir: first.stateDir, cluster: first.cluster, journal: first.journal });
    // the resume probe does not find the step's effect (its rollout is not verified yet)
    second.cluster.verifyWith = (spec, ctx) => (ctx.probe && spec.type !== 'helm-release' ? { ok: false, reason: 'not rolled out' } : ctx.probe && left.status !== 'deployed' ? { ok: false, reason: left.status } : { ok: true });
    const before = first.journal.length;
    const result = await executePlan(testPlan(), second.options, second.deps);
    expect(result).toMatchObject({ exitCode: 0, status: 'succeeded' });
    const helm = first.journal.slice(before).filter((l) => new RegExp(`^helm (install|upgrade|uninstall|rollback) ${release} `).test(l));
    expect(helm.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(expected);
    const stepId = sub === 'install' ? 'h1-istiod-install' : 'h1-base-chart-upgrade';
    // A pending-* revision (Helm refuses everything on it) is recovered explicitly first, and recorded in the run log.
    const recovery = left.status === 'pending-install' ? 'mark that revision failed (there is no earlier revision to roll back to)' : `helm rollback ${release} 2 -n ${NS} --wait`;
    const pendingLine = `info step ${stepId}: Helm release ${key} revision ${left.revision} is ${left.status}, left by an interrupted helm call: ${recovery}`;
    expect(second.progress.lines.includes(pendingLine)).toBe(left.status.startsWith('pending-'));
    expect(first.journal.slice(before).filter((l) => l.startsWith('mark-failed'))).toEqual(left.status === 'pending-install' ? [`mark-failed ${key} v1`] : []);
    if (sub === 'install' && expected[0] === 'helm uninstall istiod-1-24-6') {
      expect(second.progress.lines).toContain(`info step ${stepId}: Helm release ${key} revision ${left.revision} (failed) was left behind by the interrupted install; undoing it with the step's rollback before running helm install again`);
    }
    // (the base step verifies only its release, so the resume probe already marks it done; the install step also waits for its rollout)
    if (!expected.length && sub === 'install') expect(second.progress.lines).toContain(`info step h1-istiod-install: Helm release ${key} revision 1 is already installed; not running it again`);
  });

  it('does not report facts changed by the steps it already did as drift', async () => {
    const first = harness();
    first.progress.stepUpdate = (step) => {
      if (step.id === 'h1-tag-move-default') throw new Error('killed');
    };
    await expect(executePlan(testPlan(), first.options, first.deps)).rejects.toThrow('killed');
    // what this run did: base upgraded (revision 3), a new revision installed
    first.cluster.inv = inventory({ helmReleases: [{ ...inventory().helmReleases[0]!, revision: 3, chartVersion: '1.24.6' }, inventory().helmReleases[1]!] });
    const second = harness({ stateDir: first.stateDir, cluster: first.cluster });
    await expect(executePlan(testPlan(), second.options, second.deps)).resolves.toMatchObject({ exitCode: 0 });

    // but drift of a fact a pending step relies on still stops it
    const third = harness();
    third.progress.stepUpdate = first.progress.stepUpdate;
    await expect(executePlan(testPlan(), third.options, third.deps)).rejects.toThrow('killed');
    third.cluster.inv = inventory({ dataPlane: { ...inventory().dataPlane, namespaces: [{ ...inventory().dataPlane.namespaces[0]!, revisionLabel: 'canary' }] } });
    const fourth = harness({ stateDir: third.stateDir, cluster: third.cluster });
    const e = await refusal(executePlan(testPlan(), fourth.options, fourth.deps));
    expect(e.exitCode).toBe(3);
    expect(e.hint).toContain('namespace/shop/revision-label: default → canary');
  });

  it('reports a plan already applied and does nothing', async () => {
    const h = harness();
    await executePlan(testPlan(), h.options, h.deps);
    const before = h.journal.length;
    const again = harness({ stateDir: h.stateDir, cluster: h.cluster, journal: h.journal });
    const result = await executePlan(testPlan(), again.options, again.deps);
    expect(result).toMatchObject({ runId: RUN, status: 'succeeded', exitCode: 0 });
    // nothing ran: the cluster was only looked at, to confirm what the record says
    expect(h.journal.slice(before).filter((l) => !l.endsWith('(probe)'))).toEqual([]);
    expect(h.journal.slice(before).length).toBeGreaterThan(0);
    expect(again.progress.lines).toContain('info plan plan-20261122T095500-abc123 was already applied by run 20261122-100000-aaaaaa; nothing to do');
  });
});

describe('executePlan: failure handling', () => {
  /** helm install --wait timing out: the release exists, its revision 1 failed. */
  const failInstall = (h: Harness, also?: (args: string[]) => RunOutcome | undefined) => (req: { args: string[] }): RunOutcome => {
    const other = also?.(req.args);
    if (other) return other;
    if (req.args[0] !== 'install') return { ok: true, stdout: '' };
    h.cluster.helmRevisions.set(`${NS}/istiod-1-24-6`, 1);
    h.cluster.helmStatuses.set(`${NS}/istiod-1-24-6`, 'failed');
    return { ok: false, reason: 'failed', message: 'helm install exited with 1: UPGRADE FAILED: timed out' };
  };

  it('rolls the failed step back with its own budget and exits 4', async () => {
    const h = harness();
    h.runner.outcome = failInstall(h);
    const result = await executePlan(testPlan(), { ...h.options, rollbackTimeoutMs: 120_000 }, h.deps);

    expect(result).toMatchObject({ status: 'rolled-back', exitCode: 4 });
    expect(h.journal.slice(-2)).toEqual([
      'helm install istiod-1-24-6 istio/istiod -n istio-system --version 1.24.6 --set revision=1-24-6 --set-json revisionTags=[] --wait --values <values-of:istio-system/istiod-1-23-6>',
      'helm uninstall istiod-1-24-6 -n istio-system --wait',
    ]);
    expect(h.runner.runs.at(-1)!.timeoutMs).toBe(120_000);
    const step = result.steps.find((s) => s.id === 'h1-istiod-install')!;
    expect(step).toMatchObject({ status: 'rolled-back', commandsDone: 0, error: 'helm install exited with 1: UPGRADE FAILED: timed out' });
    expect(result.steps.slice(3).every((s) => s.status === 'pending')).toBe(true);
    expect(result.nextCommands).toEqual([`istio-upgrade rollback ${RUN} --context ${CONTEXT}`, `istio-upgrade apply plan.json --context ${CONTEXT}`]);
    expect(h.events.filter((e) => e.stepId === 'h1-istiod-install').map((e) => e.event)).toEqual(['started', 'failed', 'rolled-back']);
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('exits 5 and prints the commands a person should run when the rollback fails too', async () => {
    const h = harness();
    h.runner.outcome = failInstall(h, (args) => (args[0] === 'uninstall' ? { ok: false, reason: 'timeout', message: 'helm uninstall timed out after 900s' } : undefined));
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result).toMatchObject({ status: 'rollback-failed', exitCode: 5 });
    expect(result.error).toContain('its rollback failed: helm uninstall timed out after 900s');
    expect(result.nextCommands).toEqual([`helm uninstall istiod-1-24-6 -n istio-system --wait --kube-context ${CONTEXT}`, `istio-upgrade rollback ${RUN} --context ${CONTEXT}`]);
    const again = harness({ stateDir: h.stateDir, cluster: h.cluster });
    const e = await refusal(executePlan(testPlan(), again.options, again.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('its rollback failed too');
  });

  it('with --on-failure stop leaves the failed step alone and exits 5', async () => {
    const h = harness();
    h.runner.outcome = failInstall(h);
    const result = await executePlan(testPlan(), { ...h.options, onFailure: 'stop' }, h.deps);
    expect(result).toMatchObject({ status: 'failed', exitCode: 5 });
    expect(h.journal.some((l) => l.startsWith('helm uninstall'))).toBe(false);
    expect(result.steps.find((s) => s.id === 'h1-istiod-install')!.status).toBe('failed');
  });

  it('an install that failed before creating its release has nothing to roll back: no helm uninstall, exit 4, said so', async () => {
    const h = harness();
    // chart not found: helm fails before it writes any release record
    h.runner.outcome = (req) => (req.args[0] === 'install' ? { ok: false, reason: 'failed', message: 'helm install exited with 1: Error: INSTALLATION FAILED: chart "istiod" version "1.24.6" not found' } : { ok: true, stdout: '' });
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result).toMatchObject({ status: 'rolled-back', exitCode: 4 });
    expect(h.journal.some((l) => l.startsWith('helm uninstall'))).toBe(false);
    expect(result.error).toBe('step h1-istiod-install failed: helm install exited with 1: Error: INSTALLATION FAILED: chart "istiod" version "1.24.6" not found; the step changed nothing (nothing to roll back), earlier steps remain applied');
    expect(result.steps.find((s) => s.id === 'h1-istiod-install')).toMatchObject({
      status: 'rolled-back',
      note: 'nothing to roll back after failure: Helm release istio-system/istiod-1-24-6 does not exist: nothing to uninstall',
    });
    expect(h.progress.lines).toContain('info step h1-istiod-install: Helm release istio-system/istiod-1-24-6 does not exist: nothing to uninstall');
  });

  it('an upgrade that failed before writing a revision is not rolled back to the revision it never left; one that wrote a revision is', async () => {
    const h = harness();
    // the chart's values do not render: helm upgrade fails before writing revision 3
    h.runner.outcome = (req) => (req.args[0] === 'upgrade' ? { ok: false, reason: 'failed', message: 'helm upgrade exited with 1: Error: UPGRADE FAILED: template: base/templates/crds.yaml:3: bad' } : { ok: true, stdout: '' });
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result).toMatchObject({ status: 'rolled-back', exitCode: 4 });
    expect(h.journal.some((l) => l.startsWith('helm rollback'))).toBe(false);
    expect(h.cluster.helmRevisions.get(`${NS}/istio-base`)).toBe(2);
    expect(result.steps.find((s) => s.id === 'h1-base-chart-upgrade')!.note).toBe('nothing to roll back after failure: Helm release istio-system/istio-base is still at revision 2, the one before the step: nothing to roll back');

    const wrote = harness();
    // --wait timed out after revision 3 was written (failed): helm rollback to 2 is what undoes it
    wrote.runner.outcome = (req) => (req.args[0] === 'upgrade' ? (wrote.cluster.helmRevisions.set(`${NS}/istio-base`, 3), { ok: false, reason: 'failed', message: 'helm upgrade exited with 1: UPGRADE FAILED: timed out' }) : { ok: true, stdout: '' });
    const rolled = await executePlan(testPlan(), wrote.options, wrote.deps);
    expect(rolled).toMatchObject({ status: 'rolled-back', exitCode: 4 });
    expect(wrote.journal.at(-1)).toBe('helm rollback istio-base 2 -n istio-system --wait');
    expect(rolled.steps.find((s) => s.id === 'h1-base-chart-upgrade')!.note).toBe('rolled back after failure');
  });

  it('treats a failed verification as a failed step', async () => {
    const h = harness();
    h.cluster.verifyWith = (spec) => (spec.type === 'tag-points-to' ? { ok: false, reason: 'tag default webhook points at 1-23-6, not 1-24-6' } : { ok: true });
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(4);
    expect(result.steps.find((s) => s.id === 'h1-tag-move-default')!.error).toBe('verification failed: tag default webhook points at 1-23-6, not 1-24-6');
    // the tag is pointed back: render with the old chart, apply
    expect(h.journal.slice(-2)).toEqual([
      'helm template istiod-1-23-6 istio/istiod -n istio-system --version 1.23.6 -s templates/revision-tags.yaml --set revisionTags={default} --set revision=1-23-6',
      'api apply-rendered',
    ]);
  });
});

describe('executePlan: refusals before the first change', () => {
  it('checks the prerequisites before taking the lock or writing a run record: an unmet one leaves nothing behind (exit 3)', async () => {
    const h = harness();
    const lockTakes: string[] = [];
    const create = h.cluster.leases.create.bind(h.cluster.leases);
    h.cluster.leases.create = (ns, name, lease) => (lockTakes.push(name), create(ns, name, lease));
    const report = { problems: ['chart base 1.24.6 does not resolve from base --repo https://charts.example.internal/istio: not found'], tools: ['helm v3.17.3 (Helm 3)'] };
    const e = await refusal(executePlan(testPlan(), h.options, { ...h.deps, prerequisites: async () => report }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`prerequisites not met: ${report.problems[0]}`);
    expect(lockTakes).toEqual([]);
    expect(h.saves).toEqual([]);
    expect(h.cluster.configMaps.items.size).toBe(0);
    expect(h.journal).toEqual([]);

    // met: the lock is taken after them, and what they found is the preflight step's note
    const ok = harness();
    const order: string[] = [];
    const okCreate = ok.cluster.leases.create.bind(ok.cluster.leases);
    ok.cluster.leases.create = (ns, name, lease) => (order.push('lock'), okCreate(ns, name, lease));
    const result = await executePlan(testPlan(), ok.options, { ...ok.deps, prerequisites: async () => (order.push('prerequisites'), { problems: [], tools: report.tools }) });
    expect(result.exitCode).toBe(0);
    expect(order).toEqual(['prerequisites', 'lock']);
    expect(result.steps[0]).toMatchObject({ id: 'h1-preflight', status: 'succeeded', note: 'helm v3.17.3 (Helm 3)' });
  });

  describe('the refusals that need no subprocess come before the prerequisites (helm/istioctl, chart and access reads)', () => {
    const cases: { name: string; code: number; message: RegExp; arrange: (h: Harness) => Promise<Partial<Harness['options']>> }[] = [
      {
        name: 'plan already applied',
        code: 0,
        message: /./,
        arrange: async (h) => {
          await executePlan(testPlan(), h.options, h.deps);
          return {};
        },
      },
      { name: 'irreversible steps, no terminal, no --yes', code: 64, message: /no terminal to confirm them/, arrange: async () => ({ yes: false }) },
      {
        name: 'lock held by another run',
        code: 3,
        message: /another upgrade holds the lock: ci:4711/,
        arrange: async (h) => {
          await h.cluster.leases.create(NS, LOCK_NAME, { holderIdentity: 'ci:4711', leaseDurationSeconds: 60, acquireTime: microTime(T0 - 5_000), renewTime: microTime(T0 - 5_000), annotations: { [LOCK_ID_ANNOTATION]: 'feedc0de12345678' } });
          return {};
        },
      },
      {
        name: 'drift since planning',
        code: 3,
        message: /is stale: 1 fact\(s\)/,
        arrange: async (h) => {
          h.cluster.inv = inventory({ helmReleases: [{ ...inventory().helmReleases[0]!, revision: 3 }, inventory().helmReleases[1]!] });
          return {};
        },
      },
    ];
    it.each(cases)('$name', async ({ code, message, arrange }) => {
      const h = harness();
      const opts = await arrange(h);
      const journalBefore = h.journal.length;
      let asked = 0;
      const deps = { ...h.deps, prerequisites: async () => (asked++, { problems: [], tools: [] }) };
      const outcome = await executePlan(testPlan(), { ...h.options, ...opts }, deps).then(
        (r) => ({ exitCode: r.exitCode, message: r.error ?? 'ok' }),
        (e: UserError) => ({ exitCode: e.exitCode, message: e.message }),
      );
      expect(outcome.exitCode).toBe(code);
      expect(outcome.message).toMatch(message);
      expect(asked).toBe(0);
      expect(h.journal.slice(journalBefore).filter((l) => !l.endsWith('(probe)'))).toEqual([]);
    });

    it('an apply of the same plan that ran while the prerequisites were read is seen under the lock: already applied, nothing run twice', async () => {
      const h = harness();
      const other = harness({ stateDir: h.stateDir, cluster: h.cluster, journal: h.journal });
      const result = await executePlan(testPlan(), h.options, { ...h.deps, prerequisites: async () => (await executePlan(testPlan(), other.options, other.deps), { problems: [], tools: [] }) });
      expect(result).toMatchObject({ exitCode: 0, status: 'succeeded' });
      expect(h.progress.lines).toContain(`info plan plan-20261122T095500-abc123 was already applied by run ${RUN}; nothing to do`);
      expect(h.journal.filter((l) => l.startsWith('helm install'))).toHaveLength(1);
    });

    it('drift made while the prerequisites were read (another plan\'s run) is refused under the lock, before any change', async () => {
      const h = harness();
      const prerequisites = async () => {
        h.cluster.inv = inventory({ tags: [{ ...inventory().tags[0]!, revision: '1-23-7' }] });
        return { problems: [], tools: [] };
      };
      const e = await refusal(executePlan(testPlan(), h.options, { ...h.deps, prerequisites }));
      expect(e.exitCode).toBe(3);
      expect(e.hint).toContain('tag/default/revision: 1-23-6 → 1-23-7');
      expect(h.journal).toEqual([]);
      expect(h.saves).toEqual([]);
      expect(h.cluster.leases.items.size).toBe(0);
    });
  });

  it('refuses a stale plan, listing each changed fact as key: planned → now', async () => {
    const h = harness();
    h.cluster.inv = inventory({
      helmReleases: [{ ...inventory().helmReleases[0]!, revision: 3 }, inventory().helmReleases[1]!],
      tags: [{ ...inventory().tags[0]!, revision: '1-23-7' }],
    });
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('plan plan-20261122T095500-abc123 is stale: 2 fact(s) it relies on changed since planning');
    expect(e.hint).toContain('helm/istio-system/istio-base/revision: 2 → 3');
    expect(e.hint).toContain('tag/default/revision: 1-23-6 → 1-23-7');
    expect(h.journal).toEqual([]);
    expect(h.cluster.configMaps.items.size).toBe(0);
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('refuses another kube context, printing both', async () => {
    const h = harness();
    h.cluster.context = 'staging';
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('plan plan-20261122T095500-abc123 was made for context "prod-eu" but the current context is "staging"');
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('refuses another cluster behind the same context name, printing both identities', async () => {
    const h = harness();
    h.cluster.id = 'uid-of-another-cluster';
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`plan plan-20261122T095500-abc123 was made for cluster ${CLUSTER_ID} but context "prod-eu" reaches cluster uid-of-another-cluster`);
  });

  it('refuses an IstioOperator file changed or gone since planning: one line naming it, exit 3, nothing run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-iop-'));
    const path = join(dir, 'operator.yaml');
    const planned = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  revision: 1-24-6\n';
    writeFileSync(path, planned);
    const plan = testPlan();
    const install = istioctlCommand({ op: 'install', file: { path, sha256: createHash('sha256').update(planned).digest('hex') }, set: [] }, 'install 1-24-6 from the IstioOperator file');
    plan.steps[1]!.commands.push(install);

    writeFileSync(path, `${planned}  profile: demo\n`);
    const h = harness();
    const e = await refusal(executePlan(plan, h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(new RegExp(`^IstioOperator file ${path} \\(step h1-base-chart-upgrade\\) changed since planning \\(sha256 [0-9a-f]{64}, planned [0-9a-f]{64}\\): make a new plan$`));
    expect(h.journal).toEqual([]);
    expect(h.cluster.leases.items.size).toBe(0);

    rmSync(path);
    const gone = harness();
    const e2 = await refusal(executePlan(plan, gone.options, gone.deps));
    expect(e2.exitCode).toBe(3);
    expect(e2.message).toContain(`IstioOperator file ${path} (step h1-base-chart-upgrade) cannot be read (ENOENT)`);
    expect(gone.journal).toEqual([]);

    writeFileSync(path, planned);
    const same = harness();
    expect((await executePlan(plan, same.options, same.deps)).exitCode).toBe(0);
    expect(same.journal).toContain(`istioctl install -y -f ${path}`);
  });

  it('refuses a plan older than --max-plan-age', async () => {
    const h = harness();
    const e = await refusal(executePlan(testPlan(), { ...h.options, maxPlanAgeMs: 60_000 }, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('plan plan-20261122T095500-abc123 is 5m0s old, more than --max-plan-age 1m0s');
  });

  it('refuses a plan with blockers', async () => {
    const h = harness();
    const plan = { ...testPlan(), blockers: [{ id: 'helm-pending', message: 'Helm release istio-system/istiod is pending-upgrade' }] };
    const e = await refusal(executePlan(plan, h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('Helm release istio-system/istiod is pending-upgrade');
  });
});

describe('executePlan: Gateway API manifests pinned before the first change', () => {
  const URL = 'https://mirror.example/v1.2.1/standard-install.yaml';
  const BEFORE = 'https://mirror.example/v1.0.0/standard-install.yaml';
  /** testPlan with a Gateway API CRD upgrade right before the istiod install. */
  const withBundleStep = (irreversible = true): Plan => {
    const plan = testPlan({ irreversible });
    const u = { hop: 1, from: '1.0.0', to: '1.2.1', channel: 'standard' as const, needs: [{ crd: 'grpcroutes.gateway.networking.k8s.io', min: '1.1.0' }], manifest: URL, rollbackManifest: BEFORE, previousIgnores: [] };
    plan.steps.splice(2, 0, finishStep({ hop: 1, preconditions: [] }, gatewayApiCrdsStep(u, undefined)));
    return plan;
  };
  const fetched = (sha: string, text = 'kind: CustomResourceDefinition') => ({ problems: [], tools: [], bundles: [{ url: URL, version: '1.2.1', channel: 'standard' as const, sha256: sha, text }] });

  it('the step applies the bytes the prerequisites fetched, and the record keeps their digest', async () => {
    const h = harness();
    const result = await executePlan(withBundleStep(), h.options, { ...h.deps, prerequisites: async () => fetched('sha256:aaaa', 'the fetched bytes') });
    expect(result.exitCode).toBe(0);
    const applied = h.cluster.actions.find((a) => a.action.type === 'apply-gateway-api-crds')!;
    expect(applied.manifests?.get(URL)).toEqual({ sha256: 'sha256:aaaa', text: 'the fetched bytes' });
    expect((await h.store.load(RUN))!.record.gatewayApiBundles).toEqual([{ url: URL, version: '1.2.1', channel: 'standard', sha256: 'sha256:aaaa' }]);
    expect(h.progress.lines).toContain(`info Gateway API v1.2.1 standard manifest fetched and checked: ${URL} (sha256:aaaa)`);
  });

  it('rollback fetches the bundle it re-applies before its first change and holds it to the digest the run recorded', async () => {
    const h = harness();
    const earlier = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: grpcroutes.gateway.networking.k8s.io\n  annotations:\n    gateway.networking.k8s.io/bundle-version: v1.0.0\n    gateway.networking.k8s.io/channel: standard\n';
    const other = `${earlier}  labels: {mirror: changed}\n`;
    const both = { problems: [], tools: [], bundles: [fetched('sha256:aaaa').bundles[0]!, { url: BEFORE, version: '1.0.0', channel: 'standard' as const, sha256: manifestDigest(earlier), text: earlier }] };
    expect((await executePlan(withBundleStep(false), h.options, { ...h.deps, prerequisites: async () => both })).exitCode).toBe(0);
    h.journal.length = 0;
    const { record, plan } = await loadRun(h.store, RUN, { readPlan: async () => withBundleStep(false) });
    const rollbackOpts = { timeoutMs: 600_000, holder: 'bob@desk', hintFlags: [] };
    // The mirror now serves other bytes under the v1.0.0 URL: refused, nothing run, no lock taken.
    const e = await refusal(rollbackRun(structuredClone(record), plan, rollbackOpts, { ...h.deps, fetchManifest: async () => other }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`cannot roll back run ${RUN}: the Gateway API manifest ${BEFORE} changed since this run checked it: ${manifestDigest(earlier)} then, ${manifestDigest(other)} now; nothing was changed`);
    expect(h.journal).toEqual([]);
    expect(h.cluster.leases.items.size).toBe(0);
    // The same bytes: the rollback re-applies exactly them.
    h.cluster.actions.length = 0;
    const r = await rollbackRun(record, plan, rollbackOpts, { ...h.deps, fetchManifest: async () => earlier });
    expect(r.exitCode).toBe(0);
    expect(h.cluster.actions.find((a) => a.action.type === 'apply-gateway-api-crds')!.manifests?.get(BEFORE)).toEqual({ sha256: manifestDigest(earlier), text: earlier });
  });

  it('a later attempt of the run that fetches other bytes under the same URL is refused before any change (exit 3)', async () => {
    const h = harness();
    h.runner.outcome = (req) => (req.args[0] === 'install' ? { ok: false, reason: 'failed', message: 'helm install exited with 1: chart not found' } : { ok: true, stdout: '' });
    const first = await executePlan(withBundleStep(), h.options, { ...h.deps, prerequisites: async () => fetched('sha256:aaaa') });
    expect(first.exitCode).toBe(4);
    const again = harness({ stateDir: h.stateDir, cluster: h.cluster });
    const e = await refusal(executePlan(withBundleStep(), again.options, { ...again.deps, prerequisites: async () => fetched('sha256:bbbb') }));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`the Gateway API manifest ${URL} changed since this run checked it: sha256:aaaa then, sha256:bbbb now (run ${RUN}); nothing was changed`);
    expect(again.journal).toEqual([]);
    expect(again.saves).toEqual([]);
    expect(h.cluster.leases.items.size).toBe(0);
  });
});

describe('executePlan: the lock', () => {
  const held = (renewedAgoMs: number) => ({
    holderIdentity: 'ci:4711',
    leaseDurationSeconds: 60,
    acquireTime: microTime(T0 - 600_000),
    renewTime: microTime(T0 - renewedAgoMs),
    annotations: { [LOCK_ID_ANNOTATION]: 'feedc0de12345678', [RUN_ID_ANNOTATION]: '20261122-095000-bbbbbb' },
  });

  it('fails at once with exit 3 while another apply holds it, saying who and since when', async () => {
    const h = harness();
    await h.cluster.leases.create(NS, LOCK_NAME, held(5_000));
    const e = await refusal(executePlan(testPlan(), h.options, h.deps));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('another upgrade holds the lock: ci:4711 since 2026-11-22T09:50:00.000000Z (run 20261122-095000-bbbbbb), last renewed 2026-11-22T09:59:55.000000Z');
    expect(e.hint).toContain('istio-upgrade force-unlock feedc0de12345678');
    expect(h.journal).toEqual([]);
    expect((await h.cluster.leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('ci:4711');
  });

  it('takes over an expired lock and runs', async () => {
    const h = harness();
    await h.cluster.leases.create(NS, LOCK_NAME, held(61_000));
    let holderDuringRun = '';
    h.runner.outcome = async () => {
      holderDuringRun = (await h.cluster.leases.get(NS, LOCK_NAME))!.holderIdentity;
      return { ok: true, stdout: '' };
    };
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(0);
    expect(holderDuringRun).toBe('alice@laptop');
    expect(h.progress.lines).toContain('warn took over the expired upgrade lock of ci:4711 (last renewed 2026-11-22T09:58:59.000000Z)');
    expect(h.cluster.leases.items.size).toBe(0);
  });
});

describe('executePlan: losing the lock', () => {
  it('stops before the next command without rolling back, exit 5', async () => {
    const h = harness();
    h.runner.outcome = async (req) => {
      if (req.args[0] === 'install') {
        const lease = (await h.cluster.leases.get(NS, LOCK_NAME))!;
        await h.cluster.leases.replace(NS, LOCK_NAME, { ...lease, holderIdentity: 'bob@desk', annotations: { [LOCK_ID_ANNOTATION]: 'bobs-lock' } });
        h.clock.advance(15_000);
        await new Promise((r) => setTimeout(r, 0));
      }
      return { ok: true, stdout: '' };
    };
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result).toMatchObject({ status: 'failed', exitCode: 5 });
    expect(result.error).toContain('the upgrade lock was taken over or could not be renewed during step h1-istiod-install');
    expect(h.journal.at(-1)).toMatch(/^helm install /);
    expect((await h.cluster.leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('bob@desk');
  });
});

describe('executePlan: interruption', () => {
  it('SIGTERM mid-step cancels the subprocess, checkpoints, releases the lock and exits 130 with the next commands', async () => {
    const h = harness();
    let cancelledChild = false;
    h.runner.outcome = (req) => {
      if (req.args[0] !== 'install') return { ok: true, stdout: '' };
      return new Promise<RunOutcome>((resolve) => {
        req.signal.addEventListener('abort', () => {
          cancelledChild = true;
          resolve({ ok: false, reason: 'cancelled', message: 'helm install was cancelled' });
        });
        h.signals.trigger('SIGTERM');
      });
    };
    const result = await executePlan(testPlan(), h.options, h.deps);

    expect(cancelledChild).toBe(true);
    expect(result).toMatchObject({ status: 'interrupted', exitCode: 130 });
    expect(result.steps.find((s) => s.id === 'h1-istiod-install')).toMatchObject({ status: 'running', commandsDone: 0 });
    expect(result.nextCommands).toEqual([`istio-upgrade apply plan.json --context ${CONTEXT}`, `istio-upgrade rollback ${RUN} --context ${CONTEXT}`]);
    expect(h.journal.at(-1)).toMatch(/^helm install /);
    expect(JSON.parse(readFileSync(join(h.stateDir, 'runs', RUN, 'run.json'), 'utf8')).status).toBe('interrupted');
    expect(h.cluster.leases.items.size).toBe(0);
    expect(h.progress.lines).toContain('warn SIGTERM received: stopping the current command, then recording where the run stopped');
  });
});

describe('executePlan: irreversible steps', () => {
  it('without a terminal and without --yes, refuses before any change', async () => {
    const h = harness({ confirm: confirmer(false) });
    const e = await refusal(executePlan(testPlan(), { ...h.options, yes: false }, h.deps));
    expect(e.exitCode).toBe(64);
    expect(e.message).toContain('h1-old-revision-removal-1-23-6');
    expect(h.journal).toEqual([]);
  });

  it('on a terminal asks for the revision name and stops with exit 3 when it is not typed', async () => {
    const confirm = confirmer(true, false);
    const h = harness({ confirm });
    const result = await executePlan(testPlan(), { ...h.options, yes: false }, h.deps);
    expect(confirm.asked).toEqual(['1-23-6']);
    expect(result.exitCode).toBe(3);
    expect(h.journal.some((l) => l.startsWith('helm uninstall istiod-1-23-6'))).toBe(false);
    expect(result.steps.at(-1)!.status).toBe('pending');
  });

  it('Ctrl-C at the confirmation: exit 130, the step not run, the run recorded as interrupted, the lock released', async () => {
    const h = harness({
      confirm: {
        interactive: true,
        confirm: async () => {
          throw new PromptInterrupted();
        },
      },
    });
    const result = await executePlan(testPlan(), { ...h.options, yes: false }, h.deps);
    expect(result).toMatchObject({ exitCode: 130, status: 'interrupted' });
    expect(result.error).toContain('nothing of it ran');
    expect(h.journal.some((l) => l.startsWith('helm uninstall istiod-1-23-6'))).toBe(false);
    expect(result.steps.at(-1)!.status).toBe('pending');
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('re-checks the live cluster right before the removal: a namespace labelled for the old revision refuses it (exit 3), nothing of it runs', async () => {
    const h = harness();
    h.cluster.inv.dataPlane.namespaces.push({ name: 'late-team', injection: null, revisionLabel: '1-23-6', dataplaneMode: null, effectiveRevision: '1-23-6' });
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(3);
    expect(result.error).toContain('1-23-6: namespace late-team is labelled istio.io/rev=1-23-6');
    expect(h.journal.some((l) => l.startsWith('helm uninstall'))).toBe(false);
    expect(result.steps.slice(0, -1).every((s) => s.status === 'succeeded')).toBe(true);
    expect(result.steps.at(-1)).toMatchObject({ status: 'pending', error: expect.stringContaining('late-team') });
    expect(h.cluster.leases.items.size).toBe(0);
  });

  it('runs the step once the revision name is typed', async () => {
    const confirm = confirmer(true, true);
    const h = harness({ confirm });
    const result = await executePlan(testPlan(), { ...h.options, yes: false }, h.deps);
    expect(result.exitCode).toBe(0);
    expect(h.journal).toContain('helm uninstall istiod-1-23-6 -n istio-system --wait');
  });
});

describe('executePlan: cluster record mirror', () => {
  it('keeps running with the local record when the ConfigMap cannot be written, and says so once', async () => {
    const cluster = new FakeCluster([]);
    cluster.configMaps.create = async () => {
      throw new Error('configmaps is forbidden');
    };
    const h = harness({ cluster, journal: [] });
    const result = await executePlan(testPlan(), h.options, h.deps);
    expect(result.exitCode).toBe(0);
    expect(h.progress.lines.filter((l) => l.startsWith('warn could not mirror'))).toHaveLength(1);
  });
});

describe('executePlan: skew gates', () => {
  const hop = { index: 1, from: '1.23.6', to: '1.24.6', fromRevision: '1-23-6', revision: '1-24-6', compatibilityVersion: null, compatibilityReason: null };
  const workload = { namespace: 'shop', kind: 'Deployment', name: 'cart', revision: '1-23-6', pods: 2, restartable: true, mode: 'sidecar' as const };

  it('a proxy two minors behind its istiod stops the run before the hop: exit 3, nothing ran, the offender recorded; fixed, the same apply passes the gate', async () => {
    const h = harness();
    const plan = { ...testPlan(), hops: [hop] };
    h.cluster.inv = inventory({ dataPlane: { ...inventory().dataPlane, workloads: [{ ...workload, proxyVersion: '1.21.6' }] } });
    const stopped = await executePlan(plan, h.options, h.deps);

    expect(stopped).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(stopped.error).toContain('step h1-preflight not run: gate before hop 1 (1.23.6 → 1.24.6) failed: 1 offender(s)');
    expect(stopped.error).toContain('proxy-skew: shop/Deployment/cart: 2 pod(s) run proxy 1.21.6, 2 minors behind istiod 1-23-6 at 1.23.6');
    expect(h.journal).toEqual([]);
    expect(stopped.steps[0]).toMatchObject({ status: 'pending', gate: { title: 'gate before hop 1 (1.23.6 → 1.24.6)', passed: false } });
    expect(stopped.steps[0]!.gate!.offenders).toHaveLength(1);

    // The operator restarts the workload onto 1.23; the same apply continues the run and passes the gate.
    h.cluster.inv = inventory({ dataPlane: { ...inventory().dataPlane, workloads: [{ ...workload, proxyVersion: '1.23.6' }] } });
    const resumed = await executePlan(plan, h.options, h.deps);
    expect(resumed.runId).toBe(stopped.runId);
    expect(resumed.steps[0]).toMatchObject({ status: 'succeeded', gate: { passed: true, offenders: [] } });
    expect(resumed.steps[0]!.error).toBeUndefined();
    expect(h.journal[0]).toBe('api preflight-checks');
  });
});
