import { describe, expect, it } from 'vitest';
import { planDigest, sealPlan } from '../../src/plans/plan-integrity.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planUpgrade } from '../../src/plans/planner/index.js';
import { isOneLineError, runCli } from '../support/cli.js';
import { fixturePath } from '../support/fixtures.js';
import { inventoryOf, requestFor } from '../support/plan-cases.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-plan-'));
const ambient = fixturePath('ambient-helm-1.23');

describe('plan on the command line', () => {
  it('prints the same plan as the planner, writes the plan file, and exits 0', async () => {
    const out = join(tmp, 'plan.json');
    const r = await runCli(['plan', '--snapshot', ambient, '--to', '1.24', '-o', 'json', '--out', out]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^wrote .*plan\.json \(plan plan-\d{8}T\d{6}-[0-9a-f]{6}, digest sha256:[0-9a-f]{64}\); run: istio-upgrade apply .*plan\.json$/);
    const printed = JSON.parse(r.stdout);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
    const id = printed.metadata.id;
    const expected = planUpgrade(await inventoryOf('ambient-helm-1.23'), {
      ...requestFor({ name: 'cli', fixture: '', request: { to: '1.24' }, expect: { blocked: false, hops: 1 } }, id),
      now: new Date(printed.metadata.createdAt),
      toolVersion: printed.metadata.toolVersion,
    });
    // The fixture is an older snapshot without item count or digest: the CLI says so in the plan.
    const unverified = printed.warnings.find((w: { id: string }) => w.id === 'snapshot-unverified');
    expect(unverified?.message).toContain('carries no item count or digest');
    expected.warnings.push(unverified);
    // The printed plan is the file: the planner's output plus the digest of its content.
    expect(printed).toEqual(JSON.parse(JSON.stringify(sealPlan(expected))));
    expect(printed.integrity.digest).toBe(planDigest(expected));
    expect(printed.metadata).toMatchObject({ context: 'prod-eu-ambient', clusterId: expect.any(String), inputs: 'snapshot' });
    expect(Object.keys(printed.facts).length).toBeGreaterThan(10);
    expect(JSON.stringify(printed)).not.toContain('<redacted>');
  });

  it('a blocked plan is printed with its blockers and exits 3', async () => {
    const r = await runCli(['plan', '--snapshot', fixturePath('helm-pending-upgrade'), '--to', '1.24', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    const plan = JSON.parse(r.stdout);
    expect(plan.kind).toBe('Plan');
    expect(plan.blockers.map((b: { id: string }) => b.id)).toContain('helm-release-pending');
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  it('a blocked plan written with --out keeps its blockers and is not offered for apply', async () => {
    const out = join(tmp, 'blocked.json');
    const r = await runCli(['plan', '--snapshot', fixturePath('helm-pending-upgrade'), '--to', '1.24', '--out', out, '--detailed-exitcode']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/BLOCKED by \d+ blocker\(s\): apply refuses it/);
    expect(r.stderr).not.toContain('run: istio-upgrade apply');
    expect(JSON.parse(readFileSync(out, 'utf8')).blockers.map((b: { id: string }) => b.id)).toContain('helm-release-pending');
  });

  it('--help of every command lists every exit code', async () => {
    for (const cmd of [[], ['plan'], ['apply'], ['rollback'], ['status']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.exitCode).toBe(0);
      for (const code of ['0', '1', '2', '3', '4', '5', '64', '129', '130']) expect(r.stdout, `${cmd.join(' ')} --help: ${code}`).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    }
  });

  it('--detailed-exitcode: 2 when there are changes, 0 when there is nothing to do', async () => {
    expect((await runCli(['plan', '--snapshot', ambient, '--to', '1.24', '--detailed-exitcode'])).exitCode).toBe(2);
    const same = await runCli(['plan', '--snapshot', ambient, '--to', '1.23.6', '--detailed-exitcode']);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('Nothing to do: revision 1-23-6 already runs 1.23.6.');
  });

  it('renders the change-ticket Markdown and a readable text view without colour off a terminal', async () => {
    const md = await runCli(['plan', '--snapshot', ambient, '--to', '1.24', '-o', 'markdown']);
    expect(md.stdout).toMatch(/^# Istio upgrade plan: 1\.23\.6 → 1\.24\.6\n/);
    expect(md.stdout).toContain('## Risks');
    const text = await runCli(['plan', '--snapshot', ambient, '--to', '1.24']);
    expect(text.stdout).toContain('Steps (12)');
    expect(text.stdout).not.toMatch(/\x1b\[/);
    const forced = await runCli(['plan', '--snapshot', ambient, '--to', '1.24', '--color', 'always']);
    expect(forced.stdout).toMatch(/\x1b\[/);
  });

  it.each([
    [['plan', '--snapshot', ambient], /plan needs --to <version>/],
    [['plan', '--snapshot', ambient, '--to', '1.20'], /pass --allow-downgrade/],
    [['plan', '--snapshot', ambient, '--to', '1.24', '--max-minor-jump', '3'], /--max-minor-jump must be a whole number from 1 to 2/],
    [['plan', '--snapshot', ambient, '--to', '1.24', '--compatibility-version', 'old'], /--compatibility-version must be auto, none or a minor/],
    [['plan', '--snapshot', ambient, '--to', '1.24', '--strategy', 'yolo'], /argument 'yolo' is invalid/],
  ])('%j is a usage error (exit 64, never the 2 of --detailed-exitcode)', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.exitCode).toBe(64);
    expect((await runCli([...(args as string[]), '--detailed-exitcode'])).exitCode).toBe(64);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(message);
  });
});
