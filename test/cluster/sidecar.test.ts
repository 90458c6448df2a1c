/**
 * Sidecar meshes on a real control plane: canary 1.22 → 1.24 with revision tags and a gateway (Helm 3 and 4), and an
 * in-place 1.22 → 1.23 upgrade (Helm 3 and 4). Proxy versions are read from the pods the real controllers re-created and the
 * simulated istiod injected through the webhooks the tags point at.
 */
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import type { RealCluster } from './harness/cluster.js';
import { clusterRun, localRuns, planToFile, releases, tagTarget } from './checks.js';
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

for (const helm of [3, 4] as const) {
  // installed with Helm 3, as in ambient.test.ts (a mesh Helm 4 installed itself meets the known defect there)
  describe.skipIf(notRun(helm) ?? notRun(3))(`sidecar canary 1.22 → 1.24 with real Helm ${helm}`, () => {
    const cluster = sharedCluster({ helm, installWith: 3 }, installSidecar122);

    test('tags move, every tagged workload restarts onto 1.24.6 proxies, the old revision stays', async () => {
      const c = cluster();
      const before = await proxyImages(c.api, APP_NAMESPACES);
      expect(new Set(Object.values(before))).toEqual(new Set(['docker.io/istio/proxyv2:1.22.8']));

      const plan = await planAndApply(c, ['--to', '1.24']);
      expect(plan.steps.map((s) => s.kind)).toEqual([
        'preflight', 'backup', 'crd-migration-labels', 'base-chart-upgrade', 'istiod-install',
        'tag-move', 'workload-restart', 'tag-move', 'workload-restart', 'gateway-upgrade',
      ]);
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

for (const helm of [3, 4] as const) {
  describe.skipIf(notRun(helm) ?? notRun(3))(`sidecar in-place 1.22 → 1.23 with real Helm ${helm}`, () => {
    const cluster = sharedCluster({ helm, installWith: 3 }, installSidecar122);

    test('istiod-1-22-8 is upgraded in place and every workload restarts onto 1.23.6 proxies', async () => {
      const c = cluster();
      const plan = await planAndApply(c, ['--to', '1.23', '--strategy', 'in-place']);
      expect(plan.steps.map((s) => s.kind)).toEqual(['preflight', 'backup', 'base-chart-upgrade', 'istiod-upgrade', 'workload-restart', 'gateway-upgrade']);
      expect(await releases(c)).toEqual({
        'istio-system/istio-base': 'base-1.23.6 deployed',
        'istio-system/istiod-1-22-8': 'istiod-1.23.6 deployed',
        'istio-ingress/istio-ingress': 'gateway-1.23.6 deployed',
      });
      const after = await proxyImages(c.api, [...APP_NAMESPACES, 'istio-ingress']);
      for (const [pod, image] of Object.entries(after)) expect(image, pod).toBe('docker.io/istio/proxyv2:1.23.6');
    });
  });
}
