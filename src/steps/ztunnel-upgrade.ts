import type { StepDescriptor } from './descriptor.js';
import { nodeAgentTouches, planNodeAgentUpgrade } from './node-agent-upgrade.js';
import { restartAmbientWorkloads } from './workload-restart.js';

/** ztunnel after istio-cni; ambient pods restart after it when a catalog step note asks for it. */
export const ztunnelUpgrade: StepDescriptor = {
  kind: 'ztunnel-upgrade',
  phase: 70,
  plan(ctx) {
    planNodeAgentUpgrade(ctx, 'ztunnel');
    const note = ctx.notes.restartAfterZtunnel;
    // A compatibility profile that reverts the change also removes the reason to restart.
    if (note && ctx.inv.mode === 'ambient' && !(ctx.hop.compatibilityVersion && note.compatibilityRevertible)) {
      restartAmbientWorkloads(ctx, 'ambient-after-ztunnel', 'in ambient namespaces after the ztunnel upgrade', note.source);
    }
  },
  touches: nodeAgentTouches('ztunnel'),
};
