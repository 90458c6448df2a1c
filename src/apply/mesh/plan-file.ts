import { z } from 'zod';
import { ExitCode, UserError } from '../../errors.js';
import { issueSchema, PLAN_API_VERSION } from '../../plan/schema.js';
import type { MeshPlan } from '../../plans/mesh/schema.js';
import { meshOrderEntrySchema, meshRoleSchema } from '../../plans/mesh/schema.js';
import { checkPlanIntegrity, type IntegrityCheck } from '../../plans/plan-integrity.js';
import { planSchema } from '../../steps/registry.js';
import { formatZodIssue } from '../../util/zod-errors.js';
import { readRegularFile } from '../../util/regular-file.js';

/** The document `plan --out` writes for a mesh: the MeshPlan, each cluster's plan in the single-cluster format. */
const meshPlanFileSchema = z.object({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal('MeshPlan'),
  metadata: z.object({ id: z.string(), createdAt: z.string(), toolVersion: z.string() }),
  mesh: z.object({ meshId: z.string().nullable(), trustDomain: z.string().nullable(), topology: z.enum(['multi-primary', 'primary-remote', 'multi-primary-with-remotes', 'single-primary']) }),
  target: z.object({ version: z.string(), revision: z.string() }),
  clusters: z
    .array(z.object({ name: z.string().min(1), context: z.string().nullable(), role: meshRoleSchema, controlPlane: z.string().nullable(), meshPods: z.number(), plan: planSchema }))
    .min(1),
  clusterOrder: z.object({ order: z.array(z.string()), chosenBy: z.enum(['flag', 'fewest-workloads', 'fewest-workloads-adjusted-for-skew']) }),
  order: z.array(meshOrderEntrySchema),
  manifests: z.array(z.object({ cluster: z.string(), file: z.string(), content: z.string() })),
  blockers: z.array(issueSchema),
  warnings: z.array(issueSchema),
  followUps: z.array(z.object({ cluster: z.string(), id: z.string(), title: z.string(), commands: z.array(z.array(z.string())) })),
});

/** The file's document when it is a mesh plan (JSON, as `plan --out` writes it); undefined for anything else. */
export async function readMeshPlanDocument(path: string): Promise<object | undefined> {
  const text = await readRegularFile(path, { what: 'plan', maxBytes: 64 * 1024 * 1024, fix: 'pass a file written by istio-upgrade plan --out' });
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const doc = JSON.parse(text) as { kind?: unknown } | null;
    return doc?.kind === 'MeshPlan' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A mesh plan read from a file: every cluster plan validated as a single-cluster plan is, the digest (and signature)
 * checked over the document as written, and the order checked to name each cluster step once, in its plan's order
 * (a mesh run applies each cluster's plan in contiguous parts).
 */
export function parseMeshPlan(doc: unknown, path: string, verify: (doc: object) => IntegrityCheck = (d) => checkPlanIntegrity(d, path)): { plan: MeshPlan; check: IntegrityCheck } {
  const parsed = meshPlanFileSchema.safeParse(doc);
  if (!parsed.success) throw new UserError(`${path} is not a valid mesh plan: ${formatZodIssue(parsed.error)}`, ExitCode.error);
  const check = verify(doc as object);
  const plan = parsed.data as MeshPlan;
  const invalid = (why: string) => new UserError(`${path} is not a valid mesh plan: ${why}; make a new plan`, ExitCode.error);
  const names = new Set<string>();
  for (const c of plan.clusters) {
    if (names.has(c.name)) throw invalid(`cluster ${c.name} appears twice`);
    names.add(c.name);
    if (!c.plan.metadata.context) throw invalid(`cluster ${c.name} records no context to apply it through`);
  }
  const next = new Map(plan.clusters.map((c) => [c.name, 0]));
  for (const o of plan.order) {
    const c = plan.clusters.find((x) => x.name === o.cluster);
    if (!c) throw invalid(`order entry ${o.index} names cluster ${o.cluster}, which the plan does not have`);
    const at = next.get(c.name)!;
    if (c.plan.steps[at]?.id !== o.stepId) throw invalid(`order entry ${o.index} (${o.cluster} ${o.stepId}) is not the next step of ${o.cluster}'s plan`);
    next.set(c.name, at + 1);
  }
  for (const c of plan.clusters) if (next.get(c.name) !== c.plan.steps.length) throw invalid(`the order leaves steps of ${c.name} out`);
  return { plan, check };
}
