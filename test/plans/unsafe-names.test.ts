import { describe, expect, it } from 'vitest';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { inventoryOf, PLAN_CASES, requestFor } from '../support/plan-cases.js';

describe('names from cluster data', () => {
  it('a Helm release named like a flag is a blocker and never reaches a command', async () => {
    const c = PLAN_CASES.find((x) => x.name === 'ambient-1.23-to-1.24')!;
    const inv = await inventoryOf(c.fixture);
    const evil = '--kube-apiserver=https://127.0.0.1:9';
    const zt = inv.helmReleases.find((r) => r.component === 'ztunnel')!;
    const renamed = { ...inv, helmReleases: inv.helmReleases.map((r) => (r === zt ? { ...r, name: evil } : r)), ambient: { ...inv.ambient, ztunnel: { ...inv.ambient.ztunnel!, helmRelease: { release: evil, namespace: zt.namespace } } } };
    const plan = planUpgrade(renamed, requestFor(c));
    expect(plan.blockers.map((b) => b.id)).toContain('unsafe-release-name');
    const everyArg = plan.steps.flatMap((s) => [...s.commands, ...(s.rollback?.commands ?? [])].flatMap((x) => [...x.argv, JSON.stringify(x.api ?? {})]));
    expect(everyArg.some((a) => a.includes('kube-apiserver'))).toBe(false);
    expect(plan.steps.some((s) => s.kind === 'ztunnel-upgrade')).toBe(false);
    expect(JSON.stringify(plan.facts)).not.toContain('kube-apiserver');
  });
});
