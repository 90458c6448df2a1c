import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES } from '../../src/plans/catalog/releases.js';
import { renderPlanMarkdown } from '../../src/report/plan/markdown.js';
import { buildChangeTicket, sourceLinks } from '../../src/report/plan/change-ticket.js';
import { repoRoot, runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';

const docsDir = join(repoRoot, 'docs', 'examples');
const update = process.env.UPDATE_GOLDEN === '1';
const SECTIONS = [
  '## Summary',
  '## Risk assessment: ',
  '## Duration and maintenance window',
  '## Affected namespaces and workloads',
  '## Back-out plan',
  '## Post-upgrade validation',
  '## Cluster facts',
  '## Steps',
  '## Risks',
  '## Follow-ups',
  '## Approvals',
];

function golden(file: string, actual: string): void {
  const path = join(docsDir, file);
  if (update || !existsSync(path)) {
    if (!update && process.env.CI) throw new Error(`docs/examples/${file} is missing; run UPDATE_GOLDEN=1 npx vitest run test/cli/change-ticket.test.ts`);
    mkdirSync(docsDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('the change ticket', () => {
  it('docs/examples holds a real rendering (Markdown and JSON) of a fixture, with every section', async () => {
    const { plan, inventory } = await planFor(PLAN_CASES.find((c) => c.name === 'ambient-1.23-to-1.24-cleanup')!);
    const md = renderPlanMarkdown(plan, inventory);
    for (const s of SECTIONS) expect(md).toContain(`\n${s}`);
    expect(md).toMatch(/\| Risk \| \*\*HIGH\*\* /);
    expect(md).toMatch(/\*\*Point of no return:\*\* step `h1-old-revision-removal-1-23-6`/);
    golden('change-ticket-ambient-1.23-to-1.24.md', md);
    golden('change-ticket-ambient-1.23-to-1.24.json', `${JSON.stringify(buildChangeTicket(plan, inventory), null, 2)}\n`);
  });

  it('renders helm template | kubectl apply -f - as one pipe', async () => {
    const { plan, inventory } = await planFor(PLAN_CASES[0]!);
    const md = renderPlanMarkdown(plan, inventory);
    expect(md).toMatch(/\nhelm template istiod-1-24-6 istiod --repo https:\/\/blob\.istio\.io\/istio-release\/charts .* \| kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f - {3}# via the Kubernetes API\n/);
    expect(md).not.toMatch(/\nkubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f -/);
  });

  it('estimates duration from step kinds, node count and pods restarted, and lists affected namespaces once', async () => {
    const { plan, inventory } = await planFor(PLAN_CASES[0]!);
    const t = buildChangeTicket(plan, inventory);
    const restart = t.duration.steps.find((s) => s.id === 'h1-workload-restart-ambient-dns')!;
    expect(restart).toMatchObject({ minutes: 2 + Math.ceil(11 / 2), basis: 'rolling restarts: 2 min + ~30 s × 11 pod(s)' });
    expect(t.duration.estimatedMinutes).toBe(t.duration.steps.reduce((n, s) => n + s.minutes, 0));
    expect(t.duration.maintenanceWindowMinutes % 15).toBe(0);
    expect(t.duration.maintenanceWindowMinutes).toBeGreaterThanOrEqual(2 * t.duration.estimatedMinutes);
    expect(t.affected.map((a) => a.namespace)).toEqual(['bookinfo', 'inventory', 'istio-ingress', 'payments']);
    expect(t.affected.find((a) => a.namespace === 'payments')!.workloads).toEqual([
      { kind: 'Deployment', name: 'fraud-check', pods: 2 },
      { kind: 'Deployment', name: 'payments-api', pods: 3 },
    ]);
    expect(t.backOut.pointOfNoReturn).toBeNull();
    expect(t.backOut.steps.map((s) => s.stepId)).toEqual(plan.steps.map((s) => s.id).reverse());
    expect(t.risk.rating).toBe('medium');
  });

  it('explains catalog notes in one sentence each, with links to their sources', () => {
    // One sentence each (the catalog schema checks the shape; test/catalog validates the data).
    for (const n of RELEASES.flatMap((r) => r.notes)) if (n.explanation) expect(n.explanation.split(/[.!?] (?=[A-Z])/), n.id).toHaveLength(1);
    // Every built-in note is explained; only notes of a --catalog file may lack one (the ticket labels those).
    for (const n of RELEASES.flatMap((r) => r.notes)) expect(n.explanation, n.id).toBeDefined();
    expect(sourceLinks('istio/istio@release-1.24:releasenotes/notes/52049.yaml; istio/istio.io:content/en/docs/x/index.md')).toEqual([
      'https://github.com/istio/istio/blob/release-1.24/releasenotes/notes/52049.yaml',
      'https://github.com/istio/istio.io/blob/master/content/en/docs/x/index.md',
    ]);
  });

  it('the built CLI prints it as Markdown and the same model as JSON (-o ticket-json)', async () => {
    const args = ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24'];
    const md = await runCli([...args, '-o', 'markdown']);
    for (const s of SECTIONS) expect(md.stdout).toContain(`\n${s}`);
    const json = await runCli([...args, '-o', 'ticket-json']);
    expect(json.exitCode).toBe(0);
    const t = JSON.parse(json.stdout);
    expect(t).toMatchObject({ apiVersion: 'istio-upgrade/v1', kind: 'ChangeTicket', risk: { rating: 'medium' }, backOut: { pointOfNoReturn: null } });
    expect(md.stdout).toContain(`maintenance window ${t.duration.maintenanceWindowMinutes >= 60 ? '1 h' : ''}`);
    for (const r of t.risks.filter((x: { explained: boolean }) => x.explained)) expect(md.stdout).toContain(r.explanation);
    expect(t.approvals.map((a: { role: string }) => a.role)).toContain('Change advisory board');
  });
});
