import { ExitCode, UserError } from '../errors.js';
import { diffFacts, type FactChange, type FactValue } from '../plans/facts.js';
import type { Plan, PlanStep } from '../plans/plan-schema.js';
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

export function checkPlanAge(plan: Plan, maxAgeMs: number | undefined, nowMs: number): void {
  if (maxAgeMs === undefined) return;
  const created = Date.parse(plan.metadata.createdAt);
  if (Number.isNaN(created)) throw new UserError(`plan ${plan.metadata.id} has an unreadable createdAt "${plan.metadata.createdAt}"`, ExitCode.blocked);
  const age = nowMs - created;
  if (age > maxAgeMs) {
    throw new UserError(`plan ${plan.metadata.id} is ${formatDuration(age)} old, more than --max-plan-age ${formatDuration(maxAgeMs)}`, ExitCode.blocked, 'make a new plan');
  }
}

function helmTargets(step: PlanStep): string[] {
  const out: string[] = [];
  for (const c of step.commands) {
    if (c.via !== 'helm') continue;
    const args = c.argv.slice(1);
    if (!['upgrade', 'install', 'uninstall', 'rollback'].includes(args[0] ?? '')) continue;
    const ns = namespaceArg(args);
    if (args[1] && ns) out.push(`helm/${ns}/${args[1]}/`);
  }
  return out;
}

export function namespaceArg(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-n' || args[i] === '--namespace') return args[i + 1];
    if (args[i]!.startsWith('--namespace=')) return args[i]!.slice('--namespace='.length);
  }
  return undefined;
}

/**
 * Which fact keys a step changes when it runs. On resume those keys are expected to differ from
 * the plan for the steps this run already did, so they must not be reported as drift.
 */
export function factsTouchedBy(step: PlanStep): (key: string) => boolean {
  const prefixes = helmTargets(step);
  const exact: string[] = [];
  switch (step.kind) {
    case 'base-chart-upgrade':
      exact.push('crds/helm-owned', 'defaults/validator');
      break;
    case 'crd-migration-labels':
      exact.push('crds/helm-owned');
      break;
    case 'istiod-install':
      prefixes.push('revision/');
      break;
    case 'istiod-upgrade':
    case 'old-revision-removal':
      // A release that renders revision tags changes or removes them along with its istiod.
      prefixes.push('revision/', 'tag/');
      exact.push('defaults/validator');
      break;
    case 'tag-move':
      prefixes.push('tag/');
      exact.push('defaults/validator');
      break;
    case 'namespace-relabel':
      for (const c of step.commands) if (c.api?.type === 'label-namespaces') for (const ns of c.api.namespaces) exact.push(`namespace/${ns}/revision-label`);
      break;
    case 'cni-upgrade':
      exact.push('cni/version');
      break;
    case 'ztunnel-upgrade':
      exact.push('ztunnel/version');
      break;
    default:
      break;
  }
  return (key) => exact.includes(key) || prefixes.some((p) => key.startsWith(p));
}

/**
 * Components whose absence a plan relies on without naming it as a precondition: a plan made without ztunnel, a tag,
 * a revision or a Helm release plans no step for it, so one that appeared since planning makes the plan stale too.
 */
const COMPONENT_KEY = /^(cni\/version|ztunnel\/version|revision\/[^/]+\/version|tag\/[^/]+\/revision|helm\/[^/]+\/[^/]+\/revision)$/;

/** Facts that changed since planning, over the preconditions of `pending`, ignoring what `started` steps changed. */
export function staleFacts(plan: Plan, now: Record<string, FactValue>, pending: PlanStep[], started: PlanStep[]): FactChange[] {
  const touched = started.map(factsTouchedBy);
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
