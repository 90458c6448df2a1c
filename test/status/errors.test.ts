import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { isOneLineError, runCli } from '../support/cli.js';
import { readFixture } from '../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'iu-errors-'));
const fixture = readFixture('sidecar-revisioned-1.22');
let server: FakeApiServer;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeApiServer({ objects: fixture.items, kubernetesVersion: fixture.kubernetesVersion });
  kubeconfig = join(tmp, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { context: 'fake' });
});
afterAll(async () => server.close());

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('reaching the cluster', () => {
  it('reports an unreachable API server in one line with exit 1', async () => {
    const kc = join(tmp, 'unreachable');
    writeKubeconfig(kc, { server: `http://127.0.0.1:${await closedPort()}`, token: 'x' });
    const r = await runCli(['status', '--kubeconfig', kc]);
    expect(r.exitCode).toBe(1);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/cannot reach the API server http:\/\/127\.0\.0\.1:\d+ \(context "fake"\): ECONNREFUSED after 3 attempts/);
  });

  it('names the context on 401', async () => {
    const kc = join(tmp, 'badtoken');
    writeKubeconfig(kc, { server: server.url, token: 'wrong', context: 'prod' });
    const r = await runCli(['status', '--kubeconfig', kc]);
    expect(r.exitCode).toBe(1);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain('rejected the credentials of context "prod" (401 Unauthorized)');
  });

  it('names the missing permission on 403', async () => {
    server.forbid({ verb: 'list', resource: 'pods' });
    try {
      const r = await runCli(['status', '--kubeconfig', kubeconfig]);
      expect(r.exitCode).toBe(1);
      expect(isOneLineError(r.stderr)).toBe(true);
      expect(r.stderr).toContain('permission denied (403): pods is forbidden: User "test-user" cannot list resource "pods" in API group "" at the cluster scope');
    } finally {
      server.clearForbidden();
    }
  });

  it('refuses an unknown context, listing the known ones', async () => {
    const r = await runCli(['status', '--kubeconfig', kubeconfig, '--context', 'nope']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('istio-upgrade: error: context "nope" not found in kubeconfig (known: fake)');
  });

  it('merges KUBECONFIG files like kubectl: the first file wins current-context and duplicate names', async () => {
    const first = join(tmp, 'first');
    const second = join(tmp, 'second');
    writeKubeconfig(first, { server: server.url, token: 'test-token', context: 'good' });
    writeKubeconfig(second, { server: 'http://127.0.0.1:1', token: 'x', context: 'good', extraContexts: ['other'] });
    const r = await runCli(['status', '-o', 'json'], { KUBECONFIG: `${first}:${second}` });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).source.context).toBe('good');
    const other = await runCli(['status', '--context', 'missing'], { KUBECONFIG: `${first}:${second}` });
    expect(other.stderr).toContain('(known: good, other)');
  });

  it('says what to do when there is no kubeconfig at all', async () => {
    const r = await runCli(['status'], { HOME: tmp });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('istio-upgrade: error: no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or use --snapshot FILE');
  });
});

describe('transient and persistent API failures', () => {
  it('retries 500s, 429 with Retry-After and dropped connections, and the result is unchanged', async () => {
    const clean = await runCli(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    server.faults.add({ path: '/api/v1/pods', status: 500, times: 2 });
    server.faults.add({ path: '/apis/apps/v1/deployments', status: 429, retryAfterSeconds: 1, times: 1 });
    server.faults.add({ path: '/api/v1/namespaces', drop: true, times: 1 });
    server.faults.add({ path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', status: 503, times: 1, delayMs: 200 });
    server.clearRequests();
    const started = Date.now();
    const faulty = await runCli(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    expect(faulty.exitCode).toBe(0);
    expect(faulty.stdout).toBe(clean.stdout);
    // Both pod lists share the path; the fault hit the first two requests, and each list still completed.
    const pods = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(pods.filter((r) => r.status === 500)).toHaveLength(2);
    expect(new Set(pods.filter((r) => r.status === 200).map((r) => r.query.labelSelector)).size).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured
    server.faults.clear();
  });

  it('reports a persistent failure with the request and the status', async () => {
    server.faults.add({ path: '/apis/apps/v1/daemonsets', status: 500, times: Infinity });
    try {
      const r = await runCli(['status', '--kubeconfig', kubeconfig]);
      expect(r.exitCode).toBe(1);
      expect(isOneLineError(r.stderr)).toBe(true);
      expect(r.stderr).toMatch(/API request failed: GET \/apis\/apps\/v1\/daemonsets\?labelSelector=.* → 500 InternalError/);
    } finally {
      server.faults.clear();
    }
  });

  it('shows the stack trace only with --debug', async () => {
    server.faults.add({ path: '/apis/apps/v1/daemonsets', status: 500, times: Infinity });
    try {
      const r = await runCli(['status', '--kubeconfig', kubeconfig, '--debug']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/\n\s+at /);
    } finally {
      server.faults.clear();
    }
  });
});

describe('bad input', () => {
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };

  it.each([
    ['missing file', ['status', '--snapshot', '/nonexistent/snap.yaml'], 1, 'istio-upgrade: error: snapshot file not found: /nonexistent/snap.yaml'],
    ['unknown flag', ['status', '--bogus'], 64, "istio-upgrade: error: unknown option '--bogus'"],
    ['unknown command', ['stauts'], 64, "istio-upgrade: error: unknown command 'stauts'"],
    ['bad output format', ['status', '-o', 'xml', '--snapshot', 'x'], 64, "istio-upgrade: error: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are text, json, yaml."],
  ])('%s', async (_name, args, code, first) => {
    const r = await runCli(args as string[]);
    expect(r.exitCode).toBe(code);
    expect(r.stderr.split('\n')[0]).toBe(first);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the field of a wrong-schema snapshot by path', async () => {
    const p = write('bad-schema.yaml', 'apiVersion: istio-upgrade/v1\nkind: ClusterSnapshot\nkubernetesVersion: "1.30.1"\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {}\n');
    const r = await runCli(['status', '--snapshot', p]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(`istio-upgrade: error: ${p}: items[0].metadata.name: Invalid input: expected string, received undefined`);
  });

  it('rejects a malformed YAML snapshot in one line', async () => {
    const p = write('broken.yaml', 'kind: ClusterSnapshot\n  items: [\n');
    const r = await runCli(['status', '--snapshot', p]);
    expect(r.exitCode).toBe(1);
    expect(isOneLineError(r.stderr)).toBe(true);
    expect(r.stderr).toContain('not valid YAML or JSON');
  });

  it('accepts a kubectl List only with --kubernetes-version', async () => {
    const list = write('list.yaml', `apiVersion: v1\nkind: List\nitems:\n${JSON.stringify(fixture.items).replace(/^\[|\]$/g, '').length ? fixture.items.map((i) => `  - ${JSON.stringify(i)}`).join('\n') : ''}\n`);
    const without = await runCli(['status', '--snapshot', list]);
    expect(without.exitCode).toBe(64);
    expect(without.stderr).toContain('pass --kubernetes-version');
    const withVersion = await runCli(['status', '--snapshot', list, '--kubernetes-version', 'v1.29.4', '-o', 'json']);
    expect(withVersion.exitCode).toBe(0);
    const inv = JSON.parse(withVersion.stdout);
    expect(inv.cluster.kubernetesVersion).toBe('1.29.4');
    expect(inv.revisions.map((r: { name: string }) => r.name)).toContain('1-22-8');
  });

  it('refuses --snapshot combined with --context', async () => {
    const r = await runCli(['status', '--snapshot', 'x.yaml', '--context', 'c']);
    expect(r.exitCode).toBe(64);
    expect(isOneLineError(r.stderr)).toBe(true);
  });
});
