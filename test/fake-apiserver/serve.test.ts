import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, 'serve.ts');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-serve-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): { child: ChildProcess; ready: Promise<{ url: string; port: number }>; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: join(here, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ url: string; port: number }>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(JSON.parse(line) as { url: string; port: number }));
    void exit.then((code) => reject(new Error(`serve.ts exited with ${code}: ${err}`)));
  });
  return { child, ready, exit, stderr: () => err };
}

describe('serve.ts', () => {
  it('loads YAML and JSON fixtures, prints its URL, serves a client and stops on SIGTERM', async () => {
    const yamlFile = join(dir, 'cluster.yaml');
    writeFileSync(
      yamlFile,
      [
        'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: istiod-7d4\n  namespace: istio-system\n  labels:\n    app: istiod\nspec:\n  containers:\n  - name: discovery\n    image: docker.io/istio/pilot:1.23.2\nstatus:\n  phase: Running',
        'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: istio\n    namespace: istio-system\n  data:\n    mesh: "{}"',
      ].join('\n---\n'),
    );
    const snapFile = join(dir, 'snapshot.json');
    writeFileSync(
      snapFile,
      JSON.stringify({
        apiVersion: 'istio-upgrade/v1',
        kind: 'ClusterSnapshot',
        items: [
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'productpage-1', namespace: 'istio-system', labels: { app: 'productpage' } }, spec: { containers: [] } },
          { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'istio-system' }, spec: { hosts: ['reviews'] } },
        ],
      }),
    );
    const kubeconfig = join(dir, 'kubeconfig');
    const proc = start(['--port', '0', '--load', yamlFile, '--load', snapFile, '--kubeconfig', kubeconfig, '--kubernetes-version', '1.31.1']);
    try {
      const ready = await proc.ready;
      expect(ready.url).toBe(`http://127.0.0.1:${ready.port}`);
      expect(ready.port).toBeGreaterThan(0);

      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      expect(kc.getCurrentCluster()).toMatchObject({ server: ready.url, skipTLSVerify: true });
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const pods = await core.listNamespacedPod({ namespace: 'istio-system' });
      expect(pods.items.map((p) => p.metadata!.name)).toEqual(['istiod-7d4', 'productpage-1']);
      expect(pods.items[0]!.spec!.containers[0]!.image).toBe('docker.io/istio/pilot:1.23.2');
      const cm = await core.readNamespacedConfigMap({ namespace: 'istio-system', name: 'istio' });
      expect(cm.data).toEqual({ mesh: '{}' });
      const vs = await kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'istio-system', plural: 'virtualservices' });
      expect(vs.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['reviews']);
      expect((await kc.makeApiClient(k8s.VersionApi).getCode()).gitVersion).toBe('v1.31.1');

      // State changes over plain HTTP (as a fake helm would) are visible to the client.
      const res = await fetch(`${ready.url}/api/v1/namespaces/istio-system/secrets`, {
        method: 'POST',
        headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.istiod.v2', labels: { owner: 'helm' } }, type: 'helm.sh/release.v1' }),
      });
      expect(res.status).toBe(201);
      const secrets = await core.listSecretForAllNamespaces({ labelSelector: 'owner=helm' });
      expect(secrets.items.map((s) => s.metadata!.name)).toEqual(['sh.helm.release.v1.istiod.v2']);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exit).toBe(0);
  });

  it('fails with a message on a bad fixture file', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Pod\nmetadata: {name: x}\n');
    const proc = start(['--load', bad]);
    await expect(proc.ready).rejects.toThrow(/exited with 1/);
    expect(proc.stderr()).toMatch(/cannot load an object without apiVersion/);
  });
});
