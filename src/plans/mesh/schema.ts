import { z } from 'zod';
import { issueSchema, PLAN_API_VERSION, type Plan } from '../../plan/schema.js';

/**
 * The mesh plan: one single-cluster plan per cluster of a multi-cluster mesh, and the one order in which their steps
 * run across the clusters (`order`). It is what `plan --context A --context B` (or several --snapshot, or --mesh)
 * prints; the per-cluster plans keep the single-cluster plan format.
 */

export const meshRoleSchema = z.enum(['primary', 'remote']);
export type MeshRole = z.infer<typeof meshRoleSchema>;

export const meshOrderEntrySchema = z.object({
  index: z.number().int().min(1),
  cluster: z.string(),
  stepId: z.string(),
  /** Why the step sits here in the mesh order. */
  phase: z.enum(['control-plane', 'expose-revision', 'primary-data-plane', 'remote', 'old-revision-removal']),
});
export type MeshOrderEntry = z.infer<typeof meshOrderEntrySchema>;

export interface MeshClusterPlan {
  name: string;
  context: string | null;
  role: MeshRole;
  /** The primary whose istiod a remote uses. */
  controlPlane: string | null;
  /** Pods with a sidecar or in ambient mode: the default multi-primary order upgrades the smallest cluster first. */
  meshPods: number;
  plan: Plan;
}

export interface MeshPlan {
  apiVersion: typeof PLAN_API_VERSION;
  kind: 'MeshPlan';
  metadata: { id: string; createdAt: string; toolVersion: string };
  mesh: { meshId: string | null; trustDomain: string | null; topology: 'multi-primary' | 'primary-remote' | 'multi-primary-with-remotes' | 'single-primary' };
  target: { version: string; revision: string };
  clusters: MeshClusterPlan[];
  /** How the primaries' order was chosen (and checked against control-plane skew). */
  clusterOrder: { order: string[]; chosenBy: 'flag' | 'fewest-workloads' | 'fewest-workloads-adjusted-for-skew' };
  order: MeshOrderEntry[];
  /** Manifests a step applies (kubectl apply -f <file>): file name → content, written next to the plan. */
  manifests: { cluster: string; file: string; content: string }[];
  blockers: z.infer<typeof issueSchema>[];
  warnings: z.infer<typeof issueSchema>[];
  followUps: { cluster: string; id: string; title: string; commands: string[][] }[];
}
