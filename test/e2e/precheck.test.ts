/**
 * End to end: `istioctl x precheck` is a precondition. Its failure stops apply with exit 3 and its findings before any
 * change; without istioctl the check is skipped visibly, in the output and the run record.
 */
import { describe, expect, test } from 'vitest';
import { isMutating, startCluster } from './harness.js';
import { OLD, releaseState } from './checks.js';

const FIXTURE = 'ambient-helm-1.23';

describe.concurrent('e2e: istioctl x precheck', () => {
  test('a failed precheck: exit 3 with its output, no change, no rollback suggested', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    c.faults([{ tool: 'istioctl', match: ['x', 'precheck'], exitCode: 1, stdout: 'Error [IST0156] (GatewayClass istio) Gateway API CRDs must serve v1beta1\n', stderr: 'Error: Issues found when checking the cluster.' }]);
    const r = await c.cli(['apply', c.planPath]);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('precondition failed before any change: step h1-preflight');
    expect(r.stderr).toContain('Error [IST0156] (GatewayClass istio) Gateway API CRDs must serve v1beta1');
    expect(r.stderr).not.toMatch(/istio-upgrade rollback/);
    expect(c.callLog().filter(isMutating)).toEqual([]);
    expect(releaseState(c.server, 'istio-system', 'istio-base')).toBe(`${OLD} deployed`);
    expect(c.lease()).toBeUndefined();
    const [run] = c.localRuns();
    expect(run!.status).toBe('failed');
    expect(run!.steps.slice(1).every((s) => s.status === 'pending')).toBe(true);
  }, 60_000);

  test('istioctl absent: "skipped: istioctl not found" on screen and in the run record; the upgrade goes on', async (ctx) => {
    const c = await startCluster(ctx, { fixture: FIXTURE });
    await c.plan();
    const r = await c.cli(['apply', c.planPath, '--istioctl', `${c.dir}/no-such-istioctl`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('step h1-preflight: skipped: istioctl not found (istioctl x precheck)');
    const [run] = c.localRuns();
    expect(run!.steps[0]).toMatchObject({ id: 'h1-preflight', status: 'succeeded', note: 'skipped: istioctl not found (istioctl x precheck)' });
    expect(c.clusterRun(run!.runId)!.steps[0]!.note).toBe('skipped: istioctl not found (istioctl x precheck)');
  }, 60_000);
});
