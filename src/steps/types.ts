import type { PlanStep, StepKind } from '../plans/plan-schema.js';

/** What every step builder receives besides its own parameters. */
export interface StepContext {
  hop: number;
  istioNamespace: string;
  chartRepo: string;
  /** Fact keys this step's commands rely on. */
  preconditions: string[];
}

export type BuiltStep = Omit<PlanStep, 'id' | 'hop' | 'preconditions'> & { qualifier?: string };

export function finishStep(ctx: StepContext, built: BuiltStep): PlanStep {
  const { qualifier, ...rest } = built;
  const slug = qualifier ? `-${qualifier.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}` : '';
  return { id: `h${ctx.hop}-${built.kind}${slug}`, hop: ctx.hop, preconditions: [...new Set(ctx.preconditions)].sort(), ...rest };
}

export type { StepKind };
