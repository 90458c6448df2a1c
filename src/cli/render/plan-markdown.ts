import { UNKNOWN_TARGET_WARNING } from '../../plans/planner/index.js';
import type { Plan } from '../../plans/plan-schema.js';
import type { Inventory } from '../../k8s/inventory.js';
import { commandLine } from './command-line.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The change-ticket report: reads well pasted into Jira, GitHub or ServiceNow (GFM). */
export function renderPlanMarkdown(plan: Plan, inv: Inventory): string {
  const s = plan.source;
  const out: string[] = [];
  out.push(`# Istio upgrade plan: ${s.version} → ${plan.target.version}`, '');
  out.push(
    `| | |`,
    `|---|---|`,
    `| Plan | \`${plan.metadata.id}\` (created ${plan.metadata.createdAt} by istio-upgrade ${plan.metadata.toolVersion}) |`,
    `| Cluster | context \`${plan.metadata.context ?? 'n/a'}\`, id \`${plan.metadata.clusterId ?? 'n/a'}\`, Kubernetes ${s.kubernetesVersion}, read from ${plan.metadata.inputs} |`,
    `| From | Istio ${s.version}, revision \`${s.revision}\`, ${s.mode} mode, installed with ${s.installMethod} |`,
    `| To | Istio ${plan.target.version}, revision \`${plan.target.revision}\`, ${plan.strategy} upgrade |`,
    `| Hops | ${plan.hops.map((h) => `${h.from} → ${h.to}${h.compatibilityVersion ? ` (compatibilityVersion ${h.compatibilityVersion})` : ''}`).join('; ') || 'none'} |`,
    `| Status | ${plan.upToDate ? 'nothing to do' : plan.blockers.length ? `**BLOCKED** (${plan.blockers.length} blocker(s))` : `ready: ${plan.steps.length} steps`} |`,
    '',
  );
  for (const w of plan.warnings.filter((x) => x.id === UNKNOWN_TARGET_WARNING)) out.push(`> [!WARNING]`, `> ${w.message}`, '');
  out.push('## Summary', '');
  if (plan.upToDate) out.push(`Revision \`${s.revision}\` already runs ${s.version}; nothing to do.`, '');
  else {
    const kinds = [...new Set(plan.steps.map((st) => st.kind))];
    out.push(
      `${plan.steps.length} steps in ${plan.hops.length} hop(s): ${kinds.join(', ')}. ` +
        `${plan.steps.filter((st) => st.irreversible).length} irreversible step(s); every other step has a recorded rollback.`,
      '',
    );
  }

  out.push('## Cluster facts', '');
  out.push('| Revision | Version | Health | Install | Tags |', '|---|---|---|---|---|');
  for (const r of inv.revisions) out.push(`| \`${r.name}\` | ${r.version ?? '–'} | ${r.health} | ${r.installMethod} | ${r.tags.join(', ') || '–'} |`);
  out.push('');
  const proxies = new Map<string, number>();
  for (const p of inv.dataPlane.proxies) proxies.set(p.version ?? 'unknown', (proxies.get(p.version ?? 'unknown') ?? 0) + p.count);
  out.push(
    `- Namespaces in the mesh: ${inv.dataPlane.namespaces.length}; sidecar proxies by version: ${[...proxies].map(([v, n]) => `${v} × ${n}`).join(', ') || 'none'}`,
    `- Components: ${inv.components.map((x) => `${x.component} ${x.version ?? '?'}`).join(', ') || 'none'}`,
    `- Helm releases: ${inv.helmReleases.map((r) => `${r.namespace}/${r.name} (${r.chart}-${r.chartVersion}, ${r.status}, rev ${r.revision})`).join(', ') || 'none'}`,
    `- Istio CRDs: ${inv.crds.istio.length} (${inv.crds.istio.filter((x) => x.helmOwned).length} Helm-owned); Gateway API: ${inv.crds.gatewayApi.bundleVersion ?? (inv.crds.gatewayApi.present ? 'present' : 'absent')}`,
    '',
  );

  if (plan.blockers.length) {
    out.push('## Blockers', '');
    for (const b of plan.blockers) {
      out.push(`- **${b.id}**: ${b.message}${b.source ? ` _(source: ${b.source})_` : ''}`);
      for (const r of b.remedy ?? []) out.push(`  - fix: \`${r}\``);
    }
    out.push('');
  }

  if (!plan.upToDate) {
    out.push('## Steps', '');
    plan.steps.forEach((st, i) => {
      out.push(`### ${i + 1}. ${st.title}`, '', `\`${st.id}\` · kind \`${st.kind}\` · hop ${st.hop}`, '');
      for (const w of st.why) out.push(`- Why: ${w.text}${w.source ? ` _(${w.source})_` : ''}`);
      out.push(`- Disruption: ${st.disruption}`, `- Verified by: ${st.verify.map((v) => `\`${v.type}\``).join(', ')}`, '');
      out.push('```sh', ...st.commands.map(commandLine), '```', '');
      if (st.irreversible) out.push('**Rollback:** none — this step is irreversible.', '');
      else if (st.rollback?.commands.length) out.push('**Rollback:**', '', '```sh', ...st.rollback.commands.map(commandLine), '```', '');
      else out.push('**Rollback:** nothing to undo (the step changes nothing that needs restoring).', '');
    });
  }

  out.push('## Risks', '');
  if (!plan.warnings.length) out.push('No warnings.');
  for (const w of plan.warnings) out.push(`- ${cell(w.message)}${w.source ? ` _(source: ${w.source})_` : ''}`);
  const disruptive = plan.steps.filter((st) => !st.disruption.startsWith('none'));
  if (disruptive.length) {
    out.push('', 'Expected disruption:', '');
    for (const st of disruptive) out.push(`- \`${st.id}\`: ${st.disruption}`);
  }
  out.push('');

  if (plan.followUps.length) {
    out.push('## Follow-ups', '');
    for (const fu of plan.followUps) out.push(`- ${fu.title}`, ...fu.commands.map((argv) => `  - \`${argv.join(' ')}\``));
    out.push('');
  }

  const notes = plan.notes.filter((n) => n.applies === 'yes');
  const maybe = plan.notes.filter((n) => n.applies === 'maybe');
  out.push('## Upgrade notes and sources', '');
  for (const n of notes) out.push(`- **${n.id}** (${n.kind}): ${n.summary} — ${n.source}${n.unconfirmed ? ' _(unconfirmed)_' : ''}`);
  if (maybe.length) {
    out.push('', `<details><summary>${maybe.length} note(s) that may apply (could not be decided from the cluster)</summary>`, '');
    for (const n of maybe) out.push(`- **${n.id}** (${n.kind}): ${n.summary} — ${n.source}`);
    out.push('', '</details>');
  }
  out.push('');
  return out.join('\n');
}
