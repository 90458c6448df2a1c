import type { Plan } from '../../plan/schema.js';
import { gateBefore } from '../../plan/gates.js';
import { commandLines, describeVerify, type DisplayContext } from '../../apply/render.js';
import { renderAs } from '../structured.js';
import { renderDryRunText } from './text.js';

/** `apply --dry-run`: what was checked against the cluster and every command in order. */
export interface ApplyDryRun {
  apiVersion: 'istio-upgrade/v1';
  kind: 'ApplyDryRun';
  planId: string;
  context: string;
  /** Empty with --offline: nothing was checked against the cluster. */
  checks: string[];
  offline: boolean;
  steps: { id: string; title: string; irreversible: boolean; gate: ReturnType<typeof gateBefore>; run: string[]; verify: string[]; rollback: string[] | null }[];
}

export function dryRunDocument(plan: Plan, ctx: DisplayContext, checks: string[] | undefined): ApplyDryRun {
  return {
    apiVersion: 'istio-upgrade/v1',
    kind: 'ApplyDryRun',
    planId: plan.metadata.id,
    context: ctx.context,
    checks: checks ?? [],
    offline: checks === undefined,
    steps: plan.steps.map((s, i) => ({
      id: s.id,
      title: s.title,
      irreversible: s.irreversible,
      gate: gateBefore(plan, i),
      run: s.commands.flatMap((c) => commandLines(c, ctx)),
      verify: s.verify.map(describeVerify),
      rollback: s.rollback === null ? null : s.rollback.commands.flatMap((c) => commandLines(c, ctx)),
    })),
  };
}

/** The dry run in the format -o asked for; `checks` undefined means --offline. */
export function renderDryRun(plan: Plan, ctx: DisplayContext, checks: string[] | undefined, format: string): string {
  return renderAs(dryRunDocument(plan, ctx, checks), format, { text: () => renderDryRunText(plan, ctx) });
}
