import { gateBefore } from '../../plan/gates.js';
import { UNKNOWN_TARGET_WARNING } from '../../plans/planner/index.js';
import type { ChalkInstance } from 'chalk';
import type { Plan } from '../../plan/schema.js';
import { commandParts, type CommandParts } from '../command-line/text.js';
import { wrapCommand, wrapText } from '../text/width.js';

/** The plan for a person at a terminal, laid out for `width` columns: prose wraps, commands continue with `\`. */
export function renderPlanText(plan: Plan, c: ChalkInstance, width = 80): string {
  const out: string[] = [];
  const s = plan.source;
  const para = (text: string, first: string, rest = first) => out.push(...wrapText(text, width, first, rest));
  const commands = (parts: CommandParts[], lead: string, rest: string) => {
    for (const p of parts) out.push(...wrapCommand(p.words, width, lead, rest, p.note));
  };
  para(`${c.bold('Plan')} ${plan.metadata.id}  (${plan.metadata.inputs}${plan.metadata.context ? `, context ${plan.metadata.context}` : ''})`, '', '     ');
  para(`${c.bold('From')} Istio ${s.version} revision ${s.revision} (${s.mode}, installed with ${s.installMethod}) on Kubernetes ${s.kubernetesVersion}`, '', '     ');
  para(`${c.bold('To')}   Istio ${plan.target.version} revision ${plan.target.revision}, ${plan.strategy} upgrade`, '', '     ');
  for (const w of plan.warnings.filter((x) => x.id === UNKNOWN_TARGET_WARNING)) {
    out.push('');
    para(c.yellow.bold(`!!! ${w.message}`), '', '    ');
  }
  if (plan.upToDate) {
    out.push('', c.green(`Nothing to do: revision ${s.revision} already runs ${s.version}.`));
    return `${out.join('\n')}\n`;
  }
  if (plan.hops.length) {
    out.push('', c.bold(`Hops (${plan.hops.length})`));
    for (const h of plan.hops) {
      para(
        `${h.index}. ${h.from} → ${h.to}  revision ${h.fromRevision} → ${h.revision}${h.compatibilityVersion ? `  compatibilityVersion=${h.compatibilityVersion} (${h.compatibilityReason})` : ''}`,
        '  ',
        '     ',
      );
    }
  }
  if (plan.blockers.length) {
    out.push('', c.red.bold(`Blockers (${plan.blockers.length}) — apply will refuse this plan`));
    for (const b of plan.blockers) {
      para(`${c.red('✗')} ${b.message} ${c.dim(`[${b.id}]`)}`, '  ', '    ');
      for (const r of b.remedy ?? []) para(`fix: ${r}`, '      ', '           ');
      if (b.source) para(c.dim(`source: ${b.source}`), '      ', '        ');
    }
  }
  if (plan.warnings.length) {
    out.push('', c.yellow.bold(`Warnings (${plan.warnings.length})`));
    for (const w of plan.warnings) {
      para(`${c.yellow('!')} ${w.message} ${c.dim(`[${w.id}]`)}`, '  ', '    ');
      for (const r of w.remedy ?? []) para(r, '      ', '        ');
    }
  }
  if (plan.valueOverrides) {
    const o = plan.valueOverrides;
    out.push('', c.bold(`Value overrides (${o.keys.length} keys; values are not shown, apply needs the same flags)`));
    for (const comp of [...new Set(o.keys.map((k) => k.component))]) para(`${comp}: ${o.keys.filter((k) => k.component === comp).map((k) => k.key).join(', ')}`, '  ', '    ');
    for (const f of o.sources) if (f.flag === '--values') para(c.dim(`--values ${f.component}=${f.file} ${f.sha256}`), '  ', '    ');
  }
  out.push('', c.bold(`Steps (${plan.steps.length})`));
  plan.steps.forEach((st, i) => {
    out.push('');
    para(`${c.bold(`${i + 1}. ${st.title}`)}  ${c.dim(`${st.id} · ${st.kind} · hop\u00a0${st.hop}`)}`, '  ', '     ');
    const gate = gateBefore(plan, i);
    if (gate) para(`${c.magenta('gate:')} ${gate.title} — ${gate.checks.join('; ')}`, '     ', '       ');
    commands(commandParts(st.commands), `     ${c.cyan('$')} `, '         ');
    if (st.verify.length) para(`${c.dim('verify:')} ${st.verify.map((v) => v.type).join(', ')}`, '     ', '       ');
    if (st.irreversible) out.push(`     ${c.red('rollback: none — irreversible')}`);
    else if (st.rollback?.commands.length) commands(commandParts(st.rollback.commands), `     ${c.dim('rollback:')} `, '         ');
    else out.push(`     ${c.dim('rollback: nothing to undo')}`);
    para(`${c.dim('disruption:')} ${st.disruption}`, '     ', '       ');
  });
  if (plan.followUps.length) {
    out.push('', c.bold('Follow-ups (not part of this plan)'));
    for (const fu of plan.followUps) {
      para(`• ${fu.title}`, '  ', '    ');
      for (const argv of fu.commands) out.push(...wrapCommand(argv, width, `      ${c.cyan('$')} `, '          '));
    }
  }
  return `${out.join('\n')}\n`;
}
