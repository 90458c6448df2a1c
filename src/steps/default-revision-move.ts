import { istioctlCommand } from '../plan/commands.js';
import { factKey, helmReleaseFacts } from '../plan/facts.js';
import type { PlanCommand } from '../plan/schema.js';
import type { ChartSource } from '../plan/operations.js';
import { needsClientSideApply } from '../plans/helm-apply-method.js';
import { helmRollback, helmUpgrade, plainSettings, releaseDeployed, type UpgradedRelease } from './commands.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { baseReleaseFor, changesRelease, releaseOfComponent, type HopContext } from './hop-context.js';
import { webhookService } from './tag-move.js';
import type { BuiltStep } from './types.js';

/**
 * Who renders `istiod-default-validator`, read in istio/istio at every release tag from 1.22.0 to 1.31.0-rc.0 and on
 * master: the base chart, from its `defaultRevision` value (manifests/charts/base/templates/default.yaml up to 1.23,
 * templates/defaultrevision-validatingwebhookconfiguration.yaml from 1.24; Service `istiod` for "default", else
 * `istiod-<defaultRevision>`). The istiod chart has no `defaultRevision` value and renders no default validator in
 * any of them. istioctl renders it from manifests/charts/default on `istioctl tag set default`
 * (istioctl/pkg/tag/generate.go), keeping a failurePolicy istiod already turned to Fail.
 */
const SOURCE = 'istio.io docs/setup/upgrade/helm#canary-upgrade-recommended (helm upgrade istio-base … --set defaultRevision=<new>)';

export type DefaultRevisionMoveParams = { from: string; to: string; version: string; namespace: string } & (
  | { method: 'helm'; base: UpgradedRelease; charts: ChartSource }
  | { method: 'istioctl' }
);

function pointCommand(p: DefaultRevisionMoveParams, revision: string): PlanCommand {
  if (p.method === 'istioctl') return istioctlCommand({ op: 'tag-set', tag: 'default', revision }, `point the default tag and istiod-default-validator at ${revision}`);
  return helmUpgrade(p.base, 'base', p.charts, p.version, plainSettings(['defaultRevision', revision]), `render istiod-default-validator (base defaultRevision) for ${revision}`);
}

export function defaultRevisionMoveStep(p: DefaultRevisionMoveParams): BuiltStep {
  const service = webhookService(p.to);
  return {
    kind: 'default-revision-move',
    title: `Move defaultRevision and istiod-default-validator from ${p.from} to ${p.to}`,
    why: [
      {
        text: `Istio config is validated by the default revision's istiod. Left on ${p.from}, the validator checks resources against CRDs this plan moved to ${p.version} and keeps ${p.from} from being removed.`,
        source: p.method === 'helm' ? SOURCE : 'istio.io docs/setup/upgrade/canary#default-tag',
      },
      ...(p.method === 'istioctl' ? [{ text: `istioctl renders the validator only through \`tag set default\`, which also points the default tag at ${p.to}.` }] : []),
    ],
    commands: [pointCommand(p, p.to)],
    verify: [
      ...(p.method === 'helm' ? [releaseDeployed(p.base.release, p.base.namespace, p.version)] : []),
      { type: 'default-validator', revision: p.to, service, namespace: p.namespace },
    ],
    rollback: { commands: [p.method === 'helm' ? helmRollback(p.base) : pointCommand(p, p.from)] },
    irreversible: false,
    disruption:
      `Istio resources created or changed from now on are validated by ${p.to}` +
      (p.method === 'istioctl' ? `; new pods in namespaces labelled istio-injection=enabled are injected by ${p.to}` : ''),
  };
}

/**
 * Canary: once the hop's tags moved (its istiod is ready, so the validator's failurePolicy Fail finds it serving),
 * `defaultRevision` and the default validator follow the new revision, in every hop: the revision they leave can then
 * be removed, and nothing the plan keeps running validates against CRDs newer than itself.
 */
export const defaultRevisionMove: StepDescriptor = {
  kind: 'default-revision-move',
  phase: 89,
  plan(ctx) {
    const { state, hop, req, inv, method } = ctx;
    const from = state.defaultRevision;
    if (req.strategy !== 'canary' || state.revision === hop.revision) return;
    const base = baseReleaseFor(ctx);
    // Hop 1 also mends a base defaultRevision that disagrees with the validator; later hops start from what this step set.
    const baseBehind = hop.index === 1 && base !== undefined && inv.defaults.baseDefaultRevision !== null && inv.defaults.baseDefaultRevision !== hop.revision;
    if (from === null || (from === hop.revision && !baseBehind)) return;
    const common = { from, to: hop.revision, version: hop.to, namespace: inv.istioNamespace };
    if (method === 'helm' && !base) {
      if (hop.index === 1) warnNoBase(ctx, from);
      return;
    }
    const step = base
      ? defaultRevisionMoveStep({ ...common, method: 'helm', base: { release: base.name, namespace: base.namespace, clientSideApply: needsClientSideApply(base, hop.to) }, charts: ctx.charts })
      : defaultRevisionMoveStep({ ...common, method: 'istioctl' });
    ctx.add(step, [factKey.validator, ...(base ? [factKey.helmRevision(base.namespace, base.name), factKey.helmStatus(base.namespace, base.name)] : [factKey.tagRevision('default')])]);
    if (base) changesRelease(ctx, base);
    else state.tags.set('default', hop.revision);
    state.defaultRevision = hop.revision;
  },
  touches: (step) => ({
    keys: [factKey.validator, ...(step.commands.some((c) => c.istioctl) ? [factKey.tagRevision('default')] : []), ...verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release))],
    groups: [],
  }),
};

/** Without a base chart release (the `ambient` umbrella chart renders it as a subchart) no step of this plan can move it. */
function warnNoBase(ctx: HopContext, from: string): void {
  const umbrella = releaseOfComponent(ctx.inv, 'ambient');
  ctx.f.warning(
    'default-validator-not-moved',
    `istiod-default-validator stays on ${from}: no base chart release renders it${umbrella ? ` (release ${umbrella.namespace}/${umbrella.name} renders it: set base.defaultRevision=${ctx.hop.revision} on it)` : ''}, so ${from} cannot be removed by this plan`,
  );
}
