import { describe, expect, it } from 'vitest';
import { planSchema } from '../../src/steps/registry.js';
import { renderPlanMarkdown } from '../../src/report/plan/markdown.js';
import { golden as goldenFile } from '../support/golden.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

const golden = (file: string, actual: string) => goldenFile(file, actual, 'test/plans/golden.test.ts');

describe.each(PLAN_CASES)('plan $name', (c) => {
  it('matches its golden JSON and Markdown and the promised shape', async () => {
    const { plan, inventory } = await planFor(c);
    expect(planSchema.parse(plan)).toEqual(plan);
    expect(plan.blockers.length > 0).toBe(c.expect.blocked);
    expect(plan.hops).toHaveLength(c.expect.hops);
    golden(`${c.name}.plan.json`, `${JSON.stringify(plan, null, 2)}\n`);
    golden(`${c.name}.plan.md`, renderPlanMarkdown(plan, inventory));
  });
});
