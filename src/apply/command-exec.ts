import type { PlanCommand, PlanStep } from '../plan/schema.js';
import type { Clock, Cluster, LogSink, Runner } from './ports.js';
import { namespaceArg } from './stale.js';

/** Runs one plan command: helm/istioctl through the Runner, API actions through the Cluster. */

export interface CommandEnv {
  cluster: Cluster;
  runner: Runner;
  clock: Clock;
  signal: AbortSignal;
  log?: LogSink;
}

export type CommandResult = { ok: true; stdout?: string; skipped?: string } | { ok: false; message: string; output?: string };

export async function runPlanCommand(cmd: PlanCommand, previousOutput: string | undefined, deadline: number, env: CommandEnv): Promise<CommandResult> {
  const left = deadline - env.clock.now();
  if (left <= 0) return { ok: false, message: `time budget used up before: ${cmd.description}` };
  if (cmd.via === 'kubernetes-api') {
    if (!cmd.api) return { ok: false, message: `command "${cmd.description}" has no API action in the plan` };
    try {
      await env.cluster.act(cmd.api, { previousOutput, signal: env.signal, deadline, helmValues: (r, n) => env.runner.helmValues(r, n, env.signal) });
      env.log?.(`\n# API: ${cmd.api.type}: ${cmd.description}\n[ok]\n`);
      return { ok: true };
    } catch (e) {
      const message = (e as Error).message?.split('\n')[0] ?? String(e);
      env.log?.(`\n# API: ${cmd.api.type}: ${cmd.description}\n[failed] ${message}\n`);
      return { ok: false, message };
    }
  }
  const tool = cmd.via;
  const args = cmd.argv[0] === tool ? cmd.argv.slice(1) : cmd.argv;
  if (cmd.optional && !(await env.runner.available(tool))) return { ok: true, skipped: `skipped: ${tool} not found (${cmd.argv.slice(0, 3).join(' ')})` };
  const r = await env.runner.run({ tool, args, ...(cmd.valuesFrom ? { valuesFrom: cmd.valuesFrom } : {}), timeoutMs: left, signal: env.signal, ...(env.log ? { log: env.log } : {}) });
  if (r.ok) return { ok: true, stdout: r.stdout };
  return { ok: false, message: r.message, ...(r.output ? { output: r.output } : {}) };
}

/** Releases whose Helm revision a step changes, as `namespace/release`, for the run record. */
export function helmReleasesTouched(step: PlanStep): { key: string; release: string; namespace: string }[] {
  const out = new Map<string, { key: string; release: string; namespace: string }>();
  for (const c of step.commands) {
    if (c.via !== 'helm') continue;
    const args = c.argv[0] === 'helm' ? c.argv.slice(1) : c.argv;
    if (!['upgrade', 'install', 'uninstall', 'rollback'].includes(args[0] ?? '') || !args[1]) continue;
    const namespace = namespaceArg(args) ?? 'default';
    out.set(`${namespace}/${args[1]}`, { key: `${namespace}/${args[1]}`, release: args[1], namespace });
  }
  return [...out.values()];
}
