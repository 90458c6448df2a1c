/**
 * Test-side API of the fake `helm` and `istioctl` (see README.md):
 *
 *   await ensureFakeBinBuilt();                       // optional: builds the bundle now instead of on the first call
 *   const env = fakeBinEnv({ home, kubeconfig, log, faults });
 *   await execa('helm', ['list', '-A', '-o', 'json'], { env, extendEnv: false });
 *   readCallLog(log); writeFaults(faults, [{ tool: 'helm', match: ['upgrade'], stderr: '…' }]); helmReleases(server);
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeApiServer } from '../fake-apiserver/index.js';
import { decodeHelmReleaseSecret, type K8sObject } from '../support/istio-render/index.js';
import { ensureBuilt } from './build.mjs';
import { Controllers } from './src/controllers.js';
import type { FaultRule } from './src/faults.js';
import { Kube } from './src/kube.js';
import { helmConfigHome, writeRepositories, type RepoEntry } from './src/repos.js';
import { writeTgz } from './src/tar.js';
import { istioChart } from '../support/istio-render/index.js';
import yaml from 'js-yaml';

export type { FaultRule } from './src/faults.js';
export { CURRENT_HTTP_REPO, CURRENT_OCI_REPO, RETIRED_HTTP_REPO } from './src/repos.js';

/** Absolute path of the directory holding `helm` and `istioctl`; put it first on PATH. */
export const fakeBinDir: string = dirname(fileURLToPath(import.meta.url));

/** Builds the fakes' bundle if a source changed (the first fake call would otherwise pay ~0.3 s for it). */
export async function ensureFakeBinBuilt(): Promise<void> {
  await ensureBuilt();
}

/** One line of the call log. */
export interface CallRecord {
  tool: 'helm' | 'istioctl';
  /** Full argv, binary name first; a `--values`/`-f` file appears as `sha256:<hex of its content>`. */
  argv: string[];
  cwd: string;
  /** `--kubeconfig` or KUBECONFIG as given (null when neither). */
  kubeconfig: string | null;
  /** `--kube-context`/`--context`, else the kubeconfig's current-context. */
  context: string | null;
  /** KUBECONFIG, HOME, PATH and HELM_* of the call. */
  env: Record<string, string>;
  /** Content hashes of the values files, in argv order. */
  valuesFiles: string[];
  pid: number;
  time: string;
}

export function readCallLog(file: string): CallRecord[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  // A call may be appending its line right now: only complete (newline-terminated) lines are records.
  const lines = text.split('\n');
  lines.pop();
  return lines.filter(Boolean).map((l) => JSON.parse(l) as CallRecord);
}

/** Replaces the fault rules atomically (write temp + rename). */
export function writeFaults(file: string, rules: FaultRule[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ rules }, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The rules left (the fakes count `times` down and drop spent rules). */
export function readFaults(file: string): FaultRule[] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { rules?: FaultRule[] }).rules ?? [];
  } catch {
    return [];
  }
}

/** What `helm repo add` leaves behind: the repositories file under HOME's helm config home (`~/.config/helm`). */
export function writeHelmRepositories(home: string, repos: RepoEntry[]): void {
  writeRepositories(join(helmConfigHome({ HOME: home }), 'repositories.yaml'), repos);
}

/**
 * An Istio chart on disk as an air-gapped site keeps it: `helm pull … --version V` output (`<dir>/<chart>-<V>.tgz`)
 * or an unpacked chart directory (`<dir>/<chart>/Chart.yaml`). Returns the path written.
 */
export function writeLocalChart(dir: string, chart: 'base' | 'istiod' | 'cni' | 'ztunnel' | 'gateway', version: string, form: 'packaged' | 'unpacked' = 'packaged'): string {
  mkdirSync(dir, { recursive: true });
  const chartYaml = yaml.dump(istioChart(chart, version));
  if (form === 'unpacked') {
    mkdirSync(join(dir, chart), { recursive: true });
    writeFileSync(join(dir, chart, 'Chart.yaml'), chartYaml);
    return join(dir, chart);
  }
  const file = join(dir, `${chart}-${version}.tgz`);
  writeFileSync(file, writeTgz({ [`${chart}/Chart.yaml`]: chartYaml, [`${chart}/values.yaml`]: '{}\n' }));
  return file;
}

export interface FakeBinConfig {
  log?: string;
  faults?: string;
  failAll?: boolean;
  /** Extra variables for the fakes, e.g. { FAKE_ISTIOCTL_VERSION: '1.28.1' }. */
  env?: Record<string, string>;
}

/**
 * Writes `$HOME/.fakebin.json`. Use it when the fakes run under the product: its child environment keeps HOME
 * (and KUBECONFIG, PATH, HELM_*) but drops FAKE_BIN_*.
 */
export function writeFakeBinConfig(home: string, cfg: FakeBinConfig): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.fakebin.json'), `${JSON.stringify(cfg, null, 2)}\n`);
}

/** An explicit environment for execa (`extendEnv: false`): the fakes first on PATH, a private HOME. */
export function fakeBinEnv(o: { home: string; kubeconfig: string; log?: string; faults?: string; extra?: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${fakeBinDir}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: o.home,
    KUBECONFIG: o.kubeconfig,
  };
  if (o.log) env.FAKE_BIN_LOG = o.log;
  if (o.faults) env.FAKE_BIN_FAULTS = o.faults;
  return { ...env, ...(o.extra ?? {}) };
}

/** A release revision as stored by the fake (or real) Helm, decoded. */
export interface StoredRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  description: string;
  chart: { name: string; version: string; appVersion?: string };
  /** User-supplied values (Helm's `config`). */
  config: Record<string, unknown>;
  manifest: string;
  firstDeployed: string;
  lastDeployed: string;
  secretName: string;
  /** Labels of the Secret (name, owner, status, version, createdAt|modifiedAt). */
  labels: Record<string, string>;
  /** Helm 4's `apply_method` (`ssa` | `csa`); absent in records written by Helm 3. */
  applyMethod?: string;
}

/** Decoded `sh.helm.release.v1.*` Secrets of a FakeApiServer, sorted by namespace, name, revision. */
export function helmReleases(server: FakeApiServer, namespace?: string): StoredRelease[] {
  return server
    .list('v1', 'Secret', namespace)
    .filter((s) => (s as { type?: string }).type === 'helm.sh/release.v1')
    .map((s) => {
      const rel = decodeHelmReleaseSecret(s as K8sObject) as {
        name: string;
        namespace?: string;
        version: number;
        info: { status: string; description: string; first_deployed: string; last_deployed: string };
        chart: { metadata: { name: string; version: string; appVersion?: string } };
        config?: Record<string, unknown>;
        manifest?: string;
        apply_method?: string;
      };
      const md = rel.chart.metadata;
      return {
        name: rel.name,
        namespace: rel.namespace ?? s.metadata.namespace ?? '',
        revision: rel.version,
        status: rel.info.status,
        description: rel.info.description,
        chart: { name: md.name, version: md.version, ...(md.appVersion !== undefined ? { appVersion: md.appVersion } : {}) },
        config: rel.config ?? {},
        manifest: rel.manifest ?? '',
        firstDeployed: rel.info.first_deployed,
        lastDeployed: rel.info.last_deployed,
        secretName: s.metadata.name,
        labels: s.metadata.labels ?? {},
        ...(rel.apply_method !== undefined ? { applyMethod: rel.apply_method } : {}),
      };
    })
    .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.revision - b.revision));
}

/** The releases' newest revisions only, keyed `namespace/name`. */
export function latestReleases(server: FakeApiServer, namespace?: string): Map<string, StoredRelease> {
  const out = new Map<string, StoredRelease>();
  for (const r of helmReleases(server, namespace)) out.set(`${r.namespace}/${r.name}`, r);
  return out;
}

/**
 * Runs the fakes' controller simulation on one workload now, e.g. after the product patched it through the API
 * (`kubectl rollout restart`): a new ReplicaSet/pods for a changed Deployment template, pods `<name>-<ordinal>` of the
 * new template for a StatefulSet, one pod per node for a DaemonSet, pods injected as the mesh's webhooks would (namespace `istio-injection`/`istio.io/rev` labels, tags),
 * ready status with observedGeneration = generation. The fake API server itself runs no controllers.
 */
export async function reconcile(server: FakeApiServer, kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', namespace: string, name: string, token = 'test-token'): Promise<void> {
  const kube = new Kube({ context: 'fake', server: server.url, token, insecure: true, namespace });
  try {
    const ctl = new Controllers(kube);
    if (kind === 'Deployment') await ctl.reconcileDeployment(name, namespace);
    else if (kind === 'StatefulSet') await ctl.reconcileStatefulSet(name, namespace);
    else await ctl.reconcileDaemonSet(name, namespace);
  } finally {
    kube.close();
  }
}
