import { upgradePolicy } from '../plans/catalog/index.js';
import { api, istioctl } from './commands.js';
import { NO_FACTS, type StepDescriptor } from './descriptor.js';
import type { BuiltStep } from './types.js';
import { minorOf } from '../util/version.js';

export interface PreflightParams {
  targetVersion: string;
  sourceMinor: string;
  /** Blockers and warnings the planner found, restated so the step explains itself. */
  checks: string[];
  istioctlPrecheck: boolean;
}

export function preflightStep(p: PreflightParams): BuiltStep {
  return {
    kind: 'preflight',
    title: `Preflight checks before upgrading to ${p.targetVersion}`,
    why: [{ text: 'Re-checks, against the live cluster, what the plan rests on; stops before any change if something is wrong.' }, ...p.checks.map((text) => ({ text }))],
    commands: [
      api(['istio-upgrade', 'status'], 'no Helm release of the mesh is pending-*, every istiod revision is healthy, the plan is not stale', { type: 'preflight-checks' }),
      ...(p.istioctlPrecheck ? [istioctl([...precheckArgs(), '--from-version', p.sourceMinor], "Istio's own pre-upgrade checks (skipped when istioctl is not installed)", true)] : []),
    ],
    verify: [{ type: 'preflight-passed' }],
    rollback: { commands: [] },
    irreversible: false,
    disruption: 'none: read-only',
  };
}

/** `istioctl x precheck` from the upgrade policy, without the binary name. */
function precheckArgs(): string[] {
  return upgradePolicy().precheck.command.split(' ').slice(1);
}

export const preflight: StepDescriptor = {
  kind: 'preflight',
  phase: 10,
  plan(ctx) {
    if (ctx.hop.index !== 1) return;
    ctx.add(preflightStep({ targetVersion: ctx.hop.to, sourceMinor: minorOf(ctx.hop.from), checks: ctx.preflightChecks, istioctlPrecheck: true }));
  },
  touches: () => NO_FACTS,
};
