import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../src/apply/child-env.js';
import { ExecaRunner } from '../../src/apply/subprocess.js';

/** A stand-in helm that records what it was given: argv, environment, and the values file it saw. */
const FAKE_HELM = `#!/bin/sh
out="$(dirname "$0")/../calls"
mkdir -p "$out"
n=$(ls "$out" | wc -l)
f="$out/$n-$1.txt"
echo "ARGS:$*" > "$f"
/usr/bin/env | sort | sed 's/^/ENV:/' >> "$f"
prev=""
for a in "$@"; do
  if [ "$prev" = "--values" ]; then echo "VALUES_FILE:$a" >> "$f"; echo "VALUES_MODE:$(stat -c %a "$a")" >> "$f"; echo "VALUES:$(cat "$a")" >> "$f"; fi
  prev="$a"
done
case "$1" in
  get) printf 'pilot:\\n  env:\\n    TOKEN: s3cr3t\\n' ;;
  fail) echo "Error: UPGRADE FAILED: another operation is in progress" >&2; exit 1 ;;
  sleep) exec sleep 30 ;;
  orphan) sleep 4 & exec sleep 30 ;;
  *) echo "done $1" ;;
esac
`;

let root: string;
let bin: string;

function readCall(sub: string): { args: string; env: Record<string, string>; values?: { file: string; mode: string; text: string } } {
  const dir = join(root, 'calls');
  // The latest call of that subcommand (several tests run helm upgrade).
  const name = readdirSync(dir).filter((f) => f.endsWith(`-${sub}.txt`)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10)).at(-1)!;
  const lines = readFileSync(join(dir, name), 'utf8').split('\n');
  const env: Record<string, string> = {};
  for (const l of lines.filter((x) => x.startsWith('ENV:'))) {
    const [k, ...v] = l.slice(4).split('=');
    env[k!] = v.join('=');
  }
  const get = (p: string) => lines.find((l) => l.startsWith(p))?.slice(p.length);
  const file = get('VALUES_FILE:');
  return { args: get('ARGS:')!, env, ...(file ? { values: { file, mode: get('VALUES_MODE:')!, text: lines.slice(lines.findIndex((l) => l.startsWith('VALUES:'))).join('\n').slice('VALUES:'.length).trim() } } : {}) };
}

/** Operator settings that helm/istioctl and credential plugins read: all passed on unchanged. */
const KEPT_SETTINGS = {
  XDG_CONFIG_HOME: '/home/alice/.xdg/config',
  XDG_CACHE_HOME: '/home/alice/.xdg/cache',
  XDG_DATA_HOME: '/home/alice/.xdg/data',
  SSL_CERT_FILE: '/etc/corp/ca.pem',
  SSL_CERT_DIR: '/etc/corp/certs',
  KUBECACHEDIR: '/home/alice/.kube/cache',
  DOCKER_CONFIG: '/home/alice/.docker',
  USE_GKE_GCLOUD_AUTH_PLUGIN: 'True',
  AZURE_TENANT_ID: 't',
  ARM_CLIENT_ID: 'c',
  AAD_LOGIN_METHOD: 'spn',
  OIDC_ISSUER_URL: 'https://issuer.example',
};

const CALLER_ENV = {
  PATH: '',
  HOME: '/home/alice',
  KUBECONFIG: '/home/alice/.kube/other-cluster',
  HELM_KUBECONTEXT: 'other',
  HELM_KUBETOKEN: 'token-of-another-cluster',
  HELM_NAMESPACE: 'default',
  HELM_CACHE_HOME: '/home/alice/.cache/helm',
  HELM_REGISTRY_CONFIG: '/home/alice/.config/helm/registry.json',
  AWS_PROFILE: 'prod',
  https_proxy: 'http://proxy:3128',
  GITHUB_TOKEN: 'ghp_secret',
  KUBERNETES_SERVICE_HOST: '10.0.0.1',
  EDITOR: 'vim',
  XDG_SESSION_ID: '7',
  ...KEPT_SETTINGS,
  SSH_AUTH_SOCK: '/tmp/agent',
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'iu-sub-'));
  bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'helm'), FAKE_HELM);
  chmodSync(join(bin, 'helm'), 0o755);
  CALLER_ENV.PATH = `${bin}:/usr/bin:/bin`;
});

const runner = (over: Partial<ConstructorParameters<typeof ExecaRunner>[0]> = {}) =>
  new ExecaRunner({ paths: {}, context: 'prod-eu', kubeconfigFiles: ['/etc/kube/a.yaml', '/etc/kube/b.yaml'], callerEnv: CALLER_ENV, graceMs: 200, ...over });
const never = new AbortController().signal;

describe('child environment', () => {
  it('is built from scratch: our kubeconfig files, HELM_* settings that do not pick a cluster, credentials plugins need', () => {
    expect(buildChildEnv(CALLER_ENV, ['/etc/kube/a.yaml', '/etc/kube/b.yaml'])).toEqual({
      PATH: CALLER_ENV.PATH,
      HOME: '/home/alice',
      KUBECONFIG: '/etc/kube/a.yaml:/etc/kube/b.yaml',
      HELM_CACHE_HOME: '/home/alice/.cache/helm',
      HELM_REGISTRY_CONFIG: '/home/alice/.config/helm/registry.json',
      AWS_PROFILE: 'prod',
      https_proxy: 'http://proxy:3128',
      ...KEPT_SETTINGS,
    });
  });

  it('in a pod without kubeconfig files passes the in-cluster API address instead', () => {
    const env = buildChildEnv({ PATH: '/bin', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: '/x' }, []);
    expect(env).toEqual({ PATH: '/bin', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
  });

  it('is exactly what the subprocess sees, with the context passed as a flag', async () => {
    const r = await runner().run({ tool: 'helm', args: ['status', 'istiod', '-n', 'istio-system'], timeoutMs: 10_000, signal: never });
    expect(r).toEqual({ ok: true, stdout: 'done status' });
    const call = readCall('status');
    expect(call.args).toBe('status istiod -n istio-system --kube-context prod-eu');
    const shellAdded = new Set(['PWD', 'SHLVL', '_', 'OLDPWD']);
    const seen = Object.fromEntries(Object.entries(call.env).filter(([k]) => !shellAdded.has(k)));
    expect(seen).toEqual(buildChildEnv(CALLER_ENV, ['/etc/kube/a.yaml', '/etc/kube/b.yaml']));
  });
});

describe('flags a plan may not carry', () => {
  it.each([
    [['upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--post-renderer', '/tmp/evil.sh'], '--post-renderer'],
    [['upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--post-renderer=/tmp/evil.sh'], '--post-renderer'],
    [['upgrade', 'istio-base', 'istio/base', '-n', 'istio-system', '--kube-context', 'other'], '--kube-context'],
    [['rollback', '--kube-apiserver=https://127.0.0.1:9', '2', '-n', 'istio-system'], '--kube-apiserver'],
    [['uninstall', 'istiod', '--kubeconfig', '/tmp/other'], '--kubeconfig'],
  ])('%j is refused without running helm', async (args, flag) => {
    const r = await runner({ paths: { helm: '/nonexistent/helm-must-not-run' } }).run({ tool: 'helm', args, timeoutMs: 10_000, signal: never });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toContain(`carries ${flag}`);
    expect(r.ok ? '' : r.reason).toBe('failed');
  });

  it('our context is always the last word', () => {
    expect(runner().display('helm', ['status', 'istiod'])).toEqual(['helm', 'status', 'istiod', '--kube-context', 'prod-eu']);
  });
});

describe('values placeholder', () => {
  it('becomes a 0600 temp file holding helm get values, deleted afterwards, and the values are never logged', async () => {
    const log: string[] = [];
    const r = await runner().run({
      tool: 'helm',
      args: ['upgrade', 'istiod', 'istio/istiod', '-n', 'istio-system', '--version', '1.24.6', '--values', '<values-of:istio-system/istiod>'],
      valuesFrom: { release: 'istiod', namespace: 'istio-system' },
      timeoutMs: 10_000,
      signal: never,
      log: (t) => log.push(t),
    });
    expect(r.ok).toBe(true);
    expect(readCall('get').args).toBe('get values istiod -n istio-system -o yaml --kube-context prod-eu');
    const up = readCall('upgrade');
    expect(up.values!.mode).toBe('600');
    expect(up.values!.text).toBe('pilot:\n  env:\n    TOKEN: s3cr3t');
    expect(up.args).toBe(`upgrade istiod istio/istiod -n istio-system --version 1.24.6 --values ${up.values!.file} --kube-context prod-eu`);
    expect(existsSync(up.values!.file)).toBe(false);
    expect(log.join('')).toContain('$ helm upgrade istiod');
    expect(log.join('')).not.toContain('s3cr3t');
  });

  it('with a scratch directory: values files live there, and what a killed run left behind is removed first', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'runner-scratch-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(scratch, `istio-upgrade-values-${dead}-left`));
    writeFileSync(join(scratch, `istio-upgrade-values-${dead}-left`, 'istio-system-istiod.yaml'), 'TOKEN: s3cr3t\n');
    const r = await runner({ scratchDir: scratch }).run({
      tool: 'helm',
      args: ['upgrade', 'istiod', 'istio/istiod', '-n', 'istio-system', '--version', '1.24.6', '--values', '<values-of:istio-system/istiod>'],
      valuesFrom: { release: 'istiod', namespace: 'istio-system' },
      timeoutMs: 10_000,
      signal: never,
    });
    expect(r.ok).toBe(true);
    expect(readCall('upgrade').values!.file.startsWith(join(scratch, `istio-upgrade-values-${process.pid}-`))).toBe(true);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('failures', () => {
  it('ENOENT becomes "helm not found on PATH (or pass --helm)"', async () => {
    const r = await runner({ callerEnv: { ...CALLER_ENV, PATH: '/usr/bin:/bin' } }).run({ tool: 'helm', args: ['version'], timeoutMs: 10_000, signal: never });
    expect(r).toEqual({ ok: false, reason: 'not-found', message: 'helm not found on PATH (or pass --helm)' });
    const explicit = await runner({ paths: { helm: join(root, 'no', 'helm') } }).run({ tool: 'helm', args: ['version'], timeoutMs: 10_000, signal: never });
    expect(explicit).toMatchObject({ reason: 'not-found', message: `helm not found at ${join(root, 'no', 'helm')}` });
  });

  it('a non-zero exit reports the last line of stderr', async () => {
    const r = await runner().run({ tool: 'helm', args: ['fail'], timeoutMs: 10_000, signal: never });
    expect(r).toEqual({
      ok: false,
      reason: 'failed',
      message: 'helm fail exited with 1: Error: UPGRADE FAILED: another operation is in progress',
      output: 'Error: UPGRADE FAILED: another operation is in progress',
      exitCode: 1,
      stdout: '',
    });
  });

  it('a hung command is killed at its timeout', async () => {
    const started = Date.now();
    const r = await runner().run({ tool: 'helm', args: ['sleep'], timeoutMs: 300, signal: never });
    expect(r).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an abort (Ctrl-C) cancels the child', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGINT')), 200);
    const started = Date.now();
    const r = await runner().run({ tool: 'helm', args: ['sleep'], timeoutMs: 60_000, signal: ac.signal });
    expect(r).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not hang on a descendant that keeps the output open after the child was stopped', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('SIGTERM')), 200);
    const started = Date.now();
    const log: string[] = [];
    const r = await runner().run({ tool: 'helm', args: ['orphan'], timeoutMs: 60_000, signal: ac.signal, log: (t) => log.push(t) });
    expect(r).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(log.join('')).toContain('stopped waiting');
  });

  it('knows which tools exist', async () => {
    expect(await runner().available('helm')).toBe(true);
    expect(await runner().available('istioctl')).toBe(false);
    expect(runner({ paths: { istioctl: '/opt/istio/bin/istioctl' } }).display('istioctl', ['x', 'precheck'])).toEqual(['/opt/istio/bin/istioctl', 'x', 'precheck', '--context', 'prod-eu']);
  });
});
