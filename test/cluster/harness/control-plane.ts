/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (token and client-certificate authentication,
 * RBAC, service-account keys, a generated CA, webhooks reached through an egress proxy), kube-controller-manager and
 * kube-scheduler, in a temporary directory. No kubelet: test/cluster/harness/kubelets.ts simulates the nodes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import yaml from 'js-yaml';
import { Api } from './api.js';
import { Pki } from './pki.js';
import { freePort, startProc, until, type Proc } from './procs.js';

export interface ControlPlaneOptions {
  binDir: string;
  /** Unix socket of the HTTP CONNECT proxy the API server dials Services through (webhooks); none = no egress config. */
  egressSocket?: string;
  /** Parent of the cluster's temp dir. */
  parent?: string;
}

export interface ControlPlane {
  dir: string;
  server: string;
  caPem: string;
  adminToken: string;
  /** kubeconfig of the admin user (system:masters), current context `real`. */
  kubeconfig: string;
  api: Api;
  pki: Pki;
  serviceCidr: string;
  kubernetesVersion: string;
  startupMs: number;
  procs: Proc[];
  /** Writes a kubeconfig for a token user (in `groups`), for RBAC tests. */
  userKubeconfig(path: string, user: string, context?: string): string;
  stop(): Promise<void>;
}

/** Tokens (static token file: `token,user,uid,"groups"`) known to the API server from the start. */
const USERS = ['admin', 'kube-controller-manager', 'kube-scheduler', 'limited'] as const;

export function writeKubeconfig(path: string, o: { server: string; caPem: string; token: string; context?: string }): void {
  const context = o.context ?? 'real';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'real', cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.caPem).toString('base64') } }],
    users: [{ name: 'user', user: { token: o.token } }],
    contexts: [{ name: context, context: { cluster: 'real', user: 'user' } }],
    'current-context': context,
  };
  writeFileSync(path, yaml.dump(doc), { mode: 0o600 });
}

export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(o.parent ?? tmpdir(), 'real-cluster-'));
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const pki = Pki.create(pkiDir);
  const serviceCidr = '10.96.0.0/16';
  const serving = pki.issue('apiserver', {
    cn: 'kube-apiserver',
    dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ips: ['127.0.0.1', '10.96.0.1'],
  });
  const sa = pki.serviceAccountKeys();
  const tokens = Object.fromEntries(USERS.map((u) => [u, randomBytes(24).toString('hex')])) as Record<(typeof USERS)[number], string>;
  writeFileSync(
    join(pkiDir, 'tokens.csv'),
    USERS.map((u) => `${tokens[u]},${u},${u},"${u === 'limited' ? 'testers' : 'system:masters'}"`).join('\n') + '\n',
    { mode: 0o600 },
  );

  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProc('etcd', join(o.binDir, 'etcd'), [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--listen-metrics-urls=',
      // a test cluster lives minutes: durability buys nothing and fsync costs seconds on a shared disk
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], join(dir, 'etcd.log'));
    procs.push(etcd);

    let egressArgs: string[] = [];
    if (o.egressSocket) {
      const egressFile = join(dir, 'egress.yaml');
      writeFileSync(
        egressFile,
        yaml.dump({
          apiVersion: 'apiserver.k8s.io/v1beta1',
          kind: 'EgressSelectorConfiguration',
          egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: o.egressSocket } } } }],
        }),
      );
      egressArgs = [`--egress-selector-config-file=${egressFile}`];
    }
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = startProc('kube-apiserver', join(o.binDir, 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--token-auth-file=${join(pkiDir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${sa.publicKey}`,
      `--service-account-signing-key-file=${sa.privateKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-cluster-ip-range=${serviceCidr}`,
      // the loopback address it would publish in the `kubernetes` Endpoints is rejected by Endpoints validation
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      ...egressArgs,
      '--v=1',
    ], join(dir, 'kube-apiserver.log'));
    procs.push(apiserver);

    const caPem = pki.caPem();
    const api = new Api(server, caPem, tokens.admin);
    await until(
      () => `kube-apiserver /readyz (log: ${join(dir, 'kube-apiserver.log')})`,
      async () => {
        if (apiserver.child.exitCode !== null) throw new Error(`kube-apiserver exited ${apiserver.child.exitCode}: ${tail(apiserver.logFile)}`);
        if (etcd.child.exitCode !== null) throw new Error(`etcd exited ${etcd.child.exitCode}: ${tail(etcd.logFile)}`);
        return (await api.raw('GET', '/readyz')).status === 200;
      },
      120_000,
      250,
    );

    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server, caPem, token: tokens.admin });
    const componentConfig = (user: 'kube-controller-manager' | 'kube-scheduler') => {
      const f = join(dir, `${user}.kubeconfig`);
      writeKubeconfig(f, { server, caPem, token: tokens[user] });
      return f;
    };
    const kcmConfig = componentConfig('kube-controller-manager');
    procs.push(
      startProc('kube-controller-manager', join(o.binDir, 'kube-controller-manager'), [
        ...(await componentArgs(kcmConfig)),
        `--service-account-private-key-file=${sa.privateKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        `--service-cluster-ip-range=${serviceCidr}`,
        '--use-service-account-credentials=false',
        // pods of a node whose simulated kubelet stopped are evicted quickly, as on a real cluster a little later
        '--node-monitor-grace-period=20s',
        '--v=1',
      ], join(dir, 'kube-controller-manager.log')),
    );
    const schedConfig = componentConfig('kube-scheduler');
    procs.push(
      startProc('kube-scheduler', join(o.binDir, 'kube-scheduler'), [
        ...(await componentArgs(schedConfig)),
        '--v=1',
      ], join(dir, 'kube-scheduler.log')),
    );
    // The controllers are up when the service-account controller created `default` in kube-system.
    await until('the default ServiceAccount (kube-controller-manager running)', async () => {
      for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}: ${tail(p.logFile)}`);
      return await api.get('ServiceAccount', 'default', 'kube-system');
    }, 120_000, 250);

    const version = await api.json<{ gitVersion: string }>('GET', '/version');
    return {
      dir,
      server,
      caPem,
      adminToken: tokens.admin,
      kubeconfig,
      api,
      pki,
      serviceCidr,
      kubernetesVersion: version.gitVersion,
      startupMs: Date.now() - t0,
      procs,
      userKubeconfig(path, user, context) {
        const token = tokens[user as (typeof USERS)[number]];
        if (!token) throw new Error(`no such token user ${user}`);
        writeKubeconfig(path, { server, caPem, token, context });
        return path;
      },
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await stop();
    if (!process.env.REAL_CLUSTER_KEEP) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Flags the controller manager and the scheduler share: their identity, serving on loopback, no leader election. */
async function componentArgs(kubeconfig: string): Promise<string[]> {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${await freePort()}`,
    '--leader-elect=false',
  ];
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
