import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveCluster } from '../../src/apply/live-cluster.js';
import { describeRecovery, markedFailedPayload, pendingRecovery, recoverPending, stepRecoveries, type NeededRecovery } from '../../src/apply/pending-recovery.js';
import type { PlanStep } from '../../src/plan/schema.js';
import { chartSourceFor, helmRollback, helmUpgrade } from '../../src/steps/commands.js';
import { systemClock } from '../../src/apply/ports.js';
import { ExecaRunner } from '../../src/apply/subprocess.js';
import { decodeReleasePayload, encodeReleasePayload } from '../../src/k8s/helm-release.js';
import { LiveSource } from '../../src/k8s/live-source.js';
import { ensureFakeBinBuilt, helmReleases, writeFakeBinConfig, writeFaults } from '../fakebin/index.js';
import { harness, type Harness } from '../fakebin-tests/mesh.js';

const ns = 'istio-system';

describe('pending-* recovery: the decision', () => {
  const h = (history: [number, string][]) => ({ release: 'istio-cni', namespace: ns, history: history.map(([revision, status]) => ({ revision, status })) });

  it.each([
    ['not pending', [[1, 'superseded'], [2, 'deployed']], { kind: 'none' }],
    ['a failed upgrade (helm upgrades from it)', [[1, 'deployed'], [2, 'failed']], { kind: 'none' }],
    ['pending-upgrade over a deployed revision', [[1, 'superseded'], [2, 'deployed'], [3, 'pending-upgrade']], { kind: 'rollback', toRevision: 2 }],
    ['pending-upgrade over a failed one: the last good revision', [[2, 'superseded'], [1, 'superseded'], [3, 'failed'], [4, 'pending-upgrade']], { kind: 'rollback', toRevision: 2 }],
    ['pending-rollback', [[1, 'superseded'], [2, 'failed'], [3, 'pending-rollback']], { kind: 'rollback', toRevision: 1 }],
    ['pending-install of a first install', [[1, 'pending-install']], { kind: 'mark-failed' }],
    ['pending-upgrade with only failed revisions before it', [[1, 'failed'], [2, 'pending-upgrade']], { kind: 'mark-failed' }],
  ] as const)('%s', (_, history, want) => {
    expect(pendingRecovery(h(history.map(([r, s]) => [r, s]) as [number, string][]))).toMatchObject(want);
  });

  it('the rollback is one helm argv of the builder that means the same on Helm 3 and 4; marking failed rewrites only the status', () => {
    const r = pendingRecovery(h([[1, 'deployed'], [2, 'pending-upgrade']])) as NeededRecovery;
    expect(describeRecovery(r)).toBe(`Helm release ${ns}/istio-cni revision 2 is pending-upgrade, left by an interrupted helm call: helm rollback istio-cni 1 -n ${ns} --wait`);
    expect(describeRecovery(pendingRecovery(h([[1, 'pending-install']])) as NeededRecovery)).toBe(
      `Helm release ${ns}/istio-cni revision 1 is pending-install, left by an interrupted helm call: mark that revision failed (there is no earlier revision to roll back to)`,
    );
    // a release name from cluster data that is not a release name never reaches helm
    const forged = pendingRecovery({ ...h([[1, 'deployed'], [2, 'pending-upgrade']]), release: '--kube-apiserver=https://127.0.0.1:9' }) as NeededRecovery;
    expect(() => describeRecovery(forged)).toThrow('is not a valid release name');
    const record = { name: 'istiod-1-24-6', version: 1, info: { status: 'pending-install', description: 'Initial install underway', first_deployed: 't' }, config: { revision: '1-24-6' }, apply_method: 'ssa' };
    const out = decodeReleasePayload(markedFailedPayload(encodeReleasePayload(record), 'why'));
    expect(out).toEqual({ ...record, info: { ...record.info, status: 'failed', description: 'why' } });
  });
});

describe('pending-* recovery of a release Helm 4 must apply client-side', () => {
  const release = { release: 'istio-base', namespace: ns };
  const stepOf = (clientSideApply: boolean) =>
    ({
      commands: [helmUpgrade({ ...release, clientSideApply }, 'base', chartSourceFor('istio'), '1.24.6', [])],
      rollback: { commands: [helmRollback({ ...release, clientSideApply })] },
    }) as unknown as PlanStep;
  const cluster = { helmHistory: async () => [{ revision: 1, status: 'superseded' }, { revision: 2, status: 'deployed' }, { revision: 3, status: 'pending-upgrade' }] };
  const rec = { helmRevisions: { [`${ns}/istio-base`]: { before: 2 } } } as never;

  it("rolls back with the step's own apply method: --server-side=false where the step has it, never otherwise", async () => {
    const [clientSide] = await stepRecoveries(stepOf(true), rec, cluster);
    expect(clientSide).toMatchObject({ kind: 'rollback', toRevision: 2, serverSide: false });
    expect(describeRecovery(clientSide!)).toMatch(/: helm rollback istio-base 2 -n istio-system --wait --server-side=false$/);
    const [plain] = await stepRecoveries(stepOf(false), rec, cluster);
    expect(plain).not.toHaveProperty('serverSide');
    expect(describeRecovery(plain!)).not.toContain('--server-side');
  });
});

/**
 * Against the fake API server with the fake helm (Helm 3 and Helm 4): a helm killed with SIGKILL in the middle of its
 * operation leaves the release pending; helm itself refuses to go on; the recovery makes the next helm upgrade work.
 */
describe.each([['v3.17.3'], ['v4.2.4']])('pending-* recovery with helm %s', (helmVersion) => {
  let h: Harness;
  beforeAll(ensureFakeBinBuilt);
  afterEach(async () => h?.close());

  const env = () => ({ ...h.env, FAKE_HELM_VERSION: helmVersion });
  const history = (release: string) => ({ release, namespace: ns, history: helmReleases(h.server, ns).filter((r) => r.name === release).map((r) => ({ revision: r.revision, status: r.status })) });

  /** Starts `helm args`, waits until its pending record exists, then kills it with SIGKILL (no handler runs). */
  async function killMidway(release: string, args: string[]): Promise<void> {
    writeFaults(h.faults, [{ tool: 'helm', match: [args[0]!, release], after: 'apply', hangMs: 60_000 }]);
    const child = execa('helm', [...args, '--kube-context', 'fake'], { env: env(), extendEnv: false, reject: false });
    for (let i = 0; i < 1_000 && !history(release).history.some((x) => x.status.startsWith('pending-')); i++) await new Promise((res) => setTimeout(res, 20));
    child.kill('SIGKILL');
    expect((await child).signal).toBe('SIGKILL');
  }

  async function deps() {
    // The product's runner, with the product's child environment; the fake reads its Helm major from its config file.
    writeFakeBinConfig(h.dir, { env: { FAKE_HELM_VERSION: helmVersion } });
    const runner = new ExecaRunner({ paths: {}, context: 'fake', kubeconfigFiles: [h.kubeconfig], callerEnv: h.env });
    const cluster = new LiveCluster(await LiveSource.connect({ kubeconfig: h.kubeconfig, context: 'fake' }), ns);
    return { cluster, runner, clock: systemClock, records: cluster.helmRecords, signal: new AbortController().signal, deadline: Date.now() + 60_000 };
  }

  it('an upgrade killed midway: upgrade refused, then rolled back to the last deployed revision, then upgraded', { timeout: 120_000 }, async () => {
    h = await harness('ambient');
    const upgrade = ['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--set', 'profile=ambient', '--wait'];
    await killMidway('istio-cni', upgrade);
    expect(history('istio-cni').history.map((x) => x.status)).toEqual(['deployed', 'pending-upgrade']);
    const refused = await h.helm(upgrade, { env: { FAKE_HELM_VERSION: helmVersion } });
    expect(refused.stderr).toBe('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');

    const plan = pendingRecovery(history('istio-cni'));
    expect(plan).toMatchObject({ kind: 'rollback', toRevision: 1 });
    expect(await recoverPending(plan as NeededRecovery, await deps())).toEqual({ ok: true, message: `Helm release ${ns}/istio-cni revision 2 (pending-upgrade, left by an interrupted helm call): rolled back to revision 1` });
    const after = helmReleases(h.server, ns).filter((r) => r.name === 'istio-cni');
    expect(after.map((r) => [r.revision, r.status])).toEqual([[1, 'superseded'], [2, 'pending-upgrade'], [3, 'deployed']]);
    // Helm 4 rolls back with the target revision's method: revision 1 was written by Helm 3 (none recorded) → client-side
    expect(after[2]!.applyMethod).toBe(helmVersion.startsWith('v4') ? 'csa' : undefined);
    expect(pendingRecovery(history('istio-cni'))).toEqual({ kind: 'none' });
    const again = await h.helm(upgrade, { env: { FAKE_HELM_VERSION: helmVersion } });
    expect(again.exitCode, again.stderr).toBe(0);
  });

  it('a first install killed midway: nothing to roll back to (helm says so), marked failed, then upgrade --install and uninstall work', { timeout: 120_000 }, async () => {
    h = await harness('ambient');
    const install = ['install', 'istiod-1-24-6', 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6'];
    await killMidway('istiod-1-24-6', install);
    expect(history('istiod-1-24-6').history).toEqual([{ revision: 1, status: 'pending-install' }]);
    const rollback = await h.helm(['rollback', 'istiod-1-24-6', '-n', ns], { env: { FAKE_HELM_VERSION: helmVersion } });
    expect(rollback.exitCode).toBe(1);
    const upgradeInstall = ['upgrade', '--install', 'istiod-1-24-6', 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6'];
    expect((await h.helm(upgradeInstall, { env: { FAKE_HELM_VERSION: helmVersion } })).stderr).toContain('another operation (install/upgrade/rollback) is in progress');

    const plan = pendingRecovery(history('istiod-1-24-6'));
    expect(plan.kind).toBe('mark-failed');
    expect((await recoverPending(plan as NeededRecovery, await deps())).ok).toBe(true);
    const rec = helmReleases(h.server, ns).find((r) => r.name === 'istiod-1-24-6')!;
    expect([rec.status, rec.description]).toEqual(['failed', 'pending-install left by an interrupted helm call; marked failed by istio-upgrade']);
    expect((h.server.get('v1', 'Secret', 'sh.helm.release.v1.istiod-1-24-6.v1', ns) as { metadata: { labels: Record<string, string> } }).metadata.labels.status).toBe('failed');
    const r = await h.helm(upgradeInstall, { env: { FAKE_HELM_VERSION: helmVersion } });
    expect(r.exitCode, r.stderr).toBe(0);
    // as helm does for an upgrade from a failed release: the old record is superseded by the new one
    expect(history('istiod-1-24-6').history.map((x) => x.status)).toEqual(['superseded', 'deployed']);
    const un = await h.helm(['uninstall', 'istiod-1-24-6', '-n', ns], { env: { FAKE_HELM_VERSION: helmVersion } });
    expect(un.exitCode, un.stderr).toBe(0);
  });
});
