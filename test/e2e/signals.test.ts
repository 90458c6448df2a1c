/**
 * End to end: signals and closed pipes. SIGHUP (the terminal closed) stops at a checkpoint like SIGTERM and exits
 * 129; stdout and stderr closing under a run (`apply … | head`) never kill it; Ctrl-C before the run has anything
 * to tidy exits 130 with nothing changed. Every case leaves the lock free, so the next apply runs at once.
 */
import { describe, expect, test } from 'vitest';
import { startCluster, until, type E2eCluster } from './harness.js';
import { NEW, releaseState } from './checks.js';

const FIXTURE = 'ambient-helm-1.23';

function writes(c: E2eCluster): string[] {
  return c.server.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`);
}

describe.concurrent('e2e: signals and pipes', () => {
  test('SIGHUP during a step: checkpoint, lock released, exit 129; a second apply right after finishes the run', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], hangMs: 120_000, exitCode: 0 }]);
    const p = c.spawn(['apply', c.planPath]);
    await until('helm upgrade istio-cni to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni'), 60_000);
    p.child.kill('SIGHUP');
    const r = await p.done;
    expect(r.signal).toBeNull();
    expect(r.exitCode, r.stderr).toBe(129);
    expect(r.stderr).toContain('SIGHUP received');
    expect(r.stderr).toContain('interrupted during step h1-cni-upgrade');
    expect(c.lease()).toBeUndefined();
    const [run] = c.localRuns();
    expect(run!.status).toBe('interrupted');

    c.faults([]);
    const again = await c.cli(['apply', c.planPath]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`resuming run ${run!.runId}`);
    expect(releaseState(c.server, 'istio-system', 'istio-cni')).toBe(`${NEW} deployed`);
  }, 120_000);

  test('stdout and stderr closed during a step (EPIPE): the run goes on to its end, lock released; a second apply right after is accepted', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    // A slow step, long enough for the reader to go away while it runs.
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], hangMs: 3_000, exitCode: 0 }]);
    const p = c.spawn(['apply', c.planPath, '-o', 'json']);
    await until('helm upgrade istio-cni to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-cni'), 60_000);
    // What `apply … 2>&1 | head` does once head has its lines: the read ends close.
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    const r = await p.done;
    expect(r.signal).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(c.lease()).toBeUndefined();
    const [run] = c.localRuns();
    expect(run!.status).toBe('succeeded');
    expect(releaseState(c.server, 'istio-system', 'ztunnel')).toBe(`${NEW} deployed`);

    const again = await c.cli(['apply', c.planPath]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`was already applied by run ${run!.runId}`);
  }, 120_000);

  test('Ctrl-C while apply is still starting (before the run listens): exit 130, not killed by the signal, nothing changed', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    c.server.clearRequests();
    // The API server holds every request of the apply, so the signal lands while it is still reading the cluster.
    c.server.faults.add({ path: /./, delayMs: 30_000 });
    const p = c.spawn(['apply', c.planPath]);
    await until('apply to reach the API server', () => c.server.requests.length > 0, 30_000);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.signal).toBeNull();
    expect(r.exitCode, r.stderr).toBe(130);
    expect(writes(c)).toEqual([]);
    expect(c.callLog()).toEqual([]);
    expect(c.localRuns()).toEqual([]);
  }, 60_000);
});
