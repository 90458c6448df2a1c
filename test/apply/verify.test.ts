import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/k8s/objects.js';
import type { ResourceRef } from '../../src/k8s/resources.js';
import type { ListOptions } from '../../src/k8s/source.js';
import type { VerifySpec } from '../../src/plan/schema.js';
import { verifySpec, type VerifyDeps } from '../../src/apply/verify.js';
import type { ObjectWatcher } from '../../src/apply/rollout-waiter.js';
import { FakeClock, inventory, NS, T0 } from './fakes.js';

/** Objects by resource plural; list honours equality label selectors, which is all verification uses. */
class MemoryReader {
  constructor(public objects: KubeObject[]) {}
  private of(r: ResourceRef) {
    return this.objects.filter((o) => o.kind === r.kind);
  }
  async get(r: ResourceRef, name: string, namespace?: string) {
    return this.of(r).find((o) => o.metadata.name === name && (!r.namespaced || o.metadata.namespace === namespace));
  }
  async list(r: ResourceRef, opts: ListOptions = {}) {
    const sel = (opts.labelSelector ?? '').split(',').filter(Boolean).map((p) => p.split('='));
    return this.of(r).filter((o) => (!opts.namespace || o.metadata.namespace === opts.namespace) && sel.every(([k, v]) => o.metadata.labels?.[k!] === v));
  }
}

const idleWatch: ObjectWatcher = { watch: (_r, _n, _m, _v, _t, _e, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('ended'))) };

function helmSecret(release: string, version: number, status: string, chartVersion: string): KubeObject {
  const payload = gzipSync(JSON.stringify({ name: release, namespace: NS, version, info: { status }, chart: { metadata: { name: 'istiod', version: chartVersion } }, config: {} }));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `sh.helm.release.v1.${release}.v${version}`, namespace: NS, labels: { owner: 'helm', name: release, version: String(version), status } },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(payload.toString('base64')).toString('base64') },
  };
}

function deps(objects: KubeObject[], clock = new FakeClock()): VerifyDeps {
  return { reader: new MemoryReader(objects), watcher: idleWatch, clock, istioNamespace: NS, inventory: async () => inventory(), settleMs: 10_000 };
}

const ctx = (over: Partial<{ probe: boolean; since: number }> = {}) => ({ signal: new AbortController().signal, deadline: T0 + 60_000, probe: false, ...over });
const check = (spec: VerifySpec, objects: KubeObject[], over?: Partial<{ probe: boolean; since: number }>) => verifySpec(spec, ctx(over), deps(objects));

describe('verify specs', () => {
  it('helm-release: the latest revision is deployed with the chart version (decoded from the release)', async () => {
    const spec: VerifySpec = { type: 'helm-release', release: 'istiod', namespace: NS, status: 'deployed', chartVersion: '1.24.6' };
    expect(await check(spec, [helmSecret('istiod', 1, 'superseded', '1.23.6'), helmSecret('istiod', 2, 'deployed', '1.24.6')])).toEqual({ ok: true });
    expect(await check(spec, [helmSecret('istiod', 2, 'deployed', '1.23.6')])).toEqual({ ok: false, reason: 'Helm release istio-system/istiod runs chart 1.23.6, not 1.24.6' });
    expect(await check(spec, [helmSecret('istiod', 1, 'deployed', '1.24.6'), helmSecret('istiod', 2, 'pending-upgrade', '1.24.6')])).toEqual({
      ok: false,
      reason: 'Helm release istio-system/istiod revision 2 is pending-upgrade, not deployed',
    });
    const absent: VerifySpec = { type: 'helm-release', release: 'istiod', namespace: NS, status: 'deployed', absent: true };
    expect(await check(absent, [])).toEqual({ ok: true });
    expect(await check(absent, [helmSecret('istiod', 3, 'uninstalled', '1.23.6')])).toEqual({ ok: true });
  });

  it('plain checks retry for a short while, then fail without waiting for the whole step timeout', async () => {
    const clock = new FakeClock();
    const r = await verifySpec({ type: 'helm-release', release: 'istiod', namespace: NS, status: 'deployed' }, ctx(), deps([], clock));
    expect(r).toEqual({ ok: false, reason: 'Helm release istio-system/istiod does not exist' });
    expect(clock.now() - T0).toBe(10_000);
  });

  it('tag-points-to: the tag webhook and, from 1.28, its Service', async () => {
    const mwc = (rev: string): KubeObject => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-revision-tag-default', labels: { 'istio.io/rev': rev, 'istio.io/tag': 'default' } } });
    const svc = (rev: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istiod-revision-tag-default', namespace: NS }, spec: { selector: { app: 'istiod', 'istio.io/rev': rev } } });
    const spec: VerifySpec = { type: 'tag-points-to', tag: 'default', revision: '1-24-6' };
    expect(await check(spec, [mwc('1-24-6')])).toEqual({ ok: true });
    expect(await check(spec, [mwc('1-24-6'), svc('1-24-6')])).toEqual({ ok: true });
    expect(await check(spec, [mwc('1-24-6'), svc('1-23-6')], { probe: true })).toEqual({ ok: false, reason: 'Service istio-system/istiod-revision-tag-default selects revision 1-23-6, not 1-24-6' });
    expect(await check(spec, [mwc('1-23-6')], { probe: true })).toEqual({ ok: false, reason: 'tag default webhook points at 1-23-6, not 1-24-6' });
  });

  it('namespaces-labelled and crds-helm-owned', async () => {
    const ns = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
    expect(await check({ type: 'namespaces-labelled', namespaces: ['shop'], label: 'istio.io/rev', value: '1-24-6' }, [ns({ 'istio.io/rev': '1-24-6' })])).toEqual({ ok: true });
    expect(await check({ type: 'namespaces-labelled', namespaces: ['shop'], label: 'istio-injection', value: null }, [ns({ 'istio-injection': 'enabled' })], { probe: true })).toEqual({
      ok: false,
      reason: 'namespace shop has istio-injection=enabled, not (unset)',
    });
    const crd = (name: string, owned: boolean): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name, ...(owned ? { labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'istio-base', 'meta.helm.sh/release-namespace': NS } } : {}) },
    });
    const owned: VerifySpec = { type: 'crds-helm-owned', release: 'istio-base', namespace: NS };
    expect(await check(owned, [crd('gateways.networking.istio.io', true), crd('httproutes.gateway.networking.k8s.io', false)])).toEqual({ ok: true });
    expect(await check(owned, [crd('gateways.networking.istio.io', true), crd('sidecars.networking.istio.io', false)], { probe: true })).toEqual({
      ok: false,
      reason: '1 Istio CRD(s) not owned by Helm release istio-system/istio-base, e.g. sidecars.networking.istio.io',
    });
  });

  it('workloads-restarted: restarted by this run, rolled out, pods on the new revision and proxy', async () => {
    const dep = (restartedAt: string | undefined): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop', generation: 2, uid: 'u' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { annotations: restartedAt ? { 'kubectl.kubernetes.io/restartedAt': restartedAt } : {} } } },
      status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    });
    const p = (rev: string, image: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cart-1', namespace: 'shop', labels: { app: 'cart' }, annotations: { 'istio.io/rev': rev } },
      spec: { containers: [{ name: 'cart', image: 'shop/cart:7' }, { name: 'istio-proxy', image }] },
    });
    const spec: VerifySpec = { type: 'workloads-restarted', workloads: [{ kind: 'Deployment', namespace: 'shop', name: 'cart' }], revision: '1-24-6', proxyVersion: '1.24.6' };
    const at = new Date(T0 + 1000).toISOString();
    expect(await check(spec, [dep(at), p('1-24-6', 'docker.io/istio/proxyv2:1.24.6-distroless')], { since: T0 })).toEqual({ ok: true });
    expect(await check(spec, [dep(at), p('1-23-6', 'docker.io/istio/proxyv2:1.23.6')])).toEqual({ ok: false, reason: 'pod shop/cart-1 was injected by 1-23-6, not 1-24-6' });
    expect(await check(spec, [dep(undefined), p('1-24-6', 'docker.io/istio/proxyv2:1.24.6')], { probe: true, since: T0 })).toEqual({
      ok: false,
      reason: 'Deployment shop/cart was not restarted by this run',
    });
  });

  it('revision-absent and preflight-passed', async () => {
    const istiod: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod-1-23-6', namespace: NS, labels: { app: 'istiod', 'istio.io/rev': '1-23-6' } } };
    expect(await check({ type: 'revision-absent', revision: '1-23-6' }, [istiod], { probe: true })).toEqual({ ok: false, reason: 'istiod Deployment istio-system/istiod-1-23-6 of revision 1-23-6 still exists' });
    expect(await check({ type: 'revision-absent', revision: '1-23-6' }, [])).toEqual({ ok: true });
    expect(await check({ type: 'preflight-passed' }, [])).toEqual({ ok: true });
  });
});
