/**
 * The fault campaign of issue 14, bounded and seeded so it stays in the fast suite: faults injected into the fake API
 * server during `apply` (5xx, 429, dropped connections, latency), `kill -9` in the middle of a checkpoint write, and a
 * lease held by a machine whose clock is far off, `kill -9` at seeded random points of a run, and two applies started at
 * the same moment. Each ends in a finished run (retried, or resumed) or is refused before any change. Helm/istioctl
 * failures and hangs, kill -9 at step boundaries, signals, forged records and tampered plans have their own
 * end-to-end files (failures, crash-resume, refusals, trust).
 */
import { describe, expect, test } from 'vitest';
import { isMutating, isReadOnlyQuery, shortArgv, startCluster, until } from './harness.js';
import type { RequestRecord } from '../fake-apiserver/types.js';
import { expectAmbientUpgraded } from './checks.js';

const FIXTURE = 'ambient-helm-1.23';

/** A small deterministic generator, so the chosen faults are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe.concurrent('e2e: fault campaign', () => {
  test('API 5xx, 429, dropped connections and latency on reads and idempotent writes during apply: the run finishes', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const rnd = seeded(14);
    const targets = [
      { method: 'PATCH', path: /\/customresourcedefinitions\// },
      { method: 'PATCH', path: /\/apis\/apps\/v1\/namespaces\/[^/]+\/deployments\/[^/?]+(\?|$)/ },
      { method: 'PUT', path: /\/configmaps\/istio-upgrade-run-/ },
      { method: 'PUT', path: /\/leases\/istio-upgrade-lock/ },
      { method: 'GET', path: /\/api\/v1\/namespaces\/kube-system$/ },
      { method: 'GET', path: /\/apis\/apps\/v1\/namespaces\/istio-system\/daemonsets/ },
    ];
    const kinds = [{ status: 500 }, { status: 503 }, { status: 429, retryAfterSeconds: 0 }, { drop: true }, { delayMs: 400 }] as const;
    // The product's requests only (they carry a User-Agent; the fake helm's do not): helm's own retries are not on trial.
    const fromProduct = (q: { headers: Record<string, string> }) => Boolean(q.headers['user-agent']);
    for (const t of targets) c.server.faults.add({ ...t, ...kinds[Math.floor(rnd() * kinds.length)]!, times: 1 + Math.floor(rnd() * 2), when: fromProduct });
    c.server.clearRequests();

    // Runs beside four other applies on a loaded machine: the CLI gets more than the default 60 s.
    const r = await c.cli(['apply', c.planPath], { timeoutMs: 150_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const hit = c.server.requests.filter((q) => q.status >= 500 || q.status === 429 || q.status === 0);
    // Faults that found their request (the lease may not be renewed in a short run): each was retried past.
    expect(hit.length).toBeGreaterThanOrEqual(4);
    const run = c.localRuns()[0]!;
    expect(c.clusterRun(run.runId)!.status).toBe('succeeded');
    console.info(`fault campaign: API faults injected ${hit.length}, run recovered: ${run.status}`);
  }, 180_000);

  test('kill -9 while a checkpoint is being written to the cluster: the next apply resumes and repeats no change', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    // Hold the fourth write of the run's ConfigMap (a checkpoint in the middle of the run) until the process is gone.
    let seen = 0;
    c.server.faults.add({ method: 'PUT', path: /\/configmaps\/istio-upgrade-run-/, delayMs: 60_000, times: 1, when: () => ++seen === 4 });
    const p = c.spawn(['apply', c.planPath]);
    await until('the fourth checkpoint write to be held', () => c.server.requests.filter((q) => q.method === 'PUT' && /istio-upgrade-run-/.test(q.path)).length >= 4 && seen >= 4, 120_000, 20);
    p.child.kill('SIGKILL');
    await p.done;
    c.expireLease();
    const r = await c.cli(['apply', c.planPath]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming run');
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const mutating = c.callLog().filter(isMutating).map(shortArgv);
    expect(new Set(mutating).size).toBe(mutating.length);
    console.info('fault campaign: kill -9 mid-checkpoint injected 1, recovered 1');
  }, 240_000);

  test('a lease whose renewTime is 10 minutes in the past but is still being renewed: refused, nothing changed', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    const past = (ms: number) => new Date(Date.now() - 600_000 + ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const lease = (n: number) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'istio-upgrade-lock', namespace: 'istio-system', annotations: { 'istio-upgrade.io/lock-id': 'skewed0000000000' } },
      spec: { holderIdentity: 'skewed@behind', leaseDurationSeconds: 4, acquireTime: past(0), renewTime: past(n * 1000) },
    });
    c.server.load([lease(0)]);
    let n = 0;
    const renewer = setInterval(() => c.server.load([lease(++n)]), 1_000);
    try {
      c.server.clearRequests();
      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toContain('watching it for 4 s');
      expect(r.stderr).toContain('another upgrade holds the lock: skewed@behind');
      // only the read-only prerequisite queries, made before the lock is looked at
      expect(c.callLog().filter((x) => !isReadOnlyQuery(x))).toEqual([]);
      expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
    } finally {
      clearInterval(renewer);
    }
    console.info('fault campaign: skewed live lease injected 1, refused before any change 1');
  }, 120_000);
  test('kill -9 at seeded random points of a run (between, inside and during checkpoints): each re-run resumes, the last one finishes', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const rnd = seeded(1409);
    const fromProduct = (q: RequestRecord) => Boolean(q.headers['user-agent']);
    let kills = 0;
    let finished = false;
    for (let attempt = 0; attempt < 4 && !finished; attempt++) {
      // Killed once the product has made `at` more requests: reads, API writes, checkpoint writes and lease renewals alike.
      const at = 4 + Math.floor(rnd() * 36);
      const start = c.server.requests.filter(fromProduct).length;
      const p = c.spawn(['apply', c.planPath]);
      let exited = false;
      void p.done.then(() => (exited = true));
      await until(`apply to make ${at} requests or finish`, () => exited || c.server.requests.filter(fromProduct).length - start >= at, 120_000, 5);
      if (exited) {
        const r = await p.done;
        expect(r.exitCode, r.stderr).toBe(0);
        finished = true;
        break;
      }
      p.child.kill('SIGKILL');
      await p.done;
      kills++;
      if (c.lease()) c.expireLease();
    }
    if (!finished) {
      const r = await c.cli(['apply', c.planPath], { timeoutMs: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const run = c.localRuns()[0]!;
    expect(c.clusterRun(run.runId)!.status).toBe('succeeded');
    // No release is left half-changed by a killed helm.
    const pending = c.server.list('v1', 'Secret').filter((s) => /^pending-/.test(String((s.metadata.labels ?? {})['status'] ?? '')));
    expect(pending).toEqual([]);
    console.info(`fault campaign: kill -9 at random points injected ${kills}, recovered ${kills}`);
  }, 400_000);

  test('two applies started at the same moment: exactly one runs, the other is refused by the lock and changes nothing', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    const plan = await c.plan();
    const [a, b] = await Promise.all([c.cli(['apply', c.planPath], { timeoutMs: 120_000 }), c.cli(['apply', c.planPath], { timeoutMs: 120_000 })]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes, `${a.stderr}\n---\n${b.stderr}`).toEqual([0, 3]);
    const loser = a.exitCode === 3 ? a : b;
    expect(loser.stderr).toContain('another upgrade holds the lock');
    expectAmbientUpgraded(c.server, plan.steps.map((s) => s.id));
    const mutating = c.callLog().filter(isMutating).map(shortArgv);
    expect(new Set(mutating).size).toBe(mutating.length);
    console.info('fault campaign: concurrent applies injected 1, one ran and one was refused 1');
  }, 240_000);
});
