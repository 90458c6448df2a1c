import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

const OLD = '1.23.6';
const NEW = '1.24.6';

/**
 * The ambient fixture as an interrupted `apply --to 1.24` leaves it (issue 14 item 5): CRDs adopted, base and
 * istio-cni upgraded, istiod 1-24-6 installed, then the ztunnel step failed and was rolled back.
 */
async function afterZtunnelFailure(): Promise<Inventory> {
  const inv = structuredClone(await inventoryOf('ambient-helm-1.23'));
  const old = inv.revisions.find((r) => r.name === '1-23-6')!;
  inv.revisions.push({ ...structuredClone(old), name: '1-24-6', version: NEW, deployment: 'istiod-1-24-6', image: `docker.io/istio/pilot:${NEW}`, helmRelease: { release: 'istiod-1-24-6', namespace: 'istio-system' }, tags: [] });
  const istiodRel = inv.helmReleases.find((r) => r.name === 'istiod-1-23-6')!;
  inv.helmReleases.push({ ...structuredClone(istiodRel), name: 'istiod-1-24-6', chartVersion: NEW, appVersion: NEW, revision: 1, secretName: 'sh.helm.release.v1.istiod-1-24-6.v1', values: { ...istiodRel.values, revision: '1-24-6' } });
  for (const r of inv.helmReleases.filter((x) => x.component === 'base' || x.component === 'cni')) Object.assign(r, { chartVersion: NEW, appVersion: NEW, revision: r.revision + 1 });
  inv.ambient.cni!.version = NEW;
  for (const c of inv.crds.istio) Object.assign(c, { helmOwned: true });
  return inv;
}

const plan = (inv: Inventory) => planUpgrade(inv, requestFor({ name: 'partial', fixture: '', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } }));
const kinds = (p: ReturnType<typeof plan>) => p.steps.map((s) => s.id);

describe('a half-done upgrade is never "nothing to do" (issue 14 item 5)', () => {
  it('after a failed ztunnel step: the existing 1-24-6 is reused and ztunnel, tags and gateway are planned; nothing done is repeated', async () => {
    const p = plan(await afterZtunnelFailure());
    expect(p.upToDate).toBe(false);
    expect(p.blockers).toEqual([]);
    expect(p.warnings.find((w) => w.id === 'partial-upgrade')?.message).toMatch(/revision 1-24-6 already runs 1\.24\.6 but the upgrade is not finished: revision 1-23-6 at 1\.23\.6 \(tag default, tag prod-stable.*ztunnel at 1\.23\.6/);
    expect(kinds(p)).toEqual([
      'h1-preflight',
      'h1-backup',
      'h1-workload-restart-ambient-dns',
      'h1-ztunnel-upgrade',
      'h1-tag-move-prod-stable',
      'h1-tag-move-default',
      'h1-default-revision-move',
      'h1-gateway-upgrade-istio-ingress',
    ]);
    expect(p.steps.find((s) => s.kind === 'ztunnel-upgrade')!.commands[0]!.argv).toContain('revision=1-24-6');
    expect(p.source).toMatchObject({ version: OLD, revision: '1-23-6' });
    expect(p.target.revision).toBe('1-24-6');
  });

  it('with the default tag moved but another tag and the gateway left: only those are planned', async () => {
    const inv = await afterZtunnelFailure();
    inv.ambient.ztunnel!.version = NEW;
    for (const r of inv.helmReleases.filter((x) => x.component === 'ztunnel')) Object.assign(r, { chartVersion: NEW, appVersion: NEW });
    inv.tags.find((t) => t.name === 'default')!.revision = '1-24-6';
    inv.defaults.tagRevision = '1-24-6';
    const p = plan(inv);
    expect(p.upToDate).toBe(false);
    expect(kinds(p)).toEqual(['h1-preflight', 'h1-backup', 'h1-workload-restart-ambient-dns', 'h1-tag-move-prod-stable', 'h1-default-revision-move', 'h1-gateway-upgrade-istio-ingress']);
    // Once the earlier run also moved defaultRevision and the validator, that is not planned again.
    inv.defaults = { ...inv.defaults, validatorRevision: '1-24-6', baseDefaultRevision: '1-24-6' };
    expect(kinds(plan(inv))).toEqual(['h1-preflight', 'h1-backup', 'h1-workload-restart-ambient-dns', 'h1-tag-move-prod-stable', 'h1-gateway-upgrade-istio-ingress']);
  });

  it('is "nothing to do" only when every component is at the target and nothing uses the old revision', async () => {
    const inv = await afterZtunnelFailure();
    inv.ambient.ztunnel!.version = NEW;
    for (const r of inv.helmReleases.filter((x) => x.component === 'ztunnel' || x.component === 'gateway')) Object.assign(r, { chartVersion: NEW, appVersion: NEW });
    for (const t of inv.tags) t.revision = '1-24-6';
    inv.defaults.tagRevision = '1-24-6';
    for (const n of inv.dataPlane.namespaces) if (n.effectiveRevision === '1-23-6') n.effectiveRevision = '1-24-6';
    for (const g of inv.gateways) Object.assign(g, { revision: g.revision === '1-23-6' ? '1-24-6' : g.revision, version: NEW });
    for (const w of inv.dataPlane.workloads) if (w.revision === '1-23-6') w.revision = '1-24-6';
    expect(plan(inv).upToDate).toBe(true);
  });
});
