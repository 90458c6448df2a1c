import { ExitCode, UserError } from '../../errors.js';
import type { Inventory } from '../../k8s/inventory.js';
import { memberName, planMesh, type MeshPlan } from '../../plans/mesh/index.js';
import { buildChangeTicket } from '../../report/change-ticket.js';
import { colorEnabled, makeChalk } from '../color.js';
import { readMeshMembers, type MeshSelectionOptions } from '../mesh-input.js';
import { renderMeshPlanMarkdown } from '../render/mesh-plan-markdown.js';
import { renderMeshPlanText } from '../render/mesh-plan-text.js';
import { terminalWidth } from '../render/width.js';
import { renderDocument, toJson, writeStdout } from '../write-output.js';
import { planRequestFrom, type PlanOptions } from './plan.js';

export type MeshPlanOptions = Omit<PlanOptions, 'context' | 'snapshot'> & MeshSelectionOptions & { clusterOrder?: string };

/** `plan` over the clusters of a multi-cluster mesh (several --context or --snapshot, or --mesh). */
export async function planMeshCommand(opts: MeshPlanOptions): Promise<number> {
  if (opts.out !== undefined || opts.signKey !== undefined) {
    throw new UserError('--out and --sign-key write a plan file for apply, which runs single-cluster plans only: save a mesh plan with -o json, and apply each cluster\'s plan with plan --context <cluster> --out', ExitCode.usage);
  }
  const request = planRequestFrom(opts as PlanOptions);
  const clusterOrder = opts.clusterOrder?.split(',').map((s) => s.trim()).filter(Boolean);
  const members = await readMeshMembers(opts);
  const plan = planMesh(members, request, clusterOrder ? { clusterOrder } : {});
  const inventories = new Map<string, Inventory>(members.map((m) => [memberName(m), m.inventory]));
  await writeStdout(renderMesh(plan, inventories, opts.output, opts.color));
  if (plan.blockers.length) return ExitCode.blocked;
  const changes = plan.order.length > 0;
  return changes && opts.detailedExitcode ? ExitCode.changes : ExitCode.ok;
}

function renderMesh(plan: MeshPlan, inventories: Map<string, Inventory>, format: string, color: string | undefined): string {
  switch (format) {
    case 'json':
    case 'yaml':
      return renderDocument(plan, format);
    case 'markdown':
      return renderMeshPlanMarkdown(plan, inventories);
    case 'ticket-json':
      return toJson({
        apiVersion: 'istio-upgrade/v1',
        kind: 'MeshChangeTicket',
        mesh: plan.mesh,
        order: plan.order,
        clusters: plan.clusters.map((c) => ({ name: c.name, role: c.role, ticket: inventories.has(c.name) ? buildChangeTicket(c.plan, inventories.get(c.name)!) : null })),
      });
    default:
      return renderMeshPlanText(plan, makeChalk(colorEnabled(color)), terminalWidth());
  }
}
