/**
 * End to end: rollback as a plan. A run that later runs built on is refused (naming the later run and its rollback
 * command) with nothing changed; the latest run rolls back to the previous version; a sidecar canary rolls back
 * without leaving a single pod injected by the revision it removes.
 */
import { describe, expect, test } from 'vitest';
import { isMutating, startCluster, type E2eCluster } from './harness.js';
import { releaseState, tagRevision } from './checks.js';

/** Revisions whose istiod Deployment exists. */
function installedRevisions(c: E2eCluster): Set<string> {
  return new Set(
    c.server
      .list('apps/v1', 'Deployment', 'istio-system')
      .map((d) => d.metadata.labels?.['istio.io/rev'] ?? (d.metadata.name.startsWith('istiod-') ? d.metadata.name.slice('istiod-'.length) : undefined))
      .filter((r): r is string => typeof r === 'string'),
  );
}

/** Pods injected by a revision that is no longer installed. */
function strandedPods(c: E2eCluster): string[] {
  const installed = installedRevisions(c);
  return c.server
    .list('v1', 'Pod')
    .filter((p) => {
      const rev = p.metadata.annotations?.['istio.io/rev'];
      return rev !== undefined && rev !== 'default' && !installed.has(rev);
    })
    .map((p) => `${p.metadata.namespace}/${p.metadata.name} (${p.metadata.annotations?.['istio.io/rev']})`);
}

describe.concurrent('e2e: rollback as a plan', () => {
  test('sidecar canary: apply, then rollback --yes: tags back, workloads restarted onto the old revision, then the new one removed; no pod left on a missing revision', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'sidecar-revisioned-1.22' });
    await c.plan();
    const applied = await c.cli(['apply', c.planPath]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(c.server.list('v1', 'Pod').filter((p) => p.metadata.annotations?.['istio.io/rev'] === '1-24-6').length).toBeGreaterThan(0);

    const rb = await c.cli(['rollback', '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(rb.stderr).toMatch(/restart its workloads again onto the old revision/);
    expect(releaseState(c.server, 'istio-system', 'istiod-1-24-6')).toBe('absent');
    expect(tagRevision(c.server, 'default')).toBe('1-22-8');
    expect(tagRevision(c.server, 'canary')).toBe('1-22-8');
    expect(strandedPods(c)).toEqual([]);
    expect(c.server.list('v1', 'Pod').filter((p) => p.metadata.annotations?.['istio.io/rev'] === '1-24-6')).toEqual([]);
    expect(c.lease()).toBeUndefined();
  }, 180_000);

  test('four runs 1.23 → 1.24 → 1.25 → 1.26 → 1.27: rollback of the first is refused naming the latest, nothing changed; rollback of the latest restores 1.26', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const runIds: string[] = [];
    for (const to of ['1.24', '1.25', '1.26', '1.27']) {
      const r = await c.cli(['apply', '--to', to, '--yes', '-o', 'json'], { timeoutMs: 120_000 });
      expect(r.exitCode, `${to}: ${r.stderr}`).toBe(0);
      runIds.push((JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n  "apiVersion": "istio-upgrade/v1",\n  "kind": "ApplyResult"'))) as { runId: string }).runId);
    }
    const ztunnelBefore = releaseState(c.server, 'istio-system', 'ztunnel');
    expect(ztunnelBefore).toMatch(/^1\.27\.\d+ deployed$/);
    const calls = c.callLog().length;
    c.server.clearRequests();

    const first = await c.cli(['rollback', runIds[0]!, '--yes']);
    expect(first.exitCode, first.stderr).toBe(3);
    expect(first.stderr).toContain(`run ${runIds[0]} was superseded by run`);
    expect(first.stderr).toContain(`istio-upgrade rollback ${runIds[3]}`);
    expect(c.callLog().slice(calls).filter(isMutating)).toEqual([]);
    expect(c.server.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    expect(releaseState(c.server, 'istio-system', 'ztunnel')).toBe(ztunnelBefore);

    const latest = await c.cli(['rollback', runIds[3]!, '--yes']);
    expect(latest.exitCode, latest.stderr).toBe(0);
    expect(releaseState(c.server, 'istio-system', 'ztunnel')).toMatch(/^1\.26\.\d+ deployed$/);
    expect(releaseState(c.server, 'istio-system', 'istio-cni')).toMatch(/^1\.26\.\d+ deployed$/);
    expect(releaseState(c.server, 'istio-system', 'istio-base')).toMatch(/^1\.26\.\d+ deployed$/);
    const tag = tagRevision(c.server, 'prod-stable');
    expect(tag).toMatch(/^1-26-\d+$/);
    expect(tagRevision(c.server, 'default')).toBe(tag);
    expect([...installedRevisions(c)].some((r) => r.startsWith('1-27-'))).toBe(false);
    expect(strandedPods(c)).toEqual([]);
  }, 600_000);
});
