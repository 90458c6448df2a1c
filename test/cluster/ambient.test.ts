/**
 * Ambient 1.23 → 1.24 on a real control plane with real Helm 3 and Helm 4: the plan, then apply, then rollback after
 * success — each asserted on what the cluster holds (Helm's release records, tag webhooks and the istiod behind
 * them, pods re-created in the CNI → restart → ztunnel order, the gateway's proxy injected by the new revision).
 */
import { describe, expect, test } from 'vitest';
import { childProcesses, clientSideCommands, clusterRun, history, localRuns, planToFile, podCreations, releases, tagTarget } from './checks.js';
import type { KubeObject } from './harness/api.js';
import { until } from './harness/procs.js';
import { AMBIENT_123_RELEASES as BEFORE, installAmbient123 } from './setup.js';
import { AMBIENT_RESTARTED, AMBIENT_STEPS } from '../e2e/checks.js';
import { notRun, sharedCluster } from './tier.js';
import { proxyImages } from './workloads.js';

const AFTER = {
  'istio-system/istio-base': 'base-1.24.6 deployed',
  'istio-system/istiod-1-23-6': 'istiod-1.23.6 deployed',
  'istio-system/istiod-1-24-6': 'istiod-1.24.6 deployed',
  'istio-system/istio-cni': 'cni-1.24.6 deployed',
  'istio-system/ztunnel': 'ztunnel-1.24.6 deployed',
  'istio-ingress/istio-ingress': 'gateway-1.24.6 deployed',
};

// Under Helm 4, once with the mesh installed by Helm 3 (a team moving to Helm 4: Helm 4 upgrades and rolls back those
// releases client-side, as their records carry no apply method) and once with the mesh Helm 4 installed itself,
// server-side: istiod then owns failurePolicy of the validating webhooks it flipped to Fail, and Istio charts before
// 1.28 still render `Ignore` on upgrade, so the product has Helm 4 apply those charts client-side
// (src/plans/helm-apply-method.ts; without it `helm upgrade istio-base` and its rollback conflict and apply exits 5).
for (const { helm, installWith } of [
  { helm: 3, installWith: 3 },
  { helm: 4, installWith: 3 },
  { helm: 4, installWith: 4 },
] as const) {
  const installedBy = installWith === helm ? '' : `, mesh installed by Helm ${installWith}`;
  describe.skipIf(notRun(helm) ?? notRun(installWith))(`ambient 1.23 → 1.24 with real Helm ${helm}${installedBy}`, () => {
    const cluster = sharedCluster({ helm, installWith }, installAmbient123);

    test('plan, apply: releases, tags, restart order and injected proxies as the plan says', async () => {
      const c = cluster();
      expect(await releases(c)).toEqual(BEFORE);
      const { path: planPath, plan } = await planToFile(c, ['--to', '1.24']);
      expect(plan.steps.map((s) => s.id)).toEqual(AMBIENT_STEPS);
      // Releases Helm 4 installed (apply_method ssa in their records) are upgraded client-side; Helm 3's never need it.
      expect(clientSideCommands(plan)).toEqual(
        // istio-base twice: the base chart, then its defaultRevision (default-revision-move).
        installWith === 4 ? ['upgrade istio-ingress/istio-ingress', 'upgrade istio-system/istio-base', 'upgrade istio-system/istio-base', 'upgrade istio-system/istio-cni', 'upgrade istio-system/ztunnel'] : [],
      );

      const r = await c.cli(['apply', planPath]);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);

      // Helm's own records: every release at 1.24.6, the new revision installed beside the old one.
      expect(await releases(c)).toEqual(AFTER);
      // The 1.24 base chart adopted the CRDs the migration step labelled (Helm refuses resources it does not own).
      const crds = await c.api.list('CustomResourceDefinition');
      const istioCrds = crds.filter((x) => x.metadata.name.endsWith('.istio.io'));
      expect(istioCrds.length).toBeGreaterThan(10);
      for (const crd of istioCrds) expect(crd.metadata.annotations?.['meta.helm.sh/release-name'], crd.metadata.name).toBe('istio-base');

      // Both tags now point at istiod-1-24-6, whose Service has a ready istiod behind it.
      for (const tag of ['default', 'prod-stable']) {
        const t = await tagTarget(c, tag);
        expect(t.revisionLabel).toBe('1-24-6');
        expect(t.service).toBe('istio-system/istiod-1-24-6');
        expect(t.servedBy.length, `${tag} served`).toBeGreaterThan(0);
      }

      // The gateway's new pods were injected through the default tag by the new revision (the ambient profile's
      // distroless variant, from the revision's injector values).
      expect(Object.values(await proxyImages(c.api, ['istio-ingress']))).toEqual(['docker.io/istio/proxyv2:1.24.6-distroless']);

      // DNS capture: ambient pods were re-created after istio-cni was upgraded and before ztunnel was.
      const [run] = localRuns(c);
      const mirrored = (await clusterRun(c, run!.runId))!;
      expect(mirrored.status).toBe('succeeded');
      expect(mirrored.steps.map((s) => [s.id, s.status])).toEqual(AMBIENT_STEPS.map((id) => [id, 'succeeded']));
      const step = (id: string) => mirrored.steps.find((s) => s.id === id)!;
      const cniDone = Date.parse(step('h1-cni-upgrade').finishedAt!);
      const ztunnelStart = Date.parse(step('h1-ztunnel-upgrade').startedAt!);
      for (const [ns, app] of AMBIENT_RESTARTED) {
        const created = await podCreations(c, ns, app);
        expect(created.length, `${ns}/${app}`).toBeGreaterThan(0);
        // creationTimestamp has whole seconds
        for (const t of created) expect(t, `${ns}/${app}`).toBeGreaterThanOrEqual(Math.floor(cniDone / 1000) * 1000);
        for (const t of created) expect(t, `${ns}/${app}`).toBeLessThanOrEqual(ztunnelStart);
      }
      const ambientPods = await c.api.list('Pod', 'bookinfo');
      expect(ambientPods.every((p) => p.metadata.annotations?.['ambient.istio.io/redirection'] === 'enabled')).toBe(true);
      expect(step('h1-cni-upgrade').helmRevisions).toEqual({ 'istio-system/istio-cni': { before: 1, after: 2 } });
    });

    test('rollback after success: Helm rolls each release back, the new revision is uninstalled, tags return', async () => {
      const c = cluster();
      const r = await c.cli(['rollback', '--yes']);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);
      expect(await releases(c)).toEqual(BEFORE);
      const cni = await history(c, 'istio-system', 'istio-cni');
      expect(cni.map((h) => [h.revision, h.chart, h.status])).toEqual([
        [1, 'cni-1.23.6', 'superseded'],
        [2, 'cni-1.24.6', 'superseded'],
        [3, 'cni-1.23.6', 'deployed'],
      ]);
      expect(cni[2]!.description).toBe('Rollback to 1');
      for (const tag of ['default', 'prod-stable']) {
        const t = await tagTarget(c, tag);
        expect(t.revisionLabel).toBe('1-23-6');
        expect(t.service).toBe('istio-system/istiod-1-23-6');
        expect(t.servedBy.length).toBeGreaterThan(0);
      }
      expect(await c.api.get('Deployment', 'istiod-1-24-6', 'istio-system')).toBeUndefined();
      const [run] = localRuns(c);
      expect((await clusterRun(c, run!.runId))!.status).toBe('rolled-back');
    });

    test('a CNI rollout that never becomes ready: the step times out, Helm rolls istio-cni back, apply exits 4', async () => {
      const c = cluster();
      c.kubelets.setImageFault('install-cni:1.24.6', 'crash');
      const { path: planPath, plan } = await planToFile(c, ['--to', '1.24'], 'plan-fail.json');
      const r = await c.cli(['apply', planPath, '--step-timeout', '60s']);
      c.kubelets.setImageFault('install-cni:1.24.6', undefined);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(4);
      const run = localRuns(c).find((x) => x.planId === plan.metadata.id)!;
      const failed = run.steps.find((s) => s.status !== 'succeeded' && s.status !== 'pending');
      expect(failed?.id).toBe('h1-cni-upgrade');
      const cni = await history(c, 'istio-system', 'istio-cni');
      const last = cni[cni.length - 1]!;
      expect([last.chart, last.status]).toEqual(['cni-1.23.6', 'deployed']);
      expect(last.description).toMatch(/^Rollback to \d+$/);
      expect(cni.some((h) => h.chart === 'cni-1.24.6' && h.status === 'failed')).toBe(true);
      // the DaemonSet is back on 1.23.6 and every node runs it
      await c.settle(['istio-system']);
      const ds = await c.api.get<{ spec: { template: { spec: { containers: { image: string }[] } } }; status: { numberReady: number; desiredNumberScheduled: number } }>('DaemonSet', 'istio-cni-node', 'istio-system');
      expect(ds!.spec.template.spec.containers[0]!.image).toContain(':1.23.6');
      expect(ds!.status.numberReady).toBe(ds!.status.desiredNumberScheduled);
      // the steps done before it stay done; rolling the run back unwinds them
      const rb = await c.cli(['rollback', '--yes']);
      expect(rb.exitCode, rb.stderr).toBe(0);
      expect(await releases(c)).toEqual(BEFORE);
    });

    test('kill -9 while helm upgrades ztunnel, then apply again: the pending release is recovered and nothing repeats', async () => {
      const c = cluster();
      c.kubelets.setImageDelay('ztunnel:1.24.6', 20_000);
      const { path: planPath } = await planToFile(c, ['--to', '1.24'], 'plan-kill.json');
      const first = c.spawnCli(['apply', planPath]);
      const helmChild = await until(
        () => `helm upgrade ztunnel running under apply (stderr so far: ${first.stderr})`,
        async () => {
          const h = childProcesses(first.child.pid!).find((x) => x.argv.includes('upgrade') && x.argv.includes('ztunnel'));
          if (!h) return undefined;
          const pending = JSON.parse(await c.helmOk(['list', '-n', 'istio-system', '--pending', '-o', 'json'])) as { name: string }[];
          return pending.some((x) => x.name === 'ztunnel') ? h : undefined;
        },
        300_000,
        200,
      );
      const istiodRevisions = (await history(c, 'istio-system', 'istiod-1-24-6')).length;
      const cniRevisions = (await history(c, 'istio-system', 'istio-cni')).length;
      // the whole job dies at once, as a CI runner killing its process group does
      process.kill(helmChild.pid, 'SIGKILL');
      first.child.kill('SIGKILL');
      expect((await first.done).signal).toBe('SIGKILL');
      expect((await releases(c))['istio-system/ztunnel']).toBe('ztunnel-1.24.6 pending-upgrade');

      c.kubelets.setImageDelay('ztunnel:1.24.6', undefined);
      // The dead run's lock is still held (its lease lasts 60 s): refused, naming the holder and the way out.
      const refused = await c.cli(['apply', planPath]);
      expect(refused.exitCode, refused.stderr).toBe(3);
      const unlock = /istio-upgrade force-unlock (\S+)/.exec(refused.stderr)?.[1];
      expect(unlock, refused.stderr).toBeDefined();
      const unlocked = await c.cli(['force-unlock', unlock!]);
      expect(unlocked.exitCode, unlocked.stderr).toBe(0);
      const again = await c.cli(['apply', planPath]);
      expect(again.exitCode, `${again.stderr}\n${c.diagnostics()}`).toBe(0);
      expect(again.stderr).toContain('resuming run');
      expect(await releases(c)).toEqual(AFTER);
      // steps finished before the kill were not run again
      expect(await history(c, 'istio-system', 'istiod-1-24-6')).toHaveLength(istiodRevisions);
      expect(await history(c, 'istio-system', 'istio-cni')).toHaveLength(cniRevisions);
      const zt = await history(c, 'istio-system', 'ztunnel');
      expect(zt.some((h) => h.chart === 'ztunnel-1.24.6' && h.status !== 'deployed' && h.status !== 'superseded')).toBe(true);
    });

    test('cleanup after the upgrade: istiod-1-23-6 is removed (the upgrade already moved the validator to 1-24-6); injection keeps working', async () => {
      const c = cluster();
      const r = await c.cli(['cleanup', '--yes', '--chart-repo', 'istio']);
      expect(r.exitCode, `${r.stderr}\n${c.diagnostics()}`).toBe(0);
      const { 'istio-system/istiod-1-23-6': _removed, ...left } = AFTER;
      expect(await releases(c)).toEqual(left);
      expect(await c.api.get('Deployment', 'istiod-1-23-6', 'istio-system')).toBeUndefined();
      const validator = await c.api.get<KubeObject & { webhooks: { clientConfig: { service?: { name: string } } }[] }>('ValidatingWebhookConfiguration', 'istiod-default-validator');
      expect(validator!.webhooks.map((w) => w.clientConfig.service?.name)).toEqual(['istiod-1-24-6']);
      for (const tag of ['default', 'prod-stable']) expect((await tagTarget(c, tag)).servedBy.length, tag).toBeGreaterThan(0);
      // a gateway pod created now is still admitted and injected (failurePolicy Fail: a webhook pointing at the
      // removed revision would reject it)
      const old = (await c.api.list('Pod', 'istio-ingress')).map((p) => p.metadata.name);
      for (const name of old) await c.api.delete('Pod', name, 'istio-ingress');
      await until(
        () => 'a new istio-ingress pod',
        async () => (await c.api.list('Pod', 'istio-ingress')).some((p) => !old.includes(p.metadata.name)) || undefined,
        120_000,
        300,
      );
      await c.settle(['istio-ingress']);
      expect(Object.keys(await proxyImages(c.api, ['istio-ingress'])).some((k) => old.includes(k.split('/')[1]!))).toBe(false);
      expect(Object.values(await proxyImages(c.api, ['istio-ingress']))).toEqual(['docker.io/istio/proxyv2:1.24.6-distroless']);
    });
  });
}
