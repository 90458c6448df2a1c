import type { PlanCommand, VerifySpec } from '../plans/plan-schema.js';

/** Placeholder apply replaces with a temp file holding `helm get values` of that release. */
export function valuesPlaceholder(namespace: string, release: string): string {
  return `<values-of:${namespace}/${release}>`;
}

export const VALUES_PLACEHOLDER_RE = /^<values-of:([^/]+)\/(.+)>$/;

/** `istio/istiod` for a classic repo alias, `oci://…/istiod` for an OCI registry. */
export function chartRef(repo: string, chart: string): string {
  return `${repo.replace(/\/+$/, '')}/${chart}`;
}

export function helm(argv: string[], description: string, valuesFrom?: { release: string; namespace: string }): PlanCommand {
  const full = valuesFrom ? [...argv, '--values', valuesPlaceholder(valuesFrom.namespace, valuesFrom.release)] : argv;
  return { argv: ['helm', ...full], via: 'helm', description, ...(valuesFrom ? { valuesFrom } : {}) };
}

export function istioctl(argv: string[], description: string, optional = false): PlanCommand {
  return { argv: ['istioctl', ...argv], via: 'istioctl', description, ...(optional ? { optional } : {}) };
}

export function api(argv: string[], description: string, action: NonNullable<PlanCommand['api']>): PlanCommand {
  return { argv, via: 'kubernetes-api', description, api: action };
}

export function helmRollback(release: string, namespace: string, revision: number): PlanCommand {
  return helm(['rollback', release, String(revision), '-n', namespace, '--wait'], `roll ${namespace}/${release} back to revision ${revision}`);
}

/** `helm upgrade` of an existing release to a chart version, starting from the release's current values. */
export function helmUpgrade(release: string, namespace: string, chart: string, chartRepo: string, version: string, sets: string[] = []): PlanCommand {
  return helm(
    ['upgrade', release, chartRef(chartRepo, chart), '-n', namespace, '--version', version, ...sets.flatMap((s) => ['--set', s]), '--wait'],
    `upgrade ${release} keeping its current values`,
    { release, namespace },
  );
}

export function releaseDeployed(release: string, namespace: string, chartVersion: string): VerifySpec {
  return { type: 'helm-release', release, namespace, status: 'deployed', chartVersion };
}
