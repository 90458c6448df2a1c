import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { isOneLineError, runCli } from '../support/cli.js';
import { fixturePath, readFixture } from '../support/fixtures.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-mesh-'));
const PRIMARY = 'mesh-primary-1.23';
const REMOTE = 'mesh-remote-1.23';

/** The primary-remote pair served by two fake API servers, one kubeconfig file each, merged through KUBECONFIG. */
describe('plan and status across the clusters of a primary-remote mesh', () => {
  const servers: FakeApiServer[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const files: string[] = [];
    for (const [fixture, context] of [[PRIMARY, 'primary'], [REMOTE, 'remote']] as const) {
      const f = readFixture(fixture);
      const token = `${context}-token`;
      const server = await startFakeApiServer({ objects: f.items, kubernetesVersion: f.kubernetesVersion, token });
      servers.push(server);
      const file = join(tmp, `${context}.kubeconfig`);
      writeKubeconfig(file, { server: server.url, token, context, cluster: `${context}-cluster`, user: `${context}-user` });
      files.push(file);
    }
    env = { KUBECONFIG: files.join(':') };
  });
  afterAll(async () => Promise.all(servers.map((s) => s.close())));

  /** The parts of a mesh plan that do not depend on where it was read from or when. */
  const comparable = (text: string) => {
    const plan = JSON.parse(text);
    delete plan.metadata;
    for (const c of plan.clusters) {
      delete c.plan.metadata;
      c.plan.warnings = c.plan.warnings.filter((w: { id: string }) => w.id !== 'snapshot-unverified');
    }
    return plan;
  };

  it('plan --context primary --context remote --to 1.24 gives the ordered mesh plan, as from the two snapshots', async () => {
    const live = await runCli(['plan', '--context', 'primary', '--context', 'remote', '--to', '1.24', '-o', 'json'], env);
    expect(live.stderr).toBe('');
    expect(live.exitCode).toBe(0);
    const offline = await runCli(['plan', '--snapshot', fixturePath(PRIMARY), '--snapshot', fixturePath(REMOTE), '--to', '1.24', '-o', 'json']);
    expect(offline.exitCode).toBe(0);
    const plan = comparable(live.stdout);
    expect(plan.kind).toBe('MeshPlan');
    expect(plan.clusters.map((c: { name: string; role: string; context: string }) => [c.name, c.role, c.context])).toEqual([
      ['cluster1', 'primary', 'primary'],
      ['cluster2', 'remote', 'remote'],
    ]);
    expect(plan.order.map((o: { cluster: string }) => o.cluster)).toEqual([...Array(10).fill('cluster1'), ...Array(6).fill('cluster2')]);
    expect(plan).toEqual(comparable(offline.stdout));
  });

  it('text: the clusters and every step in mesh order with its cluster', async () => {
    const r = await runCli(['plan', '--context', 'primary', '--context', 'remote', '--to', '1.24'], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/cluster1\s+primary\s+primary\s+1\.23\.6 \(default\)/);
    expect(r.stdout).toContain('13. [cluster2] Install the 1.24.6 remote profile as revision 1-24-6');
    expect(r.stdout).toContain('$ helm install istiod-1-24-6 istiod \\');
    expect(r.stdout).toContain('Manifest expose-istiod-1-24-6.yaml (cluster cluster1');
  });

  it('markdown: one change ticket with a row per cluster and each cluster\'s own section', async () => {
    const r = await runCli(['plan', '--snapshot', fixturePath(PRIMARY), '--snapshot', fixturePath(REMOTE), '--to', '1.24', '-o', 'markdown']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('| `cluster2` | remote of `cluster1` | `remote` | 1.23.6 (`default`) | ready | 6 |');
    expect(r.stdout).toContain('## Cluster `cluster1` (primary)');
    expect(r.stdout).toContain('## Cluster `cluster2` (remote)');
  });

  it('status shows each cluster\'s topology and whether they form one mesh', async () => {
    const r = await runCli(['status', '--context', 'primary', '--context', 'remote'], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('remote secrets (clusters this control plane reads): cluster2');
    expect(r.stdout).toContain('control plane in cluster(s): cluster1');
    expect(r.stdout).toContain('the clusters form one mesh');
    const json = JSON.parse((await runCli(['status', '--context', 'primary', '--context', 'remote', '-o', 'json'], env)).stdout);
    expect(json.kind).toBe('MeshInventory');
    expect(json.clusters.map((c: { name: string; inventory: { mesh: { role: string } } }) => [c.name, c.inventory.mesh.role])).toEqual([
      ['cluster1', 'primary'],
      ['cluster2', 'remote'],
    ]);
  });

  it('--mesh FILE names the clusters (paths relative to the file, roles stated)', async () => {
    const file = join(tmp, 'mesh.yaml');
    writeFileSync(file, `clusters:\n  - name: cluster1\n    snapshot: ${fixturePath(PRIMARY)}\n    role: primary\n  - name: cluster2\n    context: remote\n    kubeconfig: remote.kubeconfig\n    role: remote\n`);
    const r = await runCli(['plan', '--mesh', file, '--to', '1.24', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).order).toHaveLength(16);
  });

  it.each([
    [['--sign-key', join(tmp, 'k.pem')], /--sign-key signs the plan file: pass --out FILE too/],
    [['--cluster-order', 'nowhere'], /--cluster-order names nowhere, which is not a primary cluster/],
    [['--context', 'primary'], /give the clusters of a mesh either as --context \(live\) or as --snapshot files, not both/],
  ])('refuses %j in one line, exit 64', async (extra, message) => {
    const r = await runCli(['plan', '--snapshot', fixturePath(PRIMARY), '--snapshot', fixturePath(REMOTE), '--to', '1.24', ...extra], env);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toMatch(message);
    expect(isOneLineError(r.stderr)).toBe(true);
  });

  it('a blocked mesh (a remote given without its primary) exits 3', async () => {
    const r = await runCli(['plan', '--snapshot', fixturePath('mesh-multi-primary-east'), '--snapshot', fixturePath(REMOTE), '--to', '1.24']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('[mesh-remote-without-primary]');
  });
});
