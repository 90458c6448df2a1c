/**
 * Sidecar meshes on a real control plane: canary 1.22 → 1.24 with revision tags and a gateway, and an in-place
 * 1.22 → 1.23 upgrade, each under Helm 3, under Helm 4 with the mesh Helm 3 installed, and under Helm 4 with the mesh
 * Helm 4 installed itself (server-side: the plan has Helm 4 upgrade those pre-1.28 releases client-side). Proxy versions are read from the pods the real controllers re-created and the
 * simulated istiod injected through the webhooks the tags point at.
 */
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import type { RealCluster } from './harness/cluster.js';
import { clientSideCommands, clusterRun, localRuns, planToFile, releases, tagTarget } from './checks.js';
import { installSidecar122, SIDECAR_APPS } from './setup.js';
import { notRun, sharedCluster } from './tier.js';
import { proxyImages } from './workloads.js';

const APP_NAMESPACES = Object.keys(SIDECAR_APPS);

async function planAndApply(c: RealCluster, args: string[]): Promise<Plan> {
  const { path: planPath, plan } = await planToFile(c, args);
  const r = await c.cli(['apply', planPath]);
  expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);
  const [run] = localRuns(c);
  expect((await clusterRun(c, run!.runId))!.status).toBe('succeeded');
  return plan;
}

const CONFIGURATIONS = [
  { helm: 3, installWith: 3 },
  { helm: 4, installWith: 3 },
  { helm: 4, installWith: 4 },
] as const;
const installedBy = (helm: 3 | 4, installWith: 3 | 4) => (installWith === helm ? '' : `, mesh installed by Helm ${installWith}`);

for (const { helm, installWith } of CONFIGURATIONS) {
  describe.skipIf(notRun(helm) ?? notRun(installWith))(`sidecar canary 1.22 → 1.24 with real Helm ${helm}${installedBy(helm, installWith)}`, () => {
    const cluster = sharedCluster({ helm, installWith }, installSidecar122);

    test('tags move, every tagged workload restarts onto 1.24.6 proxies, the old revision stays', async () => {
      const c = cluster();
      const before = await proxyImages(c.api, APP_NAMESPACES);
      expect(new Set(Object.values(before))).toEqual(new Set(['docker.io/istio/proxyv2:1.22.8']));

      const plan = await planAndApply(c, ['--to', '1.24']);
      expect(plan.steps.map((s) => s.kind)).toEqual([
        'preflight', 'backup', 'crd-migration-labels', 'base-chart-upgrade', 'istiod-install',
        'tag-move', 'workload-restart', 'tag-move', 'workload-restart', 'default-revision-move', 'gateway-upgrade',
      ]);
      expect(clientSideCommands(plan)).toEqual(installWith === 4 ? ['upgrade istio-ingress/istio-ingress', 'upgrade istio-system/istio-base', 'upgrade istio-system/istio-base'] : []);
      expect(await releases(c)).toEqual({
        'istio-system/istio-base': 'base-1.24.6 deployed',
        'istio-system/istiod-1-22-8': 'istiod-1.22.8 deployed',
        'istio-system/istiod-1-24-6': 'istiod-1.24.6 deployed',
        'istio-ingress/istio-ingress': 'gateway-1.24.6 deployed',
      });
      for (const tag of ['default', 'canary']) {
        const t = await tagTarget(c, tag);
        expect(t).toMatchObject({ revisionLabel: '1-24-6', service: 'istio-system/istiod-1-24-6' });
        expect(t.servedBy.length).toBeGreaterThan(0);
      }
      // Every pod of every meshed namespace (Deployments and the StatefulSet) and the gateway run 1.24.6 proxies.
      const after = await proxyImages(c.api, [...APP_NAMESPACES, 'istio-ingress']);
      expect(Object.keys(after)).toContain('search/search-index-0');
      for (const [pod, image] of Object.entries(after)) expect(image, pod).toBe('docker.io/istio/proxyv2:1.24.6');
      // and istiod 1-22-8 still serves its own revision
      expect(await c.api.get('Deployment', 'istiod-1-22-8', 'istio-system')).toBeDefined();
    });
  });
}

for (const { helm, installWith } of CONFIGURATIONS) {
  describe.skipIf(notRun(helm) ?? notRun(installWith))(`sidecar in-place 1.22 → 1.23 with real Helm ${helm}${installedBy(helm, installWith)}`, () => {
    const cluster = sharedCluster({ helm, installWith }, installSidecar122);

    test('istiod-1-22-8 is upgraded in place and every workload restarts onto 1.23.6 proxies', async () => {
      const c = cluster();
      const plan = await planAndApply(c, ['--to', '1.23', '--strategy', 'in-place']);
      expect(plan.steps.map((s) => s.kind)).toEqual(['preflight', 'backup', 'base-chart-upgrade', 'istiod-upgrade', 'workload-restart', 'gateway-upgrade']);
      expect(clientSideCommands(plan)).toEqual(installWith === 4 ? ['upgrade istio-ingress/istio-ingress', 'upgrade istio-system/istio-base', 'upgrade istio-system/istiod-1-22-8'] : []);
      expect(await releases(c)).toEqual({
        'istio-system/istio-base': 'base-1.23.6 deployed',
        'istio-system/istiod-1-22-8': 'istiod-1.23.6 deployed',
        'istio-ingress/istio-ingress': 'gateway-1.23.6 deployed',
      });
      const after = await proxyImages(c.api, [...APP_NAMESPACES, 'istio-ingress']);
      for (const [pod, image] of Object.entries(after)) expect(image, pod).toBe('docker.io/istio/proxyv2:1.23.6');
    });

    // Under the Helm-4-installed mesh the rollbacks go back to revisions Helm 4 wrote server-side: without
    // --server-side=false, helm rollback istiod-1-22-8 would conflict with istiod over its validator's failurePolicy.
    test('rollback after the in-place upgrade: base, istiod and the gateway return to 1.22.8 and istiod serves again', async () => {
      const c = cluster();
      const r = await c.cli(['rollback', '--yes']);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);
      expect(await releases(c)).toEqual({
        'istio-system/istio-base': 'base-1.22.8 deployed',
        'istio-system/istiod-1-22-8': 'istiod-1.22.8 deployed',
        'istio-ingress/istio-ingress': 'gateway-1.22.8 deployed',
      });
      for (const tag of ['default', 'canary']) expect((await tagTarget(c, tag)).servedBy.length, tag).toBeGreaterThan(0);
      // the workloads were restarted after istiod went back, so they run its proxy again
      const after = await proxyImages(c.api, APP_NAMESPACES);
      for (const [pod, image] of Object.entries(after)) expect(image, pod).toBe('docker.io/istio/proxyv2:1.22.8');
      const [run] = localRuns(c);
      expect((await clusterRun(c, run!.runId))!.status).toBe('rolled-back');
    });
  });
}
