import { helmRollback, helmUpgrade, releaseDeployed, valueSettings, type ChartSetting } from './commands.js';
import type { ChartSource } from '../plan/operations.js';
import { factKey, helmReleaseFacts } from '../plan/facts.js';
import { verifiedHelmReleases, type StepDescriptor } from './descriptor.js';
import { changesRelease, alreadyAtTarget, chartSettings, helmReleaseOf, type PlanState } from './hop-context.js';
import type { BuiltStep } from './types.js';
import { needsClientSideApply } from '../plans/helm-apply-method.js';

export interface GatewayUpgradeParams {
  /** Helm 4 applies it client-side (src/plans/helm-apply-method.ts). */
  clientSideApply?: boolean;
  release: string;
  namespace: string;
  deployment: string;
  charts: ChartSource;
  version: string;
  /** The revision the gateway is pinned to (`--set revision=`) so the new control plane injects it; null keeps its value. */
  pinRevision: string | null;
  /** What the gateway's pods must run after the step: injected by this revision, at this proxy version. */
  expect: { revision: string; proxyVersion: string } | null;
  settings?: ChartSetting[];
}

export function gatewayUpgradeStep(p: GatewayUpgradeParams): BuiltStep {
  return {
    kind: 'gateway-upgrade',
    qualifier: p.release,
    title: `Upgrade gateway ${p.namespace}/${p.release} to ${p.version}`,
    why: [{ text: 'Gateways are injected like workloads; upgrading the chart rolls them onto the new proxy after the control plane is verified.', source: 'istio.io docs/setup/upgrade/helm#upgrading-gateways' }],
    commands: [helmUpgrade(p, 'gateway', p.charts, p.version, valueSettings([...(p.pinRevision ? [{ path: 'revision', value: p.pinRevision }] : []), ...(p.settings ?? [])]))],
    verify: [
      releaseDeployed(p.release, p.namespace, p.version),
      { type: 'deployment-rollout', name: p.deployment, namespace: p.namespace },
      ...(p.expect
        ? [{ type: 'workloads-restarted' as const, workloads: [{ kind: 'Deployment', namespace: p.namespace, name: p.deployment }], revision: p.expect.revision, proxyVersion: p.expect.proxyVersion }]
        : []),
    ],
    rollback: { commands: [helmRollback(p)] },
    irreversible: false,
    disruption: 'gateway pods roll one at a time; keep at least two replicas and a PodDisruptionBudget to avoid dropped connections',
  };
}

/**
 * Which revision a Helm gateway's pods are injected by after this hop, and the revision to pin it to. A gateway
 * pinned to the old revision, or one left to the default injector while no `default` tag reaches the new revision
 * (a revision-less istiod keeps injecting through `istio-sidecar-injector`), is pinned to the new revision;
 * otherwise re-injection would give it the old proxy and the old istiod could never be removed.
 */
function gatewayFollows(pin: string | null, state: PlanState, fromRevision: string, newRevision: string, canary: boolean): { revision: string; pin: string | null } {
  if (!canary) return { revision: newRevision, pin: null };
  if (pin === null) {
    const viaDefault = state.tags.get('default') ?? 'default';
    return viaDefault === newRevision ? { revision: newRevision, pin: null } : { revision: newRevision, pin: newRevision };
  }
  if (pin === fromRevision) return { revision: newRevision, pin: newRevision };
  return { revision: state.tags.get(pin) ?? pin, pin: null };
}

/** Helm gateway releases after the tags moved; other gateways get a warning saying what to do by hand. */
export const gatewayUpgrade: StepDescriptor = {
  kind: 'gateway-upgrade',
  phase: 90,
  plan(ctx) {
    const { inv, hop, state, method, f } = ctx;
    const newRevision = hop.revision;
    for (const g of inv.gateways) {
      if (g.type === 'gateway-api' && hop.index === 1) {
        f.warning('gateway-api-gateway-rolls', `Gateway API gateway ${g.namespace}/${g.name} is deployed by istiod and rolls as soon as its tag moves, not in a gateway step`, { source: 'istio/istio#59959' });
      }
      if (g.type === 'deployment' && hop.index === 1) {
        f.warning('gateway-not-helm', `gateway ${g.namespace}/${g.name} is not a Helm gateway release; after the tags move, restart it (kubectl rollout restart deployment/${g.name} -n ${g.namespace}) or upgrade it with the tool that installed it`);
      }
      if (g.type !== 'helm' || method !== 'helm') continue;
      const rel = helmReleaseOf(inv, g.helmRelease);
      if (!rel) continue;
      const relKey = `${rel.namespace}/${rel.name}`;
      const follow = gatewayFollows(state.gatewayPins.get(relKey) ?? (typeof rel.values.revision === 'string' && rel.values.revision ? rel.values.revision : null), state, state.revision, newRevision, ctx.req.strategy === 'canary');
      if (follow.pin) state.gatewayPins.set(relKey, follow.pin);
      if (alreadyAtTarget(ctx, rel) && (follow.pin === null || rel.values.revision === follow.pin) && g.version === hop.to) continue;
      if (follow.revision !== newRevision) {
        state.gatewaysOnOld.add(`${g.namespace}/${g.name}`);
        f.warning('gateway-stays-on-old-revision', `gateway ${g.namespace}/${g.name} follows ${follow.revision}, not the new revision ${newRevision}: its pods keep the ${follow.revision} proxy`);
      } else {
        state.gatewaysOnOld.delete(`${g.namespace}/${g.name}`);
        // Upgrading the chart rolls the gateway's pods, which are then injected by the new revision.
        ctx.restarted.add(`${g.namespace}/${g.name}`);
      }
      ctx.add(
        gatewayUpgradeStep({
          release: rel.name,
          namespace: rel.namespace,
          deployment: g.name,
          charts: ctx.charts,
          version: hop.to,
          pinRevision: follow.pin,
          expect: follow.revision === newRevision ? { revision: newRevision, proxyVersion: hop.to } : null,
          settings: chartSettings(ctx, 'gateway', rel),
          clientSideApply: needsClientSideApply(rel, hop.to),
        }),
        [factKey.helmRevision(rel.namespace, rel.name)],
      );
      changesRelease(ctx, rel);
    }
  },
  touches: (step) => ({ keys: verifiedHelmReleases(step).flatMap((r) => helmReleaseFacts(r.namespace, r.release)), groups: [] }),
};
