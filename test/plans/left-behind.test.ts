import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

const plan = (inv: Inventory, request: Parameters<typeof requestFor>[0]['request'], now?: Date) =>
  planUpgrade(inv, { ...requestFor({ name: 'left-behind', fixture: '', request, expect: { blocked: false, hops: 1 } }), ...(now ? { now } : {}) });
const issues = (p: ReturnType<typeof plan>, id: string) => p.warnings.filter((w) => w.id === id);

describe('plan: stragglers the upgrade leaves behind, and whether it restarts them (issue 9 defect 11)', () => {
  it('reports each group with revision, proxy, distance to the target and the restarting step or none', async () => {
    const p = plan(await inventoryOf('sidecar-stragglers'), { to: '1.24', includeCleanup: true });
    const left = issues(p, 'straggler-left').map((w) => w.message);
    expect(left).toContain(
      'namespace billing: Deployment/invoices (2 pods) injected by 1-22-8 (proxy 1.22.8, 2 minors behind the target 1.24.6); the namespace still selects 1-22-8; this plan does not restart it',
    );
    expect(left.find((m) => m.startsWith('namespace legacy:'))).toContain('injected by 1-21-6 (proxy 1.21.6, 3 minors behind the target 1.24.6); revision 1-21-6 is no longer installed');
    expect(issues(p, 'straggler-left').find((w) => w.message.startsWith('namespace legacy:'))!.remedy).toEqual([
      'kubectl rollout restart deployment/reports -n legacy   (after pointing the namespace at the revision it should use)',
    ]);
    expect(issues(p, 'straggler-left').find((w) => w.message.startsWith('namespace batch: Pod/debug-shell'))!.remedy![0]).toContain('recreate by hand');
    const restarted = issues(p, 'straggler-restarted').map((w) => w.message);
    const restartStep = p.steps.find((s) => s.kind === 'workload-restart')!.id;
    expect(restarted).toContain(
      `namespace shop: Deployment/cart (2 pods), Deployment/checkout (1 pod) injected by 1-22-8 (proxy 1.22.8, 2 minors behind the target 1.24.6); the namespace now injects with 1-23-6; restarted by step ${restartStep}`,
    );
    // Every workload named as restarted is in that step's verification, and none named as left is.
    const verified = p.steps.flatMap((s) => s.verify.flatMap((v) => (v.type === 'workloads-restarted' ? v.workloads.map((w) => `${w.kind}/${w.name}`) : [])));
    expect(verified).toEqual(expect.arrayContaining(['Deployment/cart', 'Deployment/checkout', 'Deployment/recommendations', 'DaemonSet/log-agent']));
    expect(verified).not.toContain('Deployment/invoices');
    expect(verified).not.toContain('Deployment/reports');
  });

  it('a namespace pinned to an installed older revision is reported, not silently kept', async () => {
    const inv = structuredClone(await inventoryOf('sidecar-stragglers'));
    const model = inv.revisions.find((r) => r.name === '1-22-8')!;
    inv.revisions.unshift({ ...model, name: '1-21-6', version: '1.21.6', deployment: 'istiod-1-21-6', tags: [] });
    inv.dataPlane.namespaces = inv.dataPlane.namespaces.map((n) => (n.name === 'legacy' ? { ...n, effectiveRevision: '1-21-6' } : n));
    const p = plan(inv, { to: '1.24' });
    expect(issues(p, 'straggler-left').map((w) => w.message)).toContain(
      'namespace legacy: Deployment/reports (1 pod) injected by 1-21-6 (proxy 1.21.6, 3 minors behind the target 1.24.6); the namespace still selects 1-21-6; this plan does not restart it',
    );
    // pods 1-21-6 injected in shop, which now injects with 1-23-6, are restarted with the default tag's namespaces.
    expect(issues(p, 'straggler-restarted').map((w) => w.message).find((m) => m.includes('Deployment/recommendations'))).toContain('the namespace now injects with 1-23-6; restarted by step');
  });

  it('a mesh with nothing left behind gets no straggler warning', async () => {
    const p = plan(await inventoryOf('sidecar-revisioned-1.22'), { to: '1.24' });
    expect(p.warnings.filter((w) => w.id.startsWith('straggler'))).toEqual([]);
  });
});

describe('plan: end-of-life revisions left running (issue 9 defect 7)', () => {
  it('warns for every revision still running after the plan whose minor is end-of-life, and not for removed ones', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    const kept = plan(inv, { to: '1.24' }, new Date('2026-11-22T10:00:00Z'));
    expect(issues(kept, 'revision-left-eol').map((w) => w.message.split(' keeps')[0])).toEqual(['revision 1-22-8 (1.22.8)', 'revision 1-23-6 (1.23.6)']);
    expect(issues(kept, 'revision-left-eol')[0]!.message).toContain('Istio 1.22 is end-of-life');
    const cleaned = plan(inv, { to: '1.24', includeCleanup: true }, new Date('2026-11-22T10:00:00Z'));
    expect(issues(cleaned, 'revision-left-eol').map((w) => w.message.split(' keeps')[0])).toEqual(['revision 1-22-8 (1.22.8)']);
  });

  it('counts the intermediate revisions a multi-hop plan installs and keeps', async () => {
    const p = plan(await inventoryOf('sidecar-revisioned-1.22'), { to: '1.26' }, new Date('2026-11-22T10:00:00Z'));
    expect(issues(p, 'revision-left-eol').map((w) => w.message.split(' (')[0])).toEqual(expect.arrayContaining(['revision 1-24-6']));
    expect(issues(p, 'revision-left-eol').some((w) => w.message.startsWith('revision 1-26-8'))).toBe(false);
  });

  it('says nothing while the revisions left are supported', async () => {
    const p = plan(await inventoryOf('sidecar-revisioned-1.22'), { to: '1.24' }, new Date('2024-11-22T10:00:00Z'));
    expect(issues(p, 'revision-left-eol')).toEqual([]);
  });
});
