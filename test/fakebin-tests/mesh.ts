/** Small meshes for the fake-binary tests, rendered with test/support/istio-render, and a per-test harness. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../fake-apiserver/index.js';
import {
  ClusterBuilder,
  baseCrds,
  cniDaemonSet,
  defaultValidator,
  gatewayDeployment,
  helmInstaller,
  istioChart,
  istiod,
  kubeSystemNamespace,
  namespace,
  node,
  revisionTag,
  systemNamespaces,
  withRenderContext,
  ztunnelDaemonSet,
} from '../support/istio-render/index.js';
import { CURRENT_HTTP_REPO, fakeBinEnv, writeHelmRepositories } from '../fakebin/index.js';

export const V = '1.23.6';
export const REV = '1-23-6';
const NODES = ['node-1', 'node-2'];
const AT = '2025-03-01T10:00:00Z';

/**
 * Helm-installed Istio 1.23.6 with legacy (not Helm-owned) CRDs:
 * - ambient: istio-base (defaultRevision 1-23-6), istiod-1-23-6 (profile ambient), tag `default` → 1-23-6 applied from
 *   `helm template`, istio-cni, ztunnel, gateway istio-ingress;
 * - sidecar: istio-base, revision-less istiod, gateway istio-ingress.
 */
export function buildMesh(mode: 'ambient' | 'sidecar'): KubeObject[] {
  return withRenderContext({ uidSeed: `fakebin-${mode}`, now: AT }, () => {
    const b = new ClusterBuilder();
    b.add(NODES.map((n) => node(n, 'v1.30.4')), kubeSystemNamespace('0b6c7f2e-1111-4222-8333-944455556666'), systemNamespaces());
    b.add(namespace('istio-system'), namespace('istio-ingress'), namespace('apps', mode === 'ambient' ? { 'istio.io/dataplane-mode': 'ambient' } : { 'istio-injection': 'enabled' }));
    b.add(baseCrds({ version: V, owner: { kind: 'legacy' } }));
    const rev = mode === 'ambient' ? REV : undefined;
    b.add(defaultValidator({ revision: rev, version: V, installer: helmInstaller('istio-base', 'istio-system') }));
    b.helmHistory({ name: 'istio-base', namespace: 'istio-system', revisions: [{ chart: istioChart('base', V), values: rev ? { defaultRevision: rev } : {}, deployedAt: AT }] }, 'base');
    b.add(istiod({ version: V, revision: rev, installMethod: 'helm', ambient: mode === 'ambient', nodes: NODES }));
    b.helmHistory(
      { name: rev ? `istiod-${rev}` : 'istiod', namespace: 'istio-system', revisions: [{ chart: istioChart('istiod', V), values: rev ? { revision: rev, profile: 'ambient' } : {}, deployedAt: AT }] },
      'istiod',
    );
    if (mode === 'ambient') {
      b.add(revisionTag({ tag: 'default', revision: rev, version: V }));
      b.add(cniDaemonSet({ version: V, ambient: true, nodes: NODES }));
      b.helmHistory({ name: 'istio-cni', namespace: 'istio-system', revisions: [{ chart: istioChart('cni', V), values: { profile: 'ambient' }, deployedAt: AT }] }, 'cni');
      b.add(ztunnelDaemonSet({ version: V, revision: rev, nodes: NODES }));
      b.helmHistory({ name: 'ztunnel', namespace: 'istio-system', revisions: [{ chart: istioChart('ztunnel', V), values: { revision: REV }, deployedAt: AT }] }, 'ztunnel');
    }
    b.add(
      gatewayDeployment({
        name: 'istio-ingress',
        namespace: 'istio-ingress',
        version: V,
        injectedBy: { revision: rev ?? 'default', version: V, ...(mode === 'ambient' ? { variant: 'distroless' } : {}) },
        replicas: 1,
        nodes: NODES,
      }),
    );
    b.helmHistory({ name: 'istio-ingress', namespace: 'istio-ingress', revisions: [{ chart: istioChart('gateway', V), values: { service: { type: 'LoadBalancer' } }, deployedAt: AT }] }, 'gateway');
    return b.build({ kubernetesVersion: '1.30.4', context: 'fake', capturedAt: AT }).items as KubeObject[];
  });
}

export interface Harness {
  server: FakeApiServer;
  dir: string;
  kubeconfig: string;
  log: string;
  faults: string;
  env: Record<string, string>;
  helm(args: string[], opts?: { env?: Record<string, string> }): Promise<Run>;
  istioctl(args: string[], opts?: { env?: Record<string, string> }): Promise<Run>;
  close(): Promise<void>;
}

export interface Run {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

export async function harness(mode: 'ambient' | 'sidecar' | 'empty', opts: { kubernetesVersion?: string } = {}): Promise<Harness> {
  const server = await startFakeApiServer({ objects: mode === 'empty' ? [] : buildMesh(mode), kubernetesVersion: opts.kubernetesVersion ?? '1.30.4' });
  const dir = mkdtempSync(join(tmpdir(), 'fakebin-'));
  const kubeconfig = join(dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { context: 'fake', extraContexts: ['other'] });
  const log = join(dir, 'calls.jsonl');
  const faults = join(dir, 'faults.json');
  const env = fakeBinEnv({ home: dir, kubeconfig, log, faults });
  // A machine that ran `helm repo add istio https://blob.istio.io/istio-release/charts`.
  writeHelmRepositories(dir, [{ name: 'istio', url: CURRENT_HTTP_REPO }]);
  const run = async (tool: string, args: string[], o: { env?: Record<string, string> } = {}): Promise<Run> => {
    const r = await execa(tool, args, { env: { ...env, ...(o.env ?? {}) }, extendEnv: false, reject: false, stdin: 'ignore', cwd: dir, timeout: 20_000 });
    return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  return {
    server,
    dir,
    kubeconfig,
    log,
    faults,
    env,
    helm: (args, o) => run('helm', args, o),
    istioctl: (args, o) => run('istioctl', args, o),
    close: () => server.close(),
  };
}

