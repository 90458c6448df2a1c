import { apiCommand, ISTIOCTL_PRECHECK, istioctlCommand } from '../plan/commands.js';
import { upgradePolicy } from '../plans/catalog/index.js';
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
      apiCommand({ type: 'preflight-checks' }, 'no Helm release of the mesh is pending-*, every istiod revision is healthy, the plan is not stale'),
      ...(p.istioctlPrecheck ? [istioctlCommand({ op: 'precheck', fromVersion: p.sourceMinor }, "Istio's own pre-upgrade checks (skipped when istioctl is not installed)", true)] : []),
    ],
    // Its commands are its checks: a verification after them would only run the same checks again.
    verify: [],
    rollback: { commands: [] },
    irreversible: false,
    disruption: 'none: read-only',
  };
}

export const preflight: StepDescriptor = {
  kind: 'preflight',
  phase: 10,
  plan(ctx) {
    if (ctx.hop.index !== 1) return;
    // The catalog names Istio's check; the command builder runs only the one it knows.
    const known = upgradePolicy().precheck.command === ['istioctl', ...ISTIOCTL_PRECHECK].join(' ');
    if (!known) ctx.f.warning('precheck-not-automated', `not automated: run ${upgradePolicy().precheck.command} before the upgrade (the command builder does not know it)`);
    ctx.add(preflightStep({ targetVersion: ctx.hop.to, sourceMinor: minorOf(ctx.hop.from), checks: ctx.preflightChecks, istioctlPrecheck: known }));
  },
  touches: () => NO_FACTS,
};
