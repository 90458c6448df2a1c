import { upgradePolicy } from '../plans/catalog/index.js';
import type { Plan, PlanStep } from './schema.js';

/**
 * Where the skew gates stand in a plan, and what each checks. The executor checks them against the live cluster
 * (src/apply/skew-gates.ts) and the plan shows them; both read this module, so what is shown is what runs.
 */

export type GatePoint =
  /** About to start a hop from `fromRevision` (at `from`) to `to`; in place the same revision changes version. */
  | { kind: 'hop'; index: number; from: string; to: string; fromRevision: string; inPlace: boolean; ambient: boolean }
  /** About to remove these revisions; the step itself moves defaultRevision / the validator off them first, or not. */
  | { kind: 'cleanup'; revisions: string[]; defaultsMovedFirst: boolean };

/** The revisions a step removes (its `revision-absent` verifications). */
export function revisionsRemovedBy(step: PlanStep): string[] {
  return step.verify.flatMap((v) => (v.type === 'revision-absent' ? [v.revision] : []));
}

/** A removal step that sets the base chart's defaultRevision first takes the default and the validator along. */
function movesDefaultsFirst(step: PlanStep): boolean {
  return step.commands.some((c) => (c.helm?.op === 'upgrade' ? c.helm.values.settings.some((s) => s.key === 'defaultRevision') : false));
}

/**
 * The gate point at step `index` of a plan, if any: the first step of each hop (a hop starts from what the previous
 * one left), and every revision removal. A resumed run checks the gate of the step it resumes at when one stands
 * there.
 */
export function gatePointAt(plan: Pick<Plan, 'hops' | 'steps' | 'strategy' | 'source'>, index: number): GatePoint | null {
  const step = plan.steps[index];
  if (!step) return null;
  const removing = revisionsRemovedBy(step);
  if (removing.length) return { kind: 'cleanup', revisions: removing, defaultsMovedFirst: movesDefaultsFirst(step) };
  if (index > 0 && plan.steps[index - 1]!.hop === step.hop) return null;
  const hop = plan.hops.find((h) => h.index === step.hop);
  if (!hop || hop.from === hop.to) return null;
  return { kind: 'hop', index: hop.index, from: hop.from, to: hop.to, fromRevision: hop.fromRevision, inPlace: plan.strategy === 'in-place', ambient: plan.source.mode === 'ambient' };
}

/** What the gate at `point` checks, in words: the plan shows it, the run record names it. */
export function describeGate(point: GatePoint): { title: string; checks: string[] } {
  if (point.kind === 'cleanup') {
    return {
      title: `gate before removing ${point.revisions.join(', ')}`,
      checks: [
        `nothing still uses ${point.revisions.length > 1 ? 'them' : 'it'}: no tag, namespace label, sidecar pod, gateway or waypoint${point.defaultsMovedFirst ? '' : ', nor defaultRevision or the default validator'}`,
      ],
    };
  }
  const policy = upgradePolicy();
  const skew = policy.controlPlaneDataPlaneSkew.controlPlaneAheadMaxMinors;
  return {
    title: `gate before hop ${point.index} (${point.from} → ${point.to})`,
    checks: [
      `every sidecar proxy at most ${skew} minor(s) behind the istiod serving it${point.inPlace ? ` (revision ${point.fromRevision}'s measured against ${point.to})` : ''}, none ahead of it`,
      ...(point.ambient ? [`ambient: no minor skipped — istio-cni and ztunnel at most ${policy.ambient.nodeComponentMaxSkewMinors} minor(s) behind ${point.to}`] : []),
    ],
  };
}

/** The gate standing before step `index`, in words; null where none stands. */
export function gateBefore(plan: Pick<Plan, 'hops' | 'steps' | 'strategy' | 'source'>, index: number): { title: string; checks: string[] } | null {
  const point = gatePointAt(plan, index);
  return point ? describeGate(point) : null;
}

/** The plan's steps with the gate standing before each, for the plan document (JSON/YAML). */
export function withGates<P extends Pick<Plan, 'hops' | 'steps' | 'strategy' | 'source'>>(plan: P): P {
  return {
    ...plan,
    steps: plan.steps.map((s, i) => {
      const gate = gateBefore(plan, i);
      return gate ? { ...s, gate } : s;
    }),
  };
}
