/**
 * Hostile and mistaken input, through the built CLI: each case is one line on stderr naming the input and the fix,
 * a non-zero exit code, no stack trace, and no hang (every run is bounded).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { isOneLineError, runCli } from '../support/cli.js';
import { readFixture } from '../support/fixtures.js';

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
  { name: 'a bad --request-timeout', args: () => ['status', '--request-timeout', 'soon', '--kubeconfig', kubeconfig('kc-rt', { token: 'test-token' })], code: 64, says: /--request-timeout must be a duration/ },
];

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
