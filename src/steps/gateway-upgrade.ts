import { helmRollback, helmUpgrade, releaseDeployed, type ChartSetting } from './commands.js';
import type { BuiltStep } from './types.js';

export interface GatewayUpgradeParams {
  release: string;
  namespace: string;
  deployment: string;
  chartRepo: string;
  version: string;
  revisionBefore: number;
  /** The revision the gateway is pinned to (`--set revision=`) so the new control plane injects it; null keeps its value. */
  pinRevision: string | null;
  /** What the gateway's pods must run after the step: injected by this revision, at this proxy version. */
  expect: { revision: string; proxyVersion: string } | null;
  settings?: ChartSetting[];
}

export function gatewayUpgradeStep(p: GatewayUpgradeParams): BuiltStep {
  return {
    kind: 'gateway-upgrade',
    qualifier: p.release,
    title: `Upgrade gateway ${p.namespace}/${p.release} to ${p.version}`,
    why: [{ text: 'Gateways are injected like workloads; upgrading the chart rolls them onto the new proxy after the control plane is verified.', source: 'istio.io docs/setup/upgrade/helm#upgrading-gateways' }],
    commands: [helmUpgrade(p.release, p.namespace, 'gateway', p.chartRepo, p.version, [...(p.pinRevision ? [{ path: 'revision', value: p.pinRevision }] : []), ...(p.settings ?? [])])],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'deployment-rollout', name: p.deployment, namespace: p.namespace },
      ...(p.expect
        ? [{ type: 'workloads-restarted' as const, workloads: [{ kind: 'Deployment', namespace: p.namespace, name: p.deployment }], revision: p.expect.revision, proxyVersion: p.expect.proxyVersion }]
        : []),
    ],
    rollback: { commands: [helmRollback(p.release, p.namespace, p.revisionBefore)] },
    irreversible: false,
    disruption: 'gateway pods roll one at a time; keep at least two replicas and a PodDisruptionBudget to avoid dropped connections',
  };
}
