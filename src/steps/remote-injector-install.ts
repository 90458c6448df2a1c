import semver from 'semver';
import type { RemoteInstall } from '../k8s/inventory.js';
import { helmCommand } from '../plan/commands.js';
import { factGroup, helmReleaseFacts } from '../plan/facts.js';
import type { ChartSource } from '../plan/operations.js';
import { helmUninstall, plainSettings, releaseDeployed } from './commands.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';

export const UPGRADE_NOTES_1_24 = 'istio.io news/releases/1.24.x/announcing-1.24/upgrade-notes (istiod-remote chart replaced with remote profile)';

export interface RemoteInjectorInstallParams {
  /** The remote install in place now, whose values the new one starts from. */
  current: RemoteInstall;
  /** The primary whose istiod the remote uses. */
  primary: string;
  version: string;
  revision: string;
  namespace: string;
  charts: ChartSource;
  /** From 1.24 an `istiod-remote` release becomes the `istiod` chart with profile=remote. */
  converts: boolean;
}

/**
 * The new revision's remote install, beside the old one (as a canary istiod is beside the old istiod on a primary).
 * Converting from `istiod-remote` (1.24+): the old release's values are carried over — the charts were merged, so
 * clusterName, network, remotePilotAddress, injectionPath and configCluster keep their keys — and profile=remote
 * takes the place of the old chart's `pilot.enabled=false`.
 */
export function remoteInjectorInstallStep(p: RemoteInjectorInstallParams): BuiltStep {
  const release = `istiod-${p.revision}`;
  const chart = semver.gte(p.version, '1.24.0') ? 'istiod' : 'istiod-remote';
  const settings = plainSettings(...(chart === 'istiod' ? [['profile', 'remote'] as [string, string]] : []), ['revision', p.revision], ...(p.converts ? [['pilot.enabled', 'null'] as [string, string]] : []));
  const from = p.current.helmRelease!;
  return {
    kind: 'remote-injector-install',
    qualifier: p.revision,
    title: `Install the ${p.version} remote profile as revision ${p.revision} (${chart} chart${p.converts ? `, converted from ${from.release}` : ''})`,
    why: [
      { text: `Pods of this cluster are injected by ${p.primary}'s istiod through the remote install's webhook; a remote install for ${p.revision} points new pods at the new control plane while ${p.current.revision} keeps serving the rest.` },
      ...(p.converts ? [{ text: 'Istio 1.24 removed the istiod-remote chart: the istiod chart with profile=remote replaces it, with the same values.', source: UPGRADE_NOTES_1_24 }] : []),
    ],
    commands: [
      helmCommand(
        { op: 'install', release, namespace: p.namespace, chart, source: p.charts, version: p.version, values: { reuse: { release: from.release, namespace: from.namespace }, settings }, wait: true },
        `install the remote injector for ${p.revision} with the values of ${from.release}`,
      ),
    ],
    verify: [releaseDeployed(release, p.namespace, p.version)],
    rollback: { commands: [helmUninstall({ release, namespace: p.namespace }, `remove the remote install of ${p.revision}`)] },
    irreversible: false,
    disruption: `none: namespaces move to ${p.revision} only when relabelled`,
  };
}

/** A remote cluster's webhooks for a new revision of its primary; planned by the mesh planner (src/plans/mesh). */
export const remoteInjectorInstall: StepDescriptor = {
  kind: 'remote-injector-install',
  phase: 50,
  plan() {},
  touches: (step) => ({ keys: verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release)), groups: [factGroup.revisions] }),
};
