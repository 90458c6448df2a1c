import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe } from 'vitest';
import { ensureFakeBinBuilt, fakeBinDir, helmReleases, readCallLog, readFaults, writeFakeBinConfig, writeFaults } from '../fakebin/index.js';
import { V, type Harness } from './mesh.js';
import { test } from './fixtures.js';

type Obj = Record<string, any>;
const ns = 'istio-system';
const cniUpgrade = ['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--set', 'profile=ambient', '--wait', '--kube-context', 'fake'];

beforeAll(ensureFakeBinBuilt);

const cni = (h: Harness) => helmReleases(h.server, ns).filter((r) => r.name === 'istio-cni');
const cniImage = (h: Harness) => (h.server.get('apps/v1', 'DaemonSet', 'istio-cni-node', ns) as Obj).spec.template.spec.containers[0].image as string;

describe.concurrent('call log', () => {
  test('appends one JSON line per call: argv, cwd, kubeconfig, context, selected env; values files only by content hash', async ({ ambient: h, expect }) => {
    const secret = 'global:\n  hub: registry.example.com/istio\npilot:\n  env:\n    SECRET_TOKEN: hunter2\n';
    const file = join(h.dir, 'values.yaml');
    writeFileSync(file, secret);
    await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--values', file, '--wait', '--kube-context', 'other'], { env: { HELM_CACHE_HOME: '/tmp/hc', OTHER: 'x' } });
    await h.istioctl(['x', 'precheck']);
    const calls = readCallLog(h.log);
    expect(calls).toHaveLength(2);
    const hash = `sha256:${createHash('sha256').update(secret).digest('hex')}`;
    expect(calls[0]).toMatchObject({
      tool: 'helm',
      argv: ['helm', 'upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--values', hash, '--wait', '--kube-context', 'other'],
      cwd: h.dir,
      kubeconfig: h.kubeconfig,
      context: 'other',
      valuesFiles: [hash],
    });
    expect(calls[0]!.env).toEqual({ PATH: h.env.PATH, HOME: h.dir, KUBECONFIG: h.kubeconfig, HELM_CACHE_HOME: '/tmp/hc' });
    expect(calls[1]).toMatchObject({ tool: 'istioctl', argv: ['istioctl', 'x', 'precheck'], context: 'fake' });
    const raw = JSON.stringify(calls);
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain(file);
  });

  test('reads FAKE_BIN_* from $HOME/.fakebin.json when the caller’s environment drops them', async ({ ambient: h, expect }) => {
    const log = join(h.dir, 'other-log.jsonl');
    const faults = join(h.dir, 'other-faults.json');
    writeFakeBinConfig(h.dir, { log, faults, env: { FAKE_ISTIOCTL_VERSION: '1.28.1' } });
    writeFaults(faults, [{ tool: 'istioctl', match: ['precheck'], stderr: 'Error: boom' }]);
    const env = { PATH: `${fakeBinDir}:${process.env.PATH}`, HOME: h.dir, KUBECONFIG: h.kubeconfig };
    const r1 = await execa('istioctl', ['x', 'precheck'], { env, extendEnv: false, reject: false });
    const r2 = await execa('istioctl', ['version', '--remote=false'], { env, extendEnv: false, reject: false });
    expect([r1.exitCode, r1.stderr]).toEqual([1, 'Error: boom']);
    expect(r2.stdout).toBe('1.28.1');
    expect(readCallLog(log).map((c) => c.argv[1])).toEqual(['x', 'version']);
    expect(readCallLog(h.log)).toEqual([]);
  });
});

describe.concurrent('fault injection', () => {
  test('fails once, then succeeds; the spent rule disappears from the file', async ({ ambient: h, expect }) => {
    writeFaults(h.faults, [
      { tool: 'helm', match: ['upgrade', 'istio-cni'], times: 1, exitCode: 1, stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition' },
      { tool: 'istioctl', match: ['version'], times: 5, exitCode: 3, stderr: 'unrelated' },
    ]);
    let r = await h.helm(cniUpgrade);
    expect([r.exitCode, r.stderr]).toEqual([1, 'Error: UPGRADE FAILED: timed out waiting for the condition']);
    expect(cni(h).map((x) => x.status)).toEqual(['deployed']);
    expect(cniImage(h)).toBe(`docker.io/istio/install-cni:${V}-distroless`);
    expect(readFaults(h.faults)).toEqual([{ tool: 'istioctl', match: ['version'], times: 5, exitCode: 3, stderr: 'unrelated' }]);
    r = await h.helm(cniUpgrade);
    expect(r.exitCode).toBe(0);
    expect(cni(h).map((x) => x.status)).toEqual(['superseded', 'deployed']);
  });

  test('after: "apply" changes the cluster, then fails like a timed-out --wait: the new revision is failed, the old stays deployed', async ({ ambient: h, expect }) => {
    writeFaults(h.faults, [{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition' }]);
    let r = await h.helm(cniUpgrade);
    expect([r.exitCode, r.stderr]).toEqual([1, 'Error: UPGRADE FAILED: timed out waiting for the condition']);
    expect(cniImage(h)).toBe('docker.io/istio/install-cni:1.24.6-distroless');
    expect(cni(h).map((x) => [x.revision, x.status, x.description])).toEqual([
      [1, 'deployed', 'Install complete'],
      [2, 'failed', 'Upgrade "istio-cni" failed: timed out waiting for the condition'],
    ]);
    const list = JSON.parse((await h.helm(['list', '-n', ns, '-o', 'json'])).stdout) as Obj[];
    expect(list.find((e) => e.name === 'istio-cni')).toMatchObject({ revision: '2', status: 'failed' });
    // the next upgrade supersedes the deployed revision 1 and leaves 2 failed
    r = await h.helm(cniUpgrade);
    expect(r.exitCode).toBe(0);
    expect(cni(h).map((x) => [x.revision, x.status])).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'deployed'],
    ]);
  });

  test('a hanging call dies promptly on SIGTERM (execa timeout) without touching the cluster', async ({ ambient: h, expect }) => {
    writeFaults(h.faults, [{ tool: 'helm', match: ['upgrade'], hangMs: 30_000, stderr: 'Error: never printed' }]);
    const started = Date.now();
    const r = await execa('helm', cniUpgrade, { env: h.env, extendEnv: false, reject: false, timeout: 400, killSignal: 'SIGTERM', forceKillAfterDelay: 5_000 });
    const took = Date.now() - started;
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGTERM');
    expect(took).toBeLessThan(2_000);
    expect(cni(h).map((x) => x.status)).toEqual(['deployed']);
  });

  test('a call hanging after the change and cancelled by SIGTERM marks the Helm revision failed ("context canceled")', async ({ ambient: h, expect }) => {
    writeFaults(h.faults, [{ tool: 'helm', match: ['upgrade', 'istio-cni'], after: 'apply', hangMs: 30_000 }]);
    const started = Date.now();
    const child = execa('helm', cniUpgrade, { env: h.env, extendEnv: false, reject: false });
    // wait until the pending revision exists, then cancel
    for (let i = 0; i < 500 && cni(h).length < 2; i++) await new Promise((res) => setTimeout(res, 20));
    expect(cni(h).map((x) => x.status)).toEqual(['deployed', 'pending-upgrade']);
    child.kill('SIGTERM');
    const r = await child;
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('Release istio-cni has been cancelled.');
    expect(r.stderr).toBe('Error: UPGRADE FAILED: context canceled');
    expect(cni(h).map((x) => [x.status, x.description])).toEqual([
      ['deployed', 'Install complete'],
      ['failed', 'Upgrade "istio-cni" failed: context canceled'],
    ]);
  });

  test('istioctl faults: apply-then-fail keeps the change', async ({ ambient: h, expect }) => {
    writeFaults(h.faults, [{ tool: 'istioctl', match: ['tag', 'set'], after: 'apply', exitCode: 2, stderr: 'Error: failed to apply tag manifests to cluster: the server was unable to return a response' }]);
    await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6']);
    const r = await h.istioctl(['tag', 'set', 'prod', '--revision', '1-24-6', '--overwrite', '-y']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('Error: failed to apply tag manifests to cluster: the server was unable to return a response');
    expect((h.server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod') as Obj).metadata.labels['istio.io/rev']).toBe('1-24-6');
  });

  test('counts down `times` exactly across parallel calls', async ({ empty: h, expect }) => {
    writeFaults(h.faults, [{ tool: 'helm', match: ['version'], times: 3, exitCode: 4, stderr: 'Error: flaky' }]);
    const results = await Promise.all(Array.from({ length: 6 }, () => h.helm(['version', '--short'])));
    expect(results.filter((r) => r.exitCode === 4)).toHaveLength(3);
    expect(results.filter((r) => r.exitCode === 0 && r.stdout === 'v3.17.3+ge4da497')).toHaveLength(3);
    expect(readFaults(h.faults)).toEqual([]);
  });

  test('FAKE_BIN_FAIL_ALL=1 makes every call fail (and still logs it)', async ({ empty: h, expect }) => {
    const r = await h.helm(['version', '--short'], { env: { FAKE_BIN_FAIL_ALL: '1' } });
    const i = await h.istioctl(['version', '--remote=false'], { env: { FAKE_BIN_FAIL_ALL: '1' } });
    expect([r.exitCode, r.stderr]).toEqual([1, 'Error: fake helm is broken (FAKE_BIN_FAIL_ALL)']);
    expect([i.exitCode, i.stderr]).toEqual([1, 'Error: fake istioctl is broken (FAKE_BIN_FAIL_ALL)']);
    expect(readCallLog(h.log).map((c) => c.tool)).toEqual(['helm', 'istioctl']);
  });
});
