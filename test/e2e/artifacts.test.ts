/**
 * End to end (issue 8): plans that run the same on any machine. Each test runs the built CLI against its own fake
 * cluster with the fake helm/istioctl.
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { latestReleases } from '../fakebin/index.js';
import { AMBIENT_STEPS, expectStepEffect, NEW_REV, OLD_REV } from './checks.js';
import { startCluster } from './harness.js';

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
    const r = await c.cli(['apply', c.planPath, '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) expectStepEffect(c.server, id, true);
    const releases = latestReleases(c.server);
    expect(releases.get(`istio-system/istiod-${NEW_REV}`)!.applyMethod).toBe('ssa');
    expect(releases.get('istio-system/ztunnel')!.applyMethod).toBe('csa');
    expect(plan.steps.map((s) => s.id)).toEqual(AMBIENT_STEPS);
    const rb = await c.cli(['rollback', '--yes']);
    expect(rb.exitCode, rb.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) if (id !== 'h1-workload-restart-ambient-dns') expectStepEffect(c.server, id, false);
    expect(latestReleases(c.server).get(`istio-system/istiod-${OLD_REV}`)!.status).toBe('deployed');
  }, 120_000);

  test('(f) reused values with hub: gcr.io/istio-release are reported with the value path and docker.io/istio', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    // The running istiod was installed with its images from the retired registry.
    const set = await execa('helm', ['upgrade', `istiod-${OLD_REV}`, 'istio/istiod', '-n', 'istio-system', '--version', '1.23.6', '--reuse-values', '--set', 'global.hub=gcr.io/istio-release', '--kube-context', 'e2e'], { env: c.env(), extendEnv: false, reject: false });
    expect(set.exitCode, set.stderr).toBe(0);
    const r = await c.cli(['plan', '--to', '1.24', '-o', 'json']);
    const plan = JSON.parse(r.stdout) as Plan;
    // The registry still serves 1.24 until its removal on 2026-12-09 15:00 UTC; after that the plan is blocked.
    const gone = Date.now() >= Date.parse('2026-12-09T15:00:00Z');
    expect(r.exitCode, r.stderr).toBe(gone ? 3 : 0);
    const reported = (gone ? plan.blockers : plan.warnings).filter((i) => i.id === 'retired-image-value').map((i) => i.message);
    expect(reported).toEqual([expect.stringMatching(new RegExp(`^Helm release istio-system/istiod-${OLD_REV} sets global\\.hub: gcr\\.io/istio-release, a retired Istio registry; set global\\.hub: docker\\.io/istio \\(or plan with --hub docker\\.io/istio\\)`))]);
  });
});
