import { chartRef, helm, helmRollback } from './commands.js';
import type { BuiltStep } from './types.js';

export interface BaseUpgradeParams {
  release: string;
  namespace: string;
  chartRepo: string;
  version: string;
  /** Helm revision before this step, the rollback target. */
  revisionBefore: number;
  source?: string;
}

export function baseChartUpgradeStep(p: BaseUpgradeParams): BuiltStep {
  return {
    kind: 'base-chart-upgrade',
    title: `Upgrade the base chart (CRDs) ${p.namespace}/${p.release} to ${p.version}`,
    why: [{ text: 'Cluster-wide CRDs must be upgraded before a new control plane is deployed.', source: p.source }],
    commands: [
      helm(['upgrade', p.release, chartRef(p.chartRepo, 'base'), '-n', p.namespace, '--version', p.version, '--wait'], `upgrade ${p.release} keeping its current values`, {
        release: p.release,
        namespace: p.namespace,
      }),
    ],
    verify: [{ type: 'helm-release', release: p.release, namespace: p.namespace, status: 'deployed', chartVersion: p.version }],
    rollback: { commands: [helmRollback(p.release, p.namespace, p.revisionBefore)] },
    irreversible: false,
    disruption: 'none expected: CRDs gain new versions and fields; existing resources keep working',
  };
}
