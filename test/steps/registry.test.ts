import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/apply/executor.js';
import { ExitCode } from '../../src/errors.js';
import { factKey, helmReleaseFacts } from '../../src/plan/facts.js';
import { planSchemaFor } from '../../src/plan/schema.js';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { STEP_KINDS as CATALOG_STEP_KINDS } from '../../src/plans/catalog/schema.js';
import { helmCommand } from '../../src/plan/commands.js';
import { helmUninstall, releaseDeployed } from '../../src/steps/commands.js';
import type { StepDescriptor } from '../../src/steps/descriptor.js';
import { helmReleaseOf } from '../../src/steps/hop-context.js';
import { STEPS, planSchema } from '../../src/steps/registry.js';
import { harness, testPlan } from '../apply/fakes.js';
import { inventoryOf, PLAN_CASES, requestFor } from '../support/plan-cases.js';

/**
 * A throw-away step kind, declared here and nowhere else: a canary copy of every Helm gateway, installed after the
 * gateways are upgraded and uninstalled on rollback. Registering it is all it takes for the planner to plan and
 * order it, for the plan schema to accept it, for apply to know which facts it changes, verify it and roll it back.
 */
const gatewayCanary: StepDescriptor = {
  kind: 'gateway-canary',
  phase: 95,
  plan(ctx) {
    if (ctx.method !== 'helm') return;
    for (const g of ctx.inv.gateways) {
      const rel = helmReleaseOf(ctx.inv, g.helmRelease);
      if (g.type !== 'helm' || !rel) continue;
      const release = `${rel.name}-canary`;
      ctx.add({
        kind: 'gateway-canary',
        qualifier: rel.name,
        title: `Install a canary of gateway ${rel.namespace}/${rel.name} at ${ctx.hop.to}`,
        why: [{ text: 'A second gateway on the new version takes a share of traffic before the first one is trusted.' }],
        commands: [
          helmCommand(
            { op: 'install', release, namespace: rel.namespace, chart: 'gateway', source: ctx.charts, version: ctx.hop.to, values: { reuse: null, settings: [] }, wait: true },
            `install ${release}`,
          ),
        ],
        verify: [releaseDeployed(release, rel.namespace, ctx.hop.to)],
        rollback: { commands: [helmUninstall({ release, namespace: rel.namespace }, `remove ${release}`)] },
        irreversible: false,
        disruption: 'none: the canary serves only what is routed to it',
      }, [factKey.helmRevision(rel.namespace, rel.name)]);
    }
  },
  touches: (step) => ({ keys: step.verify.flatMap((v) => (v.type === 'helm-release' ? helmReleaseFacts(v.namespace, v.release) : [])), groups: [] }),
};

describe('step registry', () => {
  it('derives the plan schema kinds, the catalog vocabulary and the fact rules from the descriptors', () => {
    for (const kind of STEPS.noteKinds) expect(CATALOG_STEP_KINDS).toContain(kind);
    expect(() => STEPS.descriptor('gateway-canary')).toThrow(/unknown step kind gateway-canary/);
    expect(() => STEPS.with(STEPS.descriptor('tag-move'))).toThrow(/registered twice/);
  });

  it('plans, orders, validates, fact-tracks, verifies and rolls back a kind added by one descriptor', async () => {
    const registry = STEPS.with(gatewayCanary);
    const c = PLAN_CASES.find((x) => x.name === 'ambient-1.23-to-1.24-cleanup')!;
    const plan = planUpgrade(await inventoryOf(c.fixture), requestFor(c), registry);

    // Planned and ordered by its phase: after the gateway upgrade, before the old revision goes.
    const ids = plan.steps.map((s) => s.id);
    expect(ids.slice(-3)).toEqual(['h1-gateway-upgrade-istio-ingress', 'h1-gateway-canary-istio-ingress', 'h1-old-revision-removal-1-23-6']);
    const step = plan.steps.find((s) => s.kind === 'gateway-canary')!;
    expect(step.preconditions).toEqual([]); // the gateway upgrade before it changes that release's revision
    expect(step.commands[0]!.argv).toEqual(['helm', 'install', 'istio-ingress-canary', 'gateway', '--repo', 'https://blob.istio.io/istio-release/charts', '-n', 'istio-ingress', '--version', '1.24.6', '--wait']);

    // The schema derived from this registry accepts the plan; the shipped one does not know the kind.
    expect(planSchemaFor(registry.kinds).safeParse(plan).success).toBe(true);
    expect(planSchema.safeParse(plan).success).toBe(false);

    // Apply knows which facts it changes (resume does not report them as drift).
    const touched = registry.factsTouchedBy(step);
    expect(touched('helm/istio-ingress/istio-ingress-canary/revision')).toBe(true);
    expect(touched('helm/istio-ingress/istio-ingress/revision')).toBe(false);

    // The executor verifies it with its own spec and, when that fails, runs its own rollback.
    const h = harness();
    h.cluster.verifyWith = (spec) => (spec.type === 'helm-release' && spec.release === 'istio-ingress-canary' ? { ok: false, reason: 'canary not ready' } : { ok: true });
    const base = testPlan();
    const withCanary = { ...base, steps: [...base.steps.filter((s) => !s.irreversible), { ...step, preconditions: [] }] };
    const result = await executePlan(withCanary, h.options, h.deps);
    expect(result.exitCode).toBe(ExitCode.failedRolledBack);
    expect(result.steps.at(-1)).toMatchObject({ id: 'h1-gateway-canary-istio-ingress', status: 'rolled-back' });
    expect(h.cluster.verifies.some((v) => v.spec.type === 'helm-release' && v.spec.release === 'istio-ingress-canary')).toBe(true);
    const install = h.journal.indexOf('helm install istio-ingress-canary gateway --repo https://blob.istio.io/istio-release/charts -n istio-ingress --version 1.24.6 --wait');
    const uninstall = h.journal.indexOf('helm uninstall istio-ingress-canary -n istio-ingress --wait');
    expect(install).toBeGreaterThan(-1);
    expect(uninstall).toBeGreaterThan(install);
  });
});

