import type { HelmRelease, Inventory, Revision } from '../../k8s/inventory.js';
import { defaultRevisionMoveStep } from '../../steps/default-revision-move.js';
import { needsClientSideApply } from '../helm-apply-method.js';
import { revisionCleanup } from '../../k8s/revision-use.js';
import { collectFacts, factKey, helmReleaseFacts } from '../../plan/facts.js';
import { withGates } from '../../plan/gates.js';
import { PLAN_API_VERSION, type Plan, type PlanIssue, type PlanStep } from '../../plan/schema.js';
import { oldRevisionRemovalStep } from '../../steps/old-revision-removal.js';
import { finishStep } from '../../steps/types.js';
import { chartSourceFor } from '../../steps/commands.js';
import type { ChartSource } from '../../plan/operations.js';

export interface CleanupRequest {
  planId: string;
  now: Date;
  toolVersion: string;
  chartRepo: string;
}

/**
 * Pure: inventory → a plan that removes every installed revision nothing uses (revision-use.ts decides), oldest
 * first, each with the upgrade's own irreversible old-revision-removal step. When defaultRevision or the default
 * validator names a revision about to go, the upgrade's reversible default-revision-move step moves them to the
 * revision that stays before anything is uninstalled. Nothing to remove is an up-to-date plan.
 */
export function planCleanup(inv: Inventory, req: CleanupRequest): Plan {
  const { keep, unused } = revisionCleanup(inv);
  const blockers: PlanIssue[] = [];
  const version = keep?.version ?? 'unknown';
  const plan: Plan = {
    apiVersion: PLAN_API_VERSION,
    kind: 'Plan',
    metadata: { id: req.planId, createdAt: req.now.toISOString(), toolVersion: req.toolVersion, context: inv.source.context, clusterId: inv.cluster.clusterId, inputs: inv.source.type },
    source: {
      version,
      revision: keep?.name ?? 'none',
      mode: inv.mode === 'ambient' ? 'ambient' : 'sidecar',
      installMethod: inv.installMethod,
      istioNamespace: inv.istioNamespace,
      kubernetesVersion: inv.cluster.kubernetesVersion,
    },
    target: { version, revision: keep?.name ?? 'none', known: true },
    strategy: 'canary',
    upToDate: unused.length === 0,
    hops: keep ? [{ index: 1, from: version, to: version, fromRevision: keep.name, revision: keep.name, compatibilityVersion: null, compatibilityReason: null }] : [],
    blockers,
    warnings: [],
    notes: [],
    steps: [],
    followUps: [],
    facts: collectFacts(inv),
  };
  if (!keep) {
    blockers.push({ id: 'no-control-plane', message: `no istiod was found in namespace ${inv.istioNamespace} (use --istio-namespace)` });
    return plan;
  }
  if (inv.cluster.clusterId === null) {
    plan.warnings.push({ id: 'no-cluster-identity', message: 'the input records no cluster identity (the UID of the kube-system namespace): apply refuses the plan unless given --allow-any-cluster' });
  }
  const defaultsOn = (r: Revision) => inv.defaults.validatorRevision === r.name || inv.defaults.baseDefaultRevision === r.name;
  const base = inv.helmReleases.find((h) => h.component === 'base');
  const defaultsLeaving = unused.find(defaultsOn);
  const mustMove = defaultsLeaving !== undefined;
  if (mustMove && !base) {
    blockers.push({
      id: 'defaults-without-base-release',
      message: `istiod-default-validator targets a revision this cleanup removes, and no Helm base release exists to move it to ${keep.name}`,
      remedy: [`istioctl tag set default --revision ${keep.name}`],
    });
  }
  const charts = chartSourceFor(req.chartRepo);
  // The upgrade's own reversible default-revision-move step first, so the removals never carry a base upgrade.
  const moveDefaults = defaultsLeaving && base ? [defaultsToKept(inv, base, defaultsLeaving.name, keep, charts)] : [];
  plan.steps = [...moveDefaults, ...unused.map((r) => removal(inv, r, keep))];
  if (blockers.length) plan.steps = plan.steps.map((s) => ({ ...s, commands: [] }));
  return withGates(plan);
}

function defaultsToKept(inv: Inventory, base: HelmRelease, from: string, keep: Revision, charts: ChartSource): PlanStep {
  const built = defaultRevisionMoveStep({
    method: 'helm',
    from,
    to: keep.name,
    version: base.chartVersion,
    namespace: inv.istioNamespace,
    base: { release: base.name, namespace: base.namespace, clientSideApply: needsClientSideApply(base, base.chartVersion) },
    charts,
  });
  return finishStep({ hop: 1, preconditions: [factKey.validator, ...helmReleaseFacts(base.namespace, base.name)] }, built);
}

function removal(inv: Inventory, r: Revision, keep: Revision): PlanStep {
  const rel = r.installMethod === 'helm' ? r.helmRelease : null;
  const built = oldRevisionRemovalStep({
    method: rel ? 'helm' : 'istioctl',
    oldRevision: r.name,
    newRevision: keep.name,
    namespace: rel?.namespace ?? inv.istioNamespace,
    istiodRelease: rel?.release ?? null,
    recreateTags: null,
  });
  // What the removal relies on: the revision as planned, and nothing pointed at it since.
  const preconditions = [
    factKey.revisionVersion(r.name),
    ...(rel ? helmReleaseFacts(rel.namespace, rel.release) : []),
    ...inv.tags.map((t) => factKey.tagRevision(t.name)),
    ...inv.dataPlane.namespaces.map((n) => factKey.namespaceRevisionLabel(n.name)),
  ];
  return finishStep({ hop: 1, preconditions }, built);
}
