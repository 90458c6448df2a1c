/**
 * End to end: a failure injected at each step of the ambient 1.23 → 1.24 plan — a fault rule in the fake helm/istioctl
 * for commands, an API fault or RBAC denial in the fake API server for API actions — ends with exit 4: the failed
 * step's own rollback ran, the steps before it stay applied, the steps after it never ran. Then the exit-5 paths:
 * a rollback that fails too, and --on-failure stop.
 *
 * The plan is made once; each case gets a freshly loaded server (same fixture, so the same context and cluster id).
 */
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Plan } from '../../src/plan/schema.js';
import type { KubeObject } from '../fake-apiserver/index.js';
import { E2eCluster, isMutating, isReadOnlyQuery, planArgv, shortArgv, until, withRecordedRevisions } from './harness.js';
import { expectStepEffect, NEW, OLD, releaseState } from './checks.js';

const FIXTURE = 'ambient-helm-1.23';
let plan: Plan;
let planFile: string;
let planner: E2eCluster;

beforeAll(async () => {
  planner = await E2eCluster.start({ fixture: FIXTURE, controllers: false });
  plan = await planner.plan();
  planFile = planner.planPath;
});
afterAll(async () => {
  await planner?.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A fresh cluster with the shared plan copied into its work directory. */
async function freshCluster(): Promise<E2eCluster> {
  const c = await E2eCluster.start({ fixture: FIXTURE });
  copyFileSync(planFile, c.planPath);
  return c;
}

interface FailureCase {
  step: string;
  inject: (c: E2eCluster) => void;
  /** What the failure message names. */
  error: RegExp;
  /** Helm refused before writing a release revision (as real Helm does for a release with an operation in progress): nothing to undo. */
  changesNothing?: true;
}

const CASES: FailureCase[] = [
  {
    step: 'h1-preflight',
    inject: (c) => c.faults([{ tool: 'istioctl', match: ['x', 'precheck'], stderr: 'Error: 1 error occurred: IST0159 conflicting mesh gateway' }]),
    error: /istioctl x exited with 1: Error: 1 error occurred/,
  },
  {
    step: 'h1-backup',
    inject: (c) => c.server.forbid({ verb: 'list', resource: 'wasmplugins', group: 'extensions.istio.io' }),
    error: /permission denied \(403\): wasmplugins\.extensions\.istio\.io is forbidden/,
  },
  {
    step: 'h1-crd-migration-labels',
    inject: (c) => c.server.faults.add({ method: 'PATCH', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sidecars.networking.istio.io', status: 422 }),
    error: /merge-patch customresourcedefinitions sidecars\.networking\.istio\.io failed \(422\)/,
  },
  {
    step: 'h1-base-chart-upgrade',
    inject: (c) => c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], after: 'apply', stderr: 'Error: UPGRADE FAILED: context deadline exceeded' }]),
    error: /helm upgrade exited with 1: Error: UPGRADE FAILED: context deadline exceeded/,
  },
  {
    step: 'h1-istiod-install',
    inject: (c) => c.faults([{ tool: 'helm', match: ['install', 'istiod-1-24-6'], after: 'apply', stderr: 'Error: INSTALLATION FAILED: context deadline exceeded' }]),
    error: /INSTALLATION FAILED/,
  },
  {
    step: 'h1-cni-upgrade',
    inject: (c) => c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', stderr: 'Error: UPGRADE FAILED: resource DaemonSet/istio-system/istio-cni-node not ready' }]),
    error: /UPGRADE FAILED: resource DaemonSet/,
  },
  {
    step: 'h1-workload-restart-ambient-dns',
    inject: (c) => c.server.faults.add({ method: 'PATCH', path: '/apis/apps/v1/namespaces/inventory/deployments/inventory-svc', status: 422 }),
    error: /patch Deployment inventory\/inventory-svc failed \(422\)/,
  },
  {
    step: 'h1-ztunnel-upgrade',
    inject: (c) => c.faults([{ tool: 'helm', match: ['upgrade', 'ztunnel'], stderr: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress' }]),
    error: /another operation/,
    changesNothing: true,
  },
  {
    step: 'h1-tag-move-prod-stable',
    inject: (c) => c.server.faults.add({ method: 'PATCH', path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-prod-stable', status: 422 }),
    error: /server-side apply of MutatingWebhookConfiguration istio-revision-tag-prod-stable/,
  },
  {
    step: 'h1-tag-move-default',
    inject: (c) => c.faults([{ tool: 'helm', match: ['template', 'revisionTags={default}', 'revision=1-24-6'], stderr: 'Error: chart "istiod" version "1.24.6" not found in https://istio-release.storage.googleapis.com/charts repository' }]),
    error: /helm template exited with 1: Error: chart "istiod" version "1.24.6" not found/,
  },
  {
    step: 'h1-default-revision-move',
    inject: (c) => c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base', 'defaultRevision=1-24-6'], after: 'apply', stderr: 'Error: UPGRADE FAILED: context deadline exceeded' }]),
    error: /helm upgrade exited with 1: Error: UPGRADE FAILED: context deadline exceeded/,
  },
  {
    step: 'h1-gateway-upgrade-istio-ingress',
    inject: (c) => c.faults([{ tool: 'helm', match: ['upgrade', 'istio-ingress'], after: 'apply', stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition' }]),
    error: /timed out waiting for the condition/,
  },
];

// Independent tests, each on its own fake cluster: run them side by side (vitest runs one file at a time on a 2-core machine).
describe.concurrent('e2e: failures', () => {
  describe('a failure at each step of the ambient plan (API writes fail with a non-transient 422, since 5xx are retried) is rolled back (exit 4), or refused before any change when the step only checks (exit 3)', () => {
    test('the cases cover every step of the plan', () => {
      expect(CASES.map((x) => x.step)).toEqual(plan.steps.map((s) => s.id));
    });

    test.for(CASES)('$step', { timeout: 60_000 }, async ({ step, inject, error, changesNothing }) => {
      const c = await freshCluster();
      try {
        const index = plan.steps.findIndex((s) => s.id === step);
        const failed = plan.steps[index]!;
        inject(c);
        const r = await c.cli(['apply', c.planPath]);
        if (failed.kind === 'preflight') {
          // Checks that only read are preconditions: exit 3, nothing to roll back, nothing changed.
          expect(r.exitCode, r.stderr).toBe(3);
          expect(r.stderr).toContain(`precondition failed before any change: step ${step}`);
          expect(r.stderr).toMatch(error);
          const [run] = c.localRuns();
          expect(run!.status).toBe('failed');
          expect(run!.steps.map((x) => x.status)).toEqual(plan.steps.map((_, i) => (i === 0 ? 'failed' : 'pending')));
          expect(c.callLog().filter(isMutating)).toEqual([]);
          plan.steps.forEach((x) => expectStepEffect(c.server, x.id, false));
          expect(c.lease()).toBeUndefined();
          return;
        }
        expect(r.exitCode, r.stderr).toBe(4);
        expect(r.stderr).toContain(`step ${step} failed`);
        expect(r.stderr).toMatch(error);
        expect(r.stderr).toContain(changesNothing ? 'the step changed nothing (nothing to roll back), earlier steps remain applied' : 'the step was rolled back, earlier steps remain applied');
        expect(r.stderr).toContain(`istio-upgrade apply ${c.planPath}`);

        // The record, local and mirrored: earlier steps done, this one rolled back, later ones never started.
        const [run] = c.localRuns();
        const mirrored = c.clusterRun(run!.runId)!;
        for (const rec of [run!, mirrored]) {
          expect(rec.status).toBe('rolled-back');
          expect(rec.steps.map((s) => s.status)).toEqual(plan.steps.map((_, i) => (i < index ? 'succeeded' : i === index ? 'rolled-back' : 'pending')));
          expect(rec.steps[index]!.error).toMatch(error);
        }

        // The failed step's rollback commands ran after its failing command; nothing of later steps ran.
        const calls = c.callLog();
        const rollbackCmds = (changesNothing ? [] : (failed.rollback?.commands ?? [])).filter((x) => x.via !== 'kubernetes-api').map((x) => planArgv(withRecordedRevisions(x.argv, run!, failed.id)));
        const stepCmds = failed.commands.filter((x) => x.via !== 'kubernetes-api').map((x) => planArgv(x.argv));
        const seen = calls.filter((x) => !isReadOnlyQuery(x)).map(shortArgv);
        const earlier = plan.steps.slice(0, index).flatMap((s) => s.commands.filter((x) => x.via !== 'kubernetes-api').map((x) => planArgv(x.argv)));
        expect(seen.slice(0, earlier.length)).toEqual(earlier);
        const rest = seen.slice(earlier.length);
        // this step's commands up to the failing one, then exactly its rollback commands
        expect(rest.slice(rest.length - rollbackCmds.length)).toEqual(rollbackCmds);
        expect(stepCmds.slice(0, rest.length - rollbackCmds.length)).toEqual(rest.slice(0, rest.length - rollbackCmds.length));

        // The cluster: earlier steps kept, this one undone, later ones untouched.
        plan.steps.forEach((s, i) => {
          if (i !== index || s.id !== 'h1-workload-restart-ambient-dns') expectStepEffect(c.server, s.id, i < index);
        });
        expect(c.lease()).toBeUndefined();
        if (step === 'h1-default-revision-move') {
          // The base chart upgrade changed the same release earlier: the rollback of the run expects istio-base where
          // the failed step's own rollback left it, not at the base upgrade's revision, and unwinds the rest.
          const rb = await c.cli(['rollback', run!.runId, '--yes'], { timeoutMs: 50_000 });
          expect(rb.exitCode, rb.stderr).toBe(0);
          plan.steps.forEach((s) => s.id !== 'h1-workload-restart-ambient-dns' && expectStepEffect(c.server, s.id, false));
        }
      } finally {
        await c.close();
      }
    });
  });

  test('a verification failure: a restarted workload crash-loops, the wait fails at once (not at the step timeout)', async () => {
    const c = await freshCluster();
    try {
      // The controllers start the new fraud-check pods, which then crash-loop.
      c.afterReconcile = (_kind, ns, name) => {
        if (ns !== 'payments' || name !== 'fraud-check') return;
        for (const p of c.server.list('v1', 'Pod', ns).filter((x) => x.metadata.name.startsWith('fraud-check-'))) {
          const st = (p as { status?: { containerStatuses?: Record<string, unknown>[] } }).status;
          if (!st?.containerStatuses) continue;
          const crashing = st.containerStatuses.map((cs) => ({ ...cs, ready: false, started: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } } }));
          c.server.load([{ ...p, status: { ...st, containerStatuses: crashing } } as KubeObject]);
        }
      };
      const t0 = Date.now();
      const r = await c.cli(['apply', c.planPath]);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/step h1-workload-restart-ambient-dns failed: verification failed: pod payments\/fraud-check-\S+ container fraud-check: CrashLoopBackOff/);
      expect(Date.now() - t0).toBeLessThan(60_000); // the default step timeout is 15 minutes
      expect(c.callLog().some((x) => x.argv.includes('ztunnel') && x.argv[1] === 'upgrade')).toBe(false);
    } finally {
      await c.close();
    }
  }, 60_000);

  test('--step-timeout stops a hanging helm upgrade; its rollback gets its own --rollback-timeout', async () => {
    const c = await freshCluster();
    try {
      // Real Helm hangs in --wait, after it wrote the pending-upgrade revision and applied the chart: there is something to roll back.
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], after: 'apply', hangMs: 120_000, exitCode: 0 }]);
      const r = await c.cli(['apply', c.planPath, '--step-timeout', '10s', '--rollback-timeout', '2m']);
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.stderr).toContain('step h1-base-chart-upgrade failed: helm upgrade timed out after 10s');
      const upgrade = c.callLog().find((x) => x.argv[1] === 'upgrade')!;
      await until('the timed-out helm to be gone', () => !alive(upgrade.pid), 20_000);
      expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual(['helm upgrade istio-base base --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --wait', 'helm rollback istio-base 2 -n istio-system --wait']);
      expect(c.localRuns()[0]!.steps.find((x) => x.id === 'h1-base-chart-upgrade')!.status).toBe('rolled-back');
    } finally {
      await c.close();
    }
  }, 60_000);

  test('after exit 4 the printed `apply plan.json` retries the rolled-back step and finishes the same run', async () => {
    const c = await freshCluster();
    try {
      c.faults([{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', stderr: 'Error: UPGRADE FAILED: resource DaemonSet/istio-system/istio-cni-node not ready' }]);
      const failed = await c.cli(['apply', c.planPath]);
      expect(failed.exitCode, failed.stderr).toBe(4);
      const again = await c.cli(['apply', c.planPath]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/resuming run \S+ at step h1-cni-upgrade/);
      const runs = c.localRuns();
      expect(runs.map((r) => r.status)).toEqual(['succeeded']);
      const helmChanges = c.callLog().filter(isMutating).map(shortArgv);
      expect(helmChanges.filter((a) => a.includes('istio-cni'))).toEqual([
        'helm upgrade istio-cni cni --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
        'helm rollback istio-cni 2 -n istio-system --wait',
        'helm upgrade istio-cni cni --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --set profile=ambient --set compatibilityVersion=1.23 --wait',
      ]);
      expect(helmChanges.filter((a) => !a.includes('istio-cni'))).toEqual(
        plan.steps.flatMap((s) => s.commands.map((x) => planArgv(x.argv)).filter((a) => /^helm (install|upgrade) /.test(a) && !a.includes('istio-cni'))),
      );
      for (const s of plan.steps) expectStepEffect(c.server, s.id, true);
    } finally {
      await c.close();
    }
  }, 60_000);

  describe('a helm command that failed before changing anything leaves nothing to roll back (exit 4, never 5)', () => {
    test('helm install refused before writing its release: no helm uninstall, the step said to have changed nothing', async () => {
      const c = await freshCluster();
      try {
        c.faults([{ tool: 'helm', match: ['install', 'istiod-1-24-6'], stderr: 'Error: INSTALLATION FAILED: chart "istiod" matching 1.24.6 not found in repository' }]);
        const r = await c.cli(['apply', c.planPath]);
        expect(r.exitCode, r.stderr).toBe(4);
        expect(r.stderr).toContain('step h1-istiod-install failed: helm install exited with 1: Error: INSTALLATION FAILED');
        expect(r.stderr).toContain('the step changed nothing (nothing to roll back), earlier steps remain applied');
        expect(c.callLog().filter((x) => x.argv[1] === 'uninstall')).toEqual([]);
        expect(releaseState(c.server, 'istio-system', 'istiod-1-24-6')).toBe('absent');
        const [run] = c.localRuns();
        expect(run!.status).toBe('rolled-back');
        expect(run!.steps.find((s) => s.id === 'h1-istiod-install')).toMatchObject({
          status: 'rolled-back',
          note: 'nothing to roll back after failure: Helm release istio-system/istiod-1-24-6 does not exist: nothing to uninstall',
        });
        expect(c.lease()).toBeUndefined();
      } finally {
        await c.close();
      }
    }, 60_000);

    test('helm upgrade refused before writing a revision: no helm rollback (it would only add a copy of the same revision)', async () => {
      const c = await freshCluster();
      try {
        const before = c.server.list('v1', 'Secret', 'istio-system').filter((o) => o.metadata.name.startsWith('sh.helm.release.v1.istio-base.')).length;
        c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], stderr: 'Error: UPGRADE FAILED: template: base/templates/crds.yaml:3:1: executing "crds" at <.Values.x>: nil pointer' }]);
        const r = await c.cli(['apply', c.planPath]);
        expect(r.exitCode, r.stderr).toBe(4);
        expect(r.stderr).toContain('the step changed nothing (nothing to roll back)');
        expect(c.callLog().filter((x) => x.argv[1] === 'rollback')).toEqual([]);
        expect(releaseState(c.server, 'istio-system', 'istio-base')).toBe(`${OLD} deployed`);
        expect(c.server.list('v1', 'Secret', 'istio-system').filter((o) => o.metadata.name.startsWith('sh.helm.release.v1.istio-base.')).length).toBe(before);
      } finally {
        await c.close();
      }
    }, 60_000);
  });

  describe('exit 5: the state is not what a clean rollback leaves', () => {
    test('the rollback fails too: rollback-failed, the manual commands printed, a re-run refuses', async () => {
      const c = await freshCluster();
      try {
        c.faults([
          { tool: 'helm', match: ['upgrade', 'istio-base'], after: 'apply', stderr: 'Error: UPGRADE FAILED: context deadline exceeded' },
          { tool: 'helm', match: ['rollback', 'istio-base'], stderr: 'Error: release istio-base failed: etcdserver: request timed out' },
        ]);
        const r = await c.cli(['apply', c.planPath]);
        expect(r.exitCode, r.stderr).toBe(5);
        expect(r.stderr).toContain('its rollback failed: helm rollback exited with 1: Error: release istio-base failed: etcdserver: request timed out');
        expect(r.stderr).toContain('helm rollback istio-base 2 -n istio-system --wait --kube-context e2e');
        const [run] = c.localRuns();
        expect(run!.status).toBe('rollback-failed');
        expect(c.clusterRun(run!.runId)!.status).toBe('rollback-failed');
        expect(releaseState(c.server, 'istio-system', 'istio-base')).toBe(`${NEW} failed`);
        expect(c.lease()).toBeUndefined();

        const again = await c.cli(['apply', c.planPath]);
        expect(again.exitCode, again.stderr).toBe(3);
        expect(again.stderr).toContain(`run ${run!.runId} of this plan failed and its rollback failed too`);
        expect(again.stderr).toContain(`--resume ${run!.runId}`);
      } finally {
        await c.close();
      }
    }, 60_000);

    test('--on-failure stop leaves the failed step as it is and runs no rollback', async () => {
      const c = await freshCluster();
      try {
        c.faults([{ tool: 'helm', match: ['upgrade', 'istio-base'], after: 'apply', stderr: 'Error: UPGRADE FAILED: context deadline exceeded' }]);
        const r = await c.cli(['apply', c.planPath, '--on-failure', 'stop']);
        expect(r.exitCode, r.stderr).toBe(5);
        expect(r.stderr).toContain('nothing was rolled back (--on-failure stop)');
        expect(c.callLog().filter((x) => x.argv[1] === 'rollback')).toEqual([]);
        expect(c.callLog().filter(isMutating).map(shortArgv)).toEqual(['helm upgrade istio-base base --repo https://blob.istio.io/istio-release/charts -n istio-system --version 1.24.6 --wait']);
        const [run] = c.localRuns();
        expect(run!.status).toBe('failed');
        expect(run!.steps.find((s) => s.id === 'h1-base-chart-upgrade')!.status).toBe('failed');
        expect(releaseState(c.server, 'istio-system', 'istio-base')).toBe(`${NEW} failed`);
        expect(releaseState(c.server, 'istio-system', 'istio-cni')).toBe(`${OLD} deployed`);
        expect(c.lease()).toBeUndefined();
      } finally {
        await c.close();
      }
    }, 60_000);
  });
});
