import { helmRollback, helmUpgrade, releaseDeployed, type ChartSetting } from './commands.js';
import type { BuiltStep } from './types.js';

export interface IstiodUpgradeParams {
  release: string;
  namespace: string;
  chartRepo: string;
  version: string;
  revision: string;
  deployment: string;
  revisionBefore: number;
  compatibilityVersion: string | null;
  settings?: ChartSetting[];
}

/** In-place: the same revision's istiod moves to the new version. */
export function istiodUpgradeStep(p: IstiodUpgradeParams): BuiltStep {
  return {
    kind: 'istiod-upgrade',
    title: `Upgrade istiod ${p.namespace}/${p.release} in place to ${p.version}`,
    why: [{ text: 'In-place upgrade (--strategy in-place): one minor per hop, proxies reconnect to the upgraded istiod.', source: 'istio.io docs/setup/upgrade/in-place' }],
    commands: [helmUpgrade(p.release, p.namespace, 'istiod', p.chartRepo, p.version, [...(p.compatibilityVersion ? [{ path: 'compatibilityVersion', value: p.compatibilityVersion }] : []), ...(p.settings ?? [])])],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'deployment-rollout', name: p.deployment, namespace: p.namespace },
    ],
    rollback: { commands: [helmRollback(p.release, p.namespace, p.revisionBefore)] },
    irreversible: false,
    disruption: 'istiod pods roll; proxies reconnect (xDS push), no request loss expected',
  };
}
