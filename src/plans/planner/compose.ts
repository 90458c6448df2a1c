import { factMatcher } from '../../plan/facts.js';
import type { PlanStep } from '../../plan/schema.js';
import type { HopContext } from '../../steps/hop-context.js';
import type { StepRegistry } from '../../steps/registry.js';
import { finishStep } from '../../steps/types.js';
import { chartSourceFor } from '../../steps/commands.js';

/** The hop context without what composeHop adds to it, plus the registry to walk. */
export type ComposeInput = Omit<HopContext, 'restarted' | 'add' | 'charts'> & { registry: StepRegistry };

/** One hop's steps: every registered kind, in phase order, plans what it needs from the hop context. */
export function composeHop(input: ComposeInput): PlanStep[] {
  const { hop, state, registry } = input;
  const steps: PlanStep[] = [];
  const restsOnTouched = (key: string) => state.touched.some((t) => factMatcher(t)(key));
  const { registry: _, ...context } = input;
  const ctx: HopContext = {
    ...context,
    charts: input.req.chartSource ?? chartSourceFor(input.req.chartRepo),
    restarted: new Set(),
    add(built, preconditions = []) {
      const step = finishStep({ hop: hop.index, preconditions: hop.index === 1 ? preconditions.filter((k) => !restsOnTouched(k)) : [] }, built);
      steps.push(step);
      state.touched.push(registry.descriptor(step.kind).touches(step));
      return step;
    },
  };
  for (const d of registry.descriptors) d.plan(ctx);
  state.revision = hop.revision;
  state.version = hop.to;
  return steps;
}
