import type { Plan } from '../../plan/schema.js';
import { gateBefore } from '../../plan/gates.js';
import { commandLines, confirmationWord, describeVerify, type DisplayContext } from '../../apply/render.js';

/** `apply --dry-run` as text: every step's commands, verifications and rollback, in plan order. */
export function renderDryRunText(plan: Plan, ctx: DisplayContext): string {
  const out: string[] = [];
  const m = plan.metadata;
  out.push(`Dry run of plan ${m.id}: Istio ${plan.source.version} → ${plan.target.version} (${plan.strategy}), context "${ctx.context}"${m.clusterId ? `, cluster ${m.clusterId}` : ''}.`);
  out.push('Nothing is changed: no lock is taken and no run is recorded.');
  if (plan.blockers.length) out.push(`BLOCKED: apply refuses this plan (${plan.blockers.map((b) => b.id).join(', ')}).`);
  if (!plan.steps.length) out.push('No steps: the mesh is already at the target.');
  plan.steps.forEach((step, i) => {
    out.push('', `Step ${i + 1}/${plan.steps.length} ${step.id}: ${step.title}`);
    if (step.irreversible) out.push(`  IRREVERSIBLE: needs --yes, or typing "${confirmationWord(step)}" on a terminal`);
    const gate = gateBefore(plan, i);
    if (gate) out.push(`  ${gate.title}, checked against the live cluster first (the run stops on any offender):`, ...gate.checks.map((x) => `    - ${x}`));
    out.push('  run:');
    if (!step.commands.length) out.push('    (nothing)');
    step.commands.forEach((c, j) => {
      const [first, ...rest] = commandLines(c, ctx);
      out.push(`    ${j + 1}. ${first}`, ...rest.map((l) => `       ${l}`));
    });
    out.push('  verify:');
    if (!step.verify.length) out.push('    (nothing)');
    for (const v of step.verify) out.push(`    - ${describeVerify(v)}`);
    out.push('  rollback:');
    if (step.rollback === null) out.push('    none: this step cannot be undone');
    else if (!step.rollback.commands.length) out.push('    nothing to undo');
    else
      step.rollback.commands.forEach((c, j) => {
        const [first, ...rest] = commandLines(c, ctx);
        out.push(`    ${j + 1}. ${first}`, ...rest.map((l) => `       ${l}`));
      });
  });
  return `${out.join('\n')}\n`;
}
