/**
 * The real-cluster rig itself: a real control plane that schedules, simulated kubelets that run pods, RBAC that
 * denies, and simulated istiod webhooks reached through the API server's egress — each shown to work and to fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Api } from './harness/api.js';
import { binDir } from './harness/bins.js';
import { RealCluster } from './harness/cluster.js';
import { until } from './harness/procs.js';
import { notRun } from './tier.js';
import { deployment, namespace, proxyImages } from './workloads.js';

describe.skipIf(notRun(3))('real control plane', () => {
  let c: RealCluster;
  beforeAll(async () => {
    c = await RealCluster.start({ helm: 3 });
    console.log(`real-cluster start-up: control plane ready in ${c.cp.startupMs} ms (${c.cp.kubernetesVersion}); binaries in ${binDir()}`);
  });
  afterAll(async () => {
    await c?.close();
  });

  test('/version is the version built, nodes are Ready and untainted', async () => {
    const built = JSON.parse(readFileSync(join(binDir(), 'versions.json'), 'utf8')) as { kubernetes: string };
    expect(c.cp.kubernetesVersion).toBe(built.kubernetes);
    await until('nodes Ready without not-ready taints', async () => {
      const nodes = await c.api.list<{ metadata: { name: string }; spec: { taints?: { key: string }[] }; status: { conditions: { type: string; status: string }[] } }>('Node');
      return nodes.length === 2 && nodes.every((n) => n.status.conditions.some((x) => x.type === 'Ready' && x.status === 'True') && !(n.spec.taints ?? []).length);
    }, 60_000);
  });

  test('a Deployment rolls out: controller-manager, scheduler and the simulated kubelets', async () => {
    await namespace(c.api, 'smoke');
    await c.api.create('Deployment', deployment('smoke', 'web', { replicas: 3 }));
    await c.settle(['smoke']);
    const pods = await c.api.list<{ spec: { nodeName?: string } }>('Pod', 'smoke');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.spec.nodeName?.startsWith('node-'))).toBe(true);
  });

  test('RBAC: a user without a binding is denied', async () => {
    const token = /token: (\S+)/.exec(readFileSync(c.cp.userKubeconfig(join(c.dir, 'limited.kubeconfig'), 'limited'), 'utf8'))![1]!;
    const limited = new Api(c.cp.server, c.cp.caPem, token);
    const r = await limited.raw('GET', '/api/v1/namespaces/kube-system/pods');
    expect(r.status).toBe(403);
  });

  test('crash-looping images keep a rollout from completing', async () => {
    c.kubelets.setImageFault('registry.example/broken', 'crash');
    await c.api.create('Deployment', deployment('smoke', 'broken', { image: 'registry.example/broken:1.0' }));
    await until('a CrashLoopBackOff status', async () => {
      const pods = await c.api.list<{ metadata: { labels?: Record<string, string> }; status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] } }>('Pod', 'smoke', { labelSelector: 'app=broken' });
      return pods.some((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    });
    const d = await c.api.get<{ status?: { readyReplicas?: number } }>('Deployment', 'broken', 'smoke');
    expect(d?.status?.readyReplicas ?? 0).toBe(0);
  });

  test('istiod from a real helm install injects its proxy through the API server; the webhook pointing nowhere rejects pods', async () => {
    await c.helmOk(['install', 'istio-base', 'istio/base', '-n', 'istio-system', '--create-namespace', '--version', '1.23.6', '--wait']);
    await c.helmOk(['install', 'istiod-1-23-6', 'istio/istiod', '-n', 'istio-system', '--version', '1.23.6', '--set', 'revision=1-23-6', '--wait']);
    // istiod (simulated) patched its CA into the webhooks of its revision
    await until('caBundle in istio-sidecar-injector-1-23-6', async () => {
      const mwc = await c.api.get<{ webhooks: { clientConfig: { caBundle?: string } }[] }>('MutatingWebhookConfiguration', 'istio-sidecar-injector-1-23-6');
      return mwc?.webhooks.every((w) => w.clientConfig.caBundle);
    });
    await namespace(c.api, 'injected', { 'istio.io/rev': '1-23-6' });
    await c.api.create('Deployment', deployment('injected', 'app'));
    await c.settle(['injected']);
    expect(Object.values(await proxyImages(c.api, ['injected']))).toEqual(['docker.io/istio/proxyv2:1.23.6']);
    expect(c.egress.log.some((l) => l.to !== 'refused')).toBe(true);

    // No ready istiod behind the Service: the Fail-policy webhook rejects every new pod of the namespace.
    await c.api.patch('Deployment', 'istiod-1-23-6', 'istio-system', { spec: { replicas: 0 } });
    await until('istiod gone from the egress map', () => c.istiod.revisions().length === 0);
    await until('no istiod endpoints', async () => {
      const ep = await c.api.get<{ subsets?: unknown[] }>('Endpoints', 'istiod-1-23-6', 'istio-system');
      return !ep?.subsets?.length;
    });
    const r = await c.api.raw('POST', '/api/v1/namespaces/injected/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan' },
      spec: { containers: [{ name: 'x', image: 'registry.example/x:1' }] },
    });
    expect(r.status, r.text).toBe(500);
    const message = (JSON.parse(r.text) as { message: string }).message;
    expect(message).toContain('failed calling webhook "rev.namespace.sidecar-injector.istio.io"');
    expect(message).toContain('https://istiod-1-23-6.istio-system.svc:443/inject');
  });
});
