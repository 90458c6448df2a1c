import { helmRollback, helmUpgrade, releaseDeployed, valueSettings, type ChartSetting } from './commands.js';
import type { ChartSource } from '../plan/operations.js';
import { factGroup, factKey, helmReleaseFacts } from '../plan/facts.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { changesRelease, chartSettings, helmReleaseOf } from './hop-context.js';
import type { BuiltStep } from './types.js';
import { needsClientSideApply } from '../plans/helm-apply-method.js';

export interface IstiodUpgradeParams {
  /** Helm 4 applies it client-side (src/plans/helm-apply-method.ts). */
  clientSideApply?: boolean;
  release: string;
  namespace: string;
  charts: ChartSource;
  version: string;
  revision: string;
  deployment: string;
  compatibilityVersion: string | null;
  settings?: ChartSetting[];
}

/** In-place: the same revision's istiod moves to the new version. */
export function istiodUpgradeStep(p: IstiodUpgradeParams): BuiltStep {
  return {
    kind: 'istiod-upgrade',
    title: `Upgrade istiod ${p.namespace}/${p.release} in place to ${p.version}`,
    why: [{ text: 'In-place upgrade (--strategy in-place): one minor per hop, proxies reconnect to the upgraded istiod.', source: 'istio.io docs/setup/upgrade/in-place' }],
    commands: [helmUpgrade(p, 'istiod', p.charts, p.version, valueSettings([...(p.compatibilityVersion ? [{ path: 'compatibilityVersion', value: p.compatibilityVersion }] : []), ...(p.settings ?? [])]))],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'deployment-rollout', name: p.deployment, namespace: p.namespace },
    ],
    rollback: { commands: [helmRollback(p)] },
    irreversible: false,
    disruption: 'istiod pods roll; proxies reconnect (xDS push), no request loss expected',
  };
}

export const istiodUpgrade: StepDescriptor = {
  kind: 'istiod-upgrade',
  phase: 50,
  plan(ctx) {
    const { inv, hop, state } = ctx;
    if (ctx.req.strategy !== 'in-place' || ctx.reuse) return;
    const rel = helmReleaseOf(inv, state.istiodRelease);
    if (!rel) {
      ctx.f.blocker('in-place-needs-helm', 'in-place upgrades are planned for Helm-installed istiod only; use the default canary strategy');
    } else {
      const deployment = inv.revisions.find((r) => r.name === state.revision)?.deployment ?? 'istiod';
      ctx.add(
        istiodUpgradeStep({ release: rel.name, namespace: rel.namespace, charts: ctx.charts, version: hop.to, revision: state.revision, deployment, compatibilityVersion: hop.compatibilityVersion, settings: chartSettings(ctx, 'istiod'), clientSideApply: needsClientSideApply(rel, hop.to) }),
        [factKey.helmRevision(rel.namespace, rel.name)],
      );
      changesRelease(ctx, rel);
    }
    state.compatibilityVersion = hop.compatibilityVersion;
  },
  // A release that renders revision tags changes them along with its istiod.
  touches: (step) => ({ keys: [factKey.validator, ...verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release))], groups: [factGroup.revisions, factGroup.tags] }),
};
