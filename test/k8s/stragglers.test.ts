import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import { currentRevision, describeStragglers, findStragglers, groupStragglers, minorsBehind } from '../../src/k8s/stragglers.js';
import { inventoryOf } from '../support/plan-cases.js';

/** The stragglers fixture with revision 1-21-6 still installed, so `legacy` is pinned to a live older revision. */
async function withOldRevisionInstalled(): Promise<Inventory> {
  const inv = structuredClone(await inventoryOf('sidecar-stragglers'));
  const model = inv.revisions.find((r) => r.name === '1-22-8')!;
  inv.revisions.unshift({ ...model, name: '1-21-6', version: '1.21.6', deployment: 'istiod-1-21-6', tags: [] });
  inv.dataPlane.namespaces = inv.dataPlane.namespaces.map((n) => (n.name === 'legacy' ? { ...n, effectiveRevision: '1-21-6' } : n));
  return inv;
}

const key = (s: { namespace: string; name: string; revision: string; reason: string }) => `${s.namespace}/${s.name}@${s.revision}:${s.reason}`;

describe('stragglers: workloads left on another revision than the current one', () => {
  it('names every workload the current revision does not serve, with why (fixture sidecar-stragglers)', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    expect(findStragglers(inv, '1-23-6').map(key).sort()).toEqual([
      'batch/debug-shell@1-21-6:revision-removed',
      'batch/nightly-export@1-22-8:namespace-moved',
      'billing/invoices@1-22-8:namespace-pinned',
      'legacy/reports@1-21-6:revision-removed',
      'logging/log-agent@1-22-8:namespace-moved',
      'shop/cart@1-22-8:namespace-moved',
      // half restarted: only the pod still on 1-22-8
      'shop/checkout@1-22-8:namespace-moved',
      'shop/recommendations@1-21-6:revision-removed',
    ]);
    // frontend and the restarted half of checkout run 1-23-6 in a namespace injecting with 1-23-6.
    expect(findStragglers(inv, '1-23-6').some((s) => s.name === 'frontend' || (s.name === 'checkout' && s.revision === '1-23-6'))).toBe(false);
  });

  it('a namespace pinned to an installed older revision, and its pods injected elsewhere (issue 9 defect 11)', async () => {
    const inv = await withOldRevisionInstalled();
    const found = findStragglers(inv, '1-23-6');
    expect(found.find((s) => s.name === 'reports')).toMatchObject({ reason: 'namespace-pinned', revision: '1-21-6', namespaceRevision: '1-21-6', proxyVersion: '1.21.6' });
    expect(found.find((s) => s.name === 'recommendations')).toMatchObject({ reason: 'namespace-moved', revision: '1-21-6', namespaceRevision: '1-23-6' });
    const group = groupStragglers(found).find((g) => g.namespace === 'legacy')!;
    expect(describeStragglers(group, { label: 'the target 1.24.6', version: '1.24.6' })).toBe(
      'namespace legacy: Deployment/reports (1 pod) injected by 1-21-6 (proxy 1.21.6, 3 minors behind the target 1.24.6); the namespace still selects 1-21-6',
    );
  });

  it('measures status against the default tag, else the newest installed revision', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    expect(currentRevision(inv)?.name).toBe('1-23-6');
    expect(currentRevision({ ...inv, defaults: { ...inv.defaults, tagRevision: null } })?.name).toBe('1-23-6');
    expect(currentRevision({ ...inv, defaults: { ...inv.defaults, tagRevision: '1-22-8' } })?.name).toBe('1-22-8');
  });

  it('counts minors behind, and says nothing for unreadable versions', () => {
    expect(minorsBehind('1.21.6', '1.24.6')).toBe(3);
    expect(minorsBehind('v1.24.0', '1.24.6')).toBe(0);
    expect(minorsBehind(null, '1.24.6')).toBeNull();
    expect(minorsBehind('unknown', '1.24.6')).toBeNull();
  });
});
