/** The fake helm's chart locations (repositories file, --repo, oci://, local charts), `helm show chart`, `helm repo`. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import { CURRENT_HTTP_REPO, CURRENT_OCI_REPO, ensureFakeBinBuilt, latestReleases, RETIRED_HTTP_REPO, writeLocalChart } from '../fakebin/index.js';
import { writeRepositories } from '../fakebin/src/repos.js';
import { helmReleaseSecret, istioChart } from '../support/istio-render/index.js';
import { test } from './fixtures.js';

beforeAll(ensureFakeBinBuilt);

const ns = 'istio-system';

describe.concurrent('fake helm: where charts come from', () => {
  test('alias/chart needs the alias in the repositories file under the helm config home', async ({ ambient: h, expect }) => {
    rmSync(join(h.dir, '.config'), { recursive: true, force: true });
    let r = await h.helm(['upgrade', 'istio-base', 'istio/base', '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('Error: UPGRADE FAILED: repo istio not found');
    expect(latestReleases(h.server, ns).get(`${ns}/istio-base`)!.revision).toBe(1);
    // XDG_CONFIG_HOME moves the config home, as in Helm's helmpath.
    const xdg = join(h.dir, 'xdg');
    writeRepositories(join(xdg, 'helm', 'repositories.yaml'), [{ name: 'istio', url: CURRENT_HTTP_REPO }]);
    r = await h.helm(['show', 'chart', 'istio/base', '--version', '1.24.6'], { env: { XDG_CONFIG_HOME: xdg } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name: base$/m);
    expect(r.stdout).toMatch(/^version: 1\.24\.6$/m);
  });

  test('--repo URL and oci:// work without any repositories file; unreachable locations fail as Helm words it', async ({ ambient: h, expect }) => {
    rmSync(join(h.dir, '.config'), { recursive: true, force: true });
    let r = await h.helm(['show', 'chart', '--repo', CURRENT_HTTP_REPO, 'istiod', '--version', '1.31.1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^version: 1\.31\.1$/m);
    r = await h.helm(['show', 'chart', `${CURRENT_OCI_REPO}/ztunnel`, '--version', '1.24.6']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name: ztunnel$/m);
    r = await h.helm(['show', 'chart', '--repo', 'https://charts.example.invalid/istio', 'base', '--version', '1.24.6']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('looks like "https://charts.example.invalid/istio" is not a valid chart repository or cannot be reached');
    r = await h.helm(['show', 'chart', 'oci://registry.example.invalid/charts/base', '--version', '1.24.6']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('dial tcp: lookup registry.example.invalid: no such host');
    // the retired bucket never got 1.31
    r = await h.helm(['show', 'chart', '--repo', RETIRED_HTTP_REPO, 'base', '--version', '1.31.1']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(`Error: chart "base" version "1.31.1" not found in ${RETIRED_HTTP_REPO} repository`);
    r = await h.helm(['upgrade', 'istio-cni', 'cni', '--repo', CURRENT_HTTP_REPO, '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/istio-cni`)!.chart.version).toBe('1.24.6');
  });

  test('a mirror serves only the versions FAKE_HELM_REPOS lists; the install fails before any change', async ({ ambient: h, expect }) => {
    const mirror = 'https://mirror.corp.example/istio';
    const env = { FAKE_HELM_REPOS: JSON.stringify({ [mirror]: { versions: ['1.23.6'] } }) };
    let r = await h.helm(['show', 'chart', '--repo', mirror, 'istiod', '--version', '1.23.6'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    r = await h.helm(['install', 'istiod-1-24-6', 'istiod', '--repo', mirror, '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6'], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(`Error: INSTALLATION FAILED: chart "istiod" version "1.24.6" not found in ${mirror} repository`);
    expect(latestReleases(h.server, ns).has(`${ns}/istiod-1-24-6`)).toBe(false);
  });

  test('local charts: a packaged .tgz or an unpacked directory; the version is the Chart.yaml one (--version is ignored)', async ({ ambient: h, expect }) => {
    const dir = join(h.dir, 'charts');
    const tgz = writeLocalChart(dir, 'cni', '1.24.6');
    const unpacked = writeLocalChart(dir, 'ztunnel', '1.24.6', 'unpacked');
    let r = await h.helm(['show', 'chart', tgz]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^version: 1\.24\.6$/m);
    r = await h.helm(['upgrade', 'istio-cni', tgz, '-n', ns, '--version', '9.9.9', '--set', 'profile=ambient', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    r = await h.helm(['upgrade', 'ztunnel', unpacked, '-n', ns, '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    const rel = latestReleases(h.server, ns);
    expect(rel.get(`${ns}/istio-cni`)!.chart.version).toBe('1.24.6');
    expect(rel.get(`${ns}/ztunnel`)!.chart.version).toBe('1.24.6');
    r = await h.helm(['show', 'chart', join(dir, 'base-1.24.6.tgz')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(`Error: path "${join(dir, 'base-1.24.6.tgz')}" not found`);
  });

  test('repo add checks the URL and writes the file; list and remove read it', async ({ empty: h, expect }) => {
    rmSync(join(h.dir, '.config'), { recursive: true, force: true });
    let r = await h.helm(['repo', 'list']);
    expect(r.stderr.trim()).toBe('Error: no repositories to show');
    r = await h.helm(['repo', 'add', 'istio', 'https://nowhere.example.invalid/charts']);
    expect(r.exitCode).toBe(1);
    r = await h.helm(['repo', 'add', 'istio', RETIRED_HTTP_REPO]);
    expect(r.exitCode, r.stderr).toBe(0);
    r = await h.helm(['repo', 'list', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([{ name: 'istio', url: RETIRED_HTTP_REPO }]);
    r = await h.helm(['repo', 'remove', 'istio']);
    expect(r.exitCode, r.stderr).toBe(0);
    r = await h.helm(['repo', 'list', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});

describe.concurrent('fake helm: Helm 3 and Helm 4 flags (FAKE_HELM_VERSION)', () => {
  const helm4 = { FAKE_HELM_VERSION: 'v4.2.4' };

  test('version output per major', async ({ empty: h, expect }) => {
    expect((await h.helm(['version'])).stdout).toMatch(/^version\.BuildInfo\{Version:"v3\.17\.3", GitCommit:"[0-9a-f]{40}", GitTreeState:"clean", GoVersion:"go[\d.]+"\}$/m);
    const v4 = await h.helm(['version'], { env: helm4 });
    expect(v4.stdout).toMatch(/^version\.BuildInfo\{Version:"v4\.2\.4", GitCommit:"[0-9a-f]{40}", GitTreeState:"clean", GoVersion:"go[\d.]+", KubeClientVersion:"v1\.\d+"\}$/m);
    expect((await h.helm(['version', '--template', '{{.Version}}'], { env: helm4 })).stdout).toBe('v4.2.4');
  });

  test('Helm 3 rejects the Helm 4 names; Helm 4 takes them, and --wait alone on both', async ({ ambient: h, expect }) => {
    const up = ['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--set', 'profile=ambient'];
    let r = await h.helm([...up, '--wait=watcher']);
    expect(r.stderr).toContain('invalid argument "watcher" for "--wait" flag');
    r = await h.helm([...up, '--rollback-on-failure']);
    expect(r.stderr).toContain('unknown flag: --rollback-on-failure');
    r = await h.helm([...up, '--server-side=auto']);
    expect(r.stderr).toContain('unknown flag: --server-side');
    r = await h.helm([...up, '--wait=sometimes'], { env: helm4 });
    expect(r.stderr).toContain('invalid wait input "sometimes". Valid inputs are watcher, hookOnly, and legacy');
    r = await h.helm([...up, '--force-replace', '--force-conflicts'], { env: helm4 });
    expect(r.stderr).toContain('if any flags in the group [force-conflicts force-replace] are set none of the others can be');
    r = await h.helm([...up, '--force', '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Flag --force has been deprecated, use --force-replace instead');
    r = await h.helm([...up, '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('Helm 4 dropped list --all/-a, status --show-desc/--show-resources, --recreate-pods and repo add --no-update; its list shows every state by default', async ({ ambient: h, expect }) => {
    for (const [argv, unknown] of [
      [['list', '-a', '-n', ns], "unknown shorthand flag: 'a' in -a"],
      [['list', '--all', '-n', ns], 'unknown flag: --all'],
      [['status', 'istio-cni', '-n', ns, '--show-desc'], 'unknown flag: --show-desc'],
      [['rollback', 'istio-cni', '1', '-n', ns, '--recreate-pods'], 'unknown flag: --recreate-pods'],
      [['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--recreate-pods'], 'unknown flag: --recreate-pods'],
      [['repo', 'add', 'x', 'https://blob.istio.io/istio-release/charts', '--no-update'], 'unknown flag: --no-update'],
    ] as const) {
      const r4 = await h.helm([...argv], { env: helm4 });
      expect(r4.exitCode, argv.join(' ')).toBe(1);
      expect(r4.stderr).toContain(unknown);
      // Helm 3 still has them (no unknown-flag error, whatever the command then does)
      expect((await h.helm([...argv])).stderr).not.toContain('unknown');
    }
    // a release whose latest revision (after the calls above) is pending: Helm 3's default list (deployed, failed) hides it, Helm 4's shows it
    h.server.load([
      helmReleaseSecret({ name: 'istio-cni', namespace: ns, revision: 9, status: 'pending-upgrade', chart: istioChart('cni', '1.24.6'), values: { profile: 'ambient' }, firstDeployed: '2025-03-01T10:00:00Z', lastDeployed: '2025-03-02T10:00:00Z' }) as never,
    ]);
    const listed = async (env?: Record<string, string>) => (JSON.parse((await h.helm(['list', '-n', ns, '-o', 'json'], env ? { env } : {})).stdout) as { name: string; status: string }[]).filter((e) => e.name === 'istio-cni').map((e) => e.status);
    expect(await listed()).toEqual([]);
    expect(await listed(helm4)).toEqual(['pending-upgrade']);
  });

  test('Helm 4 records apply_method: install ssa by default, upgrade inherits (auto), Helm 3 records none', async ({ ambient: h, expect }) => {
    let r = await h.helm(['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--set', 'profile=ambient', '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    // the release was installed by Helm 3 (no apply_method = client-side): auto keeps client-side apply
    expect(latestReleases(h.server, ns).get(`${ns}/istio-cni`)!.applyMethod).toBe('csa');
    // 1.28+ charts: no conflict with istiod over failurePolicy (see the next test)
    r = await h.helm(['install', 'istiod-1-28-1', 'istio/istiod', '-n', ns, '--version', '1.28.1', '--set', 'revision=1-28-1', '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/istiod-1-28-1`)!.applyMethod).toBe('ssa');
    r = await h.helm(['upgrade', 'istiod-1-28-1', 'istio/istiod', '-n', ns, '--version', '1.28.1', '--set', 'revision=1-28-1', '--wait'], { env: helm4 });
    expect(latestReleases(h.server, ns).get(`${ns}/istiod-1-28-1`)!.applyMethod).toBe('ssa');
    r = await h.helm(['upgrade', 'istiod-1-28-1', 'istio/istiod', '-n', ns, '--version', '1.28.1', '--set', 'revision=1-28-1', '--server-side=false'], { env: helm4 });
    expect(latestReleases(h.server, ns).get(`${ns}/istiod-1-28-1`)!.applyMethod).toBe('csa');
    r = await h.helm(['rollback', 'istiod-1-28-1', '2', '-n', ns, '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/istiod-1-28-1`)!.applyMethod).toBe('ssa');
    r = await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/ztunnel`)!.applyMethod).toBeUndefined();
  });

  test('Helm 4 server-side apply of a pre-1.28 chart conflicts with istiod over failurePolicy of its validating webhooks; client-side does not', async ({ ambient: h, expect }) => {
    const rel = 'istiod-1-24-6';
    let r = await h.helm(['install', rel, 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6', '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    // once istiod serves it owns failurePolicy: the next server-side apply (auto = the record's ssa) conflicts
    r = await h.helm(['upgrade', rel, 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6', '--wait'], { env: helm4 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error: UPGRADE FAILED: conflict occurred while applying object /istio-validator-1-24-6-istio-system admissionregistration.k8s.io/v1, Kind=ValidatingWebhookConfiguration: Apply failed with 1 conflict: conflict with "pilot-discovery" using admissionregistration.k8s.io/v1: .webhooks[name="rev.validation.istio.io"].failurePolicy',
    );
    expect(latestReleases(h.server, ns).get(`${ns}/${rel}`)!.status).toBe('failed');
    r = await h.helm(['upgrade', rel, 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6', '--server-side=false', '--wait'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    // rolling back to the ssa revision applies it server-side again (auto = the target's method) and conflicts
    r = await h.helm(['rollback', rel, '1', '-n', ns, '--wait'], { env: helm4 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('conflict with "pilot-discovery"');
    r = await h.helm(['rollback', rel, '1', '-n', ns, '--wait', '--server-side=false'], { env: helm4 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/${rel}`)!.applyMethod).toBe('csa');
    // Helm 3 applies client-side: the releases it wrote never conflict
    const base = latestReleases(h.server, ns).get(`${ns}/istio-base`)!;
    r = await h.helm(['upgrade', 'istio-base', 'istio/base', '-n', ns, '--version', base.chart.version, '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(latestReleases(h.server, ns).get(`${ns}/istio-base`)!.revision).toBe(base.revision + 1);
  });
});
