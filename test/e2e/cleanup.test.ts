/**
 * End to end: `cleanup` after a two-hop upgrade (two runs, 1.23 → 1.24 → 1.25, old revisions kept) removes exactly
 * the revisions nothing uses, as a plan of its own: status names them and the command; --dry-run and a refused run
 * (CI without --yes) change nothing; the plan saved with --out is run by apply; afterwards one control plane is left.
 */
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { readFileSync } from 'node:fs';
import { isReadOnlyQuery, planArgv, shortArgv, startCluster, type E2eCluster } from './harness.js';
import { releaseState, tagRevision, validatorService } from './checks.js';

function istiodRevisions(c: E2eCluster): string[] {
  return c.server
    .list('apps/v1', 'Deployment', 'istio-system')
    .map((d) => d.metadata.labels?.['istio.io/rev'])
    .filter((r): r is string => typeof r === 'string')
    .sort();
}

describe('e2e: cleanup', () => {
  test('after 1.23 → 1.24 → 1.25: status names the unused revisions; cleanup removes exactly them, nothing else', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    for (const to of ['1.24', '1.25']) {
      const r = await c.cli(['apply', '--to', to, '--yes'], { timeoutMs: 120_000 });
      expect(r.exitCode, `${to}: ${r.stderr}`).toBe(0);
    }
    const revisions = istiodRevisions(c);
    expect(revisions).toHaveLength(3);
    const [oldest, middle, newest] = revisions as [string, string, string];
    expect(tagRevision(c.server, 'default')).toBe(newest);
    // Each upgrade run moved defaultRevision and the validator to its new revision (issue 9 defect 7).
    expect(validatorService(c.server)).toBe(`istio-system/istiod-${newest}`);

    const status = await c.cli(['status', '-o', 'json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const finding = (JSON.parse(status.stdout) as { findings: { id: string; message: string }[] }).findings.find((f) => f.id === 'revisions-unused');
    expect(finding?.message).toContain('istio-upgrade cleanup');
    expect(finding?.message).toContain(oldest);
    expect(finding?.message).toContain(middle);
    expect(finding?.message).not.toContain(`${newest} (`);

    const calls = c.callLog().length;
    c.server.clearRequests();
    const dry = await c.cli(['cleanup', '--dry-run', '-o', 'json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const shown = JSON.parse(dry.stdout) as Plan;
    expect(shown.steps.map((s) => [s.kind, s.irreversible])).toEqual([
      ['old-revision-removal', true],
      ['old-revision-removal', true],
    ]);
    expect(shown.steps.map((s) => s.id)).toEqual([`h1-old-revision-removal-${oldest}`, `h1-old-revision-removal-${middle}`]);
    // CI without --yes: refused before any change (each removal needs a confirmation).
    const refused = await c.cli(['cleanup']);
    expect(refused.exitCode, refused.stderr).toBe(64);
    expect(refused.stderr).toContain('--yes');
    expect(c.callLog().slice(calls)).toEqual([]);
    expect(c.server.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(istiodRevisions(c)).toEqual(revisions);

    const planFile = `${c.work}/cleanup.json`;
    const saved = await c.cli(['cleanup', '--out', planFile]);
    expect(saved.exitCode, saved.stderr).toBe(0);
    expect(saved.stderr).toContain(`run: istio-upgrade apply ${planFile}`);
    const applied = await c.cli(['apply', planFile, '--yes'], { timeoutMs: 120_000 });
    expect(applied.exitCode, applied.stderr).toBe(0);

    // helm ran exactly the saved plan's commands: the two uninstalls (the defaults already name the revision that stays).
    const savedPlan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    const ran = c.callLog().slice(calls).filter((x) => !isReadOnlyQuery(x)).map(shortArgv);
    expect(ran).toEqual(savedPlan.steps.flatMap((s) => s.commands.map((x) => planArgv(x.argv))));
    expect(ran).toEqual([
      `helm uninstall istiod-${oldest} -n istio-system --wait`,
      `helm uninstall istiod-${middle} -n istio-system --wait`,
    ]);
    expect(istiodRevisions(c)).toEqual([newest]);
    expect(tagRevision(c.server, 'default')).toBe(newest);
    expect(tagRevision(c.server, 'prod-stable')).toBe(newest);
    expect(releaseState(c.server, 'istio-system', 'ztunnel')).toMatch(/^1\.25\.\d+ deployed$/);
    expect(c.lease()).toBeUndefined();

    for (const r of [oldest, middle]) expect(releaseState(c.server, 'istio-system', `istiod-${r}`)).toBe('absent');
    expect(releaseState(c.server, 'istio-system', `istiod-${newest}`)).toMatch(/ deployed$/);
    const after = await c.cli(['status', '-o', 'json']);
    const inv = JSON.parse(after.stdout) as { findings: { id: string }[]; defaults: { validatorRevision: string; baseDefaultRevision: string } };
    expect(inv.findings.map((f) => f.id)).not.toContain('revisions-unused');
    expect([inv.defaults.validatorRevision, inv.defaults.baseDefaultRevision]).toEqual([newest, newest]);
    const again = await c.cli(['cleanup']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to remove');
  }, 400_000);
});
