import { helmRollback, helmUpgrade, releaseDeployed, valueSettings, type ChartSetting } from './commands.js';
import type { ChartSource } from '../plan/operations.js';
import { factKey, helmReleaseFacts } from '../plan/facts.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { changesRelease, alreadyAtTarget, baseReleaseFor, chartSettings } from './hop-context.js';
import type { BuiltStep } from './types.js';
import { needsClientSideApply } from '../plans/helm-apply-method.js';

export interface BaseUpgradeParams {
  /** Helm 4 applies it client-side (src/plans/helm-apply-method.ts). */
  clientSideApply?: boolean;
  release: string;
  namespace: string;
  charts: ChartSource;
  version: string;
  settings?: ChartSetting[];
  source?: string;
}

export function baseChartUpgradeStep(p: BaseUpgradeParams): BuiltStep {
  return {
    kind: 'base-chart-upgrade',
    title: `Upgrade the base chart (CRDs) ${p.namespace}/${p.release} to ${p.version}`,
    why: [{ text: 'Cluster-wide CRDs must be upgraded before a new control plane is deployed.', source: p.source }],
    commands: [helmUpgrade(p, 'base', p.charts, p.version, valueSettings(p.settings ?? []))],
    verify: [releaseDeployed(p.release, p.namespace, p.version)],
    rollback: { commands: [helmRollback(p)] },
    irreversible: false,
    disruption: 'none expected: CRDs gain new versions and fields; existing resources keep working',
  };
}

export const baseChartUpgrade: StepDescriptor = {
  kind: 'base-chart-upgrade',
  phase: 40,
  plan(ctx) {
    const base = baseReleaseFor(ctx);
    if (!base) {
      if (ctx.method === 'helm' && ctx.hop.index === 1) ctx.f.warning('no-base-release', 'no base chart release found: CRDs will not be upgraded by this plan; upgrade them the way they were installed');
      return;
    }
    if (alreadyAtTarget(ctx, base)) return;
    ctx.add(baseChartUpgradeStep({ release: base.name, namespace: base.namespace, charts: ctx.charts, version: ctx.hop.to, settings: chartSettings(ctx, 'base'), clientSideApply: needsClientSideApply(base, ctx.hop.to) }), [
      factKey.helmRevision(base.namespace, base.name),
      factKey.helmStatus(base.namespace, base.name),
    ]);
    changesRelease(ctx, base);
  },
  // The base chart carries the CRDs (their Helm ownership) and the default validator.
  touches: (step) => ({ keys: [factKey.crdsHelmOwned, factKey.validator, ...verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release))], groups: [] }),
};
