/**
 * End to end (issue 9, Gateway API CRDs as a step): the ambient 1.23 fixture with its Gateway API CRDs at v1.0.0, which
 * istiod 1.24 ignores for GRPCRoute (grpcroutes needs bundle v1.1.0 or newer). The plan upgrades them to v1.2.1 from the
 * release manifest it names (served here on the loopback, as a mirror would serve it); apply applies it and verifies
 * the bundle annotation; rollback re-applies the v1.0.0 bundle. No CRD is ever deleted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dump } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import type { KubeObject } from '../fake-apiserver/index.js';
import { startCluster, type E2eCluster } from './harness.js';

const BUNDLE = 'gateway.networking.k8s.io/bundle-version';
const isGatewayApi = (o: KubeObject) => o.metadata.name.endsWith('.gateway.networking.k8s.io');
const gatewayCrds = (c: E2eCluster) => (c.server.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition') as KubeObject[]).filter(isGatewayApi);
const bundles = (c: E2eCluster) => new Set(gatewayCrds(c).map((o) => o.metadata.annotations?.[BUNDLE]));
const atBundle = (crds: KubeObject[], version: string): KubeObject[] =>
  crds.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, annotations: { ...o.metadata.annotations, [BUNDLE]: `v${version}` } }, spec: (o as { spec?: unknown }).spec }) as KubeObject);

/** A mirror of the Gateway API release downloads: v<version>/standard-install.yaml for the versions given. */
async function releaseMirror(manifests: Record<string, KubeObject[]>): Promise<{ url: string; requested: string[]; close: () => Promise<void> }> {
  const requested: string[] = [];
  const server: Server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const version = /^\/releases\/v([\d.]+)\/standard-install\.yaml$/.exec(req.url ?? '')?.[1];
    const objects = version ? manifests[version] : undefined;
    if (!objects) {
      res.statusCode = 404;
      res.end('Not Found');
      return;
    }
    res.end(objects.map((o) => dump(o)).join('---\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`, requested, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('e2e: Gateway API CRDs as a step', () => {
  test('plan names the v1.2.1 release manifest before istiod 1.24; apply upgrades and verifies the bundle; rollback re-applies v1.0.0', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const original = gatewayCrds(c);
    expect(original.length).toBeGreaterThan(0);
    c.server.load(atBundle(original, '1.0.0'));
    const mirror = await releaseMirror({ '1.2.1': atBundle(original, '1.2.1'), '1.0.0': atBundle(original, '1.0.0') });
    ctx.onTestFinished(() => mirror.close());

    const plan = await c.plan(['--to', '1.24', '--gateway-api-releases', mirror.url]);
    const ids = plan.steps.map((s) => s.id);
    const step = plan.steps.find((s) => s.kind === 'gateway-api-crds-upgrade')!;
    expect(ids.indexOf(step.id)).toBe(ids.findIndex((id) => id.startsWith('h1-istiod-install')) - 1);
    expect(step.commands[0]!.argv.at(-1)).toBe(`${mirror.url}/v1.2.1/standard-install.yaml`);

    const dry = await c.cli(['apply', c.planPath, '--dry-run']);
    expect(dry.stdout).toContain(`kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f ${mirror.url}/v1.2.1/standard-install.yaml`);
    expect(mirror.requested).toEqual([]); // a dry run fetches nothing

    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(bundles(c)).toEqual(new Set(['v1.2.1']));
    expect(mirror.requested).toEqual(['/releases/v1.2.1/standard-install.yaml']);

    const rb = await c.cli(['rollback', '--yes'], { timeoutMs: 200_000 });
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(bundles(c)).toEqual(new Set(['v1.0.0']));
    expect(gatewayCrds(c).map((o) => o.metadata.name).sort()).toEqual(original.map((o) => o.metadata.name).sort());
  }, 300_000);

  test('a manifest that is not the bundle the plan names changes no CRD, and the run stops before istiod', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const original = gatewayCrds(c);
    c.server.load(atBundle(original, '1.0.0'));
    // The mirror serves v1.3.0 content under the v1.2.1 name.
    const mirror = await releaseMirror({ '1.2.1': atBundle(original, '1.3.0') });
    ctx.onTestFinished(() => mirror.close());
    await c.plan(['--to', '1.24', '--gateway-api-releases', mirror.url]);
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('is not the Gateway API v1.2.1 standard bundle');
    expect(bundles(c)).toEqual(new Set(['v1.0.0']));
    expect(c.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', 'istio-system')).toBeUndefined();
  }, 300_000);
});
