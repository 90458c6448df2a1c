/**
 * One real-control-plane test cluster: control plane + egress proxy + simulated kubelets + simulated istiod +
 * loopback chart repository + a helm home with the `istio` repository added, and the environment a CI job would
 * give the CLI (real helm 3 or 4 on PATH as `helm`, the simulated istioctl).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { getRelease } from '../../../src/plans/catalog/index.js';
import { resourcePath, type Api, type KubeObject } from './api.js';
import { binDir } from './bins.js';
import { packageCharts, serveChartRepo, type ChartRepo } from './chart-repo.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { startEgressProxy, type EgressProxy } from './egress.js';
import { IstiodSim } from './istiod-sim.js';
import { Kubelets } from './kubelets.js';
import { until } from './procs.js';
import { ciEnv, finishCli, spawnCli, type CliProcess, type CliRun } from '../../support/cli.js';

const SIM_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin');

/** The newest patch of Istio 1.22 – 1.31 in the catalog: what the chart repository serves. */
export const CHART_VERSIONS = Array.from({ length: 10 }, (_, i) => getRelease(`1.${22 + i}`)!.latestPatch);

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RealClusterOptions {
  /** The helm on the CLI's PATH. */
  helm: 3 | 4;
  /** The helm that installs the mesh before the test (default: the same); Helm 4 applies server-side only to releases it installed. */
  installWith?: 3 | 4;
  startDelayMs?: number;
}

export class RealCluster {
  readonly home: string;
  readonly pathDir: string;
  readonly stateDir: string;
  readonly work: string;

  private constructor(
    readonly dir: string,
    readonly helmMajor: 3 | 4,
    readonly helmBin: string,
    /** The helm the scenario's set-up installs with. */
    readonly setupHelm: string,
    readonly cp: ControlPlane,
    readonly egress: EgressProxy,
    readonly kubelets: Kubelets,
    readonly istiod: IstiodSim,
    readonly repo: ChartRepo,
  ) {
    [this.home, this.pathDir, this.stateDir, this.work] = ['home', 'bin', 'state', 'work'].map((d) => join(dir, d)) as [string, string, string, string];
  }

  get api(): Api {
    return this.cp.api;
  }

  get kubeconfig(): string {
    return this.cp.kubeconfig;
  }

  static async start(o: RealClusterOptions): Promise<RealCluster> {
    const bins = binDir();
    const dir = mkdtempSync(join(tmpdir(), `real-h${o.helm}-`));
    const cleanup: (() => Promise<void>)[] = [];
    try {
      const egress = await startEgressProxy(join(dir, 'egress.sock'));
      cleanup.push(() => egress.close());
      const cp = await startControlPlane({ binDir: bins, egressSocket: egress.socket, parent: dir });
      cleanup.push(() => cp.stop());
      const kubelets = new Kubelets(cp.api, { kubeletVersion: cp.kubernetesVersion, startDelayMs: o.startDelayMs ?? 300 });
      await kubelets.start();
      cleanup.push(() => kubelets.stop());
      const istiod = new IstiodSim(cp.api, cp.pki);
      istiod.start();
      cleanup.push(() => istiod.stop());
      egress.setResolver(istiod.resolve);
      const helmBin = join(bins, `helm${o.helm}`);
      const chartsDir = join(bins, 'charts');
      packageCharts(helmBin, CHART_VERSIONS, chartsDir);
      const repo = await serveChartRepo(chartsDir);
      cleanup.push(() => repo.close());
      const c = new RealCluster(dir, o.helm, helmBin, join(bins, `helm${o.installWith ?? o.helm}`), cp, egress, kubelets, istiod, repo);
      for (const d of [c.home, c.pathDir, c.work]) mkdirSync(d, { recursive: true });
      symlinkSync(helmBin, join(c.pathDir, 'helm'));
      symlinkSync(join(SIM_BIN, 'istioctl'), join(c.pathDir, 'istioctl'));
      symlinkSync(join(SIM_BIN, 'istioctl.mjs'), join(c.pathDir, 'istioctl.mjs'));
      const added = await c.helm(['repo', 'add', 'istio', repo.url]);
      if (added.code !== 0) throw new Error(`helm repo add: ${added.stderr}`);
      c.closers = cleanup;
      return c;
    } catch (e) {
      for (const f of cleanup.reverse()) await f().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private closers: (() => Promise<void>)[] = [];

  async close(): Promise<void> {
    for (const f of [...this.closers].reverse()) await f().catch(() => undefined);
    if (!process.env.REAL_CLUSTER_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The environment a CI job would give the CLI and helm. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return ciEnv({ bin: this.pathDir, home: this.home, kubeconfig: this.kubeconfig, stateDir: this.stateDir }, extra);
  }

  /** Starts the built CLI as a CI job would (CI=1, private HOME and state dir, the real helm on PATH). */
  spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
    return spawnCli(args, { cwd: this.work, env: this.env(env) });
  }

  cli(args: string[], o: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
    return finishCli(this.spawnCli(args, o.env), o.timeoutMs ?? 600_000);
  }

  /** Runs the real helm with the cluster's environment. */
  helm(args: string[], timeoutMs = 180_000, bin = join(this.pathDir, 'helm')): Promise<HelmResult> {
    return new Promise((resolve) => {
      execFile(bin, args, { env: this.env(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  async helmOk(args: string[], timeoutMs?: number, bin?: string): Promise<string> {
    const r = await this.helm(args, timeoutMs, bin);
    if (r.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Server-side apply of a YAML stream (what `kubectl apply --server-side` does), as field manager `setup`. */
  async applyYaml(text: string): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const doc of yaml.loadAll(text)) {
      if (!doc || typeof doc !== 'object') continue;
      const obj = doc as KubeObject & { kind: string };
      const path = `${resourcePath(obj.kind, obj.metadata.namespace, obj.metadata.name)}?fieldManager=setup&force=true`;
      out.push(await this.api.json('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml'));
    }
    return out;
  }

  /** Waits until every pod of the given namespaces is Running and Ready (and no workload is mid-rollout). */
  async settle(namespaces: string[], timeoutMs = 120_000): Promise<void> {
    await until(
      () => `pods of ${namespaces.join(', ')} Running and Ready`,
      async () => {
        for (const ns of namespaces) {
          const deps = await this.api.list<KubeObject & { spec: { replicas?: number }; status?: { updatedReplicas?: number; readyReplicas?: number; replicas?: number; observedGeneration?: number } }>('Deployment', ns);
          for (const d of deps) {
            const s = d.status ?? {};
            const want = d.spec.replicas ?? 1;
            if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || s.updatedReplicas !== want || s.readyReplicas !== want || s.replicas !== want) return false;
          }
          const pods = await this.api.list<KubeObject & { status?: { phase?: string; conditions?: { type: string; status: string }[] } }>('Pod', ns);
          if (!pods.every((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) return false;
        }
        return true;
      },
      timeoutMs,
      300,
    );
  }

  /** Diagnostics for a failed test: simulator errors and the tail of each component's log. */
  diagnostics(): string {
    return [
      `kubelet simulator errors: ${this.kubelets.errors.slice(0, 5).join(' | ') || 'none'}`,
      `istiod simulator errors: ${this.istiod.errors.slice(0, 5).join(' | ') || 'none'}`,
      `egress: ${this.egress.log.slice(-10).map((l) => `${l.target}→${l.to}`).join(', ')}`,
    ].join('\n');
  }
}

