/**
 * End to end: a helm call killed in the middle of its operation (with the apply that ran it: a cancelled CI job)
 * leaves its release pending-upgrade, pending-install or pending-rollback, which Helm 3 and Helm 4 both refuse to
 * touch again. `apply --dry-run` shows the recovery, the resume recovers it explicitly (helm rollback to the last good
 * revision, or the stuck first install marked failed) and completes, and so does `rollback`; the recovery is kept on
 * the attempt and in the run log, and no release is left pending.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../../src/apply/run-record.js';
import { isMutating, pidAlive, mutatingRequests, shortArgv, startCluster, until, type E2eCluster } from './harness.js';
import { expectAmbientUpgraded, expectStepEffect, releaseState } from './checks.js';

const NS = 'istio-system';
const BASE_UPGRADE = 'helm upgrade istio-base base --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --wait';
/** The hop's default-revision-move upgrades istio-base again, after the tags moved. */
const DEFAULTS_MOVE = 'helm upgrade istio-base base --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set defaultRevision=1-24-6 --wait';

/**
 * Releases whose newest revision is pending-* (what Helm refuses to operate on). A rollback over a pending revision
 * leaves that revision in the history as it was, as Helm's does; only the newest one counts.
 */
function pendingReleases(c: E2eCluster): string[] {
  const newest = new Map<string, { version: number; status: string }>();
  for (const s of c.server.list('v1', 'Secret').filter((x) => x.metadata.labels?.['owner'] === 'helm')) {
    const key = `${s.metadata.namespace}/${s.metadata.labels?.['name']}`;
    const version = Number(s.metadata.labels?.['version'] ?? 0);
    if ((newest.get(key)?.version ?? -1) < version) newest.set(key, { version, status: String(s.metadata.labels?.['status']) });
  }
  return [...newest].filter(([, r]) => r.status.startsWith('pending-')).map(([key, r]) => `${key} v${r.version} ${r.status}`);
}

/**
 * Runs `args` (apply or rollback) until `sub release` has stored its pending record and applied its objects, then
 * kills the CLI and helm with SIGKILL (no handler of either runs). The lock is left to expire as a dead holder's does.
 */
async function killMidway(c: E2eCluster, args: string[], sub: string, release: string, namespace = NS): Promise<void> {
  c.faults([{ tool: 'helm', match: [sub, release], after: 'apply', hangMs: 120_000, exitCode: 0 }]);
  const p = c.spawn(args);
  const helm = await until(`helm ${sub} ${release} to start`, () => c.callLog().find((x) => x.argv[1] === sub && x.argv[2] === release), 240_000);
  await until(`${release} to be pending`, () => /pending-/.test(releaseState(c.server, namespace, release)), 60_000);
  p.child.kill('SIGKILL');
  process.kill(helm.pid, 'SIGKILL');
  await p.done;
  await until('helm to be gone', () => !pidAlive(helm.pid), 20_000);
  c.faults([]);
  c.expireLease();
}

function mutating(c: E2eCluster, release: string): string[] {
  return c.callLog().filter(isMutating).map(shortArgv).filter((a) => a.split(' ')[2] === release);
}

function runLog(c: E2eCluster, runId: string): string {
  return readFileSync(join(c.stateDir, 'runs', runId, 'run.log'), 'utf8');
}

/** The recoveries the newest attempt of the run recorded. */
function recovered(run: RunRecord): string[] {
  return run.attempts?.at(-1)?.recovered ?? [];
}

describe.concurrent.each([['v3.17.3'], ['v4.2.4']])('e2e: a release left pending by a killed helm (helm %s)', (helmVersion) => {
  test('killed mid-upgrade: dry-run shows the recovery; the resume rolls the release back to its last good revision, then upgrades, and completes', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion });
    const plan = await c.plan();
    await killMidway(c, ['apply', c.planPath], 'upgrade', 'istio-base');
    expect(releaseState(c.server, NS, 'istio-base')).toBe('1.24.6 pending-upgrade');
    const runId = c.localRuns()[0]!.runId;

    c.server.clearRequests();
    const dry = await c.cli(['apply', c.planPath, '--dry-run'], { timeoutMs: 240_000 });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const line = `Helm release ${NS}/istio-base revision 3 is pending-upgrade, left by an interrupted helm call: helm rollback istio-base 2 -n ${NS} --wait`;
    expect(dry.stdout + dry.stderr).toContain(`a real apply first recovers: ${line}`);
    expect(mutatingRequests(c.server), 'the dry run changes nothing').toEqual([]);
    expect(releaseState(c.server, NS, 'istio-base')).toBe('1.24.6 pending-upgrade');

    const r = await c.cli(['apply', c.planPath], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`step h1-base-chart-upgrade: ${line}`);
    expect(mutating(c, 'istio-base')).toEqual([BASE_UPGRADE, `helm rollback istio-base 2 -n ${NS} --wait`, BASE_UPGRADE, DEFAULTS_MOVE]);
    expect(pendingReleases(c)).toEqual([]);
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const done = `Helm release ${NS}/istio-base revision 3 (pending-upgrade, left by an interrupted helm call): rolled back to revision 2`;
    expect(recovered(c.clusterRun(runId)!)).toEqual([done]);
    expect(c.clusterRun(runId)!.status).toBe('succeeded');
    expect(runLog(c, runId)).toContain(`# recovered: ${done}`);
  }, 480_000);

  test('killed mid-install (first install): the resume marks the stuck record failed, removes it, installs again, and completes', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion });
    const plan = await c.plan();
    await killMidway(c, ['apply', c.planPath], 'install', 'istiod-1-24-6');
    expect(releaseState(c.server, NS, 'istiod-1-24-6')).toBe('1.24.6 pending-install');
    const runId = c.localRuns()[0]!.runId;

    const dry = await c.cli(['apply', c.planPath, '--dry-run'], { timeoutMs: 240_000 });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout + dry.stderr).toContain(
      `a real apply first recovers: Helm release ${NS}/istiod-1-24-6 revision 1 is pending-install, left by an interrupted helm call: mark that revision failed (there is no earlier revision to roll back to)`,
    );

    const r = await c.cli(['apply', c.planPath], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const install = mutating(c, 'istiod-1-24-6')[0]!;
    expect(install).toMatch(/^helm install istiod-1-24-6 /);
    expect(mutating(c, 'istiod-1-24-6')).toEqual([install, `helm uninstall istiod-1-24-6 -n ${NS} --wait`, install]);
    expect(pendingReleases(c)).toEqual([]);
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const done = `Helm release ${NS}/istiod-1-24-6 revision 1 (pending-install, left by an interrupted helm call): marked failed (there is no earlier revision to roll back to)`;
    expect(recovered(c.clusterRun(runId)!)).toEqual([done]);
    expect(runLog(c, runId)).toContain(`# recovered: ${done}`);
  }, 480_000);

  test('killed mid-upgrade, then rollback: the pending revision is recovered first (shown in the rollback plan), the run unwinds', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion });
    const plan = await c.plan();
    await killMidway(c, ['apply', c.planPath], 'upgrade', 'istio-base');
    const runId = c.localRuns()[0]!.runId;

    const dry = await c.cli(['rollback', runId, '--dry-run'], { timeoutMs: 240_000 });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`first, recover what an interrupted helm call left pending (Helm refuses every other operation on it):\n  Helm release ${NS}/istio-base revision 3 is pending-upgrade`);
    expect(releaseState(c.server, NS, 'istio-base')).toBe('1.24.6 pending-upgrade');

    const r = await c.cli(['rollback', runId, '--yes'], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(pendingReleases(c)).toEqual([]);
    for (const s of plan.steps) expectStepEffect(c.server, s.id, false);
    expect(c.clusterRun(runId)!.status).toBe('rolled-back');
    expect(recovered(c.clusterRun(runId)!)).toEqual([`Helm release ${NS}/istio-base revision 3 (pending-upgrade, left by an interrupted helm call): rolled back to revision 2`]);
    expect(c.clusterRun(runId)!.attempts?.at(-1)?.kind).toBe('rollback');
  }, 480_000);

  test('killed mid-install, then rollback: the stuck first install is marked failed and removed; the run unwinds', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion });
    const plan = await c.plan();
    await killMidway(c, ['apply', c.planPath], 'install', 'istiod-1-24-6');
    const runId = c.localRuns()[0]!.runId;
    const r = await c.cli(['rollback', runId, '--yes'], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Helm release ${NS}/istiod-1-24-6 revision 1 is pending-install, left by an interrupted helm call: mark that revision failed`);
    expect(pendingReleases(c)).toEqual([]);
    for (const s of plan.steps) expectStepEffect(c.server, s.id, false);
    expect(c.clusterRun(runId)!.status).toBe('rolled-back');
  }, 480_000);
});

describe.concurrent('e2e: a rollback killed mid-way', () => {
  test('helm rollback killed with the rollback: pending-rollback is not "the cluster changed since the run"; the next rollback recovers it and completes', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const plan = await c.plan();
    const applied = await c.cli(['apply', c.planPath], { timeoutMs: 300_000 });
    expect(applied.exitCode, applied.stderr).toBe(0);
    const runId = c.localRuns()[0]!.runId;
    const cniAfter = c.localRuns()[0]!.steps.find((s) => s.id === 'h1-cni-upgrade')!.helmRevisions[`${NS}/istio-cni`]!.after;
    await killMidway(c, ['rollback', runId, '--yes'], 'rollback', 'istio-cni');
    expect(releaseState(c.server, NS, 'istio-cni')).toMatch(/ pending-rollback$/);

    const r = await c.cli(['rollback', runId, '--yes'], { timeoutMs: 240_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Helm release ${NS}/istio-cni revision ${cniAfter! + 1} is pending-rollback, left by an interrupted helm call: helm rollback istio-cni ${cniAfter} -n ${NS} --wait`);
    expect(pendingReleases(c)).toEqual([]);
    for (const s of plan.steps) expectStepEffect(c.server, s.id, false);
    expect(c.clusterRun(runId)!.status).toBe('rolled-back');
  }, 480_000);
});

