/**
 * End to end: a multi-hop canary plan takes defaultRevision and istiod-default-validator along to every new revision and
 * removes the revisions it installed on the way (issue 9 defect 7). Its own file: one long apply, run beside no other.
 */
import { describe, expect, test } from 'vitest';
import { isReadOnlyQuery, startCluster } from './harness.js';
import { release, releaseState, validatorService } from './checks.js';

describe('e2e: defaults and intermediate revisions across hops', () => {
  test('one minor per hop to 1.25: the validator ends on 1-25-5, the intermediate 1-23-6 is removed (after --yes), the source and the last hop\'s rollback target stay', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'sidecar-revisioned-1.22' });
    const plan = await c.plan(['--to', '1.25', '--max-minor-jump', '1']);
    expect(plan.hops.map((h) => h.revision)).toEqual(['1-23-6', '1-24-6', '1-25-5']);
    expect(plan.steps.filter((s) => s.irreversible).map((s) => s.id)).toEqual(['h2-old-revision-removal-1-23-6']);
    expect(plan.steps.filter((s) => s.kind === 'default-revision-move').map((s) => s.id)).toEqual(['h1-default-revision-move', 'h2-default-revision-move', 'h3-default-revision-move']);

    // Irreversible without --include-cleanup: no terminal and no --yes is refused before any change.
    const refused = await c.cli(['apply', c.planPath]);
    expect(refused.exitCode, refused.stderr).toBe(64);
    expect(refused.stderr).toContain('h2-old-revision-removal-1-23-6');
    expect(c.callLog().filter((x) => !isReadOnlyQuery(x))).toEqual([]);

    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 280_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(validatorService(c.server)).toBe('istio-system/istiod-1-25-5');
    expect(c.server.get('v1', 'Service', 'istiod-1-25-5', 'istio-system')).toBeDefined();
    const istiods = c.server.list('apps/v1', 'Deployment', 'istio-system').filter((d) => d.metadata.labels?.app === 'istiod').map((d) => d.metadata.name).sort();
    expect(istiods).toEqual(['istiod-1-22-8', 'istiod-1-24-6', 'istiod-1-25-5']);
    expect(releaseState(c.server, 'istio-system', 'istiod-1-23-6')).toBe('absent');
    expect(release(c.server, 'istio-system', 'istio-base')?.config?.defaultRevision).toBe('1-25-5');
  }, 300_000);
});
