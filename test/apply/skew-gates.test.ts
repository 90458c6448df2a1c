import { describe, expect, it } from 'vitest';
import { checkSkewGates, describeOffenders, type GatePoint } from '../../src/apply/skew-gates.js';
import { inventoryOf } from '../support/plan-cases.js';

const subjects = (o: { gate: string; subject: string }[]) => o.map((x) => `${x.gate} ${x.subject}`);

describe('skew gates between steps (issue 9: skew gates)', () => {
  it('a canary hop passes when every proxy is within one minor of the istiod serving it', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    expect(checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.23.6', to: '1.24.6', fromRevision: '1-23-6', inPlace: false, ambient: false })).toEqual([]);
  });

  it('stops on proxies more than one minor behind their istiod, and on proxies ahead of it', async () => {
    const inv = structuredClone(await inventoryOf('sidecar-stragglers'));
    inv.dataPlane.workloads = inv.dataPlane.workloads.map((w) =>
      w.name === 'invoices' ? { ...w, revision: '1-23-6', proxyVersion: '1.21.6' } : w.name === 'frontend' ? { ...w, proxyVersion: '1.24.6' } : w,
    );
    const offenders = checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.23.6', to: '1.24.6', fromRevision: '1-23-6', inPlace: false, ambient: false });
    expect(subjects(offenders)).toEqual(['proxy-skew billing/Deployment/invoices', 'proxy-ahead shop/Deployment/frontend']);
    expect(offenders[0]!.detail).toBe('2 pod(s) run proxy 1.21.6, 2 minors behind istiod 1-23-6 at 1.23.6 (at most 1 supported); restart them onto a newer revision first');
  });

  it('in place, measures the upgraded revision\'s proxies against the hop target', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    // billing/invoices runs 1.22.8 on 1-22-8: upgrading 1-22-8 in place to 1.24 would leave it two minors behind.
    const offenders = checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.22.8', to: '1.24.6', fromRevision: '1-22-8', inPlace: true, ambient: false });
    expect(subjects(offenders)).toEqual(expect.arrayContaining(['proxy-skew billing/Deployment/invoices', 'proxy-skew logging/DaemonSet/log-agent']));
    expect(offenders.every((o) => o.gate === 'proxy-skew')).toBe(true);
    expect(checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.22.8', to: '1.23.6', fromRevision: '1-22-8', inPlace: true, ambient: false })).toEqual([]);
  });

  it('ambient: no minor skipped, by the hop or by node agents a previous hop left behind', async () => {
    const inv = await inventoryOf('ambient-helm-1.23');
    expect(checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.23.6', to: '1.24.6', fromRevision: '1-23-6', inPlace: false, ambient: true })).toEqual([]);
    // Hop 2 starting while istio-cni and ztunnel still run 1.23: both are offenders.
    const second = checkSkewGates(inv, { kind: 'hop', index: 2, from: '1.24.6', to: '1.25.5', fromRevision: '1-24-6', inPlace: false, ambient: true });
    expect(second.map((o) => o.gate)).toEqual(['ambient-minor-skipped', 'ambient-minor-skipped']);
    expect(second.map((o) => o.detail).join('\n')).toContain('would leave it 2 minors behind istiod (at most 1)');
    const skip = checkSkewGates(inv, { kind: 'hop', index: 1, from: '1.23.6', to: '1.25.5', fromRevision: '1-23-6', inPlace: false, ambient: true });
    expect(skip.find((o) => o.subject === 'hop 1')?.detail).toBe('goes from 1.23.6 to 1.25.5, skipping 1 minor(s); ambient meshes go one minor per hop');
  });

  it('before cleanup, lists everything still on a revision about to be removed', async () => {
    const inv = await inventoryOf('sidecar-stragglers');
    const point: GatePoint = { kind: 'cleanup', revisions: ['1-22-8'], defaultsMovedFirst: true };
    const offenders = checkSkewGates(inv, point);
    expect(offenders.map((o) => o.detail)).toEqual(['tag stable points at it', '10 pod(s) run its proxy (batch/Job/nightly-export, billing/Deployment/invoices, logging/DaemonSet/log-agent, shop/Deployment/cart, shop/Deployment/checkout)']);
    expect(describeOffenders(point, offenders)).toBe(
      'gate before removing 1-22-8 failed: 2 offender(s)\n  revision-in-use: revision 1-22-8: tag stable points at it\n  revision-in-use: revision 1-22-8: 10 pod(s) run its proxy (batch/Job/nightly-export, billing/Deployment/invoices, logging/DaemonSet/log-agent, shop/Deployment/cart, shop/Deployment/checkout)',
    );
  });
});

describe('a removal that does not move the defaults first', () => {
  it('counts defaultRevision and the validator as users, and its gate says so', async () => {
    const { describeGate } = await import('../../src/plan/gates.js');
    const inv = structuredClone(await inventoryOf('sidecar-stragglers'));
    inv.defaults = { ...inv.defaults, baseDefaultRevision: '1-22-8', validatorRevision: '1-22-8' };
    const moved: GatePoint = { kind: 'cleanup', revisions: ['1-22-8'], defaultsMovedFirst: true };
    const kept: GatePoint = { ...moved, defaultsMovedFirst: false };
    const extra = checkSkewGates(inv, kept).map((o) => o.detail).filter((d) => !checkSkewGates(inv, moved).some((m) => m.detail === d));
    expect(extra).toEqual(['it is the base chart defaultRevision', 'istiod-default-validator targets it']);
    expect(describeGate(kept).checks[0]).toContain('nor defaultRevision or the default validator');
    expect(describeGate(moved).checks[0]).not.toContain('defaultRevision');
  });
});

describe('where the gates stand in a plan', () => {
  it('before the first step of every hop and before every revision removal', async () => {
    const { planFor, PLAN_CASES } = await import('../support/plan-cases.js');
    const { gatePointAt } = await import('../../src/plan/gates.js');
    const { plan } = await planFor(PLAN_CASES.find((c) => c.name === 'sidecar-1.22-to-1.24-one-minor-hops')!);
    const points = plan.steps.map((s, i) => [s.id, gatePointAt(plan, i)] as const).filter(([, p]) => p !== null);
    expect(points.map(([id, p]) => `${id} ${p!.kind}`)).toEqual([
      'h1-preflight hop',
      ...plan.steps.filter((s) => s.hop === 1 && s.kind === 'old-revision-removal').map((s) => `${s.id} cleanup`),
      `${plan.steps.find((s) => s.hop === 2)!.id} hop`,
      ...plan.steps.filter((s) => s.hop === 2 && s.kind === 'old-revision-removal').map((s) => `${s.id} cleanup`),
    ]);
    expect(points.filter(([, p]) => p!.kind === 'cleanup').length).toBeGreaterThanOrEqual(1);
    const second = points.find(([id, p]) => p!.kind === 'hop' && !id.startsWith('h1-'))![1]!;
    expect(second).toEqual({ kind: 'hop', index: 2, from: '1.23.6', to: '1.24.6', fromRevision: '1-23-6', inPlace: false, ambient: false });
    expect(gatePointAt(plan, plan.steps.length)).toBeNull();
  });
});
