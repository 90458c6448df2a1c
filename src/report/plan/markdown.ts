import { gateBefore } from '../../plan/gates.js';
import type { Plan } from '../../plan/schema.js';
import type { Inventory } from '../../k8s/inventory.js';
import { UNKNOWN_TARGET_WARNING } from '../../plans/planner/index.js';
import { buildChangeTicket, type ChangeTicket } from './change-ticket.js';
import { commandLines } from '../command-line/text.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const link = (ticket: ChangeTicket['risks'][number]) => ticket.links.map((l, i) => `[source${ticket.links.length > 1 ? ` ${i + 1}` : ''}](${l})`).join(', ');
export const hm = (minutes: number): string => (minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60 ? `${minutes % 60} min` : ''}`.trim() : `${minutes} min`);

/** The change-ticket report: reads well pasted into Jira, GitHub or ServiceNow (GFM). `-o ticket-json` is the same model. */
export function renderPlanMarkdown(plan: Plan, inv: Inventory): string {
  const t = buildChangeTicket(plan, inv);
  const s = plan.source;
  const out: string[] = [];
  out.push(`# Istio upgrade plan: ${s.version} → ${plan.target.version}`, '');
  for (const w of plan.warnings.filter((x) => x.id === UNKNOWN_TARGET_WARNING)) out.push(`> [!WARNING]`, `> ${w.message}`, '');
  out.push(
    `| | |`,
    `|---|---|`,
    `| Plan | \`${plan.metadata.id}\` (created ${plan.metadata.createdAt} by istio-upgrade ${plan.metadata.toolVersion}) |`,
    `| Cluster | context \`${plan.metadata.context ?? 'n/a'}\`, id \`${plan.metadata.clusterId ?? 'n/a'}\`, Kubernetes ${s.kubernetesVersion}, read from ${plan.metadata.inputs} |`,
    `| From | Istio ${s.version}, revision \`${s.revision}\`, ${s.mode} mode, installed with ${s.installMethod} |`,
    `| To | Istio ${plan.target.version}, revision \`${plan.target.revision}\`, ${plan.strategy} upgrade |`,
    `| Hops | ${t.change.hops.join('; ') || 'none'} |`,
    `| Status | ${plan.upToDate ? 'nothing to do' : plan.blockers.length ? `**BLOCKED** (${plan.blockers.length} blocker(s))` : `ready: ${plan.steps.length} steps`} |`,
  );
  if (!plan.upToDate)
    out.push(
      `| Risk | **${t.risk.rating.toUpperCase()}** (see Risk assessment) |`,
      `| Duration | about ${hm(t.duration.estimatedMinutes)}; maintenance window ${hm(t.duration.maintenanceWindowMinutes)} |`,
      `| Point of no return | ${t.backOut.pointOfNoReturn ? `step \`${t.backOut.pointOfNoReturn.stepId}\`` : 'none: every step can be rolled back'} |`,
    );
  out.push('');

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

  if (plan.blockers.length) {
    out.push('## Blockers', '');
    for (const b of t.blockers) {
      out.push(`- **${b.id}**: ${b.message}${b.source ? ` _(source: ${b.source})_` : ''}`);
      for (const r of b.remedy) out.push(`  - fix: \`${r}\``);
    }
    out.push('');
  }

  if (!plan.upToDate) {
    out.push(`## Risk assessment: ${t.risk.rating.toUpperCase()}`, '', ...t.risk.reasons.map((r) => `- ${r}`), '');

    out.push('## Duration and maintenance window', '');
    out.push(`Estimated duration **${hm(t.duration.estimatedMinutes)}**; maintenance window **${hm(t.duration.maintenanceWindowMinutes)}** (${t.duration.basis}).`, '');
    out.push('| Step | Estimate | Basis |', '|---|---|---|');
    for (const st of t.duration.steps) out.push(`| \`${st.id}\` | ${st.minutes} min | ${cell(st.basis)} |`);
    out.push('');

    out.push('## Affected namespaces and workloads', '');
    if (!t.affected.length) out.push('No namespace is disrupted: the changes are in the control plane only.');
    else {
      out.push('| Namespace | Workloads (pods) | Expected disruption |', '|---|---|---|');
      for (const a of t.affected)
        out.push(`| \`${a.namespace}\` | ${a.workloads.map((w) => `${w.kind}/${w.name} (${w.pods})`).join(', ') || '–'} | ${a.disruption.map(cell).join('<br>')} |`);
    }
    out.push('');

    out.push('## Back-out plan', '');
    const ponr = t.backOut.pointOfNoReturn;
    out.push(`**Point of no return:** ${ponr ? `step \`${ponr.stepId}\` (${ponr.title}): ${ponr.explanation}.` : 'none: every step of this plan can be rolled back.'}`, '');
    out.push(`${t.backOut.howTo[0]!.toUpperCase()}${t.backOut.howTo.slice(1)}:`, '');
    t.backOut.steps.forEach((st, i) => {
      out.push(`${i + 1}. \`${st.stepId}\` ${st.title}${st.commands === null ? ' — irreversible' : st.commands.length ? '' : ' — nothing to undo'}`);
      if (st.commands?.length) out.push('', '   ```sh', ...st.commands.map((c) => `   ${c}`), '   ```', '');
    });
    out.push('');

    out.push('## Post-upgrade validation', '');
    for (const v of t.validation) out.push(`- [ ] ${v.check}${v.command ? `: \`${v.command}\`` : ''}`);
    out.push('');
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

  if (plan.valueOverrides) {
    out.push('## Value overrides', '', 'Helm values the operator sets on top of each release\'s own values. The plan records keys and digests, never the values.', '');
    out.push('| Component | Key | From | Digest |', '|---|---|---|---|');
    for (const k of plan.valueOverrides.keys) out.push(`| ${cell(k.component)} | \`${cell(k.key)}\` | ${cell(k.from)} | \`${k.digest.slice(0, 19)}…\` |`);
    out.push('');
  }

  if (!plan.upToDate) {
    out.push('## Steps', '');
    plan.steps.forEach((st, i) => {
      out.push(`### ${i + 1}. ${st.title}`, '', `\`${st.id}\` · kind \`${st.kind}\` · hop ${st.hop}`, '');
      const gate = gateBefore(plan, i);
      if (gate) out.push(`**${gate.title[0]!.toUpperCase()}${gate.title.slice(1)}**, checked against the live cluster before this step (any offender stops the run):`, '', ...gate.checks.map((x) => `- ${x}`), '');
      for (const w of st.why) out.push(`- Why: ${w.text}${w.source ? ` _(${w.source})_` : ''}`);
      out.push(`- Disruption: ${st.disruption}`, ...(st.verify.length ? [`- Verified by: ${st.verify.map((v) => `\`${v.type}\``).join(', ')}`] : []), '');
      out.push('```sh', ...commandLines(st.commands), '```', '');
      if (st.irreversible) out.push('**Rollback:** none — this step is irreversible.', '');
      else if (st.rollback?.commands.length) out.push('**Rollback:**', '', '```sh', ...commandLines(st.rollback.commands), '```', '');
      else out.push('**Rollback:** nothing to undo (the step changes nothing that needs restoring).', '');
    });
  }

  out.push('## Risks', '');
  const applies = t.risks.filter((r) => r.applies === 'yes');
  const maybe = t.risks.filter((r) => r.applies === 'maybe');
  if (!t.risks.length) out.push('No upgrade notes or warnings apply.');
  for (const r of applies) out.push(`- **${r.id}**: ${cell(r.explanation)}${r.links.length ? ` (${link(r)})` : ''}`);
  if (maybe.length) {
    out.push('', `<details><summary>${maybe.length} note(s) that may apply (could not be decided from the cluster)</summary>`, '');
    for (const r of maybe) out.push(`- **${r.id}**: ${cell(r.explanation)}${r.links.length ? ` (${link(r)})` : ''}`);
    out.push('', '</details>');
  }
  out.push('');

  if (t.followUps.length) {
    out.push('## Follow-ups', '');
    for (const fu of t.followUps) out.push(`- ${fu.title}`, ...fu.commands.map((c) => `  - \`${c}\``));
    out.push('');
  }

  out.push('## Approvals', '', '| Role | Name | Decision | Date |', '|---|---|---|---|');
  for (const a of t.approvals) out.push(`| ${a.role} | | | |`);
  out.push('');
  return out.join('\n');
}
