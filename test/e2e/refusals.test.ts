/**
 * End to end: what apply refuses before the first change — another run holding the lock, a stale plan, the wrong
 * cluster (exit 3) — and the usage (exit 64) and plain (exit 1) errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { fakeBinEnv } from '../fakebin/index.js';
import { startCluster, until } from './harness.js';
import { OLD_REV, tagRevision } from './checks.js';

const FIXTURE = 'ambient-helm-1.23';

// Independent tests, each on its own fake cluster: run them side by side (vitest runs one file at a time on a 2-core machine).
describe.concurrent('e2e: refusals', () => {
  describe('lock held (exit 3)', () => {
    test('a second apply is refused naming the holder; force-unlock with the printed id frees the lock of a dead run', async (ctx) => {
      const c = await startCluster(ctx, { fixture: FIXTURE });
      await c.plan();
      // The first apply stays inside a slow helm upgrade while the second one tries.
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], hangMs: 120_000, exitCode: 0 }]);
      const first = c.spawn(['apply', c.planPath], { env: { CI_JOB_ID: '4242' } });
      const hanging = await until('the first apply to run helm upgrade istio-base', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-base'), 60_000);
      const callsBefore = c.callLog().length;

      const second = await c.cli(['apply', c.planPath]);
      expect(second.exitCode, second.stderr).toBe(3);
      expect(second.stderr).toMatch(/another upgrade holds the lock: ci:4242 since \S+ \(run \S+\)/);
      const lockId = /istio-upgrade force-unlock (\S+)/.exec(second.stderr)?.[1];
      expect(lockId).toMatch(/^[0-9a-f]{16}$/);
      // Refused before the prerequisites: no helm or istioctl call at all.
      expect(c.callLog().slice(callsBefore)).toEqual([]);

      // The first run dies (its CI job was cancelled) and leaves its lock behind.
      first.child.kill('SIGKILL');
      process.kill(hanging.pid, 'SIGKILL');
      await first.done;

      const wrong = await c.cli(['force-unlock', '0000000000000000']);
      expect(wrong.exitCode).toBe(1);
      expect(wrong.stderr).toContain('does not match the lock held by ci:4242');
      expect(c.lease()).toBeDefined();

      const unlocked = await c.cli(['force-unlock', lockId!]);
      expect(unlocked.exitCode, unlocked.stderr).toBe(0);
      expect(unlocked.stderr).toContain('released the upgrade lock held by ci:4242');
      expect(c.lease()).toBeUndefined();

      const resumed = await c.cli(['apply', c.planPath]);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming run \S+ at step h1-base-chart-upgrade/);
    }, 90_000);
  });

  describe('stale plan (exit 3)', () => {
    test('a release upgraded and a tag moved after planning: each drift named as key: planned → now, nothing changed', async (ctx) => {
      const c = await startCluster(ctx, { fixture: FIXTURE });
      await c.plan();
      // Someone upgrades the gateway by hand (its fake helm writes to no call log) …
      const other = fakeBinEnv({ home: join(c.dir, 'someone-else'), kubeconfig: c.kubeconfig });
      const up = await execa('helm', ['upgrade', 'istio-ingress', 'oci://ghcr.io/istio/release/charts/gateway', '-n', 'istio-ingress', '--version', '1.23.6', '--reuse-values'], { env: other, extendEnv: false, reject: false });
      expect(up.exitCode, up.stderr).toBe(0);
      // … and points the prod-stable tag somewhere else through the API.
      const mwc = c.server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod-stable')!;
      c.server.load([{ ...mwc, metadata: { ...mwc.metadata, labels: { ...mwc.metadata.labels, 'istio.io/rev': 'canary' } } }]);
      c.server.clearRequests();
      const callsBefore = c.callLog().length;

      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toContain('is stale: 2 fact(s) it relies on changed since planning');
      expect(r.stderr).toContain('helm/istio-ingress/istio-ingress/revision: 2 → 3');
      expect(r.stderr).toContain(`tag/prod-stable/revision: ${OLD_REV} → canary`);
      expect(r.stderr).toContain('make a new plan');
      // Refused before the prerequisites: no helm or istioctl call, no permission review, no lock taken.
      expect(c.callLog().slice(callsBefore)).toEqual([]);
      expect(c.server.requests.filter((q) => q.method !== 'GET')).toEqual([]);
      expect(c.lease()).toBeUndefined();
      expect(c.localRuns()).toEqual([]);
      expect(tagRevision(c.server, 'default')).toBe(OLD_REV);
    }, 60_000);

    test('--max-plan-age refuses an old plan', async (ctx) => {
      const c = await startCluster(ctx, { fixture: FIXTURE });
      await c.plan();
      const r = await c.cli(['apply', c.planPath, '--max-plan-age', '1ms']);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/is \S+ old, more than --max-plan-age/);
      expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
    }, 60_000);
  });

  describe('wrong cluster (exit 3)', () => {
    test('another context, or the same context name reaching another cluster: both named, nothing touched', async (ctx) => {
      const a = await startCluster(ctx, { fixture: FIXTURE, context: 'cluster-a' });
      await a.plan();
      const b = await startCluster(ctx, {
        fixture: FIXTURE,
        context: 'cluster-b',
        mutate: (objects) => {
          const ks = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'kube-system')!;
          ks.metadata.uid = '00000000-0000-4000-8000-00000000000b';
        },
      });
      const planned = a.server.get('v1', 'Namespace', 'kube-system')!.metadata.uid as string;

      // The kubeconfig's current context is another one.
      const otherContext = await a.cli(['apply', a.planPath], { env: { KUBECONFIG: b.kubeconfig } });
      expect(otherContext.exitCode, otherContext.stderr).toBe(3);
      expect(otherContext.stderr).toContain('was made for context "cluster-a" but the current context is "cluster-b"');

      // A context with the planned name that reaches another cluster (its kube-system UID differs).
      const sameName = join(b.dir, 'same-name-kubeconfig');
      b.server.writeKubeconfig(sameName, { context: 'cluster-a' });
      const otherCluster = await a.cli(['apply', a.planPath], { env: { KUBECONFIG: sameName } });
      expect(otherCluster.exitCode, otherCluster.stderr).toBe(3);
      expect(otherCluster.stderr).toContain(`was made for cluster ${planned} but context "cluster-a" reaches cluster 00000000-0000-4000-8000-00000000000b`);

      expect(b.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
      expect(a.callLog()).toEqual([]);
    }, 60_000);
  });

  describe('apply --dry-run exits as the real apply would (exit 3), with zero mutating requests', () => {
    test('another cluster, a stale plan, a blocked plan, a held lock', async (ctx) => {
      const a = await startCluster(ctx, { fixture: FIXTURE, context: 'cluster-a' });
      await a.plan();
      const b = await startCluster(ctx, { fixture: FIXTURE, context: 'cluster-b' });
      const otherCluster = await a.cli(['apply', a.planPath, '--dry-run'], { env: { KUBECONFIG: b.kubeconfig } });
      expect(otherCluster.exitCode, otherCluster.stderr).toBe(3);
      expect(otherCluster.stderr).toContain('was made for context "cluster-a" but the current context is "cluster-b"');
      expect(otherCluster.stdout).toBe('');
      expect(b.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);

      // Stale: the prod-stable tag moved after planning.
      const mwc = a.server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod-stable')!;
      a.server.load([{ ...mwc, metadata: { ...mwc.metadata, labels: { ...mwc.metadata.labels, 'istio.io/rev': 'canary' } } }]);
      a.server.clearRequests();
      const stale = await a.cli(['apply', a.planPath, '--dry-run']);
      expect(stale.exitCode, stale.stderr).toBe(3);
      expect(stale.stderr).toContain(`tag/prod-stable/revision: ${OLD_REV} → canary`);
      a.server.load([mwc]);

      // A lock held by a live run elsewhere.
      const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
      a.server.load([{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'istio-upgrade-lock', namespace: 'istio-system', annotations: { 'istio-upgrade.io/lock-id': 'feedfacefeedface' } }, spec: { holderIdentity: 'ci:77', leaseDurationSeconds: 60, acquireTime: now, renewTime: now } }]);
      const locked = await a.cli(['apply', a.planPath, '--dry-run']);
      expect(locked.exitCode, locked.stderr).toBe(3);
      expect(locked.stderr).toContain('another upgrade holds the lock: ci:77');
      expect(a.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
      expect(a.callLog()).toEqual([]);
      expect(a.localRuns()).toEqual([]);

      // Blocked: a plan of a cluster with a Helm release stuck in pending-upgrade, saved anyway.
      const p = await startCluster(ctx, { fixture: 'helm-pending-upgrade' });
      const planned = await p.cli(['plan', '--to', '1.24', '--out', p.planPath]);
      expect(planned.exitCode, planned.stderr).toBe(3);
      p.server.clearRequests();
      const blocked = await p.cli(['apply', p.planPath, '--dry-run']);
      expect(blocked.exitCode, blocked.stderr).toBe(3);
      expect(blocked.stderr).toMatch(/has \d+ blocker\(s\) and cannot be applied: .*pending-upgrade/);
      const real = await p.cli(['apply', p.planPath]);
      expect(real.exitCode, real.stderr).toBe(3);
      expect(real.stderr).toMatch(/has \d+ blocker\(s\) and cannot be applied: .*pending-upgrade/);
      expect(p.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
      expect(p.callLog()).toEqual([]);
    }, 90_000);
  });

  describe('usage errors (exit 64) and errors before any change (exit 1)', () => {
    test('usage: no plan and no --to; apply --to without --yes under CI; a bad flag value', async (ctx) => {
      const c = await startCluster(ctx, { fixture: FIXTURE });
      const none = await c.cli(['apply']);
      expect(none.exitCode).toBe(64);
      expect(none.stderr).toContain('apply needs a plan file');

      const unattended = await c.cli(['apply', '--to', '1.24']);
      expect(unattended.exitCode, unattended.stderr).toBe(64);
      expect(unattended.stderr).toContain('apply --to needs --yes when it cannot ask');
      expect(unattended.stdout).toContain('h1-ztunnel-upgrade'); // the plan was shown first

      const badFlag = await c.cli(['apply', 'plan.json', '--on-failure', 'ignore']);
      expect(badFlag.exitCode).toBe(64);
      expect(badFlag.stderr).toContain("option '--on-failure <action>' argument 'ignore' is invalid");

      // a bad flag value is a usage error even before the plan file is read (which does not exist here)
      const badDuration = await c.cli(['apply', 'plan.json', '--step-timeout', 'soon']);
      expect(badDuration.exitCode, badDuration.stderr).toBe(64);
      expect(badDuration.stderr).toContain('--step-timeout must be a duration such as 90s');

      expect(c.callLog()).toEqual([]);
      expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
    }, 60_000);

    test('apply --to 1.24 --yes plans and applies in one go', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'sidecar-revisioned-1.22' });
      const r = await c.cli(['apply', '--to', '1.24', '--yes']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(tagRevision(c.server, 'default')).toBe('1-24-6');
      const [run] = c.localRuns();
      expect(run!.status).toBe('succeeded');
      expect(run!.planPath).toBe(join(c.stateDir, 'plans', `${run!.planId}.json`));
    }, 60_000);

    test('errors: a missing, unreadable or invalid plan file; an unreachable cluster', async (ctx) => {
      const c = await startCluster(ctx, { fixture: FIXTURE });
      const missing = await c.cli(['apply', 'nope.json']);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toContain('plan file not found: nope.json');

      writeFileSync(join(c.work, 'broken.json'), '{"apiVersion": "istio-upgrade/v1", ');
      const broken = await c.cli(['apply', 'broken.json']);
      expect(broken.exitCode).toBe(1);
      expect(broken.stderr).toContain('broken.json is not valid JSON or YAML');

      writeFileSync(join(c.work, 'invalid.json'), JSON.stringify({ apiVersion: 'istio-upgrade/v2', kind: 'Plan', steps: 'all of them' }));
      const invalid = await c.cli(['apply', 'invalid.json']);
      expect(invalid.exitCode).toBe(1);
      expect(invalid.stderr).toContain('invalid.json is not a valid plan');

      await c.plan();
      const down = await startCluster(ctx, { fixture: FIXTURE });
      await down.server.close();
      const unreachable = await c.cli(['apply', c.planPath], { env: { KUBECONFIG: down.kubeconfig } });
      expect(unreachable.exitCode, unreachable.stderr).toBe(1);
      expect(c.callLog()).toEqual([]);
      expect(c.localRuns()).toEqual([]);
    }, 60_000);
  });
});
