import { nodeAgentDescriptor } from './node-agent-upgrade.js';
import { revertedByCompatibility } from '../plans/planner/notes.js';

/** ztunnel after istio-cni; ambient pods restart after it when a catalog step note asks for it. */
export const ztunnelUpgrade = nodeAgentDescriptor('ztunnel-upgrade', 70, 'ztunnel', {
  // A compatibility profile that reverts the change also removes the reason to restart.
  note: (ctx) => (ctx.notes.restartAfterZtunnel && revertedByCompatibility(ctx.notes.restartAfterZtunnel, ctx.hop.compatibilityVersion) ? undefined : ctx.notes.restartAfterZtunnel),
  qualifier: 'ambient-after-ztunnel',
  reason: 'in ambient namespaces after the ztunnel upgrade',
});
