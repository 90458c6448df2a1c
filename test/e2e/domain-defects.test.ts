/**
 * End to end, for plan defects that only show at run time: what the fake cluster injects into pods after the steps
 * on a revision-less Helm control plane with a tag pointing at it (fixture revisionless-tagged; issue 9 defects 1
 * and 2), and a half-done upgrade finished by planning again (issue 14 item 5).
 */
import { describe, expect, test } from 'vitest';
import type { KubeObject } from '../fake-apiserver/index.js';
import { reconcile } from '../fakebin/index.js';
import type { E2eCluster } from './harness.js';
import { isMutating, shortArgv, startCluster } from './harness.js';
import { imageVersion, tagRevision } from './checks.js';

type Pod = KubeObject & { spec?: { containers?: { name: string; image: string }[] }; status?: { phase?: string } };

/** Injecting revision and proxy version of every running pod of a namespace. */
function injected(c: E2eCluster, namespace: string): string[] {
  return (c.server.list('v1', 'Pod', namespace) as Pod[])
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .map((p) => {
      const proxy = p.spec?.containers?.find((x) => x.name === 'istio-proxy')?.image ?? 'no proxy';
      return `${p.metadata.annotations?.['istio.io/rev'] ?? 'not injected'} ${/:(\d+\.\d+\.\d+)/.exec(proxy)?.[1] ?? proxy}`;
    })
    .sort();
}

/** Rolls a Deployment the way `kubectl rollout restart` does and lets the controllers (and the injector) act. */
async function restart(c: E2eCluster, namespace: string, name: string): Promise<void> {
  const d = c.server.get('apps/v1', 'Deployment', name, namespace) as KubeObject & { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
  const template = d.spec.template;
  template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } };
  c.server.load([{ ...d, metadata: { ...d.metadata, generation: Number(d.metadata.generation ?? 1) + 1 } }]);
  await reconcile(c.server, 'Deployment', namespace, name);
}

describe.concurrent('e2e: revision-less control plane with a tag', () => {
  test('defect 1: the gateway release is pinned to the new revision and its pods are injected by it, so removing the old istiod is safe', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'revisionless-tagged', controllers: true });
    const plan = await c.plan(['--to', '1.24', '--include-cleanup']);
    const gw = plan.steps.find((s) => s.id === 'h1-gateway-upgrade-istio-ingress')!;
    expect(gw.commands[0]!.argv).toContain('revision=1-24-6');
    expect(gw.verify).toContainEqual(expect.objectContaining({ type: 'workloads-restarted', revision: '1-24-6', proxyVersion: '1.24.6' }));

    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(new Set(injected(c, 'istio-ingress'))).toEqual(new Set(['1-24-6 1.24.6']));
    expect(c.server.get('apps/v1', 'Deployment', 'istiod', 'istio-system')).toBeUndefined();
    // A gateway pod created after the old istiod is gone is still injected (by the new revision).
    await restart(c, 'istio-ingress', 'istio-ingress');
    expect(new Set(injected(c, 'istio-ingress'))).toEqual(new Set(['1-24-6 1.24.6']));
  }, 180_000);

  test('defect 2: rolling back the move of a tag that pointed at the revision-less istiod points it at Service istiod again; new pods are injected', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'revisionless-tagged', controllers: true });
    const plan = await c.plan(['--to', '1.24']);
    const move = plan.steps.find((s) => s.id === 'h1-tag-move-prod')!;
    expect(move.rollback!.commands[0]!.argv.join(' ')).toContain('--set revision=');
    expect(move.rollback!.commands[0]!.argv).not.toContain('revision=default');
    // The tag move itself fails after nothing changed; its rollback re-renders the tag for the revision-less istiod.
    c.faults([{ tool: 'helm', match: ['template', 'revisionTags={prod}', 'revision=1-24-6'], stderr: 'Error: chart "istiod" version "1.24.6" not found' }]);

    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(4);
    const mwc = c.server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod') as KubeObject & { webhooks: { clientConfig: { service: { name: string } } }[] };
    expect(new Set(mwc.webhooks.map((w) => w.clientConfig.service.name))).toEqual(new Set(['istiod']));
    await restart(c, 'shop', 'cart');
    expect(new Set(injected(c, 'shop'))).toEqual(new Set(['default 1.23.6']));
  }, 180_000);
});

describe('e2e: a half-done upgrade is finished by planning again (issue 14 item 5)', () => {
  test('apply --to 1.24 fails at ztunnel; apply --to 1.24 again finishes ztunnel, tags and gateway without reinstalling istiod', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    c.faults([{ tool: 'helm', match: ['upgrade', 'ztunnel'], stderr: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress' }]);
    const first = await c.cli(['apply', '--to', '1.24', '--yes'], { timeoutMs: 120_000 });
    expect(first.exitCode, first.stderr).toBe(4);
    expect(tagRevision(c.server, 'default')).toBe('1-23-6');
    c.faults([]);
    const before = c.callLog().length;

    const second = await c.cli(['apply', '--to', '1.24', '--yes'], { timeoutMs: 120_000 });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout + second.stderr).not.toMatch(/nothing to do/i);
    expect(imageVersion(c.server, 'DaemonSet', 'istio-system', 'ztunnel')).toBe('1.24.6');
    expect(tagRevision(c.server, 'default')).toBe('1-24-6');
    expect(tagRevision(c.server, 'prod-stable')).toBe('1-24-6');
    const again = c.callLog().slice(before).filter(isMutating).map(shortArgv);
    expect(again.some((a) => a.startsWith('helm install istiod-1-24-6'))).toBe(false);
    expect(again.some((a) => a.startsWith('helm upgrade istio-cni'))).toBe(false);
    expect(again.some((a) => a.startsWith('helm upgrade ztunnel'))).toBe(true);
  }, 300_000);
});
