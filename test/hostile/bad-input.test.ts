/**
 * Hostile and mistaken input, through the built CLI: each case is one line on stderr naming the input and the fix,
 * a non-zero exit code, no stack trace, and no hang (every run is bounded).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { cliPath, isOneLineError, runCli } from '../support/cli.js';
import { buildSnapshot } from '../../src/k8s/snapshot-writer.js';
import { fixturePath, readFixture } from '../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-hostile-'));
const fixture = readFixture('sidecar-revisioned-1.22');
let server: FakeApiServer;

beforeAll(async () => {
  server = await startFakeApiServer({ objects: fixture.items, kubernetesVersion: fixture.kubernetesVersion });
});
afterAll(async () => server.close());

const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

/** A kubeconfig whose one user is `user` (and whatever `over` changes). */
function kubeconfig(name: string, user: Record<string, unknown> | null, over: (doc: Record<string, unknown>) => void = () => undefined): string {
  const doc: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  };
  over(doc);
  return file(name, yaml.dump(doc));
}

const plugin = (name: string, script: string) => {
  const p = file(name, `#!/bin/sh\n${script}\n`);
  execFileSync('chmod', ['+x', p]);
  return p;
};

interface Case {
  name: string;
  args: () => string[];
  /** Expected exit code. */
  code: number;
  /** What the first line of stderr must contain: the input it names and the fix. */
  says: RegExp;
}

const cases: Case[] = [
  // files that are not files
  { name: 'a FIFO as --snapshot', args: () => ['status', '--snapshot', fifo()], code: 1, says: /snapshot .*fifo is not a regular file.*snapshot --out/ },
  { name: '/dev/zero as --snapshot', args: () => ['status', '--snapshot', '/dev/zero'], code: 1, says: /snapshot \/dev\/zero is not a regular file/ },
  { name: 'a directory as --snapshot', args: () => ['status', '--snapshot', tmp], code: 1, says: /is a directory, not a file/ },
  { name: 'an empty --snapshot', args: () => ['status', '--snapshot', file('empty.yaml', '')], code: 1, says: /snapshot .*empty\.yaml is empty: write one with istio-upgrade snapshot --out/ },
  { name: 'an empty plan file', args: () => ['apply', file('empty-plan.json', '\n'), '--dry-run'], code: 1, says: /plan file .*empty-plan\.json is empty/ },
  { name: 'a directory as the plan file', args: () => ['apply', tmp, '--dry-run'], code: 1, says: /plan .* is a directory/ },
  { name: 'snapshot --out into a directory', args: () => ['snapshot', '--kubeconfig', kubeconfig('kc-out1', { token: 'test-token' }), '--out', tmp], code: 64, says: /--out .* is a directory: give a file name/ },
  { name: 'snapshot --out in a missing directory', args: () => ['snapshot', '--kubeconfig', kubeconfig('kc-out2', { token: 'test-token' }), '--out', join(tmp, 'nope', 'x.yaml')], code: 64, says: /directory .*nope does not exist: create it first/ },
  // kubeconfigs
  { name: 'an empty kubeconfig', args: () => ['status', '--kubeconfig', file('kc-empty', '')], code: 1, says: /kubeconfig .*kc-empty is empty/ },
  { name: 'a kubeconfig that is a list', args: () => ['status', '--kubeconfig', file('kc-list', '- a\n- b\n')], code: 1, says: /is not a kubeconfig/ },
  { name: 'a null cluster entry', args: () => ['status', '--kubeconfig', kubeconfig('kc-nullcluster', { token: 't' }, (d) => ((d.clusters as Record<string, unknown>[])[0]!.cluster = null))], code: 1, says: /clusters\[0\] \("c"\) has no cluster entry/ },
  { name: 'a server that is not a URL', args: () => ['status', '--kubeconfig', kubeconfig('kc-url', { token: 't' }, (d) => ((d.clusters as { cluster: Record<string, unknown> }[])[0]!.cluster.server = 'not a url'))], code: 1, says: /cluster "c" has server "not a url", which is not a URL/ },
  { name: 'a context naming a missing user', args: () => ['status', '--kubeconfig', kubeconfig('kc-nouser', { token: 't' }, (d) => (d.users = []))], code: 1, says: /context "x" names user "u", which is not in the kubeconfig/ },
  { name: 'a missing token file', args: () => ['status', '--kubeconfig', kubeconfig('kc-tokenfile', { tokenFile: join(tmp, 'no-token') })], code: 1, says: /token file .*no-token of user "u" does not exist: fix users\[\]\.user\.tokenFile/ },
  { name: 'a missing exec plugin', args: () => ['status', '--kubeconfig', kubeconfig('kc-noplugin', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'no-such-credential-plugin' } })], code: 1, says: /"no-such-credential-plugin" not found: install it or fix users\[\]\.user\.exec\.command/ },
  { name: 'an exec plugin of a retired apiVersion', args: () => ['status', '--kubeconfig', kubeconfig('kc-alpha', { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'true' } })], code: 1, says: /exec apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported: use client\.authentication\.k8s\.io\/v1/ },
  { name: 'an exec plugin that prints garbage', args: () => ['status', '--kubeconfig', kubeconfig('kc-garbage', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin('garbage.sh', 'echo hello') } })], code: 1, says: /printed no usable ExecCredential/ },
  { name: 'an exec plugin that never returns', args: () => ['status', '--request-timeout', '1s', '--kubeconfig', kubeconfig('kc-hang', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin('hang.sh', 'exec sleep 60') } })], code: 1, says: /did not answer within 1s \(--request-timeout\)/ },
  { name: 'a FIFO as --kubeconfig', args: () => ['status', '--kubeconfig', fifo()], code: 1, says: /kubeconfig .*fifo is not a regular file/ },
  // snapshots no cluster could have written
  { name: 'a snapshot cut at an item boundary', args: () => ['status', '--snapshot', truncatedSnapshot()], code: 1, says: /is damaged: it says \d+ items but holds \d+ \(cut short or edited\)/ },
  { name: 'a namespace with a right-to-left override', args: () => ['status', '--snapshot', snapshotWith({ namespace: 'istio\u202Esystem' })], code: 1, says: /metadata\.namespace: not a namespace name/ },
  { name: 'a 100k-character name', args: () => ['status', '--snapshot', snapshotWith({ name: 'a'.repeat(100_000) })], code: 1, says: /metadata\.name: Too big/ },
  // plans and flags
  { name: 'a plan with duplicate step ids', args: () => ['apply', duplicateStepPlan(), '--dry-run'], code: 1, says: /step id \S+ appears twice; make a new plan/ },
  { name: "--max-plan-age ''", args: () => ['apply', 'plan.json', '--max-plan-age', ''], code: 64, says: /--max-plan-age must be a duration/ },
  { name: '--istioctl 1.24.6=PATH', args: () => ['apply', 'plan.json', '--istioctl', '1.24.6=/opt/istioctl'], code: 64, says: /--istioctl "1\.24\.6=\/opt\/istioctl": name the minor \(1\.24\), not a version/ },
  { name: '--istioctl 1.24= (no path)', args: () => ['apply', 'plan.json', '--istioctl', '1.24='], code: 64, says: /--istioctl "1\.24=" names no binary/ },
  { name: '--step-timeout 25d', args: () => ['apply', 'plan.json', '--step-timeout', '25d'], code: 64, says: /--step-timeout 25d is too long: the limit is 24d/ },
  { name: "--chart-repo ''", args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--chart-repo', ''], code: 64, says: /--chart-repo "" is empty: give a repository URL, an oci:\/\/ prefix, a chart directory or a repository alias/ },
  { name: '--chart-repo --post-renderer=…', args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--chart-repo=--post-renderer=/tmp/x.sh'], code: 64, says: /--chart-repo "--post-renderer=\/tmp\/x\.sh" is not a repository URL, oci:\/\/ prefix, directory or alias/ },
  { name: "--chart-repo 'a b'", args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--chart-repo', 'a b'], code: 64, says: /--chart-repo "a b" is not a repository URL, oci:\/\/ prefix, directory or alias/ },
  { name: '--hub with a tag', args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--hub', 'docker.io/istio:1.24.6'], code: 64, says: /--hub "docker\.io\/istio:1\.24\.6" names a tag or digest/ },
  { name: "--backup-dir ''", args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--backup-dir', ''], code: 64, says: /--backup-dir needs a directory name/ },
  { name: '--revision default', args: () => ['plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--revision', 'default'], code: 64, says: /--revision default is reserved/ },
  { name: 'a bad --request-timeout', args: () => ['status', '--request-timeout', 'soon', '--kubeconfig', kubeconfig('kc-rt', { token: 'test-token' })], code: 64, says: /--request-timeout must be a duration/ },
];

function snapshotWith(meta: { name?: string; namespace?: string }): string {
  const snap = { apiVersion: 'istio-upgrade/v1', kind: 'ClusterSnapshot', kubernetesVersion: '1.30.2', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: meta.name ?? 'x', namespace: meta.namespace ?? 'istio-system' } }] };
  return file(`snap-${Object.keys(meta).join('-')}.json`, JSON.stringify(snap));
}

function truncatedSnapshot(): string {
  const fx = readFixture('ambient-helm-1.23');
  const text = yaml.dump(buildSnapshot(structuredClone(fx.items), { kubernetesVersion: fx.kubernetesVersion, context: 'x', clusterId: 'uid' }), { noRefs: true, lineWidth: 120 });
  return file('truncated.yaml', text.slice(0, text.lastIndexOf('\n  - apiVersion:') + 1));
}

function duplicateStepPlan(): string {
  const out = join(tmp, 'dup-source.json');
  execFileSync(process.execPath, [cliPath, 'plan', '--snapshot', fixturePath('ambient-helm-1.23'), '--to', '1.24', '--out', out], { stdio: 'ignore' });
  const plan = JSON.parse(readFileSync(out, 'utf8')) as { steps: { id: string }[]; integrity?: unknown };
  plan.steps[1]!.id = plan.steps[0]!.id;
  delete plan.integrity;
  return file('dup-steps.json', JSON.stringify(plan));
}

let fifoPath: string | undefined;
function fifo(): string {
  if (!fifoPath) {
    fifoPath = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifoPath]);
  }
  return fifoPath;
}

describe('bad input gets one line naming the input and the fix, and a non-zero exit', () => {
  mkdirSync(tmp, { recursive: true });
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await runCli(c.args(), { HOME: tmp }, { timeoutMs: 30_000 });
    expect(r.stderr, r.stderr).toMatch(c.says);
    expect(isOneLineError(r.stderr), r.stderr).toBe(true);
    expect(r.exitCode, r.stderr).toBe(c.code);
  });
});

describe('credentials that work', () => {
  it('reads kubectl\'s user.tokenFile (client-node ignores it and the request went out without a token)', async () => {
    const kc = kubeconfig('kc-tokenfile-ok', { tokenFile: file('token', 'test-token\n') });
    const r = await runCli(['status', '-o', 'json', '--kubeconfig', kc], { HOME: tmp });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).source.context).toBe('x');
  });

  it('runs an exec plugin with KUBERNETES_EXEC_INFO set and uses its token', async () => {
    const seen = join(tmp, 'exec-info');
    const cmd = plugin('token.sh', `printf '%s' "$KUBERNETES_EXEC_INFO" > ${seen}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"test-token"}}'`);
    const r = await runCli(['status', '--kubeconfig', kubeconfig('kc-exec-ok', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: cmd } })], { HOME: tmp });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(execFileSync('cat', [seen], { encoding: 'utf8' }))).toEqual({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
  });
});

describe('an API server that accepts connections but never answers', () => {
  it('status fails within the request timeout and states the retry budget', async () => {
    server.faults.add({ path: '/version', delayMs: 120_000, times: Infinity });
    try {
      const started = Date.now();
      const r = await runCli(['status', '--request-timeout', '1s', '--kubeconfig', kubeconfig('kc-silent', { token: 'test-token' })], { HOME: tmp }, { timeoutMs: 30_000 });
      expect(r.exitCode).toBe(1);
      expect(isOneLineError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/did not answer GET \/version within 1s \(--request-timeout\) — 2 attempts in \d/);
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      server.faults.clear();
    }
  });
});
