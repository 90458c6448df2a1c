import { invocationOf, type Resolved } from '../plan/commands.js';
import type { Plan, PlanCommand, PlanStep } from '../plan/schema.js';
import { minorOf } from '../util/version.js';
import type { Clock, Cluster, LogSink, PinnedManifest, Runner } from './ports.js';

/**
 * Runs one plan command: helm/istioctl through the Runner, API actions through the Cluster. What runs is rebuilt
 * from the command's typed operation by the one builder; the argv stored in the plan is never executed.
 */

export interface CommandEnv {
  cluster: Cluster;
  runner: Runner;
  clock: Clock;
  signal: AbortSignal;
  log?: LogSink;
  /** The Istio minor of the step's hop: istioctl commands run the binary given for it (--istioctl 1.24=PATH). */
  istioMinor?: string;
  /** Release manifests the run pinned before its first change (ActionContext.manifests). */
  manifests?: ReadonlyMap<string, PinnedManifest>;
}

/** The Istio minor of a step's hop (its target), which picks the istioctl binary its commands and rollbacks run. */
export function istioMinorOf(plan: Plan, step: PlanStep): { istioMinor?: string } {
  const to = plan.hops.find((h) => h.index === step.hop)?.to;
  return to ? { istioMinor: minorOf(to) } : {};
}

/**
 * Why a step's rollback command has nothing to undo, or undefined when it must run. A `helm install` that failed before
 * creating its release (chart not found, helm killed early) leaves nothing for `helm uninstall`, which would fail with
 * "release: not found" and turn a clean failure into "rollback failed". A `helm upgrade` that failed before writing a
 * revision leaves the release at the revision recorded before the step; `helm rollback` to it would only add a copy of
 * that same revision to the history, so it is not run either.
 */
export async function nothingToUndo(cmd: PlanCommand, cluster: Cluster, resolved: Resolved): Promise<string | undefined> {
  const op = cmd.helm;
  if (op?.op !== 'uninstall' && op?.op !== 'rollback') return undefined;
  const key = `${op.namespace}/${op.release}`;
  const now = await cluster.helmRevision(op.release, op.namespace);
  if (op.op === 'uninstall') return now === null ? `Helm release ${key} does not exist: nothing to uninstall` : undefined;
  const before = resolved.revisionBefore?.(op);
  return typeof before === 'number' && now === before ? `Helm release ${key} is still at revision ${before}, the one before the step: nothing to roll back` : undefined;
}

/** A rollback command, unless it has nothing to undo (then `skipped` says why and nothing ran). */
export async function runUndoCommand(cmd: PlanCommand, previousOutput: string | undefined, deadline: number, env: CommandEnv, resolved: Resolved): Promise<CommandResult> {
  const done = await nothingToUndo(cmd, env.cluster, resolved).catch(() => undefined);
  if (done !== undefined) {
    env.log?.(`\n# not run: ${cmd.description}: ${done}\n`);
    return { ok: true, skipped: done };
  }
  return runPlanCommand(cmd, previousOutput, deadline, env, resolved);
}

export type CommandResult = { ok: true; stdout?: string; skipped?: string } | { ok: false; message: string; output?: string };

export async function runPlanCommand(cmd: PlanCommand, previousOutput: string | undefined, deadline: number, env: CommandEnv, resolved: Resolved = {}): Promise<CommandResult> {
  const left = deadline - env.clock.now();
  if (left <= 0) return { ok: false, message: `time budget used up before: ${cmd.description}` };
  let run;
  try {
    run = invocationOf(cmd, resolved);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  if (run.tool === 'kubernetes-api') {
    try {
      await env.cluster.act(run.action, { previousOutput, signal: env.signal, deadline, helmValues: (r, n) => env.runner.helmValues(r, n, env.signal), ...(env.manifests ? { manifests: env.manifests } : {}) });
      env.log?.(`\n# API: ${run.action.type}: ${cmd.description}\n[ok]\n`);
      return { ok: true };
    } catch (e) {
      const message = (e as Error).message?.split('\n')[0] ?? String(e);
      env.log?.(`\n# API: ${run.action.type}: ${cmd.description}\n[failed] ${message}\n`);
      return { ok: false, message };
    }
  }
  const minor = run.tool === 'istioctl' && env.istioMinor ? { istioMinor: env.istioMinor } : {};
  if (cmd.optional && !(await env.runner.available(run.tool, minor.istioMinor))) return { ok: true, skipped: `skipped: ${run.tool} not found (${[run.tool, ...run.args.slice(0, 2)].join(' ')})` };
  const r = await env.runner.run({ tool: run.tool, args: run.args, ...(run.tool === 'helm' && run.valuesFrom ? { valuesFrom: run.valuesFrom } : {}), timeoutMs: left, signal: env.signal, ...minor, ...(env.log ? { log: env.log } : {}) });
  if (r.ok) return { ok: true, stdout: r.stdout };
  return { ok: false, message: r.message, ...(r.output ? { output: r.output } : {}) };
}
