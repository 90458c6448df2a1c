/**
 * A two-hop ambient upgrade 1.23 → 1.25 (ambient goes one minor per hop: 1.23.6 → 1.24.6 → 1.25.5) on a real control
 * plane with real Helm 3, and with real Helm 4 on a mesh Helm 4 installed (server-side), then the rollback of that one run — asserted on Helm's release histories, the tag webhooks
 * and the istiod behind them, and the proxies the simulated istiod injected.
 */
import { describe, expect, test } from 'vitest';
import { clientSideCommands, clusterRun, history, localRuns, planToFile, podCreations, releases, tagTarget } from './checks.js';
import { AMBIENT_123_RELEASES as BEFORE, installAmbient123 } from './setup.js';
import { AMBIENT_RESTARTED, AMBIENT_STEPS } from '../e2e/checks.js';
import { notRun, sharedCluster } from './tier.js';
import { proxyImages } from './workloads.js';

// The second hop has no DNS-capture restart (the first did it) and no backup or preflight of its own.
const HOP2_STEPS = ['base-chart-upgrade', 'istiod-install', 'cni-upgrade', 'ztunnel-upgrade', 'tag-move-prod-stable', 'tag-move-default', 'default-revision-move', 'gateway-upgrade-istio-ingress'].map((s) => `h2-${s}`);

for (const helm of [3, 4] as const) {
  describe.skipIf(notRun(helm))(`ambient 1.23 → 1.25 in two hops with real Helm ${helm}${helm === 4 ? ', mesh installed by Helm 4' : ''}`, () => {
    const cluster = sharedCluster({ helm, installWith: helm }, installAmbient123);

    test('each hop installs its istiod, upgrades CNI before ztunnel and moves the tags; the gateway ends on 1.25.5', async () => {
      const c = cluster();
      const { path: planPath, plan } = await planToFile(c, ['--to', '1.25']);
      expect(plan.steps.map((s) => s.id)).toEqual([...AMBIENT_STEPS, ...HOP2_STEPS]);
      // Both hops upgrade the releases Helm 4 installed client-side (the first hop's leaves them csa; the second's flag is
      // decided from the records the plan was made from).
      const upgraded = ['upgrade istio-ingress/istio-ingress', 'upgrade istio-system/istio-base', 'upgrade istio-system/istio-cni', 'upgrade istio-system/ztunnel'];
      // istio-base twice per hop: the base chart, then its defaultRevision.
      expect(clientSideCommands(plan)).toEqual(helm === 4 ? [...upgraded, 'upgrade istio-system/istio-base'].flatMap((u) => [u, u]).sort() : []);

      const r = await c.cli(['apply', planPath]);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);

      expect(await releases(c)).toEqual({
        'istio-system/istio-base': 'base-1.25.5 deployed',
        'istio-system/istiod-1-23-6': 'istiod-1.23.6 deployed',
        'istio-system/istiod-1-24-6': 'istiod-1.24.6 deployed',
        'istio-system/istiod-1-25-5': 'istiod-1.25.5 deployed',
        'istio-system/istio-cni': 'cni-1.25.5 deployed',
        'istio-system/ztunnel': 'ztunnel-1.25.5 deployed',
        'istio-ingress/istio-ingress': 'gateway-1.25.5 deployed',
      });
      // every node agent went through the intermediate version, one Helm revision per hop
      for (const [release, chart] of [['istio-cni', 'cni'], ['ztunnel', 'ztunnel']] as const) {
        const h = await history(c, 'istio-system', release);
        expect(h.map((x) => x.chart), release).toEqual([`${chart}-1.23.6`, `${chart}-1.24.6`, `${chart}-1.25.5`]);
      }
      // istio-base twice per hop: the chart upgrade (CRDs), then the move of defaultRevision and the default validator
      expect((await history(c, 'istio-system', 'istio-base')).map((x) => x.chart)).toEqual(['base-1.23.6', 'base-1.24.6', 'base-1.24.6', 'base-1.25.5', 'base-1.25.5']);
      for (const tag of ['default', 'prod-stable']) {
        const t = await tagTarget(c, tag);
        expect(t).toMatchObject({ revisionLabel: '1-25-5', service: 'istio-system/istiod-1-25-5' });
        expect(t.servedBy.length, `${tag} served`).toBeGreaterThan(0);
      }
      expect(Object.values(await proxyImages(c.api, ['istio-ingress']))).toEqual(['docker.io/istio/proxyv2:1.25.5-distroless']);

      const [run] = localRuns(c);
      const mirrored = (await clusterRun(c, run!.runId))!;
      expect(mirrored.status).toBe('succeeded');
      const step = (id: string) => mirrored.steps.find((s) => s.id === id)!;
      // the DNS-capture restart ran between the first hop's CNI and ztunnel upgrades, and the second hop's CNI
      // upgrade waited for the first hop's ztunnel
      const cniDone = Math.floor(Date.parse(step('h1-cni-upgrade').finishedAt!) / 1000) * 1000;
      const ztunnelStart = Date.parse(step('h1-ztunnel-upgrade').startedAt!);
      for (const [ns, app] of AMBIENT_RESTARTED) {
        for (const t of await podCreations(c, ns, app)) {
          expect(t, `${ns}/${app}`).toBeGreaterThanOrEqual(cniDone);
          expect(t, `${ns}/${app}`).toBeLessThanOrEqual(ztunnelStart);
        }
      }
      expect(Date.parse(step('h2-cni-upgrade').startedAt!)).toBeGreaterThanOrEqual(Date.parse(step('h1-ztunnel-upgrade').finishedAt!));
      const ambientPods = await c.api.list('Pod', 'bookinfo');
      expect(ambientPods.every((x) => x.metadata.annotations?.['ambient.istio.io/redirection'] === 'enabled')).toBe(true);
    });

    test('rollback of the two-hop run: every release back on 1.23.6, both new revisions removed, tags return', async () => {
      const c = cluster();
      const r = await c.cli(['rollback', '--yes']);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);
      expect(await releases(c)).toEqual(BEFORE);
      for (const tag of ['default', 'prod-stable']) {
        const t = await tagTarget(c, tag);
        expect(t).toMatchObject({ revisionLabel: '1-23-6', service: 'istio-system/istiod-1-23-6' });
        expect(t.servedBy.length, `${tag} served`).toBeGreaterThan(0);
      }
      for (const rev of ['1-24-6', '1-25-5']) expect(await c.api.get('Deployment', `istiod-${rev}`, 'istio-system'), rev).toBeUndefined();
      await c.settle(['istio-ingress']);
      expect(Object.values(await proxyImages(c.api, ['istio-ingress']))).toEqual(['docker.io/istio/proxyv2:1.23.6-distroless']);
      const [run] = localRuns(c);
      expect((await clusterRun(c, run!.runId))!.status).toBe('rolled-back');
    });
  });
}
