import { helmRollback, helmUpgrade, releaseDeployed, type ChartSetting } from './commands.js';
import type { BuiltStep } from './types.js';

export interface NodeAgentParams {
  component: 'cni' | 'ztunnel';
  release: string;
  namespace: string;
  daemonSet: string;
  chartRepo: string;
  version: string;
  revision: string | null;
  ambient: boolean;
  revisionBefore: number;
  /** Values the hop sets on this chart: its compatibilityVersion and workarounds from upgrade notes. */
  settings?: ChartSetting[];
  source?: string;
}

const CHART = { cni: 'cni', ztunnel: 'ztunnel' } as const;

/** istio-cni and ztunnel cannot be canaried: upgraded in place, after istiod, within one minor of it. */
export function nodeAgentUpgradeStep(p: NodeAgentParams): BuiltStep {
  const sets: ChartSetting[] = [
    ...(p.ambient && p.component === 'cni' ? [{ path: 'profile', value: 'ambient' }] : []),
    ...(p.component === 'ztunnel' && p.revision ? [{ path: 'revision', value: p.revision }] : []),
    ...(p.settings ?? []),
  ];
  return {
    kind: p.component === 'cni' ? 'cni-upgrade' : 'ztunnel-upgrade',
    title: `Upgrade ${p.component === 'cni' ? 'istio-cni' : 'ztunnel'} ${p.namespace}/${p.release} to ${p.version}`,
    why: [
      {
        text: 'Istio does not support canary upgrades of istio-cni or ztunnel; at 1.x they work with a control plane at 1.x or 1.x+1, so the control plane goes first.',
        source: p.source ?? 'istio.io docs/ambient/upgrade/helm',
      },
    ],
    commands: [helmUpgrade(p.release, p.namespace, CHART[p.component], p.chartRepo, p.version, sets)],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'daemonset-rollout', name: p.daemonSet, namespace: p.namespace, version: p.version },
    ],
    rollback: { commands: [helmRollback(p.release, p.namespace, p.revisionBefore)] },
    irreversible: false,
    disruption:
      p.component === 'ztunnel'
        ? 'ztunnel restarts node by node: long-lived TCP connections of ambient pods on each node are reset as its ztunnel restarts'
        : 'istio-cni-node restarts node by node; pods scheduled on a node while its agent restarts wait for it (running pods are not affected)',
  };
}
