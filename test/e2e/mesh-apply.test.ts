import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { fakeBinDir } from '../fakebin/index.js';
import type { FakeApiServer, KubeObject } from '../fake-apiserver/index.js';
import { ciEnv, finishCli, spawnCli, type CliRun } from '../support/cli.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { startCluster, type E2eCluster } from './harness.js';

const NEW_REV = '1-24-6';

/** The primary-remote pair, one fake API server each, reached through one KUBECONFIG naming both contexts. */
async function startMesh(ctx: Pick<TestContext, 'onTestFinished'>) {
  const primary = await startCluster(ctx, { fixture: 'mesh-primary-1.23', context: 'primary' });
  const remote = await startCluster(ctx, { fixture: 'mesh-remote-1.23', context: 'remote' });
  const files = [primary, remote].map((c) => {
    const file = join(c.dir, 'mesh.kubeconfig');
    writeKubeconfig(file, { server: c.server.url, token: 'test-token', context: c.context, cluster: `${c.context}-cluster`, user: `${c.context}-user` });
    return file;
  });
  const env = ciEnv({ bin: fakeBinDir, home: primary.home, kubeconfig: files.join(':'), stateDir: primary.stateDir });
  const planPath = join(primary.work, 'mesh-plan.json');
  const cli = (args: string[], timeoutMs = 240_000): Promise<CliRun> => finishCli(spawnCli(args, { cwd: primary.work, env }), timeoutMs);
  return { primary, remote, env, planPath, cli };
}

/** Revisions whose istiod Deployment in the primary has ready replicas. */
function runningRevisions(server: FakeApiServer): string[] {
  return server
    .list('apps/v1', 'Deployment', 'istio-system')
    .filter((d) => /^istiod(-|$)/.test(d.metadata.name) && Number((d as KubeObject & { status?: { readyReplicas?: number } }).status?.readyReplicas ?? 0) > 0)
    .map((d) => d.metadata.labels?.['istio.io/rev'] ?? 'default');
}

/** Revisions the remote's injection webhooks send pods to. */
function remoteInjectorRevisions(server: FakeApiServer): string[] {
  return server
    .list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration')
    .filter((w) => w.metadata.labels?.app === 'sidecar-injector')
    .map((w) => w.metadata.labels?.['istio.io/rev'] ?? 'default');
}

/**
 * Checks the primary-remote condition on every change either fake API server stores (synchronously, before the
 * write is answered): each injector webhook of the remote names a revision the primary runs.
 */
function watchInvariant(primary: E2eCluster, remote: E2eCluster) {
  const violations: string[] = [];
  const seen = new Set<string>();
  let checks = 0;
  const check = () => {
    checks++;
    const running = runningRevisions(primary.server);
    const injecting = remoteInjectorRevisions(remote.server);
    seen.add(`${injecting.sort().join('+')} on ${running.sort().join('+')}`);
    for (const rev of injecting) if (!running.includes(rev)) violations.push(`remote injects with ${rev}, primary runs ${running.join(', ') || 'nothing'}`);
  };
  const offs = [primary.server.onChange(check), remote.server.onChange(check)];
  return { violations, seen, checks: () => checks, stop: () => offs.forEach((o) => o()) };
}

describe('apply, rollback and history across the clusters of a primary-remote mesh', () => {
  it('applies the upgrade to 1.24 cluster by cluster; at every change each remote webhook points at a revision the primary runs', async (ctx) => {
    const m = await startMesh(ctx);
    const plan = await m.cli(['plan', '--context', 'primary', '--context', 'remote', '--to', '1.24', '--out', m.planPath]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(m.planPath, 'utf8'));
    expect(doc.kind).toBe('MeshPlan');
    expect(doc.integrity.digest).toMatch(/^sha256:/);
    expect(doc.clusters.map((c: { name: string; plan: { metadata: { context: string; clusterId: string } } }) => [c.name, c.plan.metadata.context, typeof c.plan.metadata.clusterId])).toEqual([
      ['cluster1', 'primary', 'string'],
      ['cluster2', 'remote', 'string'],
    ]);

    const inv = watchInvariant(m.primary, m.remote);
    const r = await m.cli(['apply', m.planPath, '--yes']);
    inv.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(inv.violations).toEqual([]);
    expect(inv.checks()).toBeGreaterThan(20);
    // The check saw the remote on the old revision only, and later on the new one with the primary running both.
    expect([...inv.seen]).toContain('default on default');
    expect([...inv.seen]).toContain(`${['default', NEW_REV].sort().join('+')} on ${['default', NEW_REV].sort().join('+')}`);
    console.log(r.stderr);
  }, 400_000);
});
