import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/k8s/inventory.js';
import type { MeshPlan } from '../../src/plans/mesh/index.js';
import type { PlanStep } from '../../src/plan/schema.js';
import { renderMeshPlanMarkdown } from '../../src/report/mesh-plan/markdown.js';
import { memberName } from '../../src/plans/mesh/index.js';
import { golden } from '../support/golden.js';
import { MESH_CASES, planMeshCase, type MeshCase } from '../support/mesh-cases.js';

const caseNamed = (name: string): MeshCase => MESH_CASES.find((c) => c.name === name)!;

/** The steps in mesh order, each with its cluster. */
function ordered(plan: MeshPlan): { cluster: string; step: PlanStep }[] {
  return plan.order.map((o) => ({ cluster: o.cluster, step: plan.clusters.find((c) => c.name === o.cluster)!.plan.steps.find((s) => s.id === o.stepId)! }));
}
const position = (plan: MeshPlan, cluster: string, kind: string) => ordered(plan).findIndex((x) => x.cluster === cluster && x.step.kind === kind);
const lastPosition = (plan: MeshPlan, cluster: string) => ordered(plan).map((x) => x.cluster).lastIndexOf(cluster);

function withVersion(inv: Inventory, version: string): Inventory {
  return { ...inv, revisions: inv.revisions.map((r) => (r.deployment ? { ...r, version, image: r.image?.replace(/:[^:]+$/, `:${version}`) ?? null } : r)) };
}

describe.each(MESH_CASES)('mesh plan $name', (c) => {
  it('matches its golden JSON and Markdown; every step of every cluster plan is in the order exactly once', async () => {
    const { plan, members } = await planMeshCase(c);
    expect(plan.blockers).toEqual([]);
    const all = plan.clusters.flatMap((k) => k.plan.steps.map((s) => `${k.name}/${s.id}`));
    expect(plan.order.map((o) => `${o.cluster}/${o.stepId}`).sort()).toEqual([...all].sort());
    expect(plan.order.map((o) => o.index)).toEqual(plan.order.map((_, i) => i + 1));
    golden(`${c.name}.meshplan.json`, `${JSON.stringify(plan, null, 2)}\n`, 'test/plans/mesh-plan.test.ts');
    golden(`${c.name}.meshplan.md`, renderMeshPlanMarkdown(plan, new Map(members.map((m) => [memberName(m), m.inventory]))), 'test/plans/mesh-plan.test.ts');
  });
});

describe('primary-remote (cluster1 primary, cluster2 remote on istiod-remote 1.23 → 1.24)', () => {
  it('at every step the remote is injected by a revision the primary runs', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-primary-remote-to-1.24-cleanup'));
    const primaryRunning = new Set(['default']);
    let remoteUses = 'default';
    for (const { cluster, step } of ordered(plan)) {
      if (cluster === 'cluster1' && step.kind === 'istiod-install') primaryRunning.add('1-24-6');
      if (cluster === 'cluster1' && step.kind === 'old-revision-removal') primaryRunning.delete('default');
      if (cluster === 'cluster2' && step.kind === 'namespace-relabel') remoteUses = '1-24-6';
      expect(primaryRunning.has(remoteUses), `after ${cluster}/${step.id}`).toBe(true);
    }
    expect(remoteUses).toBe('1-24-6');
    expect(primaryRunning).toEqual(new Set(['1-24-6']));
  });

  it('orders: primary control plane, its east-west exposure, the remote (injector, namespaces, restarts), then the old revision goes', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-primary-remote-to-1.24-cleanup'));
    const at = (cluster: string, kind: string) => position(plan, cluster, kind);
    expect(at('cluster1', 'istiod-install')).toBeLessThan(at('cluster1', 'expose-istiod-revision'));
    expect(at('cluster1', 'expose-istiod-revision')).toBeLessThan(at('cluster2', 'remote-injector-install'));
    expect(at('cluster2', 'remote-injector-install')).toBeLessThan(at('cluster2', 'namespace-relabel'));
    expect(at('cluster2', 'namespace-relabel')).toBeLessThan(at('cluster2', 'workload-restart'));
    expect(at('cluster2', 'workload-restart')).toBeLessThan(at('cluster2', 'remote-injector-removal'));
    expect(lastPosition(plan, 'cluster2')).toBeLessThan(at('cluster1', 'old-revision-removal'));
    expect(at('cluster1', 'old-revision-removal')).toBe(plan.order.length - 1);
  });

  it('converts istiod-remote to the istiod chart with profile=remote, carrying the old release values', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-primary-remote-to-1.24'));
    const remote = plan.clusters.find((k) => k.name === 'cluster2')!;
    expect(remote.role).toBe('remote');
    expect(remote.controlPlane).toBe('cluster1');
    const install = remote.plan.steps.find((s) => s.kind === 'remote-injector-install')!;
    expect(install.commands[0]!.argv).toEqual([
      'helm', 'install', 'istiod-1-24-6', 'istiod', '--repo', 'https://blob.istio.io/istio-release/charts', '-n', 'istio-system', '--version', '1.24.6',
      '--set', 'profile=remote', '--set', 'revision=1-24-6', '--set', 'pilot.enabled=null', '--wait', '--values', '<values-of:istio-system/istiod-remote>',
    ]);
    expect(install.commands[0]!.valuesFrom).toEqual({ release: 'istiod-remote', namespace: 'istio-system' });
    // 1.24 requires istio-base in the remote too, with the remote profile, after the one-time CRD adoption.
    const kinds = remote.plan.steps.map((s) => s.kind);
    expect(kinds.indexOf('crd-migration-labels')).toBeLessThan(kinds.indexOf('base-chart-upgrade'));
    expect(remote.plan.steps.find((s) => s.kind === 'base-chart-upgrade')!.commands[0]!.argv).toContain('profile=remote');
    const restart = remote.plan.steps.find((s) => s.kind === 'workload-restart')!;
    expect(restart.verify).toContainEqual({ type: 'workloads-restarted', workloads: [{ kind: 'Deployment', namespace: 'sample', name: 'helloworld-v2' }], revision: '1-24-6', proxyVersion: '1.24.6' });
    // Without --include-cleanup nothing old is removed: the removals are follow-ups.
    expect(plan.clusters.flatMap((k) => k.plan.steps).some((s) => s.irreversible)).toBe(false);
    expect(plan.followUps.map((f) => `${f.cluster}/${f.id}`)).toEqual(expect.arrayContaining(['cluster1/h1-remove-default', 'cluster2/remove-old-remote-install']));
    expect(plan.manifests.map((m) => m.file)).toEqual(['expose-istiod-1-24-6.yaml']);
    expect(plan.manifests[0]!.content).toContain('istiod-1-24-6.istio-system.svc');
  });

  it('keeps the primary\'s old revision while the remote has pods no rollout replaces', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-primary-remote-to-1.24-cleanup'), (label, inv) =>
      label === 'mesh-remote-1.23' ? { ...inv, dataPlane: { ...inv.dataPlane, workloads: inv.dataPlane.workloads.map((w) => (w.namespace === 'sample' ? { ...w, kind: 'Pod', restartable: false } : w)) } } : inv,
    );
    expect(position(plan, 'cluster1', 'old-revision-removal')).toBe(-1);
    expect(position(plan, 'cluster2', 'remote-injector-removal')).toBe(-1);
    expect(plan.followUps.map((f) => f.title).join('\n')).toContain('once no remote cluster uses it');
  });
});

describe('multi-primary (east 2 Deployments, west 4)', () => {
  it('upgrades cluster by cluster, fewest mesh pods first, each cluster complete before the next', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-multi-primary-to-1.24'));
    expect(plan.clusterOrder).toEqual({ order: ['east', 'west'], chosenBy: 'fewest-workloads' });
    expect(lastPosition(plan, 'east')).toBeLessThan(ordered(plan).findIndex((x) => x.cluster === 'west'));
    // East-west gateways after the control plane they front.
    for (const k of ['east', 'west']) expect(position(plan, k, 'istiod-install')).toBeLessThan(position(plan, k, 'gateway-upgrade'));
  });

  it('--cluster-order overrides the default order', async () => {
    const { plan } = await planMeshCase({ ...caseNamed('mesh-multi-primary-to-1.24'), clusterOrder: ['west', 'east'] });
    expect(plan.clusterOrder.order).toEqual(['west', 'east']);
    expect(plan.order[0]!.cluster).toBe('west');
  });

  it('refuses an order that would put control planes two minors apart, and picks one that does not by default', async () => {
    const older = (label: string, inv: Inventory) => (label === 'mesh-multi-primary-west' ? withVersion(inv, '1.22.8') : inv);
    const requested = await planMeshCase({ ...caseNamed('mesh-multi-primary-to-1.24'), clusterOrder: ['east', 'west'] }, older);
    // (Only the mesh-level findings: lowering the version in the inventory alone also makes west's proxies look ahead.)
    const meshLevel = (p: MeshPlan) => p.blockers.map((b) => b.id).filter((id) => id.startsWith('mesh-'));
    expect(meshLevel(requested.plan)).toEqual(['mesh-order-skew']);
    expect(requested.plan.blockers[0]!.message).toContain('2 minors apart after east is upgraded (east 1.24.6, west 1.22.8');
    const chosen = await planMeshCase(caseNamed('mesh-multi-primary-to-1.24'), older);
    expect(meshLevel(chosen.plan)).toEqual([]);
    expect(chosen.plan.clusterOrder).toEqual({ order: ['west', 'east'], chosenBy: 'fewest-workloads-adjusted-for-skew' });
    expect(chosen.plan.warnings.map((w) => w.id)).toContain('mesh-order-adjusted');
  });
});

describe('three clusters (primaries eu-a and eu-b, remote eu-c of eu-a)', () => {
  it('eu-b first (fewest pods); eu-c moves after eu-a\'s control plane and before eu-a\'s old revision is removed', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-three-to-1.24-cleanup'));
    expect(plan.mesh.topology).toBe('multi-primary-with-remotes');
    expect(plan.clusterOrder.order).toEqual(['eu-b', 'eu-a']);
    expect(lastPosition(plan, 'eu-b')).toBeLessThan(ordered(plan).findIndex((x) => x.cluster === 'eu-a'));
    expect(position(plan, 'eu-a', 'expose-istiod-revision')).toBeLessThan(position(plan, 'eu-c', 'remote-injector-install'));
    expect(lastPosition(plan, 'eu-c')).toBeLessThan(position(plan, 'eu-a', 'old-revision-removal'));
    // eu-b serves no remote: nothing to expose there.
    expect(position(plan, 'eu-b', 'expose-istiod-revision')).toBe(-1);
  });
});

describe('joining the clusters into one mesh', () => {
  it('blocks clusters that disagree on the mesh ID or trust domain', async () => {
    const { plan } = await planMeshCase(caseNamed('mesh-multi-primary-to-1.24'), (label, inv) =>
      label === 'mesh-multi-primary-west' ? { ...inv, mesh: { ...inv.mesh!, meshId: 'other-mesh', trustDomain: 'west.example' } } : inv,
    );
    expect(plan.blockers.map((b) => b.id)).toEqual(['mesh-id-mismatch', 'mesh-trust-domain-mismatch']);
  });

  it('blocks a mesh given without a cluster a primary reads, or a remote without its primary', async () => {
    const partial = await planMeshCase({ ...caseNamed('mesh-three-to-1.24-cleanup'), fixtures: ['mesh-three-a', 'mesh-three-c'] });
    expect(partial.plan.blockers.map((b) => b.id)).toEqual(['mesh-cluster-missing']);
    expect(partial.plan.blockers[0]!.message).toContain('eu-a reads cluster eu-b');
    const orphan = await planMeshCase({ ...caseNamed('mesh-three-to-1.24-cleanup'), fixtures: ['mesh-three-b', 'mesh-three-c'] });
    expect(orphan.plan.blockers.map((b) => b.id)).toEqual(['mesh-cluster-missing', 'mesh-remote-without-primary']);
  });

  it('blocks a cluster nothing marks as multi-cluster', async () => {
    const { plan } = await planMeshCase({ ...caseNamed('mesh-multi-primary-to-1.24'), fixtures: ['mesh-multi-primary-east', 'mesh-multi-primary-west', 'revisionless-tagged'] });
    expect(plan.blockers.map((b) => b.id)).toContain('mesh-not-multicluster');
  });
});
