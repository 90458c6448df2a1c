import { helmCommand } from '../plan/commands.js';
import type { ChartSource, ReleaseRef, ValueSetting } from '../plan/operations.js';
import type { PlanCommand, VerifySpec } from '../plan/schema.js';
import { parseChartSource } from '../plans/chart-source.js';

/** Helm commands the step kinds share, as typed operations rendered by the one builder (src/plan/commands.ts). */

/**
 * The chart source of `--chart-repo` as the planner sees it: no directory is read at plan time here, so a local
 * directory renders `<dir>/<chart>`.
 */
export function chartSourceFor(chartRepo: string): ChartSource {
  return parseChartSource(chartRepo, () => []);
}

/** A chart value the plan sets on top of the release's values; null removes it. */
export interface ChartSetting {
  path: string;
  value: string | number | boolean | null;
}

/**
 * Settings as command-line values. Helm's `--set` turns `true`, `false`, `null` and integers into typed values, so
 * a string that looks like one (proxyMetadata wants "false") goes through `--set-string`.
 */
export function valueSettings(settings: ChartSetting[]): ValueSetting[] {
  return settings.map(({ path, value }) =>
    typeof value === 'string' && /^(true|false|null|[-+]?\d+)$/.test(value) ? { flag: 'set-string', key: path, value } : { flag: 'set', key: path, value: value === null ? 'null' : String(value) },
  );
}

/** `--set key=value` for each pair, in order. */
export function plainSettings(...pairs: [string, string][]): ValueSetting[] {
  return pairs.map(([key, value]) => ({ flag: 'set', key, value }));
}

/** A release a step upgrades; `clientSideApply`: Helm 4 must apply it client-side (src/plans/helm-apply-method.ts). */
export type UpgradedRelease = ReleaseRef & { clientSideApply?: boolean };

const applyMethod = (r: UpgradedRelease) => (r.clientSideApply ? { serverSide: false as const } : {});

/** `helm upgrade` of an existing release to a chart version, starting from the release's current values. */
export function helmUpgrade(r: UpgradedRelease, chart: string, source: ChartSource, version: string, settings: ValueSetting[], description = `upgrade ${r.release} keeping its current values`): PlanCommand {
  const { release, namespace } = r;
  return helmCommand({ op: 'upgrade', release, namespace, chart, source, version, values: { reuse: { release, namespace }, settings }, wait: true, ...applyMethod(r) }, description);
}

/** Back to the Helm revision the run records just before the step changes the release. */
export function helmRollback(r: UpgradedRelease): PlanCommand {
  const { release, namespace } = r;
  return helmCommand({ op: 'rollback', release, namespace, rollbackTo: 'recorded-before', wait: true, ...applyMethod(r) }, `roll ${namespace}/${release} back to the revision recorded before the step ran`);
}

export function helmUninstall({ release, namespace }: ReleaseRef, description: string): PlanCommand {
  return helmCommand({ op: 'uninstall', release, namespace, wait: true }, description);
}

export function releaseDeployed(release: string, namespace: string, chartVersion: string): VerifySpec {
  return { type: 'helm-release', release, namespace, status: 'deployed', chartVersion };
}
