import { describe, expect, it } from 'vitest';
import { needsClientSideApply } from '../../src/plans/helm-apply-method.js';
import { helmArgs, planCommandDrift } from '../../src/plan/commands.js';
import type { HelmOperation } from '../../src/plan/operations.js';
import type { PlanStep } from '../../src/plan/schema.js';
import { baseChartUpgradeStep } from '../../src/steps/base-chart-upgrade.js';

describe('client-side apply for Helm 4 releases of pre-1.28 charts', () => {
  it('a release Helm 4 applied server-side is upgraded (and rolled back) client-side when a chart before 1.28 is involved', () => {
    expect(needsClientSideApply({ applyMethod: 'ssa', chartVersion: '1.23.6' }, '1.24.6')).toBe(true);
    expect(needsClientSideApply({ applyMethod: 'ssa', chartVersion: '1.27.3' }, '1.28.1')).toBe(true);
    expect(needsClientSideApply({ applyMethod: 'ssa', chartVersion: '1.28.1' }, '1.27.3')).toBe(true);
  });

  it('between 1.28+ charts, and for releases applied client-side or written by Helm 3, Helm keeps its own choice', () => {
    expect(needsClientSideApply({ applyMethod: 'ssa', chartVersion: '1.28.1' }, '1.29.0')).toBe(false);
    expect(needsClientSideApply({ applyMethod: 'csa', chartVersion: '1.23.6' }, '1.24.6')).toBe(false);
    expect(needsClientSideApply({ chartVersion: '1.23.6' }, '1.24.6')).toBe(false);
    expect(needsClientSideApply(undefined, '1.24.6')).toBe(false);
  });
});

describe('the command builder renders it', () => {
  const ref = { release: 'istio-base', namespace: 'istio-system' };
  it('as --server-side=false on the upgrade and on its rollback, and nothing when not asked', () => {
    const upgrade: HelmOperation = { op: 'upgrade', ...ref, chart: 'base', source: { kind: 'alias', name: 'istio' }, version: '1.24.6', values: { reuse: null, settings: [] }, wait: true };
    expect(helmArgs({ ...upgrade, serverSide: false } as HelmOperation)).toEqual(['upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--version', '1.24.6', '--wait', '--server-side=false']);
    expect(helmArgs(upgrade)).not.toContain('--server-side=false');
    const rollback: HelmOperation = { op: 'rollback', ...ref, rollbackTo: 'recorded-before', wait: true };
    expect(helmArgs({ ...rollback, serverSide: false } as HelmOperation, { revisionBefore: () => 1 })).toEqual(['rollback', 'istio-base', '1', '-n', 'istio-system', '--wait', '--server-side=false']);
    expect(helmArgs(rollback, { revisionBefore: () => 1 })).toEqual(['rollback', 'istio-base', '1', '-n', 'istio-system', '--wait']);
  });
});

describe('the drift check covers it', () => {
  const built = baseChartUpgradeStep({ release: 'istio-base', namespace: 'istio-system', charts: { kind: 'alias', name: 'istio' }, version: '1.24.6', clientSideApply: true });
  const step = (): PlanStep => structuredClone({ ...built, id: 'h1-base-chart-upgrade' }) as unknown as PlanStep;

  it('a step built with it renders the flag on its upgrade and its rollback, and agrees with itself', () => {
    const s = step();
    expect(s.commands[0]!.helm).toMatchObject({ op: 'upgrade', serverSide: false });
    expect(s.commands[0]!.argv).toContain('--server-side=false');
    expect(s.rollback!.commands[0]!.helm).toMatchObject({ op: 'rollback', serverSide: false });
    expect(s.rollback!.commands[0]!.argv).toContain('--server-side=false');
    expect(planCommandDrift([s])).toEqual([]);
  });

  it('argv without the flag, or the flag without the typed field, is drift', () => {
    const dropped = step();
    dropped.commands[0]!.argv = dropped.commands[0]!.argv.filter((a) => a !== '--server-side=false');
    expect(planCommandDrift([dropped])).toEqual([expect.stringMatching(/^step h1-base-chart-upgrade command 1: argv is\n.*\n    but its typed operation renders\n.*--server-side=false/)]);
    const untyped = step();
    delete (untyped.rollback!.commands[0]!.helm as { serverSide?: false }).serverSide;
    expect(planCommandDrift([untyped])).toEqual([expect.stringMatching(/^step h1-base-chart-upgrade rollback command 1: argv is\n.*--server-side=false/)]);
  });
});
