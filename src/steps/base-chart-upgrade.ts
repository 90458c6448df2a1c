import { helmRollback, helmUpgrade, releaseDeployed, type ChartSetting } from './commands.js';
import type { BuiltStep } from './types.js';

export interface BaseUpgradeParams {
  release: string;
  namespace: string;
  chartRepo: string;
  version: string;
  /** Helm revision before this step, the rollback target. */
  revisionBefore: number;
  settings?: ChartSetting[];
  source?: string;
}

export function baseChartUpgradeStep(p: BaseUpgradeParams): BuiltStep {
  return {
    kind: 'base-chart-upgrade',
    title: `Upgrade the base chart (CRDs) ${p.namespace}/${p.release} to ${p.version}`,
    why: [{ text: 'Cluster-wide CRDs must be upgraded before a new control plane is deployed.', source: p.source }],
    commands: [helmUpgrade(p.release, p.namespace, 'base', p.chartRepo, p.version, p.settings ?? [])],
    verify: [releaseDeployed(p.release, p.namespace, p.version)],
    rollback: { commands: [helmRollback(p.release, p.namespace, p.revisionBefore)] },
    irreversible: false,
    disruption: 'none expected: CRDs gain new versions and fields; existing resources keep working',
  };
}
