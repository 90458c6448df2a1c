import type { MeshPlan } from '../../plans/mesh/schema.js';

/** A contiguous run of one cluster's steps in the mesh order: that cluster's plan from step `from` up to `stopBefore`. */
export interface MeshPart {
  /** 1-based, in mesh order. */
  index: number;
  cluster: string;
  from: number;
  stopBefore: number;
  stepIds: string[];
}

/** The mesh order cut where it changes cluster: each part runs as one call of the single-cluster executor. */
export function meshParts(plan: MeshPlan): MeshPart[] {
  const parts: MeshPart[] = [];
  const done = new Map<string, number>();
  for (const o of plan.order) {
    const last = parts[parts.length - 1];
    if (last && last.cluster === o.cluster) {
      last.stopBefore += 1;
      last.stepIds.push(o.stepId);
    } else {
      const from = done.get(o.cluster) ?? 0;
      parts.push({ index: parts.length + 1, cluster: o.cluster, from, stopBefore: from + 1, stepIds: [o.stepId] });
    }
    done.set(o.cluster, (done.get(o.cluster) ?? 0) + 1);
  }
  return parts;
}
