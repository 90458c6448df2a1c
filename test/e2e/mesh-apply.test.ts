import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { fakeBinDir } from '../fakebin/index.js';
import type { FakeApiServer, KubeObject } from '../fake-apiserver/index.js';
import { ciEnv, finishCli, spawnCli, type CliRun } from '../support/cli.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { isMutating, startCluster, type E2eCluster } from './harness.js';
import { release } from './checks.js';

const NEW_REV = '1-24-6';

/** Two clusters of a mesh, one fake API server each, reached through one KUBECONFIG naming both contexts. */
async function startClusters(ctx: Pick<TestContext, 'onTestFinished'>, members: [fixture: string, context: string][]) {
  const clusters = await Promise.all(members.map(([fixture, context]) => startCluster(ctx, { fixture, context })));
  const files = clusters.map((c) => {
    const file = join(c.dir, 'mesh.kubeconfig');
    writeKubeconfig(file, { server: c.server.url, token: 'test-token', context: c.context, cluster: `${c.context}-cluster`, user: `${c.context}-user` });
    return file;
  });
  const first = clusters[0]!;
  const env = ciEnv({ bin: fakeBinDir, home: first.home, kubeconfig: files.join(':'), stateDir: first.stateDir });
  const planPath = join(first.work, 'mesh-plan.json');
  const cli = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> => finishCli(spawnCli(args, { cwd: first.work, env: { ...env, ...extraEnv } }), 240_000);
  return { clusters, planPath, cli };
}

/** The primary-remote pair (primary on 1.23, the remote on the istiod-remote chart). */
async function startMesh(ctx: Pick<TestContext, 'onTestFinished'>) {
  const m = await startClusters(ctx, [['mesh-primary-1.23', 'primary'], ['mesh-remote-1.23', 'remote']]);
  return { ...m, primary: m.clusters[0]!, remote: m.clusters[1]! };
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
    expect(r.stderr).toMatch(/mesh run mesh-\S+: succeeded/);
    // Each cluster's helm calls went to its own context, in the mesh order: the primary's canary before the remote's injector.
    const installs = m.primary.callLog().filter((c) => c.argv[1] === 'install').map((c) => `${c.context}:${c.argv[2]}`);
    expect(installs).toEqual([`primary:istiod-${NEW_REV}`, `remote:istiod-${NEW_REV}`]);
    expect(releaseStatus(m.primary.server, `istiod-${NEW_REV}`)).toBe('deployed');
    expect(releaseStatus(m.remote.server, `istiod-${NEW_REV}`)).toBe('deployed');
  }, 400_000);

  it('a failure in the second cluster leaves the first upgraded and consistent; resume finishes; history shows the mesh run; rollback unwinds the remote before the primary', async (ctx) => {
    const m = await startMesh(ctx);
    expect((await m.cli(['plan', '--context', 'primary', '--context', 'remote', '--to', '1.24', '--out', m.planPath])).exitCode).toBe(0);
    m.primary.faults([{ tool: 'helm', match: ['install', `istiod-${NEW_REV}`, '--kube-context', 'remote'], after: 'apply', stderr: 'Error: INSTALLATION FAILED: context deadline exceeded\n' }]);
    const inv = watchInvariant(m.primary, m.remote);
    try {
      const failed = await m.cli(['apply', m.planPath, '--yes']);
      expect(failed.exitCode, failed.stderr).toBe(4);
      const meshRunId = /mesh run (mesh-\S+):/.exec(failed.stderr)![1]!;
      expect(failed.stderr).toContain('cluster cluster2');
      // The primary is upgraded and consistent: both revisions run, the remote still injects with the old one.
      expect(runningRevisions(m.primary.server).sort()).toEqual(['default', NEW_REV].sort());
      expect(releaseStatus(m.primary.server, `istiod-${NEW_REV}`)).toBe('deployed');
      expect(releaseStatus(m.remote.server, `istiod-${NEW_REV}`)).toBe('absent');
      expect(remoteInjectorRevisions(m.remote.server)).toEqual(['default']);
      const record = meshRecord(m.primary, meshRunId);
      expect(record.parts.map((p: { status: string }) => p.status)).toEqual(['succeeded', 'failed']);
      expect(record.checks.map((c: { afterPart: number; ok: boolean }) => [c.afterPart, c.ok])).toEqual([[1, true]]);

      const resumed = await m.cli(['apply', m.planPath, '--yes']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`mesh run ${meshRunId}: succeeded`);
      expect(releaseStatus(m.remote.server, `istiod-${NEW_REV}`)).toBe('deployed');

      // Every cluster keeps a copy of the mesh run: history on the remote lists it with a row per cluster.
      const history = await m.cli(['history', '--context', 'remote'], { COLUMNS: '200' });
      expect(history.exitCode, history.stderr).toBe(0);
      expect(history.stdout).toMatch(new RegExp(`${meshRunId}\\s+succeeded\\s+cluster1\\s+primary\\s+\\S+\\s+succeeded\\s+1/1`));
      expect(history.stdout).toMatch(/cluster2\s+remote\s+\S+\s+succeeded\s+1\/1/);
      const json = JSON.parse((await m.cli(['history', '--context', 'primary', '-o', 'json'])).stdout);
      expect(json.meshRuns.map((r: { meshRunId: string; status: string }) => [r.meshRunId, r.status])).toEqual([[meshRunId, 'succeeded']]);

      const before = m.primary.callLog().length;
      const rolled = await m.cli(['rollback', meshRunId, '--yes']);
      expect(rolled.exitCode, rolled.stderr).toBe(0);
      const uninstalls = m.primary.callLog().slice(before).filter((c) => c.argv[1] === 'uninstall').map((c) => `${c.context}:${c.argv[2]}`);
      expect(uninstalls).toEqual([`remote:istiod-${NEW_REV}`, `primary:istiod-${NEW_REV}`]);
      expect(runningRevisions(m.primary.server)).toEqual(['default']);
      expect(remoteInjectorRevisions(m.remote.server)).toEqual(['default']);
      expect(meshRecord(m.primary, meshRunId).status).toBe('rolled-back');
    } finally {
      inv.stop();
    }
    expect(inv.violations).toEqual([]);
  }, 600_000);

  it('--cluster applies one cluster per change window and refuses a remote before its primary\'s canary', async (ctx) => {
    const m = await startMesh(ctx);
    expect((await m.cli(['plan', '--context', 'primary', '--context', 'remote', '--to', '1.24', '--out', m.planPath])).exitCode).toBe(0);
    const early = await m.cli(['apply', m.planPath, '--yes', '--cluster', 'cluster2']);
    expect(early.exitCode).toBe(3);
    expect(early.stderr).toContain("--cluster cluster2: the mesh order runs cluster1's part 1");
    expect(m.primary.callLog().filter(isMutating)).toEqual([]);
    expect([m.primary, m.remote].flatMap((c) => c.server.requests.filter((q) => q.method !== 'GET'))).toEqual([]);

    const first = await m.cli(['apply', m.planPath, '--yes', '--cluster', 'cluster1']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/mesh run \S+: paused/);
    expect(first.stderr).toContain('--cluster cluster2');
    expect(releaseStatus(m.remote.server, `istiod-${NEW_REV}`)).toBe('absent');
    const second = await m.cli(['apply', m.planPath, '--yes', '--cluster', 'cluster2']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/mesh run \S+: succeeded/);
    expect(releaseStatus(m.remote.server, `istiod-${NEW_REV}`)).toBe('deployed');
  }, 600_000);

  it('skew rules refuse an order that would put the control planes two minors apart: plan is blocked, apply changes nothing', async (ctx) => {
    const { clusters, planPath, cli } = await startClusters(ctx, [['mesh-multi-primary-east', 'east'], ['mesh-multi-primary-west', 'west']]);
    const [east] = clusters;
    const plan = await cli(['plan', '--context', 'east', '--context', 'west', '--to', '1.25', '--max-minor-jump', '2', '--cluster-order', 'east,west', '--out', planPath]);
    expect(plan.exitCode).toBe(3);
    expect(plan.stderr).toContain('BLOCKED');
    const applied = await cli(['apply', planPath, '--yes']);
    expect(applied.exitCode).toBe(3);
    expect(applied.stderr).toContain('would leave control planes 2 minors apart after east is upgraded');
    expect(east!.callLog().filter(isMutating)).toEqual([]);
    expect(clusters.flatMap((c) => c.server.requests.filter((q) => q.method !== 'GET'))).toEqual([]);
  }, 300_000);
});

function releaseStatus(server: FakeApiServer, name: string): string {
  return release(server, 'istio-system', name)?.status ?? 'absent';
}

function meshRecord(c: E2eCluster, id: string) {
  return JSON.parse(readFileSync(join(c.stateDir, 'mesh-runs', `${id}.json`), 'utf8'));
}
