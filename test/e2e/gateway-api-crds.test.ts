/**
 * End to end (issue 9, Gateway API CRDs as a step): the ambient 1.23 fixture with its Gateway API CRDs at v1.0.0, which
 * istiod 1.24 ignores for GRPCRoute (grpcroutes needs bundle v1.1.0 or newer). The plan upgrades them to v1.2.1 from the
 * release manifest it names (served here on the loopback, as a mirror would serve it); apply applies it and verifies
 * the bundle annotation; rollback re-applies the v1.0.0 bundle. No CRD is ever deleted. Both manifests are fetched and
 * checked with the prerequisites, before the first change; the run records their sha256 and applies those bytes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dump } from 'js-yaml';
import { describe, expect, test } from 'vitest';
import type { KubeObject } from '../fake-apiserver/index.js';
import { isMutating, startCluster, type E2eCluster } from './harness.js';

const BUNDLE = 'gateway.networking.k8s.io/bundle-version';
const isGatewayApi = (o: KubeObject) => o.metadata.name.endsWith('.gateway.networking.k8s.io');
const gatewayCrds = (c: E2eCluster) => (c.server.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition') as KubeObject[]).filter(isGatewayApi);
const bundles = (c: E2eCluster) => new Set(gatewayCrds(c).map((o) => o.metadata.annotations?.[BUNDLE]));
const atBundle = (crds: KubeObject[], version: string): KubeObject[] =>
  crds.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, annotations: { ...o.metadata.annotations, [BUNDLE]: `v${version}` } }, spec: (o as { spec?: unknown }).spec }) as KubeObject);

/** A mirror of the Gateway API release downloads: v<version>/standard-install.yaml for the versions given. */
async function releaseMirror(manifests: Record<string, KubeObject[]>): Promise<{ url: string; requested: string[]; sha256: (version: string) => string; close: () => Promise<void> }> {
  const requested: string[] = [];
  const text = (version: string) => manifests[version]!.map((o) => dump(o)).join('---\n');
  const server: Server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const version = /^\/releases\/v([\d.]+)\/standard-install\.yaml$/.exec(req.url ?? '')?.[1];
    if (!version || !manifests[version]) {
      res.statusCode = 404;
      res.end('Not Found');
      return;
    }
    res.end(text(version));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`,
    requested,
    sha256: (version) => `sha256:${createHash('sha256').update(text(version)).digest('hex')}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const path = (version: string) => `/releases/v${version}/standard-install.yaml`;

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

    // The dry run checks the manifests as the real apply does before its first change: the step's and its rollback's.
    const dry = await c.cli(['apply', c.planPath, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f ${mirror.url}/v1.2.1/standard-install.yaml`);
    expect(dry.stderr).toContain(`Gateway API v1.2.1 standard manifest fetched and checked: ${mirror.url}/v1.2.1/standard-install.yaml (${mirror.sha256('1.2.1')})`);
    expect([...mirror.requested].sort()).toEqual([path('1.0.0'), path('1.2.1')]);
    mirror.requested.length = 0;

    // apply fetches each manifest once, with the prerequisites; the step applies those bytes (no fetch of its own).
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(bundles(c)).toEqual(new Set(['v1.2.1']));
    expect([...mirror.requested].sort()).toEqual([path('1.0.0'), path('1.2.1')]);
    expect(r.stderr).toContain(`Gateway API v1.2.1 standard manifest fetched and checked: ${mirror.url}/v1.2.1/standard-install.yaml (${mirror.sha256('1.2.1')})`);
    const [run] = c.localRuns();
    for (const rec of [run!, c.clusterRun(run!.runId)!]) {
      expect(rec.gatewayApiBundles).toEqual([
        { url: `${mirror.url}/v1.2.1/standard-install.yaml`, version: '1.2.1', channel: 'standard', sha256: mirror.sha256('1.2.1') },
        { url: `${mirror.url}/v1.0.0/standard-install.yaml`, version: '1.0.0', channel: 'standard', sha256: mirror.sha256('1.0.0') },
      ]);
    }
    mirror.requested.length = 0;

    // rollback fetches the v1.0.0 manifest again and holds it to the digest the run recorded.
    const rb = await c.cli(['rollback', '--yes'], { timeoutMs: 200_000 });
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(mirror.requested).toEqual([path('1.0.0')]);
    expect(bundles(c)).toEqual(new Set(['v1.0.0']));
    expect(gatewayCrds(c).map((o) => o.metadata.name).sort()).toEqual(original.map((o) => o.metadata.name).sort());
  }, 300_000);

  test('a manifest that is not the bundle the plan names, or that cannot be fetched, is refused before the first change (exit 3)', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const original = gatewayCrds(c);
    c.server.load(atBundle(original, '1.0.0'));
    // The mirror serves v1.3.0 content under the v1.2.1 name, and not the v1.0.0 the rollback would re-apply.
    const mirror = await releaseMirror({ '1.2.1': atBundle(original, '1.3.0') });
    ctx.onTestFinished(() => mirror.close());
    await c.plan(['--to', '1.24', '--gateway-api-releases', mirror.url]);
    c.server.clearRequests();
    const r = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('prerequisites not met: ');
    expect(r.stderr).toContain(`${mirror.url}/v1.2.1/standard-install.yaml is not the Gateway API v1.2.1 standard bundle`);
    expect(r.stderr).toContain(`the Gateway API v1.0.0 standard manifest cannot be fetched: GET ${mirror.url}/v1.0.0/standard-install.yaml: HTTP 404`);
    // Nothing changed: no helm or istioctl change, no write at all (lock and run record included).
    expect(c.callLog().filter(isMutating)).toEqual([]);
    expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject'))).toEqual([]);
    expect(c.localRuns()).toEqual([]);
    expect(bundles(c)).toEqual(new Set(['v1.0.0']));
    expect(c.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', 'istio-system')).toBeUndefined();
  }, 300_000);
});
