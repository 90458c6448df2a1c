import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSchema } from '../../src/steps/registry.js';
import { renderPlanMarkdown } from '../../src/cli/render/plan-markdown.js';
import { repoRoot } from '../support/cli.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

const goldenDir = join(repoRoot, 'fixtures', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function golden(file: string, actual: string): void {
  const path = join(goldenDir, file);
  if (update || !existsSync(path)) {
    if (!update && process.env.CI) throw new Error(`golden file ${file} is missing; run UPDATE_GOLDEN=1 npx vitest run test/plans/golden.test.ts`);
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

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
