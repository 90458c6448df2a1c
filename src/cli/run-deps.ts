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
import { colorEnabled, makeChalk } from './color.js';
import type { RunFlags } from './apply-options.js';

/** The live dependencies `apply` and `rollback` share, built from their flags. */
export interface RunWiring {
  store: CheckpointStore;
  runner: ExecaRunner;
  progress: Progress;
  events: EventSink;
  hintFlags: string[];
}

export function wireRun(flags: RunFlags, cluster: LiveCluster): RunWiring {
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
  });
  const hintFlags = [
    '--context',
    cluster.context,
    ...(flags.kubeconfig ? ['--kubeconfig', flags.kubeconfig] : []),
    ...(flags.stateDir ? ['--state-dir', flags.stateDir] : []),
  ];
  return { store, runner, progress, events: flags.events ? fileEventSink(flags.events) : noEvents, hintFlags };
}

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
  };
}

/** The closing lines a person reads: what happened and, when it did not end well, what to run next. */
export function summary(result: { runId: string; status: string; exitCode: number; error?: string; nextCommands: string[] }, logPath: string): string {
  const lines = [`run ${result.runId}: ${result.status}${result.error ? ` — ${result.error}` : ''}`];
  if (result.exitCode !== 0) lines.push(`log: ${logPath}`);
  if (result.nextCommands.length) lines.push('next:', ...result.nextCommands.map((c) => `  ${c}`));
  return `${lines.join('\n')}\n`;
}
