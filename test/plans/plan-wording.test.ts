import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/report/plan/markdown.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

/**
 * Wording people read in a change ticket (issue 10 item 4): no kubectl `-label` shorthand in titles, no
 * "no labelled namespace" as if it were a namespace, no finding prefixed "blocker:" under "Why:".
 */
describe('plan wording', () => {
  it.each(PLAN_CASES)('$name says what relabels, tag moves and the preflight step do in words', async (c) => {
    const { plan, inventory } = await planFor(c);
    const md = renderPlanMarkdown(plan, inventory);
    expect(md).not.toMatch(/namespaces? to -|namespace\(s\)/);
    expect(md).not.toMatch(/no labelled namespace/);
    expect(md).not.toMatch(/Why: (blocker|warning): /);
    for (const s of plan.steps) {
      if (s.kind === 'namespace-relabel') expect(s.title).toMatch(/^Relabel (1 namespace|\d+ namespaces): (set [^,]+=[^,]+|remove )/);
      if (s.kind === 'tag-move') expect(s.disruption).toMatch(/^(new pods in namespaces .+ are injected by \S+|no namespace changes injector: none is labelled istio\.io\/rev=\S+)/);
    }
  });
});
