import { join } from 'node:path';
import type { LiveCluster } from '../apply/live-cluster.js';
import { createProgress, interactiveTerminal, type Progress } from '../apply/progress.js';
import { CheckpointStore, ConfigMapMirror, defaultStateDir, LocalRunStore } from '../apply/run-state.js';
import { ExecaRunner } from '../apply/subprocess.js';
import { toolPathsFrom } from '../apply/tool-paths.js';
import { fileEventSink, noEvents, type EventSink } from '../apply/events.js';
import { systemClock } from '../apply/ports.js';
import { processSignals } from '../apply/terminal.js';
import type { RollbackDeps } from '../apply/rollback.js';
import { AttemptRecorder } from '../apply/attempts.js';
import { ClientVersions } from '../apply/client-versions.js';
import { prerequisiteNeeds } from '../apply/plan-needs.js';
import { minorOf } from '../util/version.js';
import { operatorIdentity } from '../apply/operator-identity.js';
import type { RunStatus } from '../apply/run-record.js';
import type { Tool } from '../apply/ports.js';
import type { Plan } from '../plan/schema.js';
import { TOOL_VERSION } from '../version.js';
import { colorEnabled, makeChalk } from './color.js';
import type { RunFlags } from './apply-options.js';

/** The live dependencies `apply` and `rollback` share, built from their flags. */
export interface RunWiring {
  store: CheckpointStore;
  runner: ExecaRunner;
  /** Each client's version, read once per process (prerequisite checks and the attempt record share it). */
  versions: ClientVersions;
  progress: Progress;
  events: EventSink;
  hintFlags: string[];
}

/** `overrides`: the operator's value overrides per component (apply only), for the helm commands that name them. */
export function wireRun(flags: RunFlags, cluster: LiveCluster, overrides?: ReadonlyMap<string, string>): RunWiring {
  const progress = createProgress({
    stream: process.stderr,
    interactive: interactiveTerminal(process.stderr),
    chalk: makeChalk(colorEnabled(flags.color, process.stderr)),
  });
  const stateDir = flags.stateDir ?? defaultStateDir();
  const store = new CheckpointStore(
    new LocalRunStore(stateDir),
    new ConfigMapMirror(cluster.configMaps, cluster.istioNamespace),
    (m) => progress.warn(m),
    () => systemClock.now(),
  );
  const runner = new ExecaRunner({
    paths: toolPathsFrom(flags),
    context: cluster.context,
    kubeconfigFiles: cluster.kubeconfigFiles,
    callerEnv: process.env,
    scratchDir: join(stateDir, 'scratch'),
    ...(overrides ? { overrides } : {}),
  });
  const hintFlags = [
    '--context',
    cluster.context,
    ...(flags.kubeconfig ? ['--kubeconfig', flags.kubeconfig] : []),
    ...(flags.stateDir ? ['--state-dir', flags.stateDir] : []),
  ];
  return { store, runner, versions: new ClientVersions(runner), progress, events: flags.events ? fileEventSink(flags.events) : noEvents, hintFlags };
}

const optionalMinor = (istioMinor: string | undefined) => (istioMinor ? { istioMinor } : {});

export const liveRuntime = { clock: systemClock, signals: processSignals() };

/** The live dependencies of a run, shared by apply and rollback. */
export function liveRunDeps(w: RunWiring, cluster: LiveCluster): RollbackDeps {
  return {
    cluster,
    runner: w.runner,
    store: w.store,
    clock: liveRuntime.clock,
    signals: liveRuntime.signals,
    progress: w.progress,
    events: w.events,
    logFor: (runId) => w.store.local.logSink(runId),
    fetchManifest: (url, signal) => cluster.fetchManifest(url, signal),
  };
}

/**
 * Runs `body` (the executor or the rollback) as one attempt of its run: who, with which tools, from which version to
 * which, and how it ended land in the run record (local and ConfigMap). A thrown error ends the attempt as failed.
 */
export async function asAttempt<R extends { status: RunStatus; error?: string }>(
  w: RunWiring,
  cluster: LiveCluster,
  a: { plan: Plan; rollback: boolean; holder: string },
  body: () => Promise<R>,
): Promise<R> {
  const tools = [...new Set(a.plan.steps.flatMap((s) => [...s.commands, ...(s.rollback?.commands ?? [])].map((c) => c.via)))].filter((v): v is Tool => v === 'helm' || v === 'istioctl');
  const recorder = new AttemptRecorder({
    rollback: a.rollback,
    from: a.rollback ? a.plan.target.version : a.plan.source.version,
    to: a.rollback ? a.plan.source.version : a.plan.target.version,
    holder: a.holder,
    toolVersion: TOOL_VERSION,
    tools,
    ...optionalMinor(prerequisiteNeeds(a.plan).istioctl.map((n) => minorOf(n.version)).sort()[0]),
    versions: w.versions,
    identify: () => operatorIdentity(cluster.source.resolved.kc, cluster.source.http.requestTimeoutMs),
    now: () => liveRuntime.clock.now(),
    log: (runId) => w.store.local.logSink(runId),
  });
  w.store.beginAttempt(recorder);
  let result: R;
  try {
    result = await body();
  } catch (e) {
    await w.store.endAttempt('failed', (e as Error).message?.split('\n')[0]).catch(() => undefined);
    throw e;
  }
  await w.store.endAttempt(result.status, result.error);
  return result;
}
