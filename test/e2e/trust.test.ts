/**
 * End to end: what comes from a file or the cluster is checked before it runs — a plan edited after `plan --out`, a
 * plan signed by another key, a plan with no cluster identity, a forged run record — each refused before any change.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { expectAmbientUpgraded } from './checks.js';
import { isReadOnlyQuery, startCluster, type E2eCluster } from './harness.js';
import type { Plan, PlanCommand } from '../../src/plan/schema.js';
import { sealPlan } from '../../src/plans/plan-integrity.js';

const FIXTURE = 'ambient-helm-1.23';

/** A plan edited by someone who also recomputed its digest: only the drift check between argv and typed operations can tell. */
function resealed(c: E2eCluster, plan: Plan, name: string, edit: (p: Plan) => void): string {
  const edited = structuredClone(plan) as Plan;
  delete (edited as { integrity?: unknown }).integrity;
  edit(edited);
  const path = join(c.work, name);
  writeFileSync(path, JSON.stringify(sealPlan(edited), null, 2));
  return path;
}

function helmCommandOf(plan: Plan, op: string, release: string): PlanCommand {
  for (const s of plan.steps) for (const x of [...s.commands, ...(s.rollback?.commands ?? [])]) if (x.helm?.op === op && x.helm.release === release) return x;
  throw new Error(`no helm ${op} ${release} in the plan`);
}

function keys(dir: string, name: string): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub`);
  writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

/** No change reached the cluster: nothing but reads (the lock is not even taken). */
function writes(c: E2eCluster): string[] {
  return c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject')).map((q) => `${q.method} ${q.path}`);
}

describe.concurrent('e2e: trust boundaries', () => {
  test('a plan edited after plan --out is refused with both digests; the untouched file passes the check (dry run)', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    expect(plan.integrity?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const edited = structuredClone(plan) as Plan;
    edited.steps.find((s) => s.commands.some((x) => x.via === 'helm'))!.commands.find((x) => x.via === 'helm')!.argv.push('--post-renderer', '/tmp/evil.sh');
    const tampered = join(c.work, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(edited, null, 2));
    c.server.clearRequests();

    const r = await c.cli(['apply', tampered]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/tampered\.json was changed after it was written: its content has digest sha256:[0-9a-f]{64}, the plan records sha256:[0-9a-f]{64}/);
    expect(c.callLog()).toEqual([]);
    expect(writes(c)).toEqual([]);

    const dry = await c.cli(['apply', c.planPath, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`digest ${plan.integrity!.digest} verified`);
  }, 60_000);

  test('plan --sign-key and apply --verify-key: the right key passes, another key or no signature is refused', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const approver = keys(c.dir, 'approver');
    const mallory = keys(c.dir, 'mallory');
    const signed = await c.cli(['plan', '--to', '1.24', '--out', c.planPath, '--sign-key', approver.priv]);
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(signed.stderr).toContain(', signed)');

    const ok = await c.cli(['apply', c.planPath, '--dry-run', '--verify-key', approver.pub]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('verified, signed by the --verify-key key');

    const wrongKey = await c.cli(['apply', c.planPath, '--dry-run', '--verify-key', mallory.pub]);
    expect(wrongKey.exitCode, wrongKey.stderr).toBe(3);
    expect(wrongKey.stderr).toContain('the signature does not verify with --verify-key');

    // Re-signing an edited plan with another key and a fixed digest still fails against the approver's key.
    const forged = JSON.parse(readFileSync(c.planPath, 'utf8')) as Plan;
    const reSigned = join(c.work, 'resigned.json');
    const mallorySigned = await c.cli(['plan', '--to', '1.24', '--out', reSigned, '--sign-key', mallory.priv]);
    expect(mallorySigned.exitCode).toBe(0);
    expect((await c.cli(['apply', reSigned, '--dry-run', '--verify-key', approver.pub])).exitCode).toBe(3);

    const unsigned = join(c.work, 'unsigned.json');
    writeFileSync(unsigned, JSON.stringify({ ...forged, integrity: { digest: forged.integrity!.digest } }));
    const noSig = await c.cli(['apply', unsigned, '--dry-run', '--verify-key', approver.pub]);
    expect(noSig.exitCode).toBe(3);
    expect(noSig.stderr).toContain('is not signed, and --verify-key requires a signed plan');

    const badKey = await c.cli(['plan', '--to', '1.24', '--out', join(c.work, 'x.json'), '--sign-key', approver.pub]);
    expect(badKey.exitCode).toBe(64);
    expect(badKey.stderr).toContain('is not a private key in PEM form');
  }, 90_000);

  test('a plan without cluster identity needs --allow-any-cluster, and the plan says so', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const anonymous = { ...plan, metadata: { ...plan.metadata, context: null, clusterId: null } } as Plan;
    delete (anonymous as { integrity?: unknown }).integrity;
    const path = join(c.work, 'anonymous.json');
    writeFileSync(path, JSON.stringify(anonymous));
    c.server.clearRequests();
    const r = await c.cli(['apply', path]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('records no cluster identity and no context');
    expect(r.stderr).toContain('pass --allow-any-cluster');
    expect(writes(c)).toEqual([]);
    expect(c.callLog()).toEqual([]);

    // The operator vouches for the cluster: the same plan applies.
    const allowed = await c.cli(['apply', path, '--allow-any-cluster']);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
  }, 90_000);

  test('a forged "succeeded" run record of the real plan: apply does not say "already applied", rollback runs nothing', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const runId = '20990101-000000-f0f0f0';
    const record = {
      runId,
      planId: plan.metadata.id,
      planPath: 'plan.json',
      context: 'e2e',
      clusterId: plan.metadata.clusterId,
      istioNamespace: 'istio-system',
      startedAt: '2099-01-01T00:00:00.000Z',
      updatedAt: '2099-01-01T00:00:00.000Z',
      status: 'succeeded',
      steps: plan.steps.map((s) => ({ id: s.id, status: 'succeeded', startedAt: '2099-01-01T00:00:00.000Z', finishedAt: '2099-01-01T00:00:01.000Z', commandsDone: s.commands.length, helmRevisions: {} })),
    };
    c.server.load([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `istio-upgrade-run-${runId}`, namespace: 'istio-system', labels: { 'app.kubernetes.io/managed-by': 'istio-upgrade', 'istio-upgrade.io/plan-id': plan.metadata.id } },
        data: { 'run.json': JSON.stringify(record), 'plan.json': JSON.stringify(plan) },
      },
    ]);
    c.server.clearRequests();

    const applied = await c.cli(['apply', c.planPath]);
    expect(applied.exitCode, applied.stderr).toBe(3);
    expect(applied.stderr).not.toContain('already applied');
    expect(applied.stderr).toContain(`run ${runId} records step`);
    expect(applied.stderr).toContain('but the cluster does not show it');
    expect(c.callLog().filter((x) => !isReadOnlyQuery(x))).toEqual([]);

    const rolledBack = await c.cli(['rollback']);
    expect(rolledBack.exitCode, rolledBack.stderr).toBe(3);
    expect(rolledBack.stderr).toContain(`run ${runId} is recorded only in the cluster`);
    expect(c.callLog().filter((x) => !isReadOnlyQuery(x))).toEqual([]);
    expect(writes(c).filter((w) => !w.includes('/leases'))).toEqual([]);
  }, 60_000);
  test('a tampered plan whose digest was recomputed is refused by the typed-operation check, showing the difference; nothing runs', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const evil = resealed(c, plan, 'evil.json', (p) => helmCommandOf(p, 'upgrade', 'istio-base').argv.push('--post-renderer', '/tmp/evil.sh'));
    // The old revision is still in use: an uninstall of it, dressed as the new revision's rollback.
    const inUse = resealed(c, plan, 'in-use.json', (p) => {
      const cmd = helmCommandOf(p, 'uninstall', 'istiod-1-24-6');
      cmd.argv = cmd.argv.map((a) => (a === 'istiod-1-24-6' ? 'istiod-1-23-6' : a));
    });
    // An argv with no typed operation at all.
    const untyped = resealed(c, plan, 'untyped.json', (p) => {
      delete (helmCommandOf(p, 'upgrade', 'istio-base') as { helm?: unknown }).helm;
    });
    c.server.clearRequests();

    const r = await c.cli(['apply', evil, '--yes']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('command(s) that are not what their typed operations render; nothing was run');
    expect(r.stderr).toMatch(/step h1-base-chart-upgrade command 1: argv is\n\s+helm upgrade istio-base .* --post-renderer \/tmp\/evil\.sh\n\s+but its typed operation renders\n\s+helm upgrade istio-base base --repo https:\/\/blob\.istio\.io\/istio-release\/charts -n istio-system --version 1\.24\.\d+ /);

    const u = await c.cli(['apply', inUse, '--yes']);
    expect(u.exitCode, u.stderr).toBe(3);
    expect(u.stderr).toMatch(/step h1-istiod-install rollback command 1: argv is\n\s+helm uninstall istiod-1-23-6 -n istio-system --wait\n\s+but its typed operation renders\n\s+helm uninstall istiod-1-24-6 -n istio-system --wait/);

    const n = await c.cli(['apply', untyped, '--yes']);
    expect(n.exitCode, n.stderr).toBe(3);
    expect(n.stderr).toContain('step h1-base-chart-upgrade command 1: it runs via helm but carries no typed operation');

    // A dry run refuses it the same way: it never shows a tampered command as if it would run.
    const dry = await c.cli(['apply', evil, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(3);
    expect(dry.stdout).not.toContain('evil.sh');

    expect(c.callLog()).toEqual([]);
    expect(writes(c)).toEqual([]);
  }, 90_000);

  test('a plan edited (argv and digest) after a failed first attempt is refused on resume, before anything runs again', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', stderr: 'Error: UPGRADE FAILED: resource DaemonSet/istio-system/istio-cni-node not ready' }]);
    const first = await c.cli(['apply', c.planPath, '--yes', '--on-failure', 'stop']);
    expect(first.exitCode, first.stderr).toBe(5);
    c.faults([]);
    const calls = c.callLog().length;
    const edited = resealed(c, plan, 'plan.json', (p) => helmCommandOf(p, 'upgrade', 'istio-cni').argv.push('--post-renderer=/tmp/evil.sh'));
    expect(edited).toBe(c.planPath);

    const again = await c.cli(['apply', c.planPath, '--yes']);
    expect(again.exitCode, again.stderr).toBe(3);
    expect(again.stderr).toMatch(/step h1-cni-upgrade command 1: argv is\n.*--post-renderer=\/tmp\/evil\.sh/);
    expect(c.callLog().length).toBe(calls);
    // Rollback reads the run's own recorded plan, not the edited file, and rebuilds each rollback from its typed
    // operation with the revision the run recorded before the step (the fixture's releases are at revision 2).
    const back = await c.cli(['rollback', '--yes']);
    expect(back.exitCode, back.stderr).toBe(0);
    const rollbacks = c.callLog().slice(calls).filter((x) => x.argv[1] === 'rollback');
    expect(rollbacks.map((x) => x.argv.slice(1, 4))).toEqual([
      ['rollback', 'istio-cni', '2'],
      ['rollback', 'istio-base', '2'],
    ]);
    expect(c.callLog().some((x) => x.argv.some((a) => a.includes('evil')))).toBe(false);
  }, 120_000);

  test('a plan made by an older istio-upgrade (istio-upgrade/v1) is refused in one line; so is rolling back a run of one', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const v1 = resealed(c, plan, 'v1.json', (p) => {
      (p as { apiVersion: string }).apiVersion = 'istio-upgrade/v1';
      for (const s of p.steps) for (const x of [...s.commands, ...(s.rollback?.commands ?? [])]) delete (x as { helm?: unknown }).helm;
    });
    const r = await c.cli(['apply', v1, '--yes']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('v1.json was made by an older istio-upgrade (istio-upgrade/v1); re-run plan');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(c.callLog()).toEqual([]);

    // A run whose recorded plan is a v1 plan (as an older istio-upgrade left it in the state directory).
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], after: 'apply', stderr: 'Error: UPGRADE FAILED: context deadline exceeded' }]);
    const first = await c.cli(['apply', c.planPath, '--yes', '--on-failure', 'stop']);
    expect(first.exitCode, first.stderr).toBe(5);
    const [run] = c.localRuns();
    const recorded = join(c.stateDir, 'runs', run!.runId, 'plan.json');
    const old = JSON.parse(readFileSync(recorded, 'utf8')) as Record<string, unknown>;
    writeFileSync(recorded, JSON.stringify({ ...old, apiVersion: 'istio-upgrade/v1' }));
    const calls = c.callLog().length;
    const back = await c.cli(['rollback', run!.runId, '--yes']);
    expect(back.exitCode, back.stderr).toBe(3);
    expect(back.stderr).toContain(`run ${run!.runId} ran a plan made by an older istio-upgrade (istio-upgrade/v1)`);
    expect(c.callLog().length).toBe(calls);
  }, 120_000);
});
