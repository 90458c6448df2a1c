import { describe, expect, it } from 'vitest';
import type { Inventory, Revision } from '../../src/k8s/inventory.js';
import { revisionCleanup, unusedRevisionsFinding } from '../../src/k8s/revision-use.js';
import { planCleanup } from '../../src/plans/planner/cleanup.js';
import { planSchema } from '../../src/steps/registry.js';
import { inventory, NS } from '../apply/fakes.js';

const REQ = { planId: 'plan-cleanup-test', now: new Date('2026-11-22T10:00:00Z'), toolVersion: '0.1.0', chartRepo: 'istio' };

function revision(name: string, version: string, over: Partial<Revision> = {}): Revision {
  return { ...inventory().revisions[0]!, name, version, deployment: `istiod-${name}`, helmRelease: { release: `istiod-${name}`, namespace: NS }, tags: [], ...over };
}

/** Three revisions: 1-23-6 (validator and base defaultRevision still on it), 1-24-6 (unused), 1-25-5 (default tag, namespace shop). */
function threeRevisions(over: Partial<Inventory> = {}): Inventory {
  const base = inventory();
  return inventory({
    revisions: [revision('1-23-6', '1.23.6'), revision('1-25-5', '1.25.5', { tags: ['default'] }), revision('1-24-6', '1.24.6')],
    tags: [{ ...base.tags[0]!, revision: '1-25-5' }],
    defaults: { tagRevision: '1-25-5', validatorRevision: '1-23-6', baseDefaultRevision: '1-23-6', consistent: false },
    dataPlane: { ...base.dataPlane, namespaces: [{ ...base.dataPlane.namespaces[0]!, effectiveRevision: '1-25-5' }] },
    ...over,
  });
}

describe('cleanup: which revisions nothing uses', () => {
  it('keeps the revision the default tag points at; the default/validator target alone does not keep one', () => {
    const { keep, unused } = revisionCleanup(threeRevisions());
    expect(keep?.name).toBe('1-25-5');
    expect(unused.map((r) => r.name)).toEqual(['1-23-6', '1-24-6']);
  });

  it('a namespace label, a pod, a gateway, a waypoint, ztunnel or tags its release renders keep a revision', () => {
    const base = threeRevisions();
    const keptBy = (over: Partial<Inventory>) => revisionCleanup({ ...base, ...over }).unused.map((r) => r.name);
    expect(keptBy({ dataPlane: { ...base.dataPlane, namespaces: [...base.dataPlane.namespaces, { name: 'legacy', injection: null, revisionLabel: '1-24-6', dataplaneMode: null, effectiveRevision: '1-24-6' }] } })).toEqual(['1-23-6']);
    expect(keptBy({ dataPlane: { ...base.dataPlane, workloads: [{ namespace: 'legacy', kind: 'Deployment', name: 'app', revision: '1-23-6', proxyVersion: '1.23.6', pods: 2, restartable: true, mode: 'sidecar' }] } })).toEqual(['1-24-6']);
    expect(keptBy({ gateways: [{ type: 'deployment', name: 'gw', namespace: 'edge', helmRelease: null, revision: '1-24-6', version: '1.24.6', className: null }] })).toEqual(['1-23-6']);
    expect(keptBy({ waypoints: [{ name: 'wp', namespace: 'shop', revision: '1-23-6' }] })).toEqual(['1-24-6']);
    expect(keptBy({ ambient: { cni: null, ztunnel: { ...inventory().ambient.ztunnel, name: 'ztunnel', namespace: NS, version: '1.24.6', revision: '1-24-6', rollout: { desired: 1, updated: 1, ready: 1, available: 1 }, health: 'healthy', installMethod: 'helm', helmRelease: null } as Inventory['ambient']['ztunnel'] } })).toEqual(['1-23-6']);
    const rendersTags = base.helmReleases.map((h) => h);
    rendersTags.push({ ...base.helmReleases[1]!, name: 'istiod-1-24-6', values: { revisionTags: ['canary'] } });
    expect(keptBy({ helmReleases: rendersTags })).toEqual(['1-23-6']);
  });

  it('never removes the last control plane, even when nothing uses any revision', () => {
    const inv = threeRevisions({ tags: [], defaults: { tagRevision: null, validatorRevision: '1-24-6', baseDefaultRevision: null, consistent: true }, dataPlane: { namespaces: [], proxies: [], workloads: [] } });
    const { keep, unused } = revisionCleanup(inv);
    expect(keep?.name).toBe('1-24-6');
    expect(unused.map((r) => r.name)).toEqual(['1-23-6', '1-25-5']);
    expect(revisionCleanup(inventory()).unused).toEqual([]);
  });

  it('status finding names the revisions and the command; none when nothing is unused', () => {
    expect(unusedRevisionsFinding(threeRevisions())).toMatchObject({ id: 'revisions-unused', severity: 'info' });
    expect(unusedRevisionsFinding(threeRevisions())!.message).toMatch(/1-23-6 \(1\.23\.6\), 1-24-6 \(1\.24\.6\).*1-25-5 stays.*istio-upgrade cleanup/);
    expect(unusedRevisionsFinding(inventory())).toBeUndefined();
  });
});

describe('cleanup plan', () => {
  it('one irreversible removal per unused revision, oldest first, after the reversible move of defaultRevision/validator to the revision that stays', () => {
    const plan = planSchema.parse(planCleanup(threeRevisions(), REQ));
    expect(plan.upToDate).toBe(false);
    expect(plan.blockers).toEqual([]);
    expect([plan.source.revision, plan.target.revision]).toEqual(['1-25-5', '1-25-5']);
    expect(plan.steps.map((s) => [s.id, s.kind, s.irreversible, s.rollback?.commands.map((c) => c.argv.join(' ')) ?? null])).toEqual([
      ['h1-default-revision-move', 'default-revision-move', false, ['helm rollback istio-base <revision-before:istio-system/istio-base> -n istio-system --wait']],
      ['h1-old-revision-removal-1-23-6', 'old-revision-removal', true, null],
      ['h1-old-revision-removal-1-24-6', 'old-revision-removal', true, null],
    ]);
    expect(plan.steps.map((s) => s.commands.map((c) => c.argv.filter((a) => !a.startsWith('<values-of')).join(' ')))).toEqual([
      ['helm upgrade istio-base istio/base -n istio-system --version 1.23.6 --set defaultRevision=1-25-5 --wait --values'],
      ['helm uninstall istiod-1-23-6 -n istio-system --wait'],
      ['helm uninstall istiod-1-24-6 -n istio-system --wait'],
    ]);
    expect(plan.steps[0]!.preconditions).toContain('defaults/validator');
    expect(plan.steps.slice(1).flatMap((s) => s.preconditions)).not.toContain('defaults/validator');
    expect(plan.steps.map((s) => s.verify)).toEqual([
      [
        { type: 'helm-release', release: 'istio-base', namespace: 'istio-system', status: 'deployed', chartVersion: '1.23.6' },
        { type: 'default-validator', revision: '1-25-5', service: 'istiod-1-25-5', namespace: 'istio-system' },
      ],
      [{ type: 'revision-absent', revision: '1-23-6' }],
      [{ type: 'revision-absent', revision: '1-24-6' }],
    ]);
  });

  it('a base release Helm 4 installed server-side with a pre-1.28 chart is moved client-side, as the upgrade moves it (the removal step used to leave that out)', () => {
    const inv = threeRevisions();
    inv.helmReleases = inv.helmReleases.map((h) => (h.component === 'base' ? { ...h, applyMethod: 'ssa' } : h));
    const move = planCleanup(inv, REQ).steps[0]!;
    expect(move.kind).toBe('default-revision-move');
    expect(move.commands[0]!.argv).toContain('--server-side=false');
    expect(move.rollback!.commands[0]!.argv).toContain('--server-side=false');
  });

  it('an istioctl-installed revision is removed with istioctl; nothing unused is an up-to-date plan', () => {
    const inv = threeRevisions();
    inv.revisions = inv.revisions.map((r) => (r.name === '1-24-6' ? { ...r, installMethod: 'istioctl', helmRelease: null } : r));
    expect(planCleanup(inv, REQ).steps.find((s) => s.id === 'h1-old-revision-removal-1-24-6')!.commands.map((c) => c.argv.join(' '))).toEqual(['istioctl uninstall --revision 1-24-6 -y']);
    const none = planCleanup(inventory(), REQ);
    expect([none.upToDate, none.steps]).toEqual([true, []]);
  });

  it('defaults on a revision to remove without a Helm base release: blocked, no command', () => {
    const inv = threeRevisions();
    inv.helmReleases = inv.helmReleases.filter((h) => h.component !== 'base');
    const plan = planCleanup(inv, REQ);
    expect(plan.blockers.map((b) => b.id)).toEqual(['defaults-without-base-release']);
    expect(plan.steps.flatMap((s) => s.commands)).toEqual([]);
  });
});
