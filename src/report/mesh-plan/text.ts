import type { ChalkInstance } from 'chalk';
import type { MeshPlan } from '../../plans/mesh/index.js';
import { commandParts } from '../command-line/text.js';
import { table } from '../text/table.js';
import { wrapCommand, wrapText } from '../text/width.js';

const ORDER_BY: Record<MeshPlan['clusterOrder']['chosenBy'], string> = {
  flag: 'as given by --cluster-order',
  'fewest-workloads': 'fewest mesh pods first',
  'fewest-workloads-adjusted-for-skew': 'fewest mesh pods first, changed to keep control planes within the allowed skew',
};

/** The mesh plan at a terminal: the clusters, then every step in mesh order with the cluster it runs in. */
export function renderMeshPlanText(plan: MeshPlan, c: ChalkInstance, width = 80): string {
  const out: string[] = [];
  const para = (text: string, first: string, rest = first) => out.push(...wrapText(text, width, first, rest));
  para(`${c.bold('Mesh plan')} ${plan.metadata.id}  mesh ${plan.mesh.meshId ?? '–'} · ${plan.mesh.topology} · trust domain ${plan.mesh.trustDomain ?? '–'}`, '', '     ');
  para(`${c.bold('To')} Istio ${plan.target.version} revision ${plan.target.revision}`, '', '     ');
  out.push('', c.bold('Clusters'));
  out.push(
    table(
      ['CLUSTER', 'ROLE', 'CONTEXT', 'FROM', 'STEPS', 'MESH PODS', 'CONTROL PLANE'],
      plan.clusters.map((k) => [k.name, k.role, k.context ?? '–', `${k.plan.source.version} (${k.plan.source.revision})`, k.plan.upToDate ? 'up to date' : String(k.plan.steps.length), String(k.meshPods), k.controlPlane ?? 'own']),
      '  ',
      width,
    ),
  );
  para(`primaries in order: ${plan.clusterOrder.order.join(' → ')} (${ORDER_BY[plan.clusterOrder.chosenBy]}); each is complete and verified before the next starts`, '  ', '    ');
  if (plan.blockers.length) {
    out.push('', c.red.bold(`Blockers (${plan.blockers.length})`));
    for (const b of plan.blockers) {
      para(`${c.red('✗')} ${b.message} ${c.dim(`[${b.id}]`)}`, '  ', '    ');
      for (const r of b.remedy ?? []) para(`fix: ${r}`, '      ', '           ');
    }
  }
  if (plan.warnings.length) {
    out.push('', c.yellow.bold(`Warnings (${plan.warnings.length})`));
    for (const w of plan.warnings) para(`! ${w.message} ${c.dim(`[${w.id}]`)}`, '  ', '    ');
  }
  const perCluster = plan.clusters.filter((k) => k.plan.warnings.length);
  if (perCluster.length) para(c.dim(`Per-cluster warnings and upgrade notes: ${perCluster.map((k) => `${k.name} ${k.plan.warnings.length}`).join(', ')} (see -o json, or plan each cluster alone)`), '', '  ');

  out.push('', c.bold(`Steps in mesh order (${plan.order.length})`));
  for (const o of plan.order) {
    const step = plan.clusters.find((k) => k.name === o.cluster)?.plan.steps.find((s) => s.id === o.stepId);
    if (!step) continue;
    para(`${o.index}. ${c.cyan(`[${o.cluster}]`)} ${step.title}${step.irreversible ? c.red(' (irreversible)') : ''} ${c.dim(`${step.id} · ${o.phase}`)}`, '  ', '      ');
    for (const p of commandParts(step.commands)) out.push(...wrapCommand(p.words, width, '      $ ', '          ', p.note));
  }
  if (plan.followUps.length) {
    out.push('', c.bold('Follow-ups (not part of this plan)'));
    for (const u of plan.followUps) para(`- [${u.cluster}] ${u.title}`, '  ', '    ');
  }
  for (const m of plan.manifests) {
    out.push('', c.bold(`Manifest ${m.file} (cluster ${m.cluster}; write it beside the plan)`));
    out.push(...m.content.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  return `${out.join('\n')}\n`;
}
