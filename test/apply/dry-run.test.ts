import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyCommand, type ApplyOptions } from '../../src/cli/commands/apply.js';
import { commandLines } from '../../src/apply/render.js';
import { renderDryRunText as renderDryRun } from '../../src/report/dry-run/text.js';
import { shellLine } from '../../src/plan/shell.js';
import { readPlanFile } from '../../src/apply/plan-file.js';
import { UserError } from '../../src/errors.js';
import { PLAN_CASES, planFor } from '../support/plan-cases.js';
import { CONTEXT, testPlan } from './fakes.js';

const display = { context: CONTEXT, display: (tool: 'helm' | 'istioctl', args: string[]) => [tool, ...args, tool === 'helm' ? '--kube-context' : '--context', CONTEXT] };

describe('dry run', () => {
  it('prints, in plan order, every command, API action as kubectl, verification and rollback', () => {
    const out = renderDryRun(testPlan(), display);
    const order = [
      'Step 1/6 h1-preflight',
      `istio-upgrade status --context ${CONTEXT}`,
      `istioctl x precheck --from-version 1.23 --context ${CONTEXT}`,
      'Step 2/6 h1-base-chart-upgrade',
      `helm upgrade istio-base istio/base -n istio-system --version 1.24.6 --wait --values <values-of:istio-system/istio-base> --kube-context ${CONTEXT}`,
      '# --values: a temporary 0600 file holding `helm get values istio-base -n istio-system -o yaml`, deleted afterwards',
      '- Helm release istio-system/istio-base is deployed with chart 1.24.6',
      `1. helm rollback istio-base <revision-before:istio-system/istio-base> -n istio-system --wait --kube-context ${CONTEXT}`,
      'Step 4/6 h1-tag-move-default',
      `--set 'revisionTags={default}' --set revision=1-24-6 --kube-context ${CONTEXT}`,
      `kubectl apply --server-side --force-conflicts --field-manager=istio-upgrade -f - --context ${CONTEXT}   # stdin: the output of the previous command`,
      'Step 5/6 h1-workload-restart-tag-default',
      `1. kubectl rollout restart deployment/cart -n shop --context ${CONTEXT}`,
      `3. kubectl rollout restart statefulset/db -n shop --context ${CONTEXT}`,
      'Step 6/6 h1-old-revision-removal-1-23-6',
      'IRREVERSIBLE: needs --yes, or typing "1-23-6" on a terminal',
      'none: this step cannot be undone',
    ];
    let at = 0;
    for (const piece of order) {
      const found = out.indexOf(piece, at);
      expect(found, `missing or out of order: ${piece}`).toBeGreaterThanOrEqual(0);
      at = found;
    }
  });

  it('shows every command of a real plan', async () => {
    const { plan } = await planFor(PLAN_CASES.find((c) => c.name === 'ambient-1.23-to-1.24')!);
    const out = renderDryRun(plan, display);
    for (const step of plan.steps) {
      for (const c of [...step.commands, ...(step.rollback?.commands ?? [])]) {
        for (const line of commandLines(c, display)) expect(out).toContain(line);
        if (c.via !== 'kubernetes-api') expect(out).toContain(shellLine(display.display(c.via, c.argv.slice(1))));
      }
    }
  });

  describe('the apply --dry-run command', () => {
    afterEach(() => vi.restoreAllMocks());

    it('--offline prints without connecting, taking a lock or writing state', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'iu-dry-'));
      const planPath = join(dir, 'plan.json');
      writeFileSync(planPath, JSON.stringify(testPlan()));
      const stateDir = join(dir, 'state');
      const out: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
        out.push(String(s));
        return true;
      });
      const opts: ApplyOptions = { dryRun: true, offline: true, kubeconfig: join(dir, 'missing-kubeconfig'), stepTimeout: '15m', stateDir, onFailure: 'rollback', output: 'text' };
      expect(await applyCommand(opts, planPath)).toBe(0);
      expect(out.join('')).toContain('Nothing is changed: no lock is taken and no run is recorded.');
      expect(out.join('')).toContain(`helm uninstall istiod-1-23-6 -n istio-system --wait --kube-context ${CONTEXT}`);
      expect(readdirSync(dir)).toEqual(['plan.json']);
    });
  });
});

describe('plan file', () => {
  it('is validated, naming the first bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-plan-'));
    const bad = testPlan() as unknown as { steps: { commands: { via: string }[] }[] };
    bad.steps[1]!.commands[0]!.via = 'kubectl';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const e = await readPlanFile(join(dir, 'bad.json')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(1);
    expect((e as UserError).message).toMatch(new RegExp(`^${join(dir, 'bad.json')} is not a valid plan: steps\\[1\\]\\.commands\\[0\\]\\.via: `));
    await expect(readPlanFile(join(dir, 'nope.json'))).rejects.toMatchObject({ message: `plan file not found: ${join(dir, 'nope.json')}` });
    writeFileSync(join(dir, 'broken.json'), '{"apiVersion": ');
    await expect(readPlanFile(join(dir, 'broken.json'))).rejects.toMatchObject({ message: expect.stringContaining('is not valid JSON or YAML') });
  });
});
