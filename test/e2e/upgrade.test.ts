/**
 * End to end: `plan` then `apply` against the fake API server with the fake helm/istioctl on PATH, as a CI job would
 * run them (CI=1, private HOME, state directory in a temp dir), and the cluster read back afterwards.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import { shellLine } from '../../src/plan/shell.js';
import { isReadOnlyQuery, planArgv, shortArgv, startCluster, withRecordedRevisions } from './harness.js';
import { AMBIENT_RESTARTED, AMBIENT_STEPS, expectAmbientUpgraded, expectStepEffect, NEW, NEW_REV, OLD_REV, release, releaseState, restartedAt, tagRevision, validatorService } from './checks.js';

/** The helm/istioctl commands of the plan, in order, as the call log shows them. */
function planBinaryCommands(plan: Plan): string[] {
  return plan.steps.flatMap((s) => s.commands.filter((c) => c.via !== 'kubernetes-api').map((c) => planArgv(c.argv)));
}

// Independent tests, each on its own fake cluster: run them side by side (vitest runs one file at a time on a 2-core machine).
describe.concurrent('e2e: plan and apply', () => {
  describe('ambient 1.23 → 1.24 (Helm, DNS capture)', () => {
    test('plan --out, then apply: every step in the plan order, recorded, lock released, old revision kept', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      expect(plan.steps.map((s) => s.id)).toEqual(AMBIENT_STEPS);
      expect(plan.metadata.context).toBe('e2e');

      // This test is about the steps; istioctl analyze has its own (gates.test.ts).
      const r = await c.cli(['apply', c.planPath, '--state-dir', c.stateDir, '--skip-analyze']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/run \S+: succeeded/);
      // No Node process warning reaches the operator (the run's stop signal has a listener per concurrent subprocess).
      expect(r.stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
      expect(c.callLog().filter((x) => x.argv[1] === 'analyze')).toEqual([]);
      expect(r.stderr).toContain('istioctl analyze: skipped: --skip-analyze');
      expect(c.localRuns()[0]!.analyze).toEqual({
        before: { status: 'skipped', reason: '--skip-analyze' },
        after: { status: 'skipped', reason: '--skip-analyze' },
        report: ['istioctl analyze: skipped: --skip-analyze'],
      });

      expectAmbientUpgraded(c.server, AMBIENT_STEPS);
      expect(releaseState(c.server, 'istio-system', 'istio-base')).toBe(`${NEW} deployed`);
      expect(tagRevision(c.server, 'default')).toBe(NEW_REV);
      expect(tagRevision(c.server, 'prod-stable')).toBe(NEW_REV);

      // helm and istioctl ran exactly the plan's commands, in its order, against the planned context.
      const calls = c.callLog().filter((x) => !isReadOnlyQuery(x));
      expect(calls.map(shortArgv)).toEqual(planBinaryCommands(plan));
      for (const x of c.callLog()) {
        expect(x.context).toBe('e2e');
        expect(x.env.KUBECONFIG).toBe(c.kubeconfig);
      }
      // Each client is asked its version once: the prerequisite checks and the attempt record share the answer
      // (`istioctl version -o json` is the other read: whether istioctl reaches the cluster).
      expect(c.callLog().filter((x) => x.argv[1] === 'version').map(shortArgv).sort()).toEqual(['helm version --template {{.Version}}', 'istioctl version --remote=false -o json', 'istioctl version -o json']);
      expect(c.localRuns()[0]!.attempts![0]!.clients).toEqual({ helm: expect.stringMatching(/^v3\.\d+\.\d+$/), istioctl: expect.stringMatching(/^1\.24\.\d+$/) });
      // every values placeholder became a values file
      for (const x of calls.filter((x) => x.argv.includes('--values'))) expect(x.valuesFiles).toHaveLength(1);

      // DNS capture: the ambient workloads restart after istio-cni is upgraded and before ztunnel is.
      const at = (sub: string, rel: string) => Date.parse(calls.find((x) => x.argv[1] === sub && x.argv[2] === rel)!.time);
      const restarts = c.server.requests.filter((q) => q.method === 'PATCH' && /\/namespaces\/[^/]+\/deployments\/[^/]+$/.test(q.path) && (q.headers['content-type'] ?? '').includes('strategic-merge-patch'));
      expect(restarts.map((q) => q.path.split('/').slice(-3).join('/')).sort()).toEqual(AMBIENT_RESTARTED.map(([ns, n]) => `${ns}/deployments/${n}`).sort());
      for (const q of restarts) {
        expect(q.at).toBeGreaterThanOrEqual(at('upgrade', 'istio-cni'));
        expect(q.at).toBeLessThanOrEqual(at('upgrade', 'ztunnel'));
      }

      // The run is recorded locally and in the cluster, every step succeeded; the lock is gone.
      const [run, ...others] = c.localRuns();
      expect(others).toHaveLength(0);
      const mirrored = c.clusterRun(run!.runId)!;
      expect(mirrored.status).toBe('succeeded');
      expect(mirrored.steps.map((s) => [s.id, s.status])).toEqual(AMBIENT_STEPS.map((id) => [id, 'succeeded']));
      expect(mirrored.steps.find((s) => s.id === 'h1-cni-upgrade')!.helmRevisions).toEqual({ 'istio-system/istio-cni': { before: 2, after: 3 } });
      expect(run!.status).toBe('succeeded');
      expect(c.lease()).toBeUndefined();
      const backupDir = readdirSync(c.work).filter((d) => d.startsWith('istio-upgrade-backup-'));
      expect(backupDir).toEqual([expect.stringMatching(/^istio-upgrade-backup-1\.23\.\d+-to-1\.24\.\d+$/)]);
      expect(existsSync(`${c.work}/${backupDir[0]}/index.json`)).toBe(true);

      // Applying the same plan again does nothing.
      const before = c.callLog().length;
      const again = await c.cli(['apply', c.planPath]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toContain(`was already applied by run ${run!.runId}`);
      // Said before any prerequisite read: no helm or istioctl call at all.
      expect(c.callLog().slice(before)).toEqual([]);

      // history lists the run from its ConfigMap.
      const history = await c.cli(['history', '-o', 'json']);
      expect(history.exitCode, history.stderr).toBe(0);
      expect((JSON.parse(history.stdout) as { runs: unknown[] }).runs).toEqual([expect.objectContaining({ runId: run!.runId, status: 'succeeded', stepsDone: AMBIENT_STEPS.length })]);

      // Under CI, rollback shows its plan and needs --yes; --dry-run shows it and changes nothing.
      const unattended = await c.cli(['rollback']);
      expect(unattended.exitCode, unattended.stderr).toBe(64);
      expect(unattended.stderr).toContain(`rollback plan for run ${run!.runId}`);
      const dry = await c.cli(['rollback', '--dry-run', '-o', 'json']);
      expect(dry.exitCode, dry.stderr).toBe(0);
      const shown = (JSON.parse(dry.stdout) as { plan: { stepId: string }[] }).plan.map((e) => e.stepId);
      expect(shown.slice(0, 2)).toEqual(['h1-tag-move-default', 'h1-tag-move-prod-stable']);
      expect(c.callLog().slice(before).filter((x) => !isReadOnlyQuery(x))).toEqual([]);

      // rollback unwinds as a plan — tags back first, then the rest newest first — and leaves the cluster as it was (restarts aside).
      const rb = await c.cli(['rollback', '--yes']);
      expect(rb.exitCode, rb.stderr).toBe(0);
      const reversed = [...plan.steps].reverse();
      const inOrder = [...reversed.filter((s) => s.kind === 'tag-move'), ...reversed.filter((s) => s.kind !== 'tag-move')];
      expect(inOrder.map((s) => s.id)).toEqual(shown);
      // Each `helm rollback` goes to the revision the run recorded before its step, shown as a placeholder in the plan.
      expect(c.callLog().slice(before).filter((x) => !isReadOnlyQuery(x)).map(shortArgv)).toEqual(
        inOrder.flatMap((s) => (s.rollback?.commands ?? []).filter((x) => x.via !== 'kubernetes-api').map((x) => planArgv(withRecordedRevisions(x.argv, run!, s.id)))),
      );
      for (const id of AMBIENT_STEPS) if (id !== 'h1-workload-restart-ambient-dns') expectStepEffect(c.server, id, false);
      expect(c.clusterRun(run!.runId)!.status).toBe('rolled-back');
      expect(c.lease()).toBeUndefined();
    }, 180_000);

    test('--include-cleanup removes istiod-1-23-6 (after --yes) and never the new revision', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan(['--to', '1.24', '--include-cleanup']);
      const last = plan.steps[plan.steps.length - 1]!;
      expect(last).toMatchObject({ kind: 'old-revision-removal', irreversible: true });

      // No terminal to type the revision: refused before any change, and before any prerequisite read.
      const callsBefore = c.callLog().length;
      c.server.clearRequests();
      const refused = await c.cli(['apply', c.planPath]);
      expect(refused.exitCode, refused.stderr).toBe(64);
      expect(refused.stderr).toContain('--yes');
      expect(c.callLog().slice(callsBefore)).toEqual([]);
      // No permission review, no lock, no run record.
      expect(c.server.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`)).toEqual([]);
      expect(c.lease()).toBeUndefined();
      expect(c.localRuns()).toEqual([]);

      const r = await c.cli(['apply', c.planPath, '--yes']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(releaseState(c.server, 'istio-system', `istiod-${OLD_REV}`)).toBe('absent');
      expect(c.server.get('apps/v1', 'Deployment', `istiod-${OLD_REV}`, 'istio-system')).toBeUndefined();
      expect(releaseState(c.server, 'istio-system', `istiod-${NEW_REV}`)).toBe(`${NEW} deployed`);
      expect(c.server.get('apps/v1', 'Deployment', `istiod-${NEW_REV}`, 'istio-system')).toBeDefined();
      expect(release(c.server, 'istio-system', 'istio-base')!.config).toMatchObject({ defaultRevision: NEW_REV });
      const uninstalls = c.callLog().filter((x) => x.argv[1] === 'uninstall').map(shortArgv);
      expect(uninstalls).toEqual([`helm uninstall istiod-${OLD_REV} -n istio-system --wait`]);
      expect(c.callLog().some((x) => x.argv.includes(`istiod-${NEW_REV}`) && x.argv[1] === 'uninstall')).toBe(false);

      // The removal cannot be undone: rollback stops at once and changes nothing.
      const calls = c.callLog().length;
      const rb = await c.cli(['rollback', '--yes']);
      expect(rb.exitCode, rb.stderr).toBe(3);
      expect(rb.stderr).toContain(`step ${last.id} cannot be undone`);
      expect(c.callLog()).toHaveLength(calls);
    }, 90_000);

    test('apply --dry-run checks the cluster with reads only, prints every command of the plan in order and changes nothing; --offline does not connect', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
      const plan = await c.plan();
      c.server.clearRequests();

      const checked = await c.cli(['apply', c.planPath, '--dry-run']);
      expect(checked.exitCode, checked.stderr).toBe(0);
      expect(checked.stderr).toContain('checked against context "e2e" (reads only):');
      expect(checked.stderr).toContain('no drift in the facts the pending steps rest on');
      expect(checked.stderr).toContain('the upgrade lock is free');
      expect(checked.stderr).toContain('✓ prerequisites met (helm v3.17.3 (Helm 3)');
      expect(c.server.requests.length).toBeGreaterThan(0);
      // SelfSubjectAccessReviews (the prerequisites' permission checks) are POSTs that store nothing.
      expect(c.server.requests.filter((q) => q.method !== 'GET' && !q.path.includes('/selfsubject') && !q.path.endsWith('/selfsubjectaccessreviews'))).toEqual([]);
      c.server.clearRequests();

      const r = await c.cli(['apply', c.planPath, '--dry-run', '--offline']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(checked.stdout);
      const blocks = dryRunBlocks(r.stdout);
      expect(blocks.map((b) => b.id)).toEqual(plan.steps.map((s) => s.id));
      plan.steps.forEach((step, i) => {
        const b = blocks[i]!;
        expect(b.run, step.id).toHaveLength(step.commands.length);
        step.commands.forEach((cmd, j) => {
          if (cmd.via === 'helm') expect(b.run[j], `${step.id} #${j + 1}`).toBe(`${shell(cmd.argv)} --kube-context e2e`);
          else if (cmd.via === 'istioctl') expect(b.run[j], `${step.id} #${j + 1}`).toBe(`${shell(cmd.argv)} --context e2e`);
          else expect(b.run[j], `${step.id} #${j + 1}`).toMatch(/^(kubectl|istio-upgrade) .*--context e2e/);
        });
        const rollback = step.rollback?.commands ?? [];
        expect(b.rollback, step.id).toHaveLength(rollback.length);
        rollback.forEach((cmd, j) => {
          if (cmd.via === 'helm') expect(b.rollback[j]).toBe(`${shell(cmd.argv)} --kube-context e2e`);
        });
      });

      expect(c.server.requests).toEqual([]);
      // only the checked dry run called helm/istioctl, and only to read (the prerequisites)
      expect(c.callLog().filter((x) => !isReadOnlyQuery(x)).map(shortArgv)).toEqual([]);
      expect(existsSync(c.stateDir)).toBe(false);
      expect(readdirSync(c.work)).toEqual(['plan.json']);
    }, 60_000);
  });

  describe('sidecar canary 1.22 → 1.24 with revision tags', () => {
    test('tags move, tagged namespaces restart onto 1-24-6 (Deployments and StatefulSets), old revision kept', async (ctx) => {
      const c = await startCluster(ctx, { fixture: 'sidecar-revisioned-1.22' });
      const plan = await c.plan();
      expect(plan.steps.map((s) => s.kind)).toEqual([
        'preflight',
        'backup',
        'crd-migration-labels',
        'base-chart-upgrade',
        'istiod-install',
        'tag-move',
        'workload-restart',
        'tag-move',
        'workload-restart',
        'default-revision-move',
        'gateway-upgrade',
      ]);
      expect(validatorService(c.server)).toBe('istio-system/istiod-1-22-8');

      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(0);

      // The default validator follows the new revision (issue 9 defect 7), and the Service it calls exists.
      expect(validatorService(c.server)).toBe(`istio-system/istiod-${NEW_REV}`);
      expect(c.server.get('v1', 'Service', `istiod-${NEW_REV}`, 'istio-system')).toBeDefined();
      expect(tagRevision(c.server, 'canary')).toBe(NEW_REV);
      expect(tagRevision(c.server, 'default')).toBe(NEW_REV);
      expect(releaseState(c.server, 'istio-system', `istiod-${NEW_REV}`)).toBe(`${NEW} deployed`);
      expect(releaseState(c.server, 'istio-system', 'istiod-1-22-8')).toBe('1.22.8 deployed');
      expect(releaseState(c.server, 'istio-ingress', 'istio-ingress')).toBe(`${NEW} deployed`);

      // Every workload the plan restarts has a new template and only pods injected by the new revision.
      const restarted = plan.steps.flatMap((s) => s.commands.flatMap((cmd) => (cmd.api?.type === 'rollout-restart' ? cmd.api.workloads : [])));
      expect(restarted.map((w) => `${w.kind}/${w.namespace}/${w.name}`)).toEqual(
        expect.arrayContaining(['Deployment/search/search-api', 'StatefulSet/search/search-index', 'Deployment/orders/orders', 'Deployment/shop/frontend']),
      );
      for (const w of restarted) {
        expect(restartedAt(c.server, w.namespace, w.name, w.kind), `${w.kind} ${w.namespace}/${w.name}`).toBeDefined();
        const sel = (c.server.get('apps/v1', w.kind, w.name, w.namespace) as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
        const pods = c.server.list('v1', 'Pod', w.namespace).filter((p) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v));
        expect(pods.length, `${w.namespace}/${w.name} pods`).toBeGreaterThan(0);
        for (const p of pods) {
          expect(p.metadata.annotations?.['istio.io/rev'], p.metadata.name).toBe(NEW_REV);
          const proxy = (p as unknown as { spec: { containers: { name: string; image: string }[] } }).spec.containers.find((x) => x.name === 'istio-proxy');
          expect(proxy?.image, p.metadata.name).toContain(`:${NEW}`);
        }
      }
      // No pod anywhere is still injected by the old revision (the opted-out StatefulSet has no proxy at all).
      const stale = c.server.list('v1', 'Pod').filter((p) => p.metadata.annotations?.['istio.io/rev'] === '1-22-8');
      expect(stale.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([]);
      expect(c.server.get('v1', 'Pod', 'orders-db-0', 'orders')?.metadata.annotations?.['istio.io/rev']).toBeUndefined();

      const [run] = c.localRuns();
      expect(c.clusterRun(run!.runId)!.steps.every((s) => s.status === 'succeeded')).toBe(true);
      expect(c.lease()).toBeUndefined();
    }, 90_000);
  });

  const shell = shellLine;

  /** The run/rollback command lines of each step of `apply --dry-run` text output. */
  function dryRunBlocks(text: string): { id: string; run: string[]; rollback: string[] }[] {
    const out: { id: string; run: string[]; rollback: string[] }[] = [];
    let section: 'run' | 'rollback' | 'other' = 'other';
    for (const line of text.split('\n')) {
      const step = /^Step \d+\/\d+ (\S+):/.exec(line);
      if (step) {
        out.push({ id: step[1]!, run: [], rollback: [] });
        section = 'other';
      } else if (line === '  run:') section = 'run';
      else if (line === '  rollback:') section = 'rollback';
      else if (/^ {2}\S/.test(line)) section = 'other';
      else {
        const cmd = /^ {4}\d+\. (.*)$/.exec(line);
        if (cmd && section !== 'other') out[out.length - 1]![section].push(cmd[1]!);
      }
    }
    return out;
  }
});
