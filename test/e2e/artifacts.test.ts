/**
 * End to end (issue 8): plans that run the same on any machine. Each test runs the built CLI against its own fake
 * cluster with the fake helm/istioctl.
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_HTTP_REPO, latestReleases } from '../fakebin/index.js';
import { AMBIENT_STEPS, expectStepEffect, NEW_REV, OLD_REV } from './checks.js';
import { isMutating, mutatingRequests, shortArgv, startCluster, type E2eCluster } from './harness.js';

/** The plan without what must differ between two runs of `plan`: its id, timestamp and the digest that covers them. */
function comparable(plan: Plan): unknown {
  const { id: _id, createdAt: _createdAt, ...metadata } = plan.metadata;
  const { integrity: _integrity, ...rest } = plan;
  return { ...rest, metadata };
}

describe.concurrent('e2e: artifact sources, tool versions, prerequisites', () => {
  test('(g) planning twice on the same state gives identical steps, ids, argv and findings', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const first = await c.plan();
    const firstText = readFileSync(c.planPath, 'utf8');
    const second = await c.plan();
    expect(second.metadata.id).not.toBe(first.metadata.id);
    expect(comparable(second)).toEqual(comparable(first));
    // byte for byte once the id, timestamp and digest are taken out
    const strip = (t: string) =>
      t.replaceAll(first.metadata.id, 'ID').replaceAll(second.metadata.id, 'ID').replace(/"createdAt": "[^"]+"/, '').replace(/"sha256:[0-9a-f]{64}"/g, '"DIGEST"');
    expect(strip(readFileSync(c.planPath, 'utf8'))).toBe(strip(firstText));
  });

  test('(d) Helm 4 client: the whole ambient 1.23 → 1.24 apply, then rollback --yes, pass; Helm 4 records server-side apply for what it installs and keeps client-side for releases Helm 3 made', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion: 'v4.2.4' });
    const plan = await c.plan();
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) expectStepEffect(c.server, id, true);
    const releases = latestReleases(c.server);
    expect(releases.get(`istio-system/istiod-${NEW_REV}`)!.applyMethod).toBe('ssa');
    expect(releases.get('istio-system/ztunnel')!.applyMethod).toBe('csa');
    expect(plan.steps.map((s) => s.id)).toEqual(AMBIENT_STEPS);
    const rb = await c.cli(['rollback', '--yes'], { timeoutMs: 200_000 });
    expect(rb.exitCode, rb.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) if (id !== 'h1-workload-restart-ambient-dns') expectStepEffect(c.server, id, false);
    expect(latestReleases(c.server).get(`istio-system/istiod-${OLD_REV}`)!.status).toBe('deployed');
  }, 300_000);

  test('(f) reused values with hub: gcr.io/istio-release are reported with the value path and docker.io/istio', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    // The running istiod was installed with its images from the retired registry.
    const set = await execa('helm', ['upgrade', `istiod-${OLD_REV}`, 'istiod', '--repo', CURRENT_HTTP_REPO, '-n', 'istio-system', '--version', '1.23.6', '--reuse-values', '--set', 'global.hub=gcr.io/istio-release', '--kube-context', 'e2e'], { env: c.env(), extendEnv: false, reject: false });
    expect(set.exitCode, set.stderr).toBe(0);
    const r = await c.cli(['plan', '--to', '1.24', '-o', 'json']);
    const plan = JSON.parse(r.stdout) as Plan;
    // The registry still serves 1.24 until its removal on 2026-12-09 15:00 UTC; after that the plan is blocked.
    const gone = Date.now() >= Date.parse('2026-12-09T15:00:00Z');
    expect(r.exitCode, r.stderr).toBe(gone ? 3 : 0);
    const reported = (gone ? plan.blockers : plan.warnings).filter((i) => i.id === 'retired-image-value').map((i) => i.message);
    expect(reported).toEqual([expect.stringMatching(new RegExp(`^Helm release istio-system/istiod-${OLD_REV} sets global\\.hub: gcr\\.io/istio-release, a retired Istio registry; set global\\.hub: docker\\.io/istio \\(or plan with --hub docker\\.io/istio\\)`))]);
  });

  /**
   * Prerequisites are checked before the lock is taken and the run record written: an unmet one leaves no mutating
   * request at all (not even the lock Lease or a run ConfigMap), no run ConfigMap and no local run record.
   */
  const expectNothingLeft = (c: E2eCluster) => {
    expect(mutatingRequests(c.server)).toEqual([]);
    expect(c.server.list('v1', 'ConfigMap', 'istio-system').filter((cm) => cm.metadata.name.startsWith('istio-upgrade-run-'))).toEqual([]);
    expect(c.localRuns()).toEqual([]);
  };

  test('(a) a machine with no repository configured: the default plan names Istio\'s repository in every chart command and applies cleanly', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    expect(existsSync(join(c.home, '.config', 'helm', 'repositories.yaml'))).toBe(false);
    const plan = await c.plan();
    const chartCommands = plan.steps.flatMap((s) => s.commands).filter((x) => x.helm && 'chart' in x.helm);
    expect(chartCommands.length).toBeGreaterThan(0);
    for (const x of chartCommands) expect(x.argv.join(' ')).toContain(`--repo ${CURRENT_HTTP_REPO}`);
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) expectStepEffect(c.server, id, true);
    // the preflight recorded the helm client it found
    expect(c.localRuns()[0]!.steps[0]!.note).toContain('helm v3.17.3 (Helm 3)');
  }, 300_000);

  test('(b) --chart-repo pointing at a mirror that lacks the target version: apply exits 3 in preflight, no helm change and no cluster write', async (ctx) => {
    const mirror = 'https://charts.example.internal/istio';
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', fakeEnv: { FAKE_HELM_REPOS: JSON.stringify({ [mirror]: { versions: ['1.23.6'] } }) } });
    await c.plan(['--to', '1.24', '--chart-repo', mirror]);
    c.server.clearRequests();
    const dry = await c.cli(['apply', c.planPath, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(3);
    const run = await c.cli(['apply', c.planPath, '--yes']);
    expect(run.exitCode, run.stderr).toBe(3);
    for (const out of [dry.stderr, run.stderr]) expect(out).toMatch(/chart (base|istiod|cni|ztunnel|gateway) 1\.24\.\d+ does not resolve from \S+ --repo https:\/\/charts\.example\.internal\/istio/);
    expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual([]);
    expectNothingLeft(c);
  }, 300_000);

  test('(c) an identity missing one verb: the denied permission is named with its RBAC rule, nothing changed', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    await c.plan();
    c.server.forbid({ verb: 'patch', resource: 'daemonsets', namespace: 'istio-system' });
    c.server.clearRequests();
    const run = await c.cli(['apply', c.planPath, '--yes']);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain('not allowed to patch daemonsets.apps in namespace istio-system: grant Role in namespace istio-system: {apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["patch"]}');
    expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual([]);
    expectNothingLeft(c);
  }, 300_000);
});
