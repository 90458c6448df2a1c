import { ExitCode, UserError } from '../../errors.js';
import type { Inventory } from '../../k8s/inventory.js';
import { memberName, planMesh } from '../../plans/mesh/index.js';
import { textStyle } from '../color.js';
import { renderMeshPlan } from '../../report/mesh-plan/index.js';
import { readMeshMembers, type MeshSelectionOptions } from '../mesh-input.js';
import { writeStdout } from '../write-output.js';
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
  await writeStdout(renderMeshPlan(plan, inventories, opts.output, textStyle(opts.color)));
  if (plan.blockers.length) return ExitCode.blocked;
  const changes = plan.order.length > 0;
  return changes && opts.detailedExitcode ? ExitCode.changes : ExitCode.ok;
}

