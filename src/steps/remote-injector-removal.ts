import type { RemoteInstall } from '../k8s/inventory.js';
import { factGroup, helmReleaseFacts } from '../plan/facts.js';
import { helmUninstall } from './commands.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';

export function remoteInjectorRemovalStep(current: RemoteInstall, ns: string): BuiltStep {
  return {
    kind: 'remote-injector-removal',
    qualifier: current.revision,
    title: `Remove the old remote install ${current.helmRelease!.release} (revision ${current.revision})`,
    why: [{ text: `No namespace is labelled for ${current.revision} any more and its workloads were restarted onto the new revision.` }],
    commands: [helmUninstall({ release: current.helmRelease!.release, namespace: ns }, `remove the remote install of ${current.revision}`)],
    verify: [{ type: 'helm-release', release: current.helmRelease!.release, namespace: ns, status: 'deployed', absent: true }],
    rollback: null,
    irreversible: true,
    disruption: `none if nothing uses ${current.revision}; undone only by installing it again`,
  };
}

/** A remote cluster's old remote install, removed once nothing there uses it; planned by the mesh planner. */
export const remoteInjectorRemoval: StepDescriptor = {
  kind: 'remote-injector-removal',
  phase: 100,
  plan() {},
  touches: (step) => ({ keys: verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release)), groups: [factGroup.revisions] }),
};
