/**
 * End to end: an irreversible step (old-revision removal) re-runs its "nothing uses it" test against the live cluster
 * immediately before it runs, so what changed after planning — and after apply's drift check — is never stranded.
 */
import { describe, expect, test } from 'vitest';
import { shortArgv, startCluster, until } from './harness.js';
import { NEW_REV, OLD, OLD_REV, releaseState } from './checks.js';

describe.concurrent('e2e: irreversible steps re-check the live cluster', () => {
  test('a namespace labelled for the old revision while the run is under way: the removal is refused (exit 3), nothing removed', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    await c.plan(['--to', '1.24', '--include-cleanup']);
    // The gateway upgrade (the step before the removal) is slow; meanwhile a team onboards onto the old revision.
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-ingress'], hangMs: 3_000, exitCode: 0 }]);
    const p = c.spawn(['apply', c.planPath, '--yes']);
    await until('the gateway upgrade to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-ingress'), 60_000);
    c.server.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late-team', labels: { 'istio.io/rev': OLD_REV } } }]);
    const r = await p.done;

    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain(`not run: gate before removing ${OLD_REV} failed: 1 offender(s)`);
    expect(r.stderr).toContain(`revision-in-use: revision ${OLD_REV}: namespace late-team is labelled istio.io/rev=${OLD_REV}`);
    expect(c.callLog().map(shortArgv).filter((a) => a.startsWith('helm uninstall'))).toEqual([]);
    expect(releaseState(c.server, 'istio-system', `istiod-${OLD_REV}`)).toBe(`${OLD} deployed`);
    expect(c.server.get('apps/v1', 'Deployment', `istiod-${OLD_REV}`, 'istio-system')).toBeDefined();
    expect(c.server.get('apps/v1', 'Deployment', `istiod-${NEW_REV}`, 'istio-system')).toBeDefined();
    const [run] = c.localRuns();
    expect(run!.steps.at(-1)).toMatchObject({ status: 'pending', error: expect.stringContaining('namespace late-team') });
    expect(c.lease()).toBeUndefined();
  }, 90_000);
});
