/**
 * End to end: istioctl analyze before the first change and after the last step, and the skew gates between steps. Before the removal of the old revision, a straggler pod still running
 * the old revision's proxy stops the run (exit 3, the offender named, nothing removed, recorded); once the operator
 * deletes it, apply continues the run, the gate passes and the removal runs.
 */
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../../src/apply/run-record.js';
import type { KubeObject } from '../fake-apiserver/index.js';
import { shortArgv, startCluster, until } from './harness.js';
import { NEW_REV, OLD, OLD_REV, releaseState } from './checks.js';

/** A bare pod the old revision injected (its proxy image and istio.io/rev annotation), as the injector leaves them. */
function stragglerPod(namespace: string, name: string, proxyVersion = OLD): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations: { 'istio.io/rev': OLD_REV, 'sidecar.istio.io/status': `{"revision":"${OLD_REV}"}` }, labels: { app: name, 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': name, 'istio.io/rev': OLD_REV } },
    spec: { containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36' }, { name: 'istio-proxy', image: `docker.io/istio/proxyv2:${proxyVersion}` }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  } as KubeObject;
}

describe('e2e: skew gates', () => {
  test('a straggler pod on the old revision stops the run before its removal; deleted, the resumed run passes the gate and removes it', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    const plan = await c.plan(['--to', '1.24', '--include-cleanup']);
    const removal = plan.steps.findIndex((s) => s.kind === 'old-revision-removal');
    expect(plan.steps[removal]!.gate?.title).toBe(`gate before removing ${OLD_REV}`);
    expect(plan.steps[0]!.gate?.title).toBe(`gate before hop 1 (${OLD} → 1.24.6)`);
    // The step before the removal is slow; meanwhile a pod the old revision injected appears (a bare Pod: no restart reaches it).
    c.faults([{ tool: 'helm', match: ['upgrade', 'istio-ingress'], hangMs: 3_000, exitCode: 0 }]);
    const p = c.spawn(['apply', c.planPath, '--yes']);
    await until('the gateway upgrade to start', () => c.callLog().find((x) => x.argv[1] === 'upgrade' && x.argv[2] === 'istio-ingress'), 60_000);
    c.server.load([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } } as KubeObject, stragglerPod('legacy', 'report-once')]);
    const stopped = await p.done;

    expect(stopped.exitCode, stopped.stderr).toBe(3);
    expect(stopped.stderr).toContain(`gate before removing ${OLD_REV} failed: 1 offender(s)`);
    expect(stopped.stderr).toContain(`revision-in-use: revision ${OLD_REV}: 1 pod(s) run its proxy (legacy/Pod/report-once)`);
    expect(c.callLog().map(shortArgv).filter((a) => a.startsWith('helm uninstall'))).toEqual([]);
    expect(releaseState(c.server, 'istio-system', `istiod-${OLD_REV}`)).toBe(`${OLD} deployed`);
    const [run] = c.localRuns() as [RunRecord];
    expect(run.status).toBe('failed');
    expect(run.steps[0]!.gate).toMatchObject({ title: `gate before hop 1 (${OLD} → 1.24.6)`, passed: true, offenders: [] });
    expect(run.steps[removal]).toMatchObject({ status: 'pending', gate: { passed: false, offenders: [expect.stringContaining('legacy/Pod/report-once')] } });
    expect(c.clusterRun(run.runId)?.steps[removal]?.gate?.passed).toBe(false);

    // The operator deletes the straggler; the same apply continues the run at the removal.
    const del = await fetch(`${c.server.url}/api/v1/namespaces/legacy/pods/report-once`, { method: 'DELETE', headers: { authorization: 'Bearer test-token' } });
    expect(del.status).toBe(200);
    const resumed = await c.cli(['apply', c.planPath, '--yes'], { timeoutMs: 120_000 });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`gate before removing ${OLD_REV}: passed`);
    expect(releaseState(c.server, 'istio-system', `istiod-${OLD_REV}`)).toBe('absent');
    const done = c.localRuns().find((r) => r.runId === run.runId)!;
    expect(done.status).toBe('succeeded');
    expect(done.steps[removal]).toMatchObject({ status: 'succeeded', gate: { passed: true, offenders: [] } });
    expect(done.steps[removal]!.error).toBeUndefined();
  }, 240_000);
});

/** An injector webhook whose Service is gone: istioctl analyze reports IST0139 (Error) from the start. */
const brokenInjector = {
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'legacy-injector' },
  webhooks: [
    {
      name: 'sidecar-injector.istio.io',
      clientConfig: { service: { name: 'istiod-legacy', namespace: 'istio-system', path: '/inject' } },
      namespaceSelector: { matchLabels: { 'legacy-injection': 'enabled' } },
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
    },
  ],
} as KubeObject;

describe('e2e: istioctl analyze before and after', () => {
  test('a pre-existing Error finding does not stop the run; the finding the upgrade introduced is reported with the run and recorded', async (ctx) => {
    const c = await startCluster(ctx, {
      fixture: 'ambient-helm-1.23',
      // A namespace on the old revision with a bare pod no restart reaches: after the namespace moves to the new
      // revision, its proxy no longer matches the injector's image (IST0158).
      mutate: (objects) => objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: { 'istio.io/rev': OLD_REV } } } as KubeObject, stragglerPod('legacy', 'report-once'), brokenInjector),
    });
    await c.plan(['--to', '1.24']);
    const r = await c.cli(['apply', c.planPath, '--yes', '-o', 'json'], { timeoutMs: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const analyses = c.callLog().filter((x) => x.argv[0] === 'istioctl' && x.argv[1] === 'analyze');
    expect(analyses.map((x) => x.argv.slice(1).join(' '))).toEqual([
      `analyze --all-namespaces --output json --istioNamespace istio-system --revision ${OLD_REV} --context e2e`,
      `analyze --all-namespaces --output json --istioNamespace istio-system --revision ${NEW_REV} --context e2e`,
    ]);
    // Before the first change: after the preflight, before the backup.
    const order = c.callLog().map((x) => x.argv.slice(0, 3).join(' '));
    expect(order.indexOf('istioctl analyze --all-namespaces')).toBeLessThan(order.findIndex((a) => a.startsWith('helm upgrade') || a.startsWith('helm install')));
    const injector = `Error [IST0139] (MutatingWebhookConfiguration legacy-injector) Injector refers to a control plane service that does not exist: istio-system/istiod-legacy.`;
    const mismatch = `Warning [IST0158] (Namespace legacy) The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [report-once]).`;
    expect(r.stderr).toContain(`istioctl analyze before: 1 message(s) (1 error, 0 warning, 0 info); pre-existing messages never stop the run`);
    expect(r.stderr).toContain(`before: ${injector}`);
    expect(r.stderr).toContain('istioctl analyze: 1 new message(s), 0 resolved, 1 unchanged');
    expect(r.stderr).toContain(`new: ${mismatch}`);
    const result = JSON.parse(r.stdout) as { analyze?: string[] };
    expect(result.analyze).toEqual(['istioctl analyze: 1 new message(s), 0 resolved, 1 unchanged', expect.stringContaining(`new: ${mismatch}`)]);
    const [run] = c.localRuns() as [RunRecord];
    expect(run.analyze?.before).toMatchObject({ status: 'ran', messages: [{ code: 'IST0139', level: 'Error', origin: 'MutatingWebhookConfiguration legacy-injector' }] });
    expect(run.analyze?.after).toMatchObject({ status: 'ran', messages: [{ code: 'IST0139' }, { code: 'IST0158', origin: 'Namespace legacy' }] });
    expect(run.analyze?.report).toEqual(result.analyze);
    expect(c.clusterRun(run.runId)?.analyze?.report).toEqual(result.analyze);
  }, 240_000);

  test('without istioctl: "skipped: istioctl not found" is recorded and shown; the run succeeds', async (ctx) => {
    const c = await startCluster(ctx, { fixture: 'ambient-helm-1.23' });
    await c.plan(['--to', '1.24']);
    const r = await c.cli(['apply', c.planPath, '--yes', '--istioctl', `${c.work}/no-istioctl-here`], { timeoutMs: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(c.callLog().filter((x) => x.argv[0] === 'istioctl')).toEqual([]);
    expect(r.stderr).toContain('istioctl analyze before: skipped: istioctl not found');
    expect(r.stderr).toContain('istioctl analyze: skipped: istioctl not found');
    const [run] = c.localRuns() as [RunRecord];
    expect(run.analyze).toEqual({
      before: { status: 'skipped', reason: 'istioctl not found' },
      after: { status: 'skipped', reason: 'istioctl not found' },
      report: ['istioctl analyze: skipped: istioctl not found'],
    });
  }, 240_000);
});
