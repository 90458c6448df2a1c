/**
 * End to end (issues 8 and 12): a mesh Helm 4 installed itself, server-side (`apply_method: ssa` in every release
 * record). Helm 4 would upgrade and roll those releases back server-side too, and Istio's charts before 1.28 then
 * conflict with istiod over `failurePolicy` (the fake helm plays that conflict, as the real tier showed it); the plan
 * has Helm 4 apply them client-side instead (src/plans/helm-apply-method.ts).
 */
import { describe, expect, test } from 'vitest';
import { decodeReleasePayload, encodeReleasePayload, HELM_SECRET_TYPE } from '../../src/k8s/helm-release.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { latestReleases } from '../fakebin/index.js';
import { AMBIENT_STEPS, expectStepEffect, NEW_REV } from './checks.js';
import { isMutating, shortArgv, startCluster } from './harness.js';

/** Every release record as Helm 4 writes it after a server-side install. */
function installedByHelm4(objects: KubeObject[]): void {
  for (const o of objects as (KubeObject & { type?: string; data?: Record<string, string> })[]) {
    if (o.kind !== 'Secret' || o.type !== HELM_SECRET_TYPE || !o.data?.release) continue;
    const record = decodeReleasePayload(o.data.release);
    o.data.release = encodeReleasePayload({ ...record, apply_method: 'ssa' });
  }
}

const CLIENT_SIDE = ['istio-system/istio-base', 'istio-system/istio-cni', 'istio-system/ztunnel', 'istio-ingress/istio-ingress'];
/** The releases the plan upgrades, once per step: istio-base twice (the base chart, then its defaultRevision). */
const UPGRADED = [...CLIENT_SIDE, 'istio-system/istio-base'];

describe.concurrent('e2e: a mesh Helm 4 installed server-side', () => {
  test('Helm 4: the plan upgrades and rolls back its releases with --server-side=false; apply and rollback --yes pass', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', helmVersion: 'v4.2.4', mutate: installedByHelm4 });
    const plan = await c.plan();
    expect(plan.steps.map((s) => s.id)).toEqual(AMBIENT_STEPS);
    const helmOps = plan.steps.flatMap((s) => [...s.commands, ...(s.rollback?.commands ?? [])]).filter((x) => x.helm);
    const clientSide = helmOps.filter((x) => x.helm && 'serverSide' in x.helm && x.helm.serverSide === false);
    // every upgrade and its rollback, and nothing else (the new revision's install and the uninstalls keep Helm's default)
    expect(clientSide.map((x) => `${x.helm!.op} ${x.helm!.namespace}/${x.helm!.release}`).sort()).toEqual(UPGRADED.flatMap((r) => [`rollback ${r}`, `upgrade ${r}`]).sort());
    for (const x of helmOps) expect(x.argv.includes('--server-side=false'), x.argv.join(' ')).toBe(clientSide.includes(x));

    c.server.clearRequests();
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 200_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) expectStepEffect(c.server, id, true);
    const upgrades = c.callLog().filter(isMutating).map(shortArgv).filter((a) => a.startsWith('helm upgrade'));
    expect(upgrades.length).toBe(UPGRADED.length);
    for (const a of upgrades) expect(a).toContain('--server-side=false');
    const after = latestReleases(c.server);
    for (const rel of CLIENT_SIDE) expect(after.get(rel)!.applyMethod, rel).toBe('csa');
    expect(after.get(`istio-system/istiod-${NEW_REV}`)!.applyMethod).toBe('ssa');

    // Rolling back returns to the ssa revisions: without the flag Helm 4 would apply them server-side and conflict.
    const rb = await c.cli(['rollback', '--yes'], { timeoutMs: 200_000 });
    expect(rb.exitCode, rb.stderr).toBe(0);
    for (const id of AMBIENT_STEPS) if (id !== 'h1-workload-restart-ambient-dns') expectStepEffect(c.server, id, false);
    const rollbacks = c.callLog().filter(isMutating).map(shortArgv).filter((a) => a.startsWith('helm rollback'));
    expect(rollbacks.length).toBe(UPGRADED.length);
    for (const a of rollbacks) expect(a).toContain('--server-side=false');
  }, 300_000);

  test('Helm 3 (no --server-side flag): apply stops in preflight naming the releases and Helm 4; nothing changed', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23', mutate: installedByHelm4 });
    await c.plan();
    c.server.clearRequests();
    const run = await c.cli(['apply', c.planPath, '--yes']);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain(`helm v3.17.3 cannot run this plan: Helm 4 installed ${CLIENT_SIDE.join(', ')} server-side`);
    expect(run.stderr).toContain('run it with Helm 4');
    expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual([]);
    expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/leases') && !q.path.includes('/configmaps') && !q.path.includes('/selfsubject'))).toEqual([]);
  }, 300_000);
});
