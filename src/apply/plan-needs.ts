/**
 * What a plan needs before its first change, read from its typed operations (never from argv): the chart versions
 * it installs or upgrades to and their sources, the istioctl client of each hop minor, and every access its
 * commands, rollbacks, lock and run records take.
 */
import type { HelmOperation, IstioctlOperation } from '../plan/operations.js';
import type { Plan, PlanCommand } from '../plan/schema.js';
import type { AccessNeed } from './permissions.js';
import { checkPrerequisites, type ChartNeed, type IstioctlNeed, type PrerequisiteDeps, type PrerequisiteNeeds, type PrerequisiteReport } from './prerequisites.js';

function helmAccess(op: HelmOperation, chartOf: Map<string, string>): AccessNeed | undefined {
  switch (op.op) {
    case 'install':
    case 'upgrade':
      return { via: 'helm', operation: op.op, namespace: op.namespace, chart: op.chart };
    case 'rollback':
    case 'uninstall': {
      const chart = chartOf.get(`${op.namespace}/${op.release}`);
      return { via: 'helm', operation: op.op, namespace: op.namespace, ...(chart ? { chart } : {}) };
    }
    case 'template':
      return undefined;
  }
}

function istioctlAccess(op: IstioctlOperation, istioNamespace: string): AccessNeed | undefined {
  switch (op.op) {
    case 'install':
    case 'uninstall':
      return { via: 'istioctl', operation: op.op, namespace: istioNamespace };
    case 'tag-set':
      return { via: 'istioctl', operation: 'tag', namespace: istioNamespace };
    case 'precheck':
      return undefined;
  }
}

export function prerequisiteNeeds(plan: Plan): PrerequisiteNeeds {
  const istioNamespace = plan.source.istioNamespace;
  const hopTarget = new Map(plan.hops.map((h) => [h.index, h.to]));
  const forward = plan.steps.flatMap((s) => s.commands.map((c) => ({ c, hop: s.hop })));
  const every: { c: PlanCommand; hop: number }[] = [...forward, ...plan.steps.flatMap((s) => (s.rollback?.commands ?? []).map((c) => ({ c, hop: s.hop })))];
  const chartOf = new Map<string, string>();
  const charts: ChartNeed[] = [];
  for (const { c } of forward) {
    const op = c.helm;
    if (!op || !('chart' in op)) continue;
    charts.push({ chart: op.chart, version: op.version, source: op.source });
    chartOf.set(`${op.namespace}/${op.release}`, op.chart);
  }
  const istioctl: IstioctlNeed[] = every.flatMap(({ c, hop }) => (c.istioctl && hopTarget.get(hop) ? [{ version: hopTarget.get(hop)!, required: !c.optional }] : []));
  const access: AccessNeed[] = every.flatMap(({ c }) => {
    if (c.api) return [{ via: 'api' as const, action: c.api }];
    const a = c.helm ? helmAccess(c.helm, chartOf) : c.istioctl ? istioctlAccess(c.istioctl, istioNamespace) : undefined;
    return a ? [a] : [];
  });
  const clientSide = [...new Set(every.flatMap(({ c }) => (c.helm && 'serverSide' in c.helm && c.helm.serverSide === false ? [`${c.helm.namespace}/${c.helm.release}`] : [])))];
  const bundles = every.flatMap(({ c }) => (c.api?.type === 'apply-gateway-api-crds' ? [{ url: c.api.url, version: c.api.version, channel: c.api.channel }] : []));
  return { helm: every.some(({ c }) => c.via === 'helm'), charts, istioctl, access, istioNamespace, clientSideReleases: clientSide, bundles };
}

export function checkPlanPrerequisites(plan: Plan, deps: PrerequisiteDeps): Promise<PrerequisiteReport> {
  return checkPrerequisites(prerequisiteNeeds(plan), deps);
}
