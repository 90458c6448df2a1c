import type { Inventory } from '../../src/k8s/inventory.js';
import { planMesh, type MeshMemberInput, type MeshPlan } from '../../src/plans/mesh/index.js';
import type { PlanRequest } from '../../src/plans/planner/index.js';
import { inventoryOf, requestFor } from './plan-cases.js';

export interface MeshCase {
  name: string;
  fixtures: string[];
  request: Partial<PlanRequest> & { to: string };
  clusterOrder?: string[];
}

/** The multi-cluster fixtures planned as meshes (goldens in fixtures/golden/<name>.meshplan.{json,md}). */
export const MESH_CASES: MeshCase[] = [
  { name: 'mesh-primary-remote-to-1.24', fixtures: ['mesh-primary-1.23', 'mesh-remote-1.23'], request: { to: '1.24' } },
  { name: 'mesh-primary-remote-to-1.24-cleanup', fixtures: ['mesh-primary-1.23', 'mesh-remote-1.23'], request: { to: '1.24', includeCleanup: true } },
  { name: 'mesh-multi-primary-to-1.24', fixtures: ['mesh-multi-primary-east', 'mesh-multi-primary-west'], request: { to: '1.24' } },
  { name: 'mesh-three-to-1.24-cleanup', fixtures: ['mesh-three-a', 'mesh-three-b', 'mesh-three-c'], request: { to: '1.24', includeCleanup: true } },
];

export async function meshMembers(fixtures: string[]): Promise<MeshMemberInput[]> {
  return Promise.all(fixtures.map(async (f) => ({ label: f, inventory: await inventoryOf(f) })));
}

export function meshRequest(c: Pick<MeshCase, 'name' | 'request'>): PlanRequest {
  return requestFor({ name: c.name, fixture: '', request: c.request, expect: { blocked: false, hops: 1 } });
}

export async function planMeshCase(c: MeshCase, edit: (label: string, inv: Inventory) => Inventory = (_, i) => i): Promise<{ plan: MeshPlan; members: MeshMemberInput[] }> {
  const members = (await meshMembers(c.fixtures)).map((m) => ({ ...m, inventory: edit(m.label, m.inventory) }));
  return { plan: planMesh(members, meshRequest(c), c.clusterOrder ? { clusterOrder: c.clusterOrder } : {}), members };
}
