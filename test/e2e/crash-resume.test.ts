/**
 * End to end: the apply process dies (kill -9) at every step boundary and is run again; and a SIGTERM while a fake
 * helm hangs stops the run cleanly (exit 130) and the printed resume command finishes it.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../../src/apply/run-record.js';
import { isMutating, pidAlive, planArgv, shortArgv, startCluster, until, type CliProcess } from './harness.js';
import { expectAmbientUpgraded, expectStepEffect, releaseState } from './checks.js';

/** The run record in a run ConfigMap write (create or replace), if the request is one. */
function recordInWrite(body: string | undefined): RunRecord | undefined {
  if (!body) return undefined;
  try {
    const text = (JSON.parse(body) as { data?: Record<string, string> }).data?.['run.json'];
    return text ? (JSON.parse(text) as RunRecord) : undefined;
  } catch {
    return undefined;
  }
}

const RUN_CONFIGMAP_WRITE = /^\/api\/v1\/namespaces\/istio-system\/configmaps(\/istio-upgrade-run-[^/?]+)?$/;

// Independent tests, each on its own fake cluster: run them side by side (vitest runs one file at a time on a 2-core machine).
describe.concurrent('e2e: crashes and interruptions', () => {
  describe('kill -9 at every step boundary', () => {
    test('each re-run continues after the last finished step; no helm/istioctl change is ever repeated', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      const ids = plan.steps.map((s) => s.id);

      for (let n = 0; n < ids.length; n++) {
        const boundary = ids[n]!;
        // Hold the checkpoint that records `boundary` as succeeded on its way to the cluster: the local record is
        // already written, the next step has not begun. Killing the process now is a kill exactly at the boundary.
        c.server.faults.add({
          path: RUN_CONFIGMAP_WRITE,
          when: (q) => q.method !== 'GET' && recordInWrite(q.body)?.steps.find((s) => s.id === boundary)?.status === 'succeeded',
          delayMs: 60_000,
        });
        const p: CliProcess = c.spawn(['apply', c.planPath]);
        let exited = false;
        void p.done.then(() => (exited = true));
        await until(() => `apply reaching the end of ${boundary} (stderr so far: ${p.stderr})`, () => exited || c.server.requests.some((q) => q.status === 0 && q.method !== 'GET' && RUN_CONFIGMAP_WRITE.test(q.path) && recordInWrite(q.body)?.steps.find((s) => s.id === boundary)?.status === 'succeeded'), 60_000, 10);
        expect(exited, `apply ended by itself before ${boundary} finished: ${p.stderr}`).toBe(false);
        p.child.kill('SIGKILL');
        const killed = await p.done;
        expect(killed.signal).toBe('SIGKILL');
        expect(p.stderr).toContain(n === 0 ? 'step h1-preflight: started' : `resuming run`);

        // The local record has the boundary step done and nothing after it started.
        const [run] = c.localRuns();
        expect(run!.steps.map((s) => s.status)).toEqual(ids.map((_, i) => (i <= n ? 'succeeded' : 'pending')));
        expectStepEffect(c.server, boundary, true);
        if (n + 1 < ids.length) expectStepEffect(c.server, ids[n + 1]!, false);
        // No helm/istioctl left running behind the dead process.
        for (const x of c.callLog()) await until(`fake ${x.argv.join(' ')} (pid ${x.pid}) to exit`, () => !pidAlive(x.pid), 20_000);

        // The dead process still holds the lock.
        expect(c.lease()).toBeDefined();
        if (n === 0) {
          const refused = await c.cli(['apply', c.planPath]);
          expect(refused.exitCode, refused.stderr).toBe(3);
          expect(refused.stderr).toContain('another upgrade holds the lock');
          expect(refused.stderr).toContain(`(run ${run!.runId})`);
          const lockId = /force-unlock (\S+)/.exec(refused.stderr)?.[1];
          expect(lockId).toBeDefined();
          const unlocked = await c.cli(['force-unlock', lockId!]);
          expect(unlocked.exitCode, unlocked.stderr).toBe(0);
          expect(unlocked.stderr).toContain(`(run ${run!.runId})`);
          expect(c.lease()).toBeUndefined();
        } else {
          c.expireLease();
        }
      }

      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('took over the expired upgrade lock');
      expect(r.stderr).toContain('resuming run');

      const runs = c.localRuns();
      expect(runs).toHaveLength(1);
      expect(runs[0]!.status).toBe('succeeded');
      expect(c.clusterRun(runs[0]!.runId)!.status).toBe('succeeded');
      expectAmbientUpgraded(c.server, ids);
      expect(c.lease()).toBeUndefined();

      // Every change helm made was made once, in the plan's order.
      const mutating = c.callLog().filter(isMutating).map(shortArgv);
      expect(new Set(mutating).size).toBe(mutating.length);
      const planned = plan.steps.flatMap((s) => s.commands.filter((x) => x.via !== 'kubernetes-api').map((x) => planArgv(x.argv)));
      expect(mutating).toEqual(planned.filter((a) => /^helm (install|upgrade|uninstall|rollback) /.test(a)));
      // and every restart once
      const restarts = c.server.requests.filter((q) => q.method === 'PATCH' && /\/deployments\/[^/]+$/.test(q.path) && (q.headers['content-type'] ?? '').includes('strategic'));
      expect(restarts.map((q) => q.path).length).toBe(new Set(restarts.map((q) => q.path)).size);
    }, 240_000);
  });

  describe('kill -9 in the middle of a step', () => {
    test('helm finishes behind the dead process; a re-run from another machine finds the effect present and does not run it again', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      // A slow (not failing) upgrade, so the process can be killed while helm is still working.
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], hangMs: 3_000, exitCode: 0 }]);
      const p = c.spawn(['apply', c.planPath]);
      const orphan = await until('helm upgrade istio-cni to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni'), 60_000, 10);
      p.child.kill('SIGKILL');
      await p.done;
      await until('the orphaned helm to finish', () => !pidAlive(orphan.pid), 30_000);
      expectStepEffect(c.server, 'h1-cni-upgrade', true);
      expect(c.localRuns()[0]!.steps.find((s) => s.id === 'h1-cni-upgrade')!.status).toBe('running');

      // A new CI job: empty state directory, so the run is found through its ConfigMap.
      c.expireLease();
      const runId = c.localRuns()[0]!.runId;
      const r = await c.cli(['apply', c.planPath], { env: { ISTIO_UPGRADE_STATE_DIR: join(c.dir, 'another-machine') } });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain(`resuming run ${runId} at step h1-cni-upgrade`);
      expect(r.stderr).toContain('step h1-cni-upgrade: its effect is already present; marked done (already applied)');
      expect(c.callLog().filter((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni')).toHaveLength(1);
      const mutating = c.callLog().filter(isMutating).map(shortArgv);
      expect(new Set(mutating).size).toBe(mutating.length);
      expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
      expect(c.clusterRun(runId)!.status).toBe('succeeded');
      expect(c.clusterRun(runId)!.steps.find((s) => s.id === 'h1-cni-upgrade')).toMatchObject({ status: 'succeeded', note: 'already applied' });
    }, 150_000);
    test('kill -9 of apply and helm together during helm upgrade (a cancelled CI job): the pending revision is rolled back, then upgraded', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', hangMs: 120_000, exitCode: 0 }]);
      const p = c.spawn(['apply', c.planPath]);
      const helm = await until('helm upgrade istio-cni to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni'), 60_000);
      await until('the upgrade to be pending', () => releaseState(c.server, 'istio-system', 'istio-cni') === '1.24.6 pending-upgrade', 30_000);
      p.child.kill('SIGKILL');
      process.kill(helm.pid, 'SIGKILL');
      await p.done;
      await until('helm to be gone', () => !pidAlive(helm.pid), 20_000);

      c.expireLease();
      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('step h1-cni-upgrade: Helm release istio-system/istio-cni revision 3 is pending-upgrade, left by an interrupted helm call: helm rollback istio-cni 2 -n istio-system --wait');
      expect(c.callLog().filter(isMutating).map(shortArgv).filter((a) => a.includes('istio-cni'))).toEqual([
        'helm upgrade istio-cni cni --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
        'helm rollback istio-cni 2 -n istio-system --wait',
        'helm upgrade istio-cni cni --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
      ]);
      expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    }, 150_000);
  });

  describe('SIGTERM (exit 130)', () => {
    test('stops the hanging helm, records the checkpoint, releases the lock; the printed resume command finishes the run', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], hangMs: 120_000, exitCode: 0 }]);
      const p = c.spawn(['apply', c.planPath]);
      const hanging = await until('helm upgrade istio-cni to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni'), 60_000);
      p.child.kill('SIGTERM');
      const r = await p.done;
      expect(r.exitCode, r.stderr).toBe(130);
      expect(r.stderr).toContain('SIGTERM received');
      expect(r.stderr).toContain('interrupted during step h1-cni-upgrade');
      await until('the hanging helm to be stopped', () => !pidAlive(hanging.pid), 20_000);

      const [run] = c.localRuns();
      expect(run!.status).toBe('interrupted');
      expect(run!.steps.find((s) => s.id === 'h1-cni-upgrade')!.status).toBe('running');
      expect(c.clusterRun(run!.runId)!.status).toBe('interrupted');
      expect(c.lease()).toBeUndefined();
      expectStepEffect(c.server, 'h1-cni-upgrade', false);

      const next = r.stderr.split('\n').map((l) => l.trim());
      const resume = next.find((l) => l.startsWith(`istio-upgrade apply ${c.planPath}`));
      expect(resume).toBeDefined();
      expect(next).toContain(`istio-upgrade rollback ${run!.runId} --context e2e`);
      const resumed = await c.cli(resume!.split(' ').slice(1));
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming run ${run!.runId} at step h1-cni-upgrade`);
      expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
      const cni = c.callLog().filter((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni');
      expect(cni).toHaveLength(2); // the cancelled one (no change) and the one that ran
    }, 150_000);

    test('during helm install, after Helm stored the release: the resume removes the failed release and installs again', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      // The install applies its objects, then waits (--wait); SIGTERM makes Helm mark the release failed ("context canceled").
      c.faults([{ tool: 'helm', match: ['install', 'istiod-1-24-6'], after: 'apply', hangMs: 120_000, exitCode: 0 }]);
      const p = c.spawn(['apply', c.planPath]);
      await until('helm install to apply its objects', () => c.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', 'istio-system'), 60_000);
      p.child.kill('SIGTERM');
      const r = await p.done;
      expect(r.exitCode, r.stderr).toBe(130);
      expect(releaseState(c.server, 'istio-system', 'istiod-1-24-6')).toBe('1.24.6 failed');

      const resumed = await c.cli(['apply', c.planPath]);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain('Helm release istio-system/istiod-1-24-6 revision 1 (failed) was left behind by the interrupted install');
      expect(c.callLog().filter(isMutating).map(shortArgv).filter((a) => a.includes('istiod-1-24-6'))).toEqual([
        'helm install istiod-1-24-6 istiod --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set revision=1-24-6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
        'helm uninstall istiod-1-24-6 -n istio-system --wait',
        'helm install istiod-1-24-6 istiod --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set revision=1-24-6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
      ]);
      expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    }, 150_000);
  });
});
