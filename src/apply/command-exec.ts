import { invocationOf, type Resolved } from '../plan/commands.js';
import type { Plan, PlanCommand, PlanStep } from '../plan/schema.js';
import { minorOf } from '../util/version.js';
import type { Clock, Cluster, LogSink, Runner } from './ports.js';

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
}

/** The Istio minor of a step's hop (its target), which picks the istioctl binary its commands and rollbacks run. */
export function istioMinorOf(plan: Plan, step: PlanStep): { istioMinor?: string } {
  const to = plan.hops.find((h) => h.index === step.hop)?.to;
  return to ? { istioMinor: minorOf(to) } : {};
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
      await env.cluster.act(run.action, { previousOutput, signal: env.signal, deadline, helmValues: (r, n) => env.runner.helmValues(r, n, env.signal) });
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
