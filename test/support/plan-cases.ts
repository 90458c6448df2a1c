import { SnapshotSource, readSnapshotFile } from '../../src/k8s/snapshot.js';
import { discover } from '../../src/k8s/discover/index.js';
import type { Inventory } from '../../src/k8s/inventory.js';
import { DEFAULT_REQUEST, planUpgrade, type PlanRequest } from '../../src/plans/planner/index.js';
import type { Plan } from '../../src/plan/schema.js';
import { fixturePath } from './fixtures.js';

export interface PlanCase {
  name: string;
  fixture: string;
  request: Partial<PlanRequest> & { to: string };
  /** What the plan must show, checked besides the golden file. */
  expect: { blocked: boolean; hops: number };
}

/** Every fixture, plus the scenarios Istio's upgrade docs walk through. */
export const PLAN_CASES: PlanCase[] = [
  { name: 'ambient-1.23-to-1.24', fixture: 'ambient-helm-1.23', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } },
  { name: 'ambient-1.23-to-1.24-cleanup', fixture: 'ambient-helm-1.23', request: { to: '1.24', includeCleanup: true }, expect: { blocked: false, hops: 1 } },
  { name: 'ambient-crds-owned-to-1.24', fixture: 'ambient-helm-1.23-crds-owned', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } },
  { name: 'ambient-1.23-to-1.26-multi-hop', fixture: 'ambient-helm-1.23', request: { to: '1.26' }, expect: { blocked: false, hops: 3 } },
  { name: 'sidecar-1.22-to-1.24-canary', fixture: 'sidecar-revisioned-1.22', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } },
  { name: 'sidecar-1.22-to-1.24-one-minor-hops', fixture: 'sidecar-revisioned-1.22', request: { to: '1.24', maxMinorJump: 1, includeCleanup: true }, expect: { blocked: false, hops: 2 } },
  { name: 'sidecar-1.22-in-place-to-1.23', fixture: 'sidecar-revisioned-1.22', request: { to: '1.23', strategy: 'in-place' }, expect: { blocked: false, hops: 1 } },
  { name: 'sidecar-1.22-to-latest', fixture: 'sidecar-revisioned-1.22', request: { to: 'latest' }, expect: { blocked: true, hops: 5 } },
  { name: 'istioctl-operator-to-1.24', fixture: 'istioctl-operator-1.22', request: { to: '1.24' }, expect: { blocked: true, hops: 1 } },
  { name: 'old-kubernetes-to-1.24', fixture: 'old-kubernetes-1.26', request: { to: '1.24' }, expect: { blocked: true, hops: 2 } },
  { name: 'pending-upgrade-to-1.24', fixture: 'helm-pending-upgrade', request: { to: '1.24' }, expect: { blocked: true, hops: 1 } },
  { name: 'stragglers-to-1.24', fixture: 'sidecar-stragglers', request: { to: '1.24', includeCleanup: true }, expect: { blocked: false, hops: 1 } },
  { name: 'istio-csr-to-1.24', fixture: 'istio-csr', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } },
  { name: 'revisionless-tagged-to-1.24', fixture: 'revisionless-tagged', request: { to: '1.24', includeCleanup: true }, expect: { blocked: false, hops: 1 } },
  { name: 'sail-to-1.25', fixture: 'sail-operator', request: { to: '1.25' }, expect: { blocked: true, hops: 1 } },
  { name: 'ambient-umbrella-to-1.24', fixture: 'ambient-umbrella', request: { to: '1.24' }, expect: { blocked: true, hops: 1 } },
];

export const FIXED_NOW = new Date('2026-11-22T10:00:00Z');

export function requestFor(c: PlanCase, planId = `plan-${c.name}`): PlanRequest {
  return {
    ...DEFAULT_REQUEST,
    planId,
    now: FIXED_NOW,
    toolVersion: '0.0.0-test',
    ...c.request,
  };
}

export async function inventoryOf(fixture: string): Promise<Inventory> {
  return discover(new SnapshotSource(await readSnapshotFile(fixturePath(fixture))), { istioNamespace: 'istio-system' });
}

export async function planFor(c: PlanCase): Promise<{ plan: Plan; inventory: Inventory }> {
  const inventory = await inventoryOf(c.fixture);
  return { plan: planUpgrade(inventory, requestFor(c)), inventory };
}
