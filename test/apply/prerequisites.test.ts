import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planPermissions, rbacRule, type AccessNeed, type Permission } from '../../src/apply/permissions.js';
import { checkPrerequisites, helmSupport, type PrerequisiteNeeds } from '../../src/apply/prerequisites.js';
import { clientVersionOf } from '../../src/apply/client-versions.js';
import type { RunOutcome, Runner, RunRequest } from '../../src/apply/ports.js';
import { ExecaRunner } from '../../src/apply/subprocess.js';
import { parseIstioctlPaths, toolPathsFrom } from '../../src/apply/tool-paths.js';
import { defaultChartSource, type ChartSource } from '../../src/plans/chart-source.js';

const ns = 'istio-system';
const blob = defaultChartSource();

/** A scripted helm/istioctl: answers by the first matching rule, records every call (tool, minor, argv). */
function scripted(answer: (r: RunRequest) => RunOutcome | undefined): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = {
    available: async () => true,
    helmValues: async () => '',
    display: (t, a) => [t, ...a],
    run: async (r) => {
      calls.push(`${r.tool}${r.istioMinor ? `@${r.istioMinor}` : ''} ${r.args.join(' ')}`);
      return answer(r) ?? { ok: true, stdout: '[]' };
    },
  };
  return { runner, calls };
}

const showChart = (r: RunRequest): RunOutcome | undefined =>
  r.args[0] === 'show' ? { ok: true, stdout: `apiVersion: v2\nname: ${r.args[2]}\nversion: ${r.args.at(-1)}\n` } : undefined;
const helmVersion = (v: string) => (r: RunRequest): RunOutcome | undefined => (r.tool === 'helm' && r.args[0] === 'version' ? { ok: true, stdout: v } : undefined);
const istioctl = (v: string) => (r: RunRequest): RunOutcome | undefined => (r.tool === 'istioctl' ? { ok: true, stdout: JSON.stringify({ clientVersion: { version: v, revision: 'x' } }) } : undefined);
const first = (...fs: ((r: RunRequest) => RunOutcome | undefined)[]) => (r: RunRequest) => fs.reduce<RunOutcome | undefined>((a, f) => a ?? f(r), undefined);

/** What the ambient 1.23 → 1.24 plan needs, as its typed operations say. */
function ambientNeeds(source: ChartSource = blob): PrerequisiteNeeds {
  const charts = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'].map((chart) => ({ chart, version: '1.24.6', source }));
  const access: AccessNeed[] = [
    { via: 'api', action: { type: 'label-crds', crds: ['gateways.networking.istio.io'], labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: {} } },
    { via: 'helm', operation: 'upgrade', namespace: ns, chart: 'base' },
    { via: 'helm', operation: 'install', namespace: ns, chart: 'istiod' },
    { via: 'helm', operation: 'uninstall', namespace: ns },
    { via: 'helm', operation: 'upgrade', namespace: ns, chart: 'cni' },
    { via: 'helm', operation: 'upgrade', namespace: 'istio-ingress', chart: 'gateway' },
    { via: 'api', action: { type: 'rollout-restart', workloads: [{ kind: 'Deployment', namespace: 'bookinfo', name: 'reviews' }] } },
  ];
  return { helm: true, charts, istioctl: [{ version: '1.24.6', required: false }], access, istioNamespace: ns, clientSideReleases: [] };
}

const deps = (runner: Runner, reviewAccess?: (p: Permission) => Promise<boolean>) => ({ runner, signal: new AbortController().signal, timeoutMs: 5_000, ...(reviewAccess ? { reviewAccess } : {}) });

describe('prerequisites: typed needs in, one problem per unmet need naming its fix', () => {
  test('supported helm: 3.8+ and every 4.x', () => {
    expect(['v3.7.2', 'v3.8.0', 'v3.17.3', 'v4.2.4', 'v4.3.2', 'v5.0.0', 'garbage'].map((v) => helmSupport(v).ok)).toEqual([false, true, true, true, true, false, false]);
    expect(clientVersionOf('istioctl', '{"clientVersion":{"version":"1.24.6"}}')).toBe('1.24.6');
    expect(clientVersionOf('istioctl', '1.22.8\n')).toBe('1.22.8');
  });

  test('all met: helm version recorded, each chart version shown once from its source, istioctl of the hop minor, nothing else run', async () => {
    const needs = ambientNeeds();
    needs.charts.push({ ...needs.charts[0]! });
    const { runner, calls } = scripted(first(helmVersion('v4.2.4'), showChart, istioctl('1.24.6')));
    const r = await checkPrerequisites(needs, deps(runner, async () => true));
    expect(r).toEqual({ problems: [], tools: ['helm v4.2.4 (Helm 4)', 'istioctl 1.24.6'] });
    expect(calls.filter((c) => c.startsWith('helm show chart'))).toEqual(
      ['base', 'istiod', 'cni', 'ztunnel', 'gateway'].map((c) => `helm show chart ${c} --repo https://blob.istio.io/istio-release/charts --version 1.24.6`),
    );
    expect(calls).toContain('istioctl@1.24 version --remote=false -o json');
    // only reads: version, show, list, repo list; never install/upgrade/rollback/uninstall
    expect(calls.every((c) => /^(helm (version|show|list)|istioctl@1\.24 version)/.test(c))).toBe(true);
  });

  test('an unsupported helm, a denied permission: each named with its fix; no chart is fetched with a helm that is refused', async () => {
    const { runner, calls } = scripted(first(helmVersion('v3.6.0'), (r) => (r.tool === 'istioctl' ? { ok: false, reason: 'not-found', message: 'istioctl not found on PATH (or pass --istioctl)' } : undefined)));
    const denied = (p: Permission) => p.verb === 'patch' && p.resource === 'customresourcedefinitions';
    const r = await checkPrerequisites(ambientNeeds(), deps(runner, async (p) => !denied(p)));
    expect(r.tools).toEqual(['helm v3.6.0 (Helm 3)']);
    expect(r.problems).toEqual([
      'helm v3.6.0 is not supported: use Helm 3.8 or newer, or Helm 4 (https://helm.sh/docs/intro/install/)',
      'not allowed to patch customresourcedefinitions.apiextensions.k8s.io (cluster-wide): grant ClusterRole: {apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["patch"]}',
    ]);
    // istioctl absent is no problem when only the optional precheck needs it
    expect(calls.some((c) => c.startsWith('helm show'))).toBe(false);
  });

  test('a plan that has Helm 4 apply releases client-side (--server-side=false) is refused with Helm 3, which has no such flag, and runs with Helm 4', async () => {
    const needs = { ...ambientNeeds(), clientSideReleases: ['istio-system/istio-base', 'istio-system/ztunnel'] };
    const helm3 = scripted(first(helmVersion('v3.17.3'), showChart, istioctl('1.24.6')));
    const r3 = await checkPrerequisites(needs, deps(helm3.runner, async () => true));
    expect(r3.problems).toEqual([
      'helm v3.17.3 cannot run this plan: Helm 4 installed istio-system/istio-base, istio-system/ztunnel server-side, so the plan upgrades and rolls them back with --server-side=false, a Helm 4 flag; run it with Helm 4 (https://helm.sh/docs/intro/install/)',
    ]);
    expect(helm3.calls.some((c) => c.startsWith('helm show'))).toBe(false);
    const helm4 = scripted(first(helmVersion('v4.3.2'), showChart, istioctl('1.24.6')));
    expect((await checkPrerequisites(needs, deps(helm4.runner, async () => true))).problems).toEqual([]);
    // without such releases Helm 3 is fine
    expect((await checkPrerequisites(ambientNeeds(), deps(helm3.runner, async () => true))).problems).toEqual([]);
  });

  test('a mirror lacking the version and a local chart of another version are both named', async () => {
    const mirror: ChartSource = { kind: 'repo', url: 'https://charts.example.internal/istio' };
    const needs = ambientNeeds(mirror);
    needs.charts.push({ chart: 'istiod', version: '1.24.6', source: { kind: 'local', dir: './charts', entries: ['istiod'] } });
    const { runner } = scripted(
      first(helmVersion('v3.17.3'), istioctl('1.24.6'), (r) =>
        r.args[0] === 'show' && r.args[2] === 'cni' ? { ok: false, reason: 'failed', message: 'helm show exited with 1: Error: chart "cni" version "1.24.6" not found in https://charts.example.internal/istio repository' } : undefined,
      (r) => (r.args[0] === 'show' && r.args[2] === './charts/istiod' ? { ok: true, stdout: 'name: istiod\nversion: 1.23.2\n' } : undefined), showChart),
    );
    const r = await checkPrerequisites(needs, deps(runner));
    expect(r.problems).toEqual([
      'chart cni 1.24.6 does not resolve from cni --repo https://charts.example.internal/istio: helm show exited with 1: Error: chart "cni" version "1.24.6" not found in https://charts.example.internal/istio repository',
      'chart istiod at ./charts/istiod is version 1.23.2, the plan needs 1.24.6 (Helm ignores --version for local charts: put that version there)',
    ]);
  });

  test('an alias: missing, or pointing at the retired bucket, is a problem and its charts are not fetched', async () => {
    for (const [repos, want] of [
      ['[]', /^the plan's charts come from the Helm repository alias "istio", which is not configured on this machine: helm repo add istio <url>/],
      ['[{"name":"istio","url":"https://istio-release.storage.googleapis.com/charts"}]', /^the Helm repository alias "istio" points at https:\/\/istio-release\.storage\.googleapis\.com\/charts, where Istio no longer publishes: helm repo add istio https:\/\/blob\.istio\.io\/istio-release\/charts --force-update/],
    ] as const) {
      const { runner, calls } = scripted(first(helmVersion('v3.17.3'), istioctl('1.24.6'), (r) => (r.args[0] === 'repo' ? { ok: true, stdout: repos } : undefined), showChart));
      const r = await checkPrerequisites(ambientNeeds({ kind: 'alias', name: 'istio' }), deps(runner));
      expect(r.problems).toEqual([expect.stringMatching(want)]);
      expect(calls.some((c) => c.startsWith('helm show'))).toBe(false);
    }
    const { runner } = scripted(first(helmVersion('v3.17.3'), istioctl('1.24.6'), (r) => (r.args[0] === 'repo' ? { ok: true, stdout: '[{"name":"istio","url":"https://blob.istio.io/istio-release/charts"}]' } : undefined), showChart));
    expect((await checkPrerequisites(ambientNeeds({ kind: 'alias', name: 'istio' }), deps(runner))).problems).toEqual([]);
  });

  test('(e) the wrong istioctl minor for an istioctl install is blocked with the download hint; a multi-hop plan asks each minor its own binary', async () => {
    const needs: PrerequisiteNeeds = { helm: false, charts: [], istioctl: [{ version: '1.24.6', required: true }], access: [], istioNamespace: ns, clientSideReleases: [] };
    let s = scripted(istioctl('1.23.6'));
    let r = await checkPrerequisites(needs, deps(s.runner));
    expect(r.problems).toEqual([
      'istioctl 1.23.6 cannot run the 1.24 steps: they need istioctl 1.24.x; download it (curl -sL https://istio.io/downloadIstio | ISTIO_VERSION=1.24.6 sh -) and pass --istioctl 1.24=<path to its bin/istioctl>',
    ]);
    // only the optional precheck needs it: a client of another minor is noted, not refused
    s = scripted(istioctl('1.23.6'));
    r = await checkPrerequisites({ ...needs, istioctl: [{ version: '1.24.6', required: false }] }, deps(s.runner));
    expect(r).toEqual({ problems: [], tools: ['istioctl 1.23.6, not 1.24.x: its optional checks answer for its own minor'] });
    // a required istioctl that is absent is a problem too
    s = scripted(() => ({ ok: false, reason: 'not-found', message: 'istioctl not found on PATH (or pass --istioctl)' }));
    r = await checkPrerequisites(needs, deps(s.runner));
    expect(r.problems).toEqual([expect.stringMatching(/^istioctl not found on PATH \(or pass --istioctl\): the 1\.24 steps need istioctl 1\.24\.x; download it/)]);
    // two hops: 1.24 and 1.25, each minor answered by its own binary
    const multi: PrerequisiteNeeds = { ...needs, istioctl: [{ version: '1.24.6', required: true }, { version: '1.25.2', required: true }] };
    s = scripted((q) => (q.tool === 'istioctl' && q.args.includes('--remote=false') ? { ok: true, stdout: JSON.stringify({ clientVersion: { version: q.istioMinor === '1.24' ? '1.24.6' : '1.25.2' } }) } : undefined));
    r = await checkPrerequisites(multi, deps(s.runner));
    expect(r).toEqual({ problems: [], tools: ['istioctl 1.24.6 (for 1.24)', 'istioctl 1.25.2 (for 1.25)'] });
    expect(s.calls.filter((c) => c.includes('--remote=false'))).toEqual(['istioctl@1.24 version --remote=false -o json', 'istioctl@1.25 version --remote=false -o json']);
  });

  test('helm and istioctl that cannot reach the cluster with the same credentials are named', async () => {
    const { runner } = scripted(
      first(helmVersion('v3.17.3'), showChart, (r) =>
        r.tool === 'helm' && r.args[0] === 'list' ? { ok: false, reason: 'failed', message: 'helm list exited with 1: Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials' } : undefined,
      (r) => (r.tool === 'istioctl' && !r.args.includes('--remote=false') ? { ok: false, reason: 'failed', message: 'istioctl version exited with 1: Error: unauthorized' } : undefined), istioctl('1.24.6')),
    );
    const r = await checkPrerequisites(ambientNeeds(), deps(runner));
    expect(r.problems).toEqual([
      'helm cannot read the releases in istio-system with the same credentials: helm list exited with 1: Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials',
      'istioctl cannot reach the cluster with the same credentials: istioctl version exited with 1: Error: unauthorized',
    ]);
  });

  test('Gateway API manifests: each fetched once and checked, before any change; its digest and bytes reported; unreachable or foreign ones are problems', async () => {
    const crd = (v: string) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: grpcroutes.gateway.networking.k8s.io\n  annotations:\n    gateway.networking.k8s.io/bundle-version: v${v}\n    gateway.networking.k8s.io/channel: standard\nspec: {}\n`;
    const served = new Map([
      ['https://mirror.example/v1.2.1/standard-install.yaml', crd('1.2.1')],
      ['https://mirror.example/v1.3.0/standard-install.yaml', crd('1.2.1')],
    ]);
    const fetched: string[] = [];
    const fetchManifest = async (url: string) => (fetched.push(url), served.get(url) ?? Promise.reject(new Error(`GET ${url}: HTTP 404`)));
    const need = (v: string) => ({ url: `https://mirror.example/v${v}/standard-install.yaml`, version: v, channel: 'standard' as const });
    const { runner } = scripted(first(helmVersion('v3.17.3'), showChart, istioctl('1.24.6')));
    const ok = await checkPrerequisites({ ...ambientNeeds(), bundles: [need('1.2.1'), need('1.2.1')] }, { ...deps(runner), fetchManifest });
    expect(ok.problems).toEqual([]);
    expect(ok.bundles).toEqual([{ ...need('1.2.1'), sha256: `sha256:${createHash('sha256').update(crd('1.2.1')).digest('hex')}`, text: crd('1.2.1') }]);
    expect(fetched).toEqual([need('1.2.1').url]);

    const bad = await checkPrerequisites({ ...ambientNeeds(), bundles: [need('1.3.0'), need('1.4.0')] }, { ...deps(runner), fetchManifest });
    expect(bad.problems).toEqual([
      'https://mirror.example/v1.3.0/standard-install.yaml is not the Gateway API v1.3.0 standard bundle: CustomResourceDefinition grpcroutes.gateway.networking.k8s.io is bundle v1.2.1, not v1.3.0',
      'the Gateway API v1.4.0 standard manifest cannot be fetched: GET https://mirror.example/v1.4.0/standard-install.yaml: HTTP 404',
    ]);
    expect(bad.bundles).toBeUndefined();
  });
});

describe('permissions of a plan', () => {
  test('one per (verb, group, resource, namespace): the lock and run records, API actions, helm storage and what each chart renders', () => {
    const perms = planPermissions(ambientNeeds().access, ns);
    const keys = perms.map((p) => `${p.namespace ?? ''}|${p.group}|${p.resource}|${p.verb}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
    expect(perms).toContainEqual({ verb: 'patch', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' });
    expect(perms).toContainEqual({ verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: ns });
    expect(perms).toContainEqual({ verb: 'patch', group: 'apps', resource: 'daemonsets', namespace: ns });
    expect(perms).toContainEqual({ verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'bookinfo' });
    expect(perms).toContainEqual({ verb: 'create', group: '', resource: 'secrets', namespace: 'istio-ingress' });
    expect(perms).not.toContainEqual(expect.objectContaining({ resource: 'daemonsets', namespace: 'istio-ingress' }));
    expect(rbacRule({ verb: 'patch', group: 'apps', resource: 'daemonsets', namespace: ns })).toBe('Role in namespace istio-system: {apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["patch"]}');
  });
});

describe('--istioctl [MINOR=]PATH', () => {
  test('a bare path for every minor, MINOR=PATH per minor', () => {
    expect(parseIstioctlPaths(['/usr/local/bin/istioctl', '1.24=/opt/istio-1.24.6/bin/istioctl', '1.25=/opt/istio-1.25.2/bin/istioctl'])).toEqual({
      istioctl: '/usr/local/bin/istioctl',
      istioctlByMinor: { '1.24': '/opt/istio-1.24.6/bin/istioctl', '1.25': '/opt/istio-1.25.2/bin/istioctl' },
    });
    expect(toolPathsFrom({ helm: '/opt/helm', istioctl: ['./bin/a=b'] })).toEqual({ helm: '/opt/helm', istioctl: './bin/a=b' });
    expect(toolPathsFrom({})).toEqual({});
  });

  test.each([
    [['1.24.6=/opt/istioctl'], '--istioctl "1.24.6=/opt/istioctl": name the minor (1.24), not a version: one istioctl serves every patch of its minor'],
    [['1.24=/a', '1.24=/b'], '--istioctl names two binaries for 1.24 ("/a" and "/b")'],
    [['/a', '/b'], '--istioctl is given two binaries for every minor ("/a" and "/b"): name the minor of each, e.g. --istioctl 1.24=/b'],
    [['1.24='], '--istioctl "1.24=" names no binary: give a path, e.g. --istioctl 1.24=/opt/istio-1.24.6/bin/istioctl'],
    [['latest=/a'], '--istioctl "latest=/a": "latest" is not an Istio minor such as 1.24'],
    [['1.24=--post-renderer'], '--istioctl "1.24=--post-renderer" is not a path to a binary'],
  ])('%j is refused with one line', (values, message) => {
    expect(() => parseIstioctlPaths(values)).toThrow(message);
  });

  test('the runner starts the binary named for the command’s minor, else the bare one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iu-istioctl-'));
    for (const v of ['1.24.6', '1.25.2', '1.23.1']) {
      writeFileSync(join(dir, `istioctl-${v}`), `#!/bin/sh\necho '{"clientVersion":{"version":"${v}"}}'\n`);
      chmodSync(join(dir, `istioctl-${v}`), 0o755);
    }
    const runner = new ExecaRunner({
      paths: { istioctl: join(dir, 'istioctl-1.23.1'), istioctlByMinor: { '1.24': join(dir, 'istioctl-1.24.6'), '1.25': join(dir, 'istioctl-1.25.2') } },
      context: 'c',
      kubeconfigFiles: [],
      callerEnv: { PATH: '/usr/bin:/bin' },
    });
    const version = async (istioMinor?: string) => {
      const r = await runner.run({ tool: 'istioctl', args: ['version', '--remote=false', '-o', 'json'], timeoutMs: 10_000, signal: new AbortController().signal, ...(istioMinor ? { istioMinor } : {}) });
      return r.ok ? clientVersionOf('istioctl', r.stdout) : r.message;
    };
    expect([await version('1.24'), await version('1.25'), await version('1.26'), await version()]).toEqual(['1.24.6', '1.25.2', '1.23.1', '1.23.1']);
    expect(await runner.available('istioctl', '1.25')).toBe(true);
  });
});
