import { UNKNOWN_TARGET_WARNING } from '../../plans/planner/index.js';
import type { ChalkInstance } from 'chalk';
import type { Plan } from '../../plan/schema.js';
import { commandLine } from './command-line.js';

export function renderPlanText(plan: Plan, c: ChalkInstance): string {
  const out: string[] = [];
  const s = plan.source;
  out.push(
    `${c.bold('Plan')} ${plan.metadata.id}  (${plan.metadata.inputs}${plan.metadata.context ? `, context ${plan.metadata.context}` : ''})`,
    `${c.bold('From')} Istio ${s.version} revision ${s.revision} (${s.mode}, installed with ${s.installMethod}) on Kubernetes ${s.kubernetesVersion}`,
    `${c.bold('To')}   Istio ${plan.target.version} revision ${plan.target.revision}, ${plan.strategy} upgrade`,
  );
  for (const w of plan.warnings.filter((x) => x.id === UNKNOWN_TARGET_WARNING)) out.push('', c.yellow.bold(`!!! ${w.message}`));
  if (plan.upToDate) {
    out.push('', c.green(`Nothing to do: revision ${s.revision} already runs ${s.version}.`));
    return `${out.join('\n')}\n`;
  }
  if (plan.hops.length) {
    out.push('', c.bold(`Hops (${plan.hops.length})`));
    for (const h of plan.hops) {
      out.push(`  ${h.index}. ${h.from} → ${h.to}  revision ${h.fromRevision} → ${h.revision}${h.compatibilityVersion ? `  compatibilityVersion=${h.compatibilityVersion} (${h.compatibilityReason})` : ''}`);
    }
  }
  if (plan.blockers.length) {
    out.push('', c.red.bold(`Blockers (${plan.blockers.length}) — apply will refuse this plan`));
    for (const b of plan.blockers) {
      out.push(`  ${c.red('✗')} ${b.message} ${c.dim(`[${b.id}]`)}`);
      for (const r of b.remedy ?? []) out.push(`      fix: ${r}`);
      if (b.source) out.push(c.dim(`      source: ${b.source}`));
    }
  }
  if (plan.warnings.length) {
    out.push('', c.yellow.bold(`Warnings (${plan.warnings.length})`));
    for (const w of plan.warnings) {
      out.push(`  ${c.yellow('!')} ${w.message} ${c.dim(`[${w.id}]`)}`);
      for (const r of w.remedy ?? []) out.push(`      ${r}`);
    }
  }
  out.push('', c.bold(`Steps (${plan.steps.length})`));
  plan.steps.forEach((st, i) => {
    out.push('', `  ${c.bold(`${i + 1}. ${st.title}`)}  ${c.dim(`${st.id} · ${st.kind} · hop ${st.hop}`)}`);
    for (const cmd of st.commands) out.push(`     ${c.cyan('$')} ${commandLine(cmd)}`);
    out.push(`     ${c.dim('verify:')} ${st.verify.map((v) => v.type).join(', ')}`);
    if (st.irreversible) out.push(`     ${c.red('rollback: none — irreversible')}`);
    else if (st.rollback?.commands.length) for (const cmd of st.rollback.commands) out.push(`     ${c.dim('rollback:')} ${commandLine(cmd)}`);
    else out.push(`     ${c.dim('rollback: nothing to undo')}`);
    out.push(`     ${c.dim('disruption:')} ${st.disruption}`);
  });
  if (plan.followUps.length) {
    out.push('', c.bold('Follow-ups (not part of this plan)'));
    for (const fu of plan.followUps) {
      out.push(`  • ${fu.title}`);
      for (const argv of fu.commands) out.push(`      ${c.cyan('$')} ${argv.join(' ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}
