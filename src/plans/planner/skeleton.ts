import type { Inventory } from '../../k8s/inventory.js';
import { collectFacts } from '../../plan/facts.js';
import { PLAN_API_VERSION, type Plan } from '../../plan/schema.js';
import type { Findings } from './findings.js';
import type { PlanRequest } from './request.js';

/** A plan with its identity, source, target and facts and no steps yet; the planners fill in the rest. */
export function planSkeleton(inv: Inventory, req: PlanRequest, f: Findings, source: { version: string; revision: string }, target: Plan['target']): Plan {
  return {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    metadata: { id: req.planId, createdAt: req.now.toISOString(), toolVersion: req.toolVersion, context: inv.source.context, clusterId: inv.cluster.clusterId, inputs: inv.source.type },
    source: {
      ...source,
      mode: inv.mode === 'ambient' ? 'ambient' : 'sidecar',
      installMethod: inv.installMethod,
      istioNamespace: inv.istioNamespace,
      kubernetesVersion: inv.cluster.kubernetesVersion,
    },
    target,
    strategy: req.strategy,
    upToDate: false,
    hops: [],
    blockers: f.blockers,
    warnings: f.warnings,
    notes: [],
    steps: [],
    followUps: [],
    facts: collectFacts(inv),
  };
}
