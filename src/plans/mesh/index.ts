import { planUpgrade, type PlanRequest } from '../planner/index.js';
import { Findings } from '../planner/findings.js';
import type { Plan, PlanStep } from '../../plan/schema.js';
import { PLAN_API_VERSION } from '../../plan/schema.js';
import { byHand } from '../../plan/by-hand.js';
import { finishStep } from '../../steps/types.js';
import { joinMesh, type MeshMember, type MeshMemberInput } from './members.js';
import { choosePrimaryOrder, primaryVersions } from './order.js';
import { planRemote } from './remote.js';
import { exposeRevisionManifest, exposeRevisionStep } from '../../steps/expose-istiod-revision.js';
import type { MeshClusterPlan, MeshOrderEntry, MeshPlan } from './schema.js';

export type { MeshPlan } from './schema.js';
export { memberName, joinMesh, type MeshMemberInput } from './members.js';

export interface MeshRequest {
  /** Primary clusters in the order to upgrade them (`--cluster-order`); default fewest mesh pods first. */
  clusterOrder?: string[];
}

/** Steps of a primary's plan that must wait until no remote uses the old revision any more. */
const AFTER_REMOTES = new Set(['old-revision-removal']);
const CONTROL_PLANE = new Set(['preflight', 'backup', 'crd-migration-labels', 'base-chart-upgrade', 'istiod-install', 'istiod-upgrade', 'cni-upgrade', 'ztunnel-upgrade']);

/**
 * Pure: the clusters' inventories + the request → one plan across the mesh. Each primary gets the single-cluster
 * plan; primaries go one after another (each complete before the next); a primary serving remotes exposes its new
 * revision on its east-west gateway, then each of its remotes moves onto that revision (remote install, namespaces,
 * restarts, gateways), and only then is the primary's old revision removed.
 */
export function planMesh(inputs: MeshMemberInput[], req: PlanRequest, mesh: MeshRequest = {}): MeshPlan {
  const f = new Findings();
  const members = joinMesh(inputs, f);
  const primaries = members.filter((m) => m.role === 'primary');
  const primaryPlans = new Map(primaries.map((m) => [m.name, planUpgrade(m.inventory, req)] as const));
  const target = [...primaryPlans.values()][0]?.target ?? { version: req.to, revision: req.revision ?? req.to };
  const clusterOrder = choosePrimaryOrder(
    primaries.map((p) => primaryVersions(p, primaryPlans.get(p.name)!.target.version)),
    mesh.clusterOrder,
    f,
  );

  const clusters: MeshClusterPlan[] = [];
  const order: MeshOrderEntry[] = [];
  const manifests: MeshPlan['manifests'] = [];
  const push = (cluster: string, steps: PlanStep[], phase: (s: PlanStep) => MeshOrderEntry['phase']) => {
    for (const s of steps) order.push({ index: order.length + 1, cluster, stepId: s.id, phase: phase(s) });
  };
  for (const name of clusterOrder.order) {
    const p = primaries.find((m) => m.name === name)!;
    const plan = primaryPlans.get(name)!;
    const remotes = members.filter((m) => m.role === 'remote' && m.controlPlane === name);
    const remotePlans = remotes.map((r) => [r, planRemote(r.inventory, { primary: name, version: plan.target.version, revision: plan.target.revision }, req)] as const);
    const needsExpose = remotePlans.some(([, rp]) => !rp.upToDate && rp.steps.length > 0) && !plan.upToDate;
    if (needsExpose) {
      const manifest = exposeRevisionManifest(plan.target.revision, p.inventory.istioNamespace);
      manifests.push({ cluster: name, ...manifest });
      const at = plan.steps.findIndex((s) => s.kind === 'istiod-install' || s.kind === 'istiod-upgrade');
      const step = finishStep({ hop: plan.hops.length || 1, preconditions: [] }, exposeRevisionStep(plan.target.revision, p.inventory, remotes.map((r) => r.name)));
      plan.steps.splice(at + 1, 0, step);
    }
    const [later, now] = partition(plan.steps, (s) => AFTER_REMOTES.has(s.kind));
    push(name, now, (s) => (s.kind === 'expose-istiod-revision' ? 'expose-revision' : CONTROL_PLANE.has(s.kind) ? 'control-plane' : 'primary-data-plane'));
    clusters.push(clusterPlan(p, plan));
    for (const [r, rp] of remotePlans) {
      push(r.name, rp.steps, () => 'remote');
      clusters.push(clusterPlan(r, rp));
      for (const w of rp.warnings) if (w.id === 'remote-old-revision-in-use') moveToFollowUps(plan, later);
    }
    push(name, later.filter((s) => plan.steps.includes(s)), () => 'old-revision-removal');
  }
  for (const c of clusters) {
    for (const b of c.plan.blockers) f.blocker(`${c.name}/${b.id}`, `${c.name}: ${b.message}`, { ...(b.source ? { source: b.source } : {}), ...(b.remedy ? { remedy: b.remedy } : {}) });
  }
  const remotes = members.filter((m) => m.role === 'remote');
  return {
    apiVersion: PLAN_API_VERSION,
    kind: 'MeshPlan',
    metadata: { id: req.planId, createdAt: req.now.toISOString(), toolVersion: req.toolVersion },
    mesh: {
      meshId: members.map((m) => m.inventory.mesh?.meshId).find((x): x is string => !!x) ?? null,
      trustDomain: members.map((m) => m.inventory.mesh?.trustDomain).find((x): x is string => !!x) ?? null,
      topology: primaries.length > 1 ? (remotes.length ? 'multi-primary-with-remotes' : 'multi-primary') : remotes.length ? 'primary-remote' : 'single-primary',
    },
    target: { version: target.version, revision: target.revision },
    clusters,
    clusterOrder,
    order,
    manifests,
    blockers: f.blockers,
    warnings: f.warnings,
    followUps: clusters.flatMap((c) => c.plan.followUps.map((u) => ({ cluster: c.name, ...u }))),
  };
}

/** Each cluster's plan gets an id of its own: its run records and checkpoints are found by plan id. */
function clusterPlan(m: MeshMember, plan: Plan): MeshClusterPlan {
  plan.metadata.id = `${plan.metadata.id}-${m.name}`;
  return { name: m.name, context: m.inventory.source.context, role: m.role, controlPlane: m.controlPlane, meshPods: m.meshPods, plan };
}

/** A remote still has pods on the old revision: the primary keeps it, and its removal becomes a follow-up. */
function moveToFollowUps(plan: Plan, later: PlanStep[]): void {
  for (const s of later) {
    if (!plan.steps.includes(s)) continue;
    plan.steps.splice(plan.steps.indexOf(s), 1);
    plan.followUps.push({ id: s.id, title: `${s.title}, once no remote cluster uses it (a remote still has pods on it)`, commands: byHand(s.commands) });
  }
}

function partition<T>(items: T[], pred: (t: T) => boolean): [T[], T[]] {
  return [items.filter(pred), items.filter((x) => !pred(x))];
}
