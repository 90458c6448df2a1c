import type { StepDescriptor } from './descriptor.js';
import { nodeAgentTouches, planNodeAgentUpgrade } from './node-agent-upgrade.js';
import { restartAmbientWorkloads } from './workload-restart.js';

/** istio-cni after the control plane; ambient pods restart right after it when a catalog order note says so. */
export const cniUpgrade: StepDescriptor = {
  kind: 'cni-upgrade',
  phase: 60,
  plan(ctx) {
    planNodeAgentUpgrade(ctx, 'cni');
    const note = ctx.notes.restartBetweenCniAndZtunnel;
    if (note && ctx.inv.mode === 'ambient') {
      restartAmbientWorkloads(ctx, 'ambient-dns', 'in ambient namespaces between the istio-cni and ztunnel upgrades (DNS capture)', note.source);
    }
  },
  touches: nodeAgentTouches('cni'),
};
