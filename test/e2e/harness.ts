/**
 * End-to-end harness: a fake API server in this process loaded with a fixture, the fake helm/istioctl first on PATH,
 * and the built CLI run as a subprocess with an explicit environment (CI=1, private HOME, state dir, cwd).
 *
 * The fake API server runs no controllers, so `startControllers()` plays the Deployment/StatefulSet/DaemonSet
 * controllers for workloads the product restarted through the API (the fake helm reconciles what it applies itself).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'vitest';
import { startFakeApiServer, type FakeApiServer, type KubeObject } from '../fake-apiserver/index.js';
import { ensureFakeBinBuilt, fakeBinDir, readCallLog, reconcile, writeFakeBinConfig, writeFaults, type CallRecord, type FaultRule } from '../fakebin/index.js';
import { ciEnv, cliPath, finishCli, spawnCli, type CliProcess, type CliRun } from '../support/cli.js';
import { readFixture } from '../support/fixtures.js';
import type { Plan } from '../../src/plan/schema.js';
import type { RunRecord } from '../../src/apply/run-record.js';

export type { CliProcess, CliRun };

/** Subcommands of helm/istioctl that change the cluster (what a resume must never repeat). */
const MUTATING = new Set(['install', 'upgrade', 'uninstall', 'rollback']);

export function isMutating(c: CallRecord): boolean {
  if (c.argv[0] === 'helm') return MUTATING.has(c.argv[1] ?? '');
  return MUTATING.has(c.argv[1] ?? '') || (c.argv[1] === 'tag' && ['set', 'remove'].includes(c.argv[2] ?? ''));
}

/**
/**
 * API requests that change the cluster: every non-GET one except the identity and access reviews (SelfSubjectReview,
 * SelfSubjectAccessReview), which store nothing. The run's own lock Lease and run ConfigMaps count.
 */
/** Whether a process (a fake helm left behind by a killed CLI) still exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function mutatingRequests(server: FakeApiServer): string[] {
  return server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject')).map((q) => `${q.method} ${q.path}`);
}

/**
 * Calls that only read: `helm get values` (filling a values placeholder), the client version queries each attempt
 * records (`helm version`, `istioctl version --remote=false`) and `istioctl analyze`; the plan's own commands are the rest.
 */
export function isReadOnlyQuery(c: CallRecord): boolean {
  // get values, and the preflight's prerequisite reads: versions, helm show chart / list / repo list
  return (
    (c.argv[0] === 'helm' && ['get', 'show', 'list'].includes(c.argv[1] ?? '')) ||
    (c.argv[0] === 'helm' && c.argv[1] === 'repo' && c.argv[2] === 'list') ||
    c.argv[1] === 'version' ||
    // istioctl analyze before the first change and after the last step
    (c.argv[0] === 'istioctl' && c.argv[1] === 'analyze')
  );
}

/** The argv of a call without what the product appends (the context flag) and values files (hashes differ per call). */
export function shortArgv(c: CallRecord): string {
  const out: string[] = [];
  for (let i = 0; i < c.argv.length; i++) {
    const a = c.argv[i]!;
    if (a === '--kube-context' || a === '--context' || a === '--values' || a === '-f') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out.join(' ');
}

/** The argv a plan command runs, as shortArgv shows a call of it. */
/** A plan argv with each `<revision-before:ns/release>` replaced by the Helm revision the run recorded before its step. */
export function withRecordedRevisions(argv: string[], run: RunRecord, stepId: string): string[] {
  // The step's own record: two steps of a run can change the same release (the base chart, then its defaultRevision).
  const step = run.steps.find((st) => st.id === stepId);
  const recorded = new Map(Object.entries(step?.helmRevisions ?? {}).map(([key, v]): [string, string] => [`<revision-before:${key}>`, String(v.before)]));
  return argv.map((a) => recorded.get(a) ?? a);
}

export function planArgv(argv: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--values' && /^<(values|overrides)-of:/.test(argv[i + 1] ?? '')) {
      i++;
      continue;
    }
    out.push(argv[i]!);
  }
  return out.join(' ');
}

export interface ClusterOptions {
  fixture: string;
  /** Current context of the kubeconfig written (default 'e2e'). */
  context?: string;
  /** Objects changed before the test starts. */
  mutate?: (objects: KubeObject[]) => void;
  /** Play the workload controllers (default true); see startControllers. */
  controllers?: boolean;
  /** The fake helm's version (default v3.17.3); a v4.* version plays Helm 4. */
  helmVersion?: string;
  /** The user the fake API server authenticates the token as (SelfSubjectReview); default test-user, as the kubeconfig entry. */
  user?: string;
  /** Other settings of the fakes (FAKE_HELM_REPOS, FAKE_ISTIOCTL_VERSION…). */
  fakeEnv?: Record<string, string>;
}

export class E2eCluster {
  readonly calls: string;
  readonly faultsFile: string;
  readonly kubeconfig: string;
  readonly home: string;
  readonly stateDir: string;
  readonly work: string;
  readonly planPath: string;
  private controllers: (() => Promise<void>) | undefined;
  /** Called after the controller loop reconciled a workload (e.g. to make its new pods crash). */
  afterReconcile: ((kind: string, namespace: string, name: string) => void) | undefined;

  private constructor(
    readonly server: FakeApiServer,
    readonly dir: string,
    readonly context: string,
    fakeEnv: Record<string, string> = {},
  ) {
    this.home = join(dir, 'home');
    this.stateDir = join(dir, 'state');
    this.work = join(dir, 'work');
    this.calls = join(dir, 'calls.jsonl');
    this.faultsFile = join(dir, 'faults.json');
    this.kubeconfig = join(dir, 'kubeconfig');
    this.planPath = join(this.work, 'plan.json');
    mkdirSync(this.work, { recursive: true });
    server.writeKubeconfig(this.kubeconfig, { context });
    writeFakeBinConfig(this.home, { log: this.calls, faults: this.faultsFile, env: fakeEnv });
    // A fresh machine: no `helm repo add` was ever run (plans name their chart source themselves).
  }

  static async start(o: ClusterOptions): Promise<E2eCluster> {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist: run npm run build before the end-to-end tests`);
    await ensureFakeBinBuilt();
    const fx = readFixture(o.fixture);
    const objects = structuredClone(fx.items);
    o.mutate?.(objects);
    const server = await startFakeApiServer({ objects, kubernetesVersion: fx.kubernetesVersion, ...(o.user ? { user: o.user } : {}) });
    const dir = mkdtempSync(join(tmpdir(), `e2e-${o.fixture}-`));
    const c = new E2eCluster(server, dir, o.context ?? 'e2e', { ...(o.helmVersion ? { FAKE_HELM_VERSION: o.helmVersion } : {}), ...o.fakeEnv });
    if (o.controllers !== false) c.startControllers();
    return c;
  }

  /** The environment a CI job would give the CLI. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return ciEnv({ bin: fakeBinDir, home: this.home, kubeconfig: this.kubeconfig, stateDir: this.stateDir }, extra);
  }

  /** Starts the CLI; stdin is closed (no terminal). */
  spawn(args: string[], opts: { env?: Record<string, string> } = {}): CliProcess {
    return spawnCli(args, { cwd: this.work, env: this.env(opts.env) });
  }

  /** Runs the CLI to the end (killed after `timeoutMs`, which fails the run loudly). */
  cli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
    return finishCli(this.spawn(args, opts), opts.timeoutMs ?? 60_000);
  }

  async plan(args: string[] = ['--to', '1.24']): Promise<Plan> {
    const r = await this.cli(['plan', ...args, '--out', this.planPath]);
    if (r.exitCode !== 0) throw new Error(`plan exited ${r.exitCode}: ${r.stderr}`);
    return JSON.parse(readFileSync(this.planPath, 'utf8')) as Plan;
  }

  callLog(): CallRecord[] {
    return readCallLog(this.calls);
  }

  faults(rules: FaultRule[]): void {
    writeFaults(this.faultsFile, rules);
  }

  /** Every run record in the state directory. */
  localRuns(): RunRecord[] {
    const dir = join(this.stateDir, 'runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((id) => existsSync(join(dir, id, 'run.json')))
      .map((id) => JSON.parse(readFileSync(join(dir, id, 'run.json'), 'utf8')) as RunRecord);
  }

  /** The run as mirrored in its ConfigMap. */
  clusterRun(runId: string): RunRecord | undefined {
    const cm = this.server.get('v1', 'ConfigMap', `istio-upgrade-run-${runId}`, 'istio-system') as { data?: Record<string, string> } | undefined;
    return cm?.data?.['run.json'] ? (JSON.parse(cm.data['run.json']) as RunRecord) : undefined;
  }

  lease(): KubeObject | undefined {
    return this.server.get('coordination.k8s.io/v1', 'Lease', 'istio-upgrade-lock', 'istio-system');
  }

  /**
   * Makes the upgrade lock look as if its holder stopped renewing it ten minutes ago. The next apply watches it for
   * its duration before taking it over, so the lease is given a 1 s duration to keep tests short.
   */
  expireLease(): void {
    const lease = this.lease() as (KubeObject & { spec: Record<string, unknown> }) | undefined;
    if (!lease) throw new Error('no upgrade lock to expire');
    const old = new Date(Date.now() - 600_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    this.server.load([{ ...lease, spec: { ...lease.spec, acquireTime: old, renewTime: old, leaseDurationSeconds: 1 } }]);
  }

  /**
   * Plays the workload controllers for what the product changes through the API: a Deployment, StatefulSet or
   * DaemonSet the product patched (strategic merge, as `rollout restart` does) is reconciled once its generation is
   * ahead of its observedGeneration. Candidates come from the server's request log, so an idle tick costs nothing.
   * Workloads the fake helm changes are left alone: it reconciles them itself, and doing it here too would race it.
   */
  startControllers(intervalMs = 50): void {
    const PATCHED = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|daemonsets)\/([^/]+)$/;
    const KIND = { deployments: 'Deployment', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet' } as const;
    const pending = new Map<string, { kind: 'Deployment' | 'StatefulSet' | 'DaemonSet'; namespace: string; name: string }>();
    let cursor = 0;
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const log = this.server.requests;
        if (log.length < cursor) cursor = 0; // the log was cleared
        for (; cursor < log.length; cursor++) {
          const q = log[cursor]!;
          const m = q.method === 'PATCH' && (q.headers['content-type'] ?? '').includes('strategic-merge-patch') ? PATCHED.exec(q.path) : null;
          if (m) pending.set(q.path, { kind: KIND[m[2] as keyof typeof KIND], namespace: decodeURIComponent(m[1]!), name: decodeURIComponent(m[3]!) });
        }
        for (const [key, w] of pending) {
          const obj = this.server.get('apps/v1', w.kind, w.name, w.namespace) as (KubeObject & { status?: { observedGeneration?: number } }) | undefined;
          if (!obj) {
            pending.delete(key);
            continue;
          }
          if (Number(obj.status?.observedGeneration ?? 0) >= Number(obj.metadata.generation ?? 0)) continue; // the patch has not landed yet, or is done
          try {
            await reconcile(this.server, w.kind, w.namespace, w.name);
            pending.delete(key);
            this.afterReconcile?.(w.kind, w.namespace, w.name);
          } catch {
            // a conflicting write: try again on the next tick
          }
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
    this.controllers = async () => {
      stopped = true;
      await loop;
    };
  }

  async close(): Promise<void> {
    await this.controllers?.();
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `fn` returns a truthy value; throws after `timeoutMs` with `what`. */
export async function until<T>(what: string | (() => string), fn: () => T | undefined | false | null, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts a cluster closed when the test ends (works for concurrent tests, which must not share hooks' state). */
export async function startCluster(ctx: Pick<TestContext, 'onTestFinished'>, o: ClusterOptions): Promise<E2eCluster> {
  const c = await E2eCluster.start(o);
  ctx.onTestFinished(() => c.close());
  return c;
}
