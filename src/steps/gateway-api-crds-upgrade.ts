import semver from 'semver';
import { SAFE_UPGRADES_POLICY } from '../k8s/gateway-api.js';
import { apiCommand } from '../plan/commands.js';
import type { PlanCommand } from '../plan/schema.js';
import type { GatewayApiUpgrade } from '../plans/planner/gateway-api-crds.js';
import { NO_FACTS, type StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';

/** The first Gateway API release that installs the downgrade guard. */
const FIRST_WITH_POLICY = '1.5.0';

const atLeast = (version: string, min: string) => semver.gte(semver.coerce(version) ?? '0.0.0', min);

function applyBundle(version: string, channel: GatewayApiUpgrade['channel'], url: string, description: string): PlanCommand {
  return apiCommand({ type: 'apply-gateway-api-crds', version, channel, url, fieldManager: 'istio-upgrade' }, description);
}

/**
 * The Gateway API CRD bundle the hop's istiod needs, applied server-side from the release manifest the plan names
 * (checked at apply time to be exactly that bundle). Never deletes a CRD: the rollback re-applies the bundle found
 * before, after deleting the downgrade guard the newer bundle added when there was none before.
 */
export function gatewayApiCrdsStep(u: GatewayApiUpgrade, source: string | undefined): BuiltStep {
  const crds = u.needs.map((n) => n.crd);
  const addsPolicy = atLeast(u.to, FIRST_WITH_POLICY) && !atLeast(u.from, FIRST_WITH_POLICY);
  return {
    kind: 'gateway-api-crds-upgrade',
    title: `Upgrade the Gateway API CRDs from v${u.from} to v${u.to} (${u.channel} channel)`,
    why: [
      { text: `istiod ${u.needs.length === 1 ? 'ignores' : 'ignores each of'} ${u.needs.map((n) => `${n.crd} below bundle v${n.min}`).join(', ')}: routes of those kinds would silently stop working.`, source },
      { text: `The cluster's channel (${u.channel}) is kept. Rolling back re-applies v${u.from}; the API server refuses that if objects have since been stored at a version v${u.from} does not serve.` },
      ...(u.previousIgnores.length ? [{ text: `Until the gateways and tags move to the new revision, the previous istiod ignores ${u.previousIgnores.join(', ')}.` }] : []),
    ],
    commands: [applyBundle(u.to, u.channel, u.manifest, `server-side apply of the Gateway API v${u.to} ${u.channel} release manifest`)],
    verify: [{ type: 'gateway-api-bundle', version: u.to, crds }],
    rollback: {
      commands: [
        ...(addsPolicy ? [apiCommand({ type: 'delete-admission-policy', name: SAFE_UPGRADES_POLICY }, `delete the downgrade guard v${u.to} added (there was none at v${u.from})`)] : []),
        applyBundle(u.from, u.channel, u.rollbackManifest, `re-apply the Gateway API v${u.from} ${u.channel} bundle found before`),
      ],
    },
    irreversible: false,
    disruption: 'none for the routes the new revision serves; see why for the previous revision',
  };
}

export const gatewayApiCrdsUpgrade: StepDescriptor = {
  kind: 'gateway-api-crds-upgrade',
  phase: 45,
  requestedByNotes: true,
  plan(ctx) {
    const u = ctx.notes.gatewayApiCrds;
    if (u) ctx.add(gatewayApiCrdsStep(u, ctx.notes.applicable.find((n) => n.effect?.requireComponent?.component === 'gateway-api-crds')?.source));
  },
  touches: () => NO_FACTS,
};
