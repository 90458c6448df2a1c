import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../../errors.js';
import type { Inventory } from '../../k8s/inventory.js';
import { memberName, planMesh } from '../../plans/mesh/index.js';
import { textStyle } from '../color.js';
import { renderMeshPlan } from '../../report/mesh-plan/index.js';
import { readMeshMembers, type MeshSelectionOptions } from '../mesh-input.js';
import { writeFileAtomic, writeStdout } from '../write-output.js';
import { readEd25519Key, sealPlan, type PlanIntegrity } from '../../plans/plan-integrity.js';
import { toJson } from '../../report/structured.js';
import type { MeshPlan } from '../../plans/mesh/schema.js';
import { planRequestFrom, type PlanOptions } from './plan.js';

export type MeshPlanOptions = Omit<PlanOptions, 'context' | 'snapshot'> & MeshSelectionOptions & { clusterOrder?: string };

/** `plan` over the clusters of a multi-cluster mesh (several --context or --snapshot, or --mesh). */
export async function planMeshCommand(opts: MeshPlanOptions): Promise<number> {
  if (opts.signKey !== undefined && !opts.out) throw new UserError('--sign-key signs the plan file: pass --out FILE too', ExitCode.usage);
  const signingKey = opts.signKey !== undefined ? await readEd25519Key(opts.signKey, '--sign-key', 'private') : undefined;
  const request = planRequestFrom(opts as PlanOptions);
  const clusterOrder = opts.clusterOrder?.split(',').map((s) => s.trim()).filter(Boolean);
  const members = await readMeshMembers(opts);
  const made = planMesh(members, request, clusterOrder ? { clusterOrder } : {});
  // The file carries the digest of its content (and a signature with --sign-key); apply checks both.
  let plan: MeshPlan = made;
  if (opts.out) {
    const sealed = sealPlan(made, signingKey);
    await writeMeshPlanFile(opts.out, sealed);
    plan = sealed;
  }
  const inventories = new Map<string, Inventory>(members.map((m) => [memberName(m), m.inventory]));
  await writeStdout(renderMeshPlan(plan, inventories, opts.output, textStyle(opts.color)));
  if (plan.blockers.length) return ExitCode.blocked;
  const changes = plan.order.length > 0;
  return changes && opts.detailedExitcode ? ExitCode.changes : ExitCode.ok;
}


/** The mesh plan, then each manifest a step applies beside it (for people: the step carries its objects itself). */
async function writeMeshPlanFile(out: string, plan: MeshPlan & { integrity: PlanIntegrity }): Promise<void> {
  await writeFileAtomic(out, toJson(plan), 0o644, 'the plan file');
  for (const m of plan.manifests) await writeFileAtomic(join(dirname(out), m.file), m.content, 0o644, `manifest ${m.file}`);
  process.stderr.write(
    plan.blockers.length
      ? `wrote ${out} (mesh plan ${plan.metadata.id}, BLOCKED by ${plan.blockers.length} blocker(s): apply refuses it; fix the blockers and plan again)\n`
      : `wrote ${out} (mesh plan ${plan.metadata.id}, ${plan.clusters.length} clusters, digest ${plan.integrity.digest}${plan.integrity.signature ? ', signed' : ''}); run: istio-upgrade apply ${out}\n`,
  );
}
