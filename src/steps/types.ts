import type { PlanStep } from '../plan/schema.js';

/** Where a built step lands in the plan. */
export interface StepPlacement {
  hop: number;
  /** Fact keys this step's commands rely on. */
  preconditions: string[];
}

export type BuiltStep = Omit<PlanStep, 'id' | 'hop' | 'preconditions'> & { qualifier?: string };

export function finishStep(at: StepPlacement, built: BuiltStep): PlanStep {
  const { qualifier, ...rest } = built;
  const slug = qualifier ? `-${qualifier.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}` : '';
  return { id: `h${at.hop}-${built.kind}${slug}`, hop: at.hop, preconditions: [...new Set(at.preconditions)].sort(), ...rest };
}
