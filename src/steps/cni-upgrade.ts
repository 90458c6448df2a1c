import { nodeAgentDescriptor } from './node-agent-upgrade.js';

/** istio-cni after the control plane; ambient pods restart right after it when a catalog order note says so. */
export const cniUpgrade = nodeAgentDescriptor('cni-upgrade', 60, 'cni', {
  note: (ctx) => ctx.notes.restartBetweenCniAndZtunnel,
  qualifier: 'ambient-dns',
  reason: 'in ambient namespaces between the istio-cni and ztunnel upgrades (DNS capture)',
});
