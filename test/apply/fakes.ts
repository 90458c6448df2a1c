/** In-memory fakes of the executor's ports, and a small realistic plan built with the real step builders. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../src/k8s/inventory.js';
import { collectFacts } from '../../src/plan/facts.js';
import { PLAN_API_VERSION, type ApiAction, type Plan, type PlanStep, type VerifySpec } from '../../src/plan/schema.js';
import { planSchema } from '../../src/steps/registry.js';
import { finishStep } from '../../src/steps/types.js';
import { preflightStep } from '../../src/steps/preflight.js';
import { baseChartUpgradeStep } from '../../src/steps/base-chart-upgrade.js';
import { istiodInstallStep } from '../../src/steps/istiod-install.js';
import { tagMoveStep } from '../../src/steps/tag-move.js';
import { workloadRestartStep } from '../../src/steps/workload-restart.js';
import { oldRevisionRemovalStep } from '../../src/steps/old-revision-removal.js';
import {
  ConflictError,
  NotFoundError,
  type ActionContext,
  type Clock,
  type Cluster,
  type ConfigMapPort,
  type Confirmer,
  type LeasePort,
  type LeaseState,
  type RunOutcome,
  type RunRequest,
  type Runner,
  type SignalSource,
  type StoredConfigMap,
  type Tool,
  type VerifyContext,
  type VerifyOutcome,
} from '../../src/apply/ports.js';
import type { Progress } from '../../src/apply/progress.js';
import { CheckpointStore, ConfigMapMirror, LocalRunStore } from '../../src/apply/run-state.js';
import type { RunRecord } from '../../src/apply/run-record.js';
import type { StepEvent } from '../../src/apply/events.js';
import type { ExecuteOptions, ExecutorDeps } from '../../src/apply/executor.js';

export const T0 = Date.parse('2026-11-22T10:00:00Z');
export const CONTEXT = 'prod-eu';
export const CLUSTER_ID = 'uid-kube-system-1';
export const NS = 'istio-system';

export function inventory(over: Partial<Inventory> = {}): Inventory {
  return {
    apiVersion: 'istio-upgrade/v1',
    kind: 'Inventory',
    source: { type: 'live', context: CONTEXT, capturedAt: null },
    cluster: { kubernetesVersion: '1.30.2', clusterId: CLUSTER_ID, nodes: [] },
    istioNamespace: NS,
    installMethod: 'helm',
    mode: 'sidecar',
    revisions: [
      {
        name: '1-23-6',
        version: '1.23.6',
        namespace: NS,
        deployment: 'istiod-1-23-6',
        image: null,
        rollout: null,
        health: 'healthy',
        injectorWebhook: null,
        validatingWebhooks: [],
        meshConfigMap: null,
        installMethod: 'helm',
        helmRelease: { release: 'istiod-1-23-6', namespace: NS },
        profile: null,
        compatibilityVersion: null,
        ambient: false,
        tags: ['default'],
      },
    ],
    tags: [{ name: 'default', revision: '1-23-6', webhook: 'istio-revision-tag-default', service: null, namespaces: ['shop'], conflicting: false }],
    defaults: { tagRevision: '1-23-6', validatorRevision: '1-23-6', baseDefaultRevision: null, consistent: true },
    components: [],
    helmReleases: [
      helmRelease('istio-base', 'base', 2),
      helmRelease('istiod-1-23-6', 'istiod', 1),
    ],
    dataPlane: { namespaces: [{ name: 'shop', injection: null, revisionLabel: 'default', dataplaneMode: null, effectiveRevision: '1-23-6' }], proxies: [], workloads: [] },
    ambient: { cni: null, ztunnel: null },
    waypoints: [],
    gateways: [],
    crds: { istio: [], gatewayApi: { present: false, bundleVersion: null, channel: null, crds: [] } },
    istioCsr: { present: false, name: null, namespace: null, version: null },
    operators: { inCluster: { deployments: [], istioOperators: [] }, sail: { istios: [] } },
    findings: [],
    ...over,
  };
}

function helmRelease(name: string, chart: string, revision: number): Inventory['helmReleases'][number] {
  return {
    name,
    namespace: NS,
    chart,
    chartVersion: '1.23.6',
    appVersion: '1.23.6',
    status: 'deployed',
    revision,
    component: chart === 'base' ? 'base' : 'istiod',
    lastDeployed: null,
    secretName: `sh.helm.release.v1.${name}.v${revision}`,
    lastGoodRevision: revision,
    history: [],
    values: {},
  };
}

const ctx = (preconditions: string[]) => ({ hop: 1, istioNamespace: NS, preconditions });
const ISTIO_ALIAS = { kind: 'alias', name: 'istio' } as const;

/** preflight, base upgrade, istiod install (values from the old release), tag move, a 3-batch restart, old revision removal. */
export function testPlan(over: { irreversible?: boolean; facts?: Inventory } = {}): Plan {
  const steps: PlanStep[] = [
    finishStep(ctx(['revision/1-23-6/health']), preflightStep({ targetVersion: '1.24.6', sourceMinor: '1.23', checks: [], istioctlPrecheck: true })),
    finishStep(ctx(['helm/istio-system/istio-base/revision', 'helm/istio-system/istio-base/status']), baseChartUpgradeStep({ release: 'istio-base', namespace: NS, charts: ISTIO_ALIAS, version: '1.24.6' })),
    finishStep(
      ctx(['helm/istio-system/istiod-1-23-6/revision', 'revision/1-23-6/version']),
      istiodInstallStep({
        method: 'helm',
        namespace: NS,
        charts: ISTIO_ALIAS,
        version: '1.24.6',
        revision: '1-24-6',
        valuesFrom: { release: 'istiod-1-23-6', namespace: NS },
        ambient: false,
        compatibilityVersion: null,
        clearCompatibilityVersion: false,
        clearRevisionTags: true,
      }),
    ),
    finishStep(
      ctx(['tag/default/revision']),
      tagMoveStep({
        method: 'helm',
        tag: 'default',
        namespace: NS,
        charts: ISTIO_ALIAS,
        from: { revision: '1-23-6', version: '1.23.6', templates: ['templates/revision-tags.yaml'] },
        to: { revision: '1-24-6', version: '1.24.6', templates: ['templates/revision-tags.yaml'] },
        namespaces: ['shop'],
        gatewaysFollowing: [],
      }),
    ),
    finishStep(
      ctx(['namespace/shop/revision-label']),
      workloadRestartStep({
        qualifier: 'tag-default',
        reason: 'after tag default moved',
        workloads: [
          { kind: 'Deployment', namespace: 'shop', name: 'cart', pods: 2 },
          { kind: 'Deployment', namespace: 'shop', name: 'checkout', pods: 2 },
          { kind: 'StatefulSet', namespace: 'shop', name: 'db', pods: 1 },
        ],
        batchSize: 1,
        expectRevision: '1-24-6',
        expectProxyVersion: '1.24.6',
        unrestartable: [],
      }),
    ),
  ];
  if (over.irreversible !== false) {
    steps.push(
      finishStep(
        ctx(['revision/1-23-6/version']),
        oldRevisionRemovalStep({ method: 'helm', oldRevision: '1-23-6', newRevision: '1-24-6', namespace: NS, istiodRelease: 'istiod-1-23-6', recreateTags: null }),
      ),
    );
  }
  return planSchema.parse({
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    metadata: { id: 'plan-20261122T095500-abc123', createdAt: new Date(T0 - 5 * 60_000).toISOString(), toolVersion: '0.1.0', context: CONTEXT, clusterId: CLUSTER_ID, inputs: 'live' },
    source: { version: '1.23.6', revision: '1-23-6', mode: 'sidecar', installMethod: 'helm', istioNamespace: NS, kubernetesVersion: '1.30.2' },
    target: { version: '1.24.6', revision: '1-24-6', known: true },
    strategy: 'canary',
    upToDate: false,
    hops: [],
    blockers: [],
    warnings: [],
    notes: [],
    steps,
    followUps: [],
    facts: collectFacts(over.facts ?? inventory()),
  });
}

/** Every subprocess and API call, in the order they happened. */
export type Journal = string[];

export class FakeClock implements Clock {
  t = T0;
  private timers: { ms: number; fn: () => void; next: number }[] = [];
  now(): number {
    return this.t;
  }
  /** Time passes instantly: the sleeper wakes at once with the clock moved on. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.t += Math.max(0, ms);
    await Promise.resolve();
  }
  every(ms: number, fn: () => void): () => void {
    const timer = { ms, fn, next: this.t + ms };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Moves time on and fires due interval callbacks. */
  advance(ms: number): void {
    this.t += ms;
    for (const timer of this.timers) {
      while (timer.next <= this.t) {
        timer.next += timer.ms;
        timer.fn();
      }
    }
  }
}

export class MemoryLeases implements LeasePort {
  readonly items = new Map<string, LeaseState>();
  private rv = 100;
  private key = (ns: string, name: string) => `${ns}/${name}`;
  async get(ns: string, name: string) {
    const l = this.items.get(this.key(ns, name));
    return l ? structuredClone(l) : undefined;
  }
  async create(ns: string, name: string, lease: LeaseState) {
    if (this.items.has(this.key(ns, name))) throw new ConflictError('AlreadyExists');
    const stored = { ...structuredClone(lease), resourceVersion: String(++this.rv) };
    this.items.set(this.key(ns, name), stored);
    return structuredClone(stored);
  }
  async replace(ns: string, name: string, lease: LeaseState) {
    const cur = this.items.get(this.key(ns, name));
    if (!cur) throw new NotFoundError('NotFound');
    if (lease.resourceVersion !== cur.resourceVersion) throw new ConflictError('Conflict');
    const stored = { ...structuredClone(lease), resourceVersion: String(++this.rv) };
    this.items.set(this.key(ns, name), stored);
    return structuredClone(stored);
  }
  async delete(ns: string, name: string, resourceVersion: string | undefined) {
    const cur = this.items.get(this.key(ns, name));
    if (!cur) return;
    if (resourceVersion && resourceVersion !== cur.resourceVersion) throw new ConflictError('Conflict');
    this.items.delete(this.key(ns, name));
  }
}

export class MemoryConfigMaps implements ConfigMapPort {
  readonly items = new Map<string, StoredConfigMap>();
  private rv = 500;
  writes = 0;
  private key = (ns: string, name: string) => `${ns}/${name}`;
  async get(ns: string, name: string) {
    const c = this.items.get(this.key(ns, name));
    return c ? structuredClone(c) : undefined;
  }
  async create(ns: string, cm: StoredConfigMap) {
    if (this.items.has(this.key(ns, cm.name))) throw new ConflictError('AlreadyExists');
    this.writes++;
    const stored = { ...structuredClone(cm), resourceVersion: String(++this.rv) };
    this.items.set(this.key(ns, cm.name), stored);
    return structuredClone(stored);
  }
  async replace(ns: string, cm: StoredConfigMap) {
    const cur = this.items.get(this.key(ns, cm.name));
    if (!cur) throw new NotFoundError('NotFound');
    if (cm.resourceVersion !== cur.resourceVersion) throw new ConflictError('Conflict');
    this.writes++;
    const stored = { ...structuredClone(cm), resourceVersion: String(++this.rv) };
    this.items.set(this.key(ns, cm.name), stored);
    return structuredClone(stored);
  }
  async list(ns: string, selector: string) {
    const want = selector.split(',').map((p) => p.split('='));
    return [...this.items.entries()].filter(([k, c]) => k.startsWith(`${ns}/`) && want.every(([l, v]) => c.labels[l!] === v)).map(([, c]) => structuredClone(c));
  }
}

export class FakeCluster implements Cluster {
  context = CONTEXT;
  istioNamespace = NS;
  id: string | null = CLUSTER_ID;
  inv: Inventory = inventory();
  readonly leases = new MemoryLeases();
  readonly configMaps = new MemoryConfigMaps();
  actions: { action: ApiAction; previousOutput: string | undefined; manifests?: ActionContext['manifests'] }[] = [];
  verifies: { spec: VerifySpec; ctx: VerifyContext }[] = [];
  /** Decides each verification; default: everything holds. */
  verifyWith: (spec: VerifySpec, ctx: VerifyContext) => VerifyOutcome = () => ({ ok: true });
  /** Throw from here to make an API action fail. */
  actWith: (action: ApiAction) => void = () => undefined;
  helmRevisions = new Map<string, number>([
    [`${NS}/istio-base`, 2],
    [`${NS}/istiod-1-23-6`, 1],
  ]);

  constructor(private readonly journal: Journal) {}

  async clusterId() {
    return this.id;
  }
  async inventory() {
    return structuredClone(this.inv);
  }
  async act(action: ApiAction, c: ActionContext) {
    this.journal.push(`api ${action.type}`);
    this.actions.push({ action, previousOutput: c.previousOutput, ...(c.manifests ? { manifests: c.manifests } : {}) });
    this.actWith(action);
  }
  async verify(spec: VerifySpec, c: VerifyContext) {
    this.journal.push(`verify ${spec.type}${c.probe ? ' (probe)' : ''}`);
    this.verifies.push({ spec, ctx: c });
    const outcome = this.verifyWith(spec, c);
    // What a verified tag move shows in the live cluster from then on (an irreversible removal re-reads it).
    if (outcome.ok && spec.type === 'tag-points-to') {
      const tag = this.inv.tags.find((t) => t.name === spec.tag);
      if (tag) {
        tag.revision = spec.revision;
        for (const n of this.inv.dataPlane.namespaces) if (tag.namespaces.includes(n.name)) n.effectiveRevision = spec.revision;
      }
      // Setting the `default` tag also points istiod-default-validator at its revision, as istioctl tag set does.
      if (spec.tag === 'default') this.inv.defaults = { ...this.inv.defaults, tagRevision: spec.revision, validatorRevision: spec.revision };
    }
    if (outcome.ok && spec.type === 'default-validator') this.inv.defaults = { ...this.inv.defaults, validatorRevision: spec.revision, baseDefaultRevision: spec.revision };
    return outcome;
  }
  async helmRevision(release: string, namespace: string) {
    return this.helmRevisions.get(`${namespace}/${release}`) ?? null;
  }
  /** Status of the latest revision by `namespace/release` (default deployed). */
  helmStatuses = new Map<string, string>();
  async helmStatus(release: string, namespace: string) {
    const revision = await this.helmRevision(release, namespace);
    return revision === null ? null : { revision, status: this.helmStatuses.get(`${namespace}/${release}`) ?? 'deployed' };
  }
  /** Every earlier revision superseded, the latest as helmStatus says. */
  async helmHistory(release: string, namespace: string) {
    const latest = await this.helmStatus(release, namespace);
    if (!latest) return [];
    return [...Array.from({ length: latest.revision - 1 }, (_, i) => ({ revision: i + 1, status: 'superseded' })), latest];
  }
  readonly helmRecords = {
    markFailed: async (namespace: string, release: string, revision: number) => {
      this.journal.push(`mark-failed ${namespace}/${release} v${revision}`);
      if (this.helmRevisions.get(`${namespace}/${release}`) === revision) this.helmStatuses.set(`${namespace}/${release}`, 'failed');
    },
  };
}

/**
 * What a helm call does to the releases' revisions, as helm does it: install writes revision 1 and refuses a name in
 * use, upgrade and rollback write the next revision of an existing release, uninstall removes one; a call on a
 * release that does not exist fails as helm's does.
 */
function helmEffect(args: string[], revisions: Map<string, number>): { refused: RunOutcome } | { apply: () => void } | undefined {
  const [sub, release] = args;
  if (!release || !['install', 'upgrade', 'rollback', 'uninstall'].includes(sub!)) return undefined;
  const ns = args[args.indexOf('-n') + 1];
  const key = `${ns}/${release}`;
  const now = revisions.get(key);
  const refused = (message: string): { refused: RunOutcome } => ({ refused: { ok: false, reason: 'failed', message: `helm ${sub} exited with 1: ${message}` } });
  if (sub === 'install') return now === undefined ? { apply: () => revisions.set(key, 1) } : refused('INSTALLATION FAILED: cannot re-use a name that is still in use');
  if (now === undefined) return refused(sub === 'uninstall' ? `uninstall: Release not loaded: ${release}: release: not found` : `"${release}" has no deployed releases`);
  return sub === 'uninstall' ? { apply: () => revisions.delete(key) } : { apply: () => revisions.set(key, now + 1) };
}

export class FakeRunner implements Runner {
  runs: RunRequest[] = [];
  missing = new Set<Tool>();
  /** Decides each run; default: success with empty output (helm template renders a tag webhook). */
  outcome: (req: RunRequest) => RunOutcome | Promise<RunOutcome> = (req) => ({ ok: true, stdout: req.args[0] === 'template' ? 'kind: MutatingWebhookConfiguration' : '' });

  /** `helmRevisions`: the cluster whose releases a helm call that succeeds changes (helmEffect). */
  constructor(
    private readonly journal: Journal,
    private readonly helmRevisions?: Map<string, number>,
  ) {}

  async available(tool: Tool) {
    return !this.missing.has(tool);
  }
  async run(req: RunRequest) {
    this.journal.push(`${req.tool} ${req.args.join(' ')}`);
    this.runs.push(req);
    const effect = req.tool === 'helm' && this.helmRevisions ? helmEffect(req.args, this.helmRevisions) : undefined;
    if (effect && 'refused' in effect) return effect.refused;
    const out = await this.outcome(req);
    if (out.ok && effect) effect.apply();
    return out;
  }
  async helmValues() {
    return 'pilot: {}\n';
  }
  display(tool: Tool, args: string[]) {
    return [tool, ...args, tool === 'helm' ? '--kube-context' : '--context', CONTEXT];
  }
}

export class FakeSignals implements SignalSource {
  private handlers: ((s: string) => void)[] = [];
  onInterrupt(h: (s: string) => void) {
    this.handlers.push(h);
    return () => {
      this.handlers = this.handlers.filter((x) => x !== h);
    };
  }
  trigger(sig = 'SIGTERM') {
    for (const h of [...this.handlers]) h(sig);
  }
  get subscribed() {
    return this.handlers.length;
  }
}

export class RecordingProgress implements Progress {
  lines: string[] = [];
  stepStarted(step: PlanStep, _i: number, _n: number, undo?: boolean) {
    this.lines.push(`${undo ? 'undo' : 'start'} ${step.id}`);
  }
  stepUpdate(step: PlanStep, text: string) {
    this.lines.push(`update ${step.id}: ${text}`);
  }
  stepFinished(step: PlanStep, outcome: string, _ms: number, detail?: string) {
    this.lines.push(`${outcome} ${step.id}${detail ? `: ${detail}` : ''}`);
  }
  info(text: string) {
    this.lines.push(`info ${text}`);
  }
  warn(text: string) {
    this.lines.push(`warn ${text}`);
  }
}

export function confirmer(interactive: boolean, answer = true): Confirmer & { asked: string[] } {
  const asked: string[] = [];
  return {
    interactive,
    asked,
    async confirm(_q: string, expected: string) {
      asked.push(expected);
      return answer;
    },
  };
}

export interface Harness {
  journal: Journal;
  cluster: FakeCluster;
  runner: FakeRunner;
  clock: FakeClock;
  signals: FakeSignals;
  progress: RecordingProgress;
  events: StepEvent[];
  store: CheckpointStore;
  /** Every checkpoint written, as it was at that moment. */
  saves: RunRecord[];
  stateDir: string;
  deps: ExecutorDeps;
  options: ExecuteOptions;
}

export function harness(over: { stateDir?: string; cluster?: FakeCluster; journal?: Journal; confirm?: Confirmer } = {}): Harness {
  const journal = over.journal ?? [];
  const cluster = over.cluster ?? new FakeCluster(journal);
  const runner = new FakeRunner(journal, cluster.helmRevisions);
  const clock = new FakeClock();
  const signals = new FakeSignals();
  const progress = new RecordingProgress();
  const events: StepEvent[] = [];
  const stateDir = over.stateDir ?? mkdtempSync(join(tmpdir(), 'iu-state-'));
  const store = new CheckpointStore(new LocalRunStore(stateDir), new ConfigMapMirror(cluster.configMaps, NS), (m) => progress.warn(m), () => clock.now());
  const saves: RunRecord[] = [];
  const save = store.save.bind(store);
  store.save = async (r: RunRecord) => {
    saves.push(structuredClone(r));
    await save(r);
  };
  return {
    journal,
    cluster,
    runner,
    clock,
    signals,
    progress,
    events,
    store,
    saves,
    stateDir,
    deps: { cluster, runner, store, clock, signals, progress, events: { emit: (e) => events.push(e) }, confirm: over.confirm ?? confirmer(false) },
    options: {
      planPath: 'plan.json',
      onFailure: 'rollback',
      stepTimeoutMs: 15 * 60_000,
      rollbackTimeoutMs: 15 * 60_000,
      yes: true,
      holder: 'alice@laptop',
      hintFlags: ['--context', CONTEXT],
      runId: '20261122-100000-aaaaaa',
    },
  };
}
