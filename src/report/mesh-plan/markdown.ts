import type { Inventory } from '../../k8s/inventory.js';
import type { MeshPlan } from '../../plans/mesh/index.js';
import { buildChangeTicket, clusterSummary } from '../plan/change-ticket.js';
import { hm, renderPlanMarkdown } from '../plan/markdown.js';

/**
 * The change ticket of a multi-cluster upgrade: the mesh, one summary row per cluster, the order across clusters,
 * then each cluster's own ticket (its headings one level down).
 */
export function renderMeshPlanMarkdown(plan: MeshPlan, inventories: Map<string, Inventory>): string {
  const out: string[] = [];
  const status = plan.blockers.length ? `**BLOCKED** (${plan.blockers.length} blocker(s))` : `ready: ${plan.order.length} steps across ${plan.clusters.length} clusters`;
  out.push(
    `# Istio multi-cluster upgrade plan: mesh ${plan.mesh.meshId ?? '(no mesh ID)'} → ${plan.target.version}`,
    '',
    '| | |',
    '|---|---|',
    `| Plan | \`${plan.metadata.id}\` (created ${plan.metadata.createdAt} by istio-upgrade ${plan.metadata.toolVersion}) |`,
    `| Mesh | ${plan.mesh.topology}, trust domain \`${plan.mesh.trustDomain ?? 'n/a'}\` |`,
    `| To | Istio ${plan.target.version}, revision \`${plan.target.revision}\` |`,
    `| Order of primaries | ${plan.clusterOrder.order.map((n) => `\`${n}\``).join(' → ')} (${plan.clusterOrder.chosenBy}); each cluster complete and verified before the next |`,
    `| Status | ${status} |`,
    '',
    '## Clusters',
    '',
    '| Cluster | Role | Context | From | Status | Steps | Risk | Duration | Pods restarted | Point of no return |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of plan.clusters) {
    const inv = inventories.get(c.name);
    const s = inv ? clusterSummary(buildChangeTicket(c.plan, inv)) : null;
    out.push(
      `| \`${c.name}\` | ${c.role}${c.controlPlane ? ` of \`${c.controlPlane}\`` : ''} | \`${c.context ?? 'n/a'}\` | ${c.plan.source.version} (\`${c.plan.source.revision}\`) | ${s?.status ?? 'n/a'} | ${s?.steps ?? c.plan.steps.length} | ${s?.risk ?? 'n/a'} | ${s ? hm(s.minutes) : 'n/a'} | ${s?.podsRestarted ?? 'n/a'} | ${s?.pointOfNoReturn ? `\`${s.pointOfNoReturn}\`` : 'none'} |`,
    );
  }
  out.push('');
  if (plan.blockers.length || plan.warnings.length) {
    out.push('## Mesh findings', '');
    for (const b of plan.blockers) out.push(`- **blocker ${b.id}**: ${b.message}`, ...(b.remedy ?? []).map((r) => `  - fix: ${r}`));
    for (const w of plan.warnings) out.push(`- warning ${w.id}: ${w.message}`);
    out.push('');
  }
  out.push('## Order across the clusters', '', '| # | Cluster | Step | Phase |', '|---|---|---|---|');
  for (const o of plan.order) {
    const step = plan.clusters.find((c) => c.name === o.cluster)?.plan.steps.find((s) => s.id === o.stepId);
    out.push(`| ${o.index} | \`${o.cluster}\` | ${step?.title ?? o.stepId} (\`${o.stepId}\`) | ${o.phase} |`);
  }
  out.push('');
  for (const m of plan.manifests) out.push(`### Manifest \`${m.file}\` (cluster \`${m.cluster}\`)`, '', '```yaml', m.content.trimEnd(), '```', '');
  for (const c of plan.clusters) {
    const inv = inventories.get(c.name);
    if (!inv) continue;
    out.push(`## Cluster \`${c.name}\` (${c.role})`, '', ...renderPlanMarkdown(c.plan, inv).replace(/^(#+) /gm, '##$1 ').split('\n'));
  }
  return `${out.join('\n').trimEnd()}\n`;
}
