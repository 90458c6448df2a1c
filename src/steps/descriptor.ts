import type { FactSet } from '../plan/facts.js';
import type { PlanStep } from '../plan/schema.js';
import type { HopContext } from './hop-context.js';

/**
 * Everything about one step kind, in the kind's own file: the planner, the executor's staleness
 * checks, the catalog's vocabulary and the plan schema all read it from the registry. The step's
 * verification and rollback are part of what `plan` builds (each step carries them).
 */
export interface StepDescriptor {
  readonly kind: string;
  /** Position in the upgrade order inside a hop: composeHop walks descriptors by ascending phase. */
  readonly phase: number;
  /** A catalog note may ask for this kind (`effect.stepKind`); the planner builds it rather than warning "manual". */
  readonly requestedByNotes?: boolean;
  /** Plans this kind's steps for one hop (often none); may add companion steps such as restarts. */
  plan(ctx: HopContext): void;
  /** The facts a step of this kind changes when it runs, read from the step's typed fields. */
  touches(step: PlanStep): FactSet;
}

export const NO_FACTS: FactSet = { keys: [], groups: [] };

/** Releases a step verifies as deployed: the ones its helm commands install or upgrade. */
export function verifiedHelmReleases(step: PlanStep): { release: string; namespace: string }[] {
  return step.verify.flatMap((v) => (v.type === 'helm-release' ? [{ release: v.release, namespace: v.namespace }] : []));
}
