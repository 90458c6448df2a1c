import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExitCode, UserError } from '../errors.js';
import { planCommandDrift } from '../plan/commands.js';
import { diffFacts, type FactChange, type FactValue } from '../plan/facts.js';
import type { Plan, PlanStep } from '../plan/schema.js';
import { STEPS } from '../steps/registry.js';
import { formatDuration } from './duration.js';

/**
 * The checks that make "the reviewed plan is the approval" safe: the plan must be for this
 * cluster, recent enough, and the facts each remaining step relies on must still hold.
 */

export function checkIdentity(plan: Plan, context: string, clusterId: string | null, allowAnyCluster = false): void {
  const want = plan.metadata;
  if (want.clusterId === null && !allowAnyCluster) {
    throw new UserError(
      `plan ${want.id} records no cluster identity${want.context === null ? ' and no context' : ''} (it was planned from input without the kube-system namespace), so nothing shows it is for context "${context}"`,
      ExitCode.blocked,
      `if it is, pass --allow-any-cluster; better, plan from the cluster itself or from a snapshot written by istio-upgrade snapshot`,
    );
  }
  if (want.context !== null && want.context !== context) {
    throw new UserError(`plan ${want.id} was made for context "${want.context}" but the current context is "${context}"`, ExitCode.blocked, 'pass --context to select the planned cluster, or make a new plan for this one');
  }
  if (want.clusterId !== null && want.clusterId !== clusterId) {
    throw new UserError(
      `plan ${want.id} was made for cluster ${want.clusterId} but context "${context}" reaches cluster ${clusterId ?? '(unknown: kube-system not readable)'}`,
      ExitCode.blocked,
      'the cluster identity is the UID of the kube-system namespace; make a new plan for this cluster',
    );
  }
}

/**
 * Every command runs as its typed operation renders it; a plan whose stored argv says something else was edited
 * (or forged, digest and all) and is refused with the difference shown.
 */
export function refuseCommandDrift(plan: Plan): void {
  const drift = planCommandDrift(plan.steps);
  if (!drift.length) return;
  throw new UserError(
    `plan ${plan.metadata.id} has ${drift.length} command(s) that are not what their typed operations render; nothing was run`,
    ExitCode.blocked,
    `${drift.join('\n  ')}\n  make a new plan with istio-upgrade plan`,
  );
}

/**
 * `istioctl install -f FILE` reads the IstioOperator file when it runs, not when it was planned: a file changed or gone
 * since planning would install something nobody reviewed, so it is refused before any change.
 */
export function refuseChangedOperatorFiles(plan: Plan, read: (path: string) => Buffer = readFileSync): void {
  for (const step of plan.steps) {
    for (const cmd of step.commands) {
      const file = cmd.istioctl?.op === 'install' ? cmd.istioctl.file : null;
      if (!file) continue;
      let now: string;
      try {
        now = createHash('sha256').update(read(file.path)).digest('hex');
      } catch (e) {
        throw new UserError(`IstioOperator file ${file.path} (step ${step.id}) cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the plan was made with sha256 ${file.sha256}: make a new plan`, ExitCode.blocked);
      }
      if (now !== file.sha256) throw new UserError(`IstioOperator file ${file.path} (step ${step.id}) changed since planning (sha256 ${now}, planned ${file.sha256}): make a new plan`, ExitCode.blocked);
    }
  }
}

export function checkPlanAge(plan: Plan, maxAgeMs: number | undefined, nowMs: number): void {
  if (maxAgeMs === undefined) return;
  const created = Date.parse(plan.metadata.createdAt);
  if (Number.isNaN(created)) throw new UserError(`plan ${plan.metadata.id} has an unreadable createdAt "${plan.metadata.createdAt}"`, ExitCode.blocked);
  const age = nowMs - created;
  if (age > maxAgeMs) {
    throw new UserError(`plan ${plan.metadata.id} is ${formatDuration(age)} old, more than --max-plan-age ${formatDuration(maxAgeMs)}`, ExitCode.blocked, 'make a new plan');
  }
}

/**
 * Components whose absence a plan relies on without naming it as a precondition: a plan made without ztunnel, a tag,
 * a revision or a Helm release plans no step for it, so one that appeared since planning makes the plan stale too.
 */
const COMPONENT_KEY = /^(cni\/version|ztunnel\/version|revision\/[^/]+\/version|tag\/[^/]+\/revision|helm\/[^/]+\/[^/]+\/revision)$/;

/** Facts that changed since planning, over the preconditions of `pending`, ignoring what `started` steps changed. */
export function staleFacts(plan: Plan, now: Record<string, FactValue>, pending: PlanStep[], started: PlanStep[]): FactChange[] {
  const touched = started.map((s) => STEPS.factsTouchedBy(s));
  const keys = new Set(pending.flatMap((s) => s.preconditions));
  if (pending.length) for (const k of Object.keys(now)) if (COMPONENT_KEY.test(k) && !(k in plan.facts)) keys.add(k);
  for (const k of [...keys]) if (touched.some((t) => t(k))) keys.delete(k);
  return diffFacts(plan.facts, now, [...keys].sort());
}

function show(v: FactValue | undefined): string {
  return v === undefined ? '(absent)' : v === null ? 'null' : String(v);
}

export function formatFactChange(c: FactChange): string {
  return `${c.key}: ${show(c.planned)} → ${show(c.now)}`;
}

export function staleError(plan: Plan, changes: FactChange[]): UserError {
  return new UserError(
    `plan ${plan.metadata.id} is stale: ${changes.length} fact(s) it relies on changed since planning`,
    ExitCode.blocked,
    `${changes.map(formatFactChange).join('\n  ')}\n  make a new plan`,
  );
}
