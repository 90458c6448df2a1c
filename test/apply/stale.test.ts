import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/apply/duration.js';
import { staleFacts } from '../../src/apply/stale.js';
import { STEPS } from '../../src/steps/registry.js';
import { collectFacts } from '../../src/plan/facts.js';
import { UserError } from '../../src/errors.js';
import { inventory, testPlan } from './fakes.js';

describe('stale facts', () => {
  const plan = testPlan();
  const byId = (id: string) => plan.steps.find((s) => s.id === id)!;

  it('knows which facts a step changes', () => {
    const base = STEPS.factsTouchedBy(byId('h1-base-chart-upgrade'));
    expect(base('helm/istio-system/istio-base/revision')).toBe(true);
    expect(base('crds/helm-owned')).toBe(true);
    expect(base('helm/istio-system/istiod-1-23-6/revision')).toBe(false);
    const tag = STEPS.factsTouchedBy(byId('h1-tag-move-default'));
    expect(tag('tag/default/revision')).toBe(true);
    expect(tag('namespace/shop/revision-label')).toBe(false);
    expect(tag('tag/canary/revision')).toBe(false);
  });

  it('has a descriptor, hence a fact rule, for every kind a plan can name', () => {
    for (const kind of STEPS.kinds) expect(STEPS.descriptor(kind).kind).toBe(kind);
    expect(() => STEPS.factsTouchedBy({ ...byId('h1-base-chart-upgrade'), kind: 'no-such-kind' })).toThrow(/unknown step kind no-such-kind/);
  });

  it('compares only pending steps’ preconditions, minus what started steps changed', () => {
    const now = collectFacts(
      inventory({
        helmReleases: [{ ...inventory().helmReleases[0]!, revision: 3 }, inventory().helmReleases[1]!],
        tags: [{ ...inventory().tags[0]!, revision: '1-24-6' }],
      }),
    );
    const [pre, base, istiod, tag, restart, removal] = plan.steps as [typeof plan.steps[number], ...typeof plan.steps];
    expect(staleFacts(plan, now, plan.steps, []).map((c) => c.key)).toEqual(['helm/istio-system/istio-base/revision', 'tag/default/revision']);
    expect(staleFacts(plan, now, [tag!, restart!, removal!], [pre, base!, istiod!]).map((c) => c.key)).toEqual(['tag/default/revision']);
    expect(staleFacts(plan, now, [restart!, removal!], [pre, base!, istiod!, tag!])).toEqual([]);
  });

  it('also reports a component the plan assumed absent that appeared since planning (ztunnel, a tag, a Helm release)', () => {
    const inv = inventory();
    const now = collectFacts({
      ...inv,
      ambient: { ...inv.ambient, ztunnel: { ...(inv.ambient.ztunnel ?? {}), version: '1.23.6' } as NonNullable<typeof inv.ambient.ztunnel> },
      tags: [...inv.tags, { ...inv.tags[0]!, name: 'canary', revision: '1-23-6' }],
      helmReleases: [...inv.helmReleases, { ...inv.helmReleases[0]!, name: 'ztunnel', chart: 'ztunnel' }],
    });
    expect(staleFacts(plan, now, plan.steps, []).map((c) => `${c.key}: ${String(c.planned)} → ${String(c.now)}`)).toEqual([
      'helm/istio-system/ztunnel/revision: undefined → 2',
      'tag/canary/revision: undefined → 1-23-6',
      'ztunnel/version: undefined → 1.23.6',
    ]);
    // nothing pending: nothing to refuse
    expect(staleFacts(plan, now, [], plan.steps)).toEqual([]);
  });
});

describe('durations', () => {
  it('parses 90s, 30m, 2h, 1d, 1h30m and refuses anything else as a usage error', () => {
    expect(parseDuration('90s', '--x')).toBe(90_000);
    expect(parseDuration('30m', '--x')).toBe(1_800_000);
    expect(parseDuration('2h', '--x')).toBe(7_200_000);
    expect(parseDuration('1d', '--x')).toBe(86_400_000);
    expect(parseDuration('1h30m', '--x')).toBe(5_400_000);
    for (const bad of ['', '15', 'm', '2 hours', '-1h', '0s']) {
      const e = (() => {
        try {
          parseDuration(bad, '--max-plan-age');
        } catch (x) {
          return x;
        }
      })();
      expect(e, bad).toBeInstanceOf(UserError);
      expect((e as UserError).exitCode).toBe(64);
    }
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(95_000)).toBe('1m35s');
    expect(formatDuration(7_260_000)).toBe('2h1m');
  });
});
