import { valuesPlaceholder } from '../plan/placeholders.js';
import type { PlanCommand, VerifySpec } from '../plan/schema.js';

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

/** A chart value the plan sets on top of the release's values; null removes it. */
export interface ChartSetting {
  path: string;
  value: string | number | boolean | null;
}

/**
 * `--set` / `--set-string` flags for settings. Helm's `--set` turns `true`, `false`, `null` and integers into
 * typed values, so a string that looks like one (proxyMetadata wants "false") goes through `--set-string`.
 */
export function setArgs(settings: ChartSetting[]): string[] {
  return settings.flatMap(({ path, value }) =>
    typeof value === 'string' && /^(true|false|null|[-+]?\d+)$/.test(value) ? ['--set-string', `${path}=${value}`] : ['--set', `${path}=${value === null ? 'null' : String(value)}`],
  );
}

/** `helm upgrade` of an existing release to a chart version, starting from the release's current values. */
export function helmUpgrade(release: string, namespace: string, chart: string, chartRepo: string, version: string, settings: ChartSetting[] = []): PlanCommand {
  return helm(
    ['upgrade', release, chartRef(chartRepo, chart), '-n', namespace, '--version', version, ...setArgs(settings), '--wait'],
    `upgrade ${release} keeping its current values`,
    { release, namespace },
  );
}

export function releaseDeployed(release: string, namespace: string, chartVersion: string): VerifySpec {
  return { type: 'helm-release', release, namespace, status: 'deployed', chartVersion };
}
