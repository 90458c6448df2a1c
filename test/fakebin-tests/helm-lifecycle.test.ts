import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import { helmReleaseSecret, istioChart, istioCrdNames } from '../support/istio-render/index.js';
import { ensureFakeBinBuilt, helmReleases, latestReleases, reconcile } from '../fakebin/index.js';
import { REV, V, type Harness } from './mesh.js';
import { test } from './fixtures.js';

type Obj = Record<string, any>;

beforeAll(ensureFakeBinBuilt);

const ns = 'istio-system';
const ctx = ['--kube-context', 'fake'];

function release(h: Harness, name: string, namespace = ns) {
  return helmReleases(h.server, namespace).filter((r) => r.name === name);
}

function daemonSet(h: Harness, name: string): Obj {
  return h.server.get('apps/v1', 'DaemonSet', name, ns) as Obj;
}

function pods(h: Harness, namespace: string, prefix: string): Obj[] {
  return h.server.list('v1', 'Pod', namespace).filter((p) => p.metadata.name.startsWith(prefix)) as Obj[];
}

describe.concurrent('helm release bookkeeping', () => {
  test('lists the latest revision of every release as helm list -A -o json does', async ({ ambient: h, expect }) => {
    const r = await h.helm(['list', '-A', '-o', 'json', ...ctx]);
    expect(r.exitCode).toBe(0);
    const list = JSON.parse(r.stdout) as Obj[];
    expect(list.map((e) => e.name)).toEqual(['istio-base', 'istio-cni', 'istio-ingress', `istiod-${REV}`, 'ztunnel']);
    const zt = list.find((e) => e.name === 'ztunnel')!;
    expect(Object.keys(zt)).toEqual(['name', 'namespace', 'revision', 'updated', 'status', 'chart', 'app_version']);
    expect(zt).toMatchObject({ namespace: ns, revision: '1', status: 'deployed', chart: `ztunnel-${V}`, app_version: V });
    expect(zt.updated).toMatch(/^2025-03-01 10:00:00\.\d{9} \+0000 UTC$/);
    const only = JSON.parse((await h.helm(['ls', '-n', 'istio-ingress', '-o', 'json'])).stdout) as Obj[];
    expect(only.map((e) => e.name)).toEqual(['istio-ingress']);
  });

  test('upgrade writes revision N+1 deployed, marks N superseded, and rolls the DaemonSet to the new image', async ({ ambient: h, expect }) => {
    const before = daemonSet(h, 'istio-cni-node');
    const r = await h.helm(['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--set', 'profile=ambient', '--wait', ...ctx]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Release "istio-cni" has been upgraded. Happy Helming!');
    expect(r.stdout).toContain('REVISION: 2');
    const revs = release(h, 'istio-cni');
    expect(revs.map((x) => [x.revision, x.status, x.chart.version, x.description])).toEqual([
      [1, 'superseded', V, 'Install complete'],
      [2, 'deployed', '1.24.6', 'Upgrade complete'],
    ]);
    expect(revs[1]!.secretName).toBe('sh.helm.release.v1.istio-cni.v2');
    expect(revs[1]!.labels).toMatchObject({ name: 'istio-cni', owner: 'helm', status: 'deployed', version: '2' });
    expect(revs[1]!.labels.modifiedAt).toMatch(/^\d{10}$/);
    expect(revs[1]!.chart).toEqual({ name: 'cni', version: '1.24.6', appVersion: '1.24.6' });
    expect(revs[1]!.firstDeployed).toBe(revs[0]!.firstDeployed);
    expect(revs[1]!.manifest).toContain('# Source: cni/templates/daemonset.yaml');
    const ds = daemonSet(h, 'istio-cni-node');
    expect(ds.spec.template.spec.containers[0].image).toBe('docker.io/istio/install-cni:1.24.6-distroless');
    expect(ds.metadata.generation).toBe(before.metadata.generation + 1);
    expect(ds.status).toMatchObject({ observedGeneration: ds.metadata.generation, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 });
    expect(ds.metadata.labels['helm.sh/chart']).toBe('cni-1.24.6');
    expect(ds.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'istio-cni', 'meta.helm.sh/release-namespace': ns });
    const cniPods = pods(h, ns, 'istio-cni-node-');
    expect(cniPods.map((p) => [p.spec.nodeName, p.status.phase, p.spec.containers[0].image]).sort()).toEqual([
      ['node-1', 'Running', 'docker.io/istio/install-cni:1.24.6-distroless'],
      ['node-2', 'Running', 'docker.io/istio/install-cni:1.24.6-distroless'],
    ]);
    const list = JSON.parse((await h.helm(['list', '-n', ns, '-o', 'json'])).stdout) as Obj[];
    expect(list.find((e) => e.name === 'istio-cni')).toMatchObject({ revision: '2', chart: 'cni-1.24.6', status: 'deployed' });
  });

  test('merges --values files and --set/--set-json into the user values; no values reuses them; --set x=null stays null', async ({ ambient: h, expect }) => {
    const file = join(h.dir, 'values.yaml');
    writeFileSync(file, 'revision: 1-23-6\nglobal:\n  hub: docker.io/istio\n  logging:\n    level: info\ncompatibilityVersion: "1.22"\n');
    let r = await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--values', file, '--set', 'global.logging.level=debug,resources.cpu=200', '--set-json', 'tolerations=[{"operator":"Exists"}]', '--wait', ...ctx]);
    expect(r.stderr).toBe('');
    expect(release(h, 'ztunnel')[1]!.config).toEqual({
      compatibilityVersion: '1.22',
      global: { hub: 'docker.io/istio', logging: { level: 'debug' } },
      resources: { cpu: 200 },
      revision: '1-23-6',
      tolerations: [{ operator: 'Exists' }],
    });
    // no values at all: Helm reuses the deployed release's user values
    r = await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode).toBe(0);
    expect(release(h, 'ztunnel')[2]!.config).toEqual(release(h, 'ztunnel')[1]!.config);
    // --set x=null: the user values keep the null (helm get values shows it); the chart sees the key removed
    r = await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--values', file, '--set', 'compatibilityVersion=null', '--wait']);
    expect(r.exitCode).toBe(0);
    expect(release(h, 'ztunnel')[3]!.config.compatibilityVersion).toBeNull();
    const got = await h.helm(['get', 'values', 'ztunnel', '-n', ns, '-o', 'yaml']);
    expect(got.stdout).toBe('compatibilityVersion: null\nglobal:\n  hub: docker.io/istio\n  logging:\n    level: info\nrevision: 1-23-6');
    const json = await h.helm(['get', 'values', 'ztunnel', '-n', ns, '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ compatibilityVersion: null, global: { hub: 'docker.io/istio', logging: { level: 'info' } }, revision: '1-23-6' });
    expect(release(h, 'ztunnel').map((x) => x.status)).toEqual(['superseded', 'superseded', 'superseded', 'deployed']);
  });

  test('refuses an unknown compatibilityVersion like the chart’s zzz_profile.yaml, without writing a record', async ({ ambient: h, expect }) => {
    const r = await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--set', 'compatibilityVersion=1.20', '--wait']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: UPGRADE FAILED: execution error at \(ztunnel\/templates\/zzz_profile\.yaml:\d+:\d+\): unknown compatibility version 1\.20$/);
    expect(release(h, 'ztunnel')).toHaveLength(1);
  });

  test('installs a revisioned istiod: the revision’s objects with ready status; the name cannot be reused', async ({ ambient: h, expect }) => {
    const values = await h.helm(['get', 'values', `istiod-${REV}`, '-n', ns, '-o', 'yaml', ...ctx]);
    expect(values.stdout).toBe('profile: ambient\nrevision: 1-23-6');
    const file = join(h.dir, 'istiod-values.yaml');
    writeFileSync(file, `${values.stdout}\n`);
    const args = ['install', 'istiod-1-24-6', 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6', '--set', 'profile=ambient', '--set-json', 'revisionTags=[]', '--set', 'compatibilityVersion=null', '--wait', '--values', file, ...ctx];
    const r = await h.helm(args);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('STATUS: deployed');
    const [rec] = release(h, 'istiod-1-24-6');
    expect(rec).toMatchObject({ revision: 1, status: 'deployed', description: 'Install complete', chart: { name: 'istiod', version: '1.24.6', appVersion: '1.24.6' } });
    expect(rec!.config).toEqual({ compatibilityVersion: null, profile: 'ambient', revision: '1-24-6', revisionTags: [] });
    const d = h.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', ns) as Obj;
    expect(d.spec.template.spec.containers[0].image).toBe('docker.io/istio/pilot:1.24.6-distroless');
    expect(d.metadata.labels).toMatchObject({ app: 'istiod', 'istio.io/rev': '1-24-6', 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'istiod-1.24.6' });
    expect(d.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'istiod-1-24-6', 'meta.helm.sh/release-namespace': ns, 'deployment.kubernetes.io/revision': '1' });
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
    const [pod] = pods(h, ns, 'istiod-1-24-6-');
    expect(pod!.status.phase).toBe('Running');
    expect(pod!.status.conditions.find((c: Obj) => c.type === 'Ready').status).toBe('True');
    expect((h.server.get('v1', 'Service', 'istiod-1-24-6', ns) as Obj).spec.selector).toEqual({ app: 'istiod', 'istio.io/rev': '1-24-6' });
    const mwc = h.server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'istio-sidecar-injector-1-24-6') as Obj;
    expect(mwc.metadata.labels['istio.io/rev']).toBe('1-24-6');
    expect(mwc.webhooks[0].clientConfig.service).toMatchObject({ name: 'istiod-1-24-6', namespace: ns });
    expect(h.server.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'istio-validator-1-24-6-istio-system')).toBeDefined();
    expect(h.server.get('v1', 'ConfigMap', 'istio-1-24-6', ns)).toBeDefined();
    expect(h.server.get('v1', 'ConfigMap', 'istio-sidecar-injector-1-24-6', ns)).toBeDefined();
    // the old revision is untouched
    expect(release(h, `istiod-${REV}`).map((x) => x.status)).toEqual(['deployed']);
    const again = await h.helm(args);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('Error: INSTALLATION FAILED: cannot re-use a name that is still in use');
  });

  test('upgrade fails on a missing release and on a release whose latest revision is pending; rollback recovers it', async ({ ambient: h, expect }) => {
    let r = await h.helm(['upgrade', 'nope', 'istio/cni', '-n', ns, '--version', '1.24.6']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: UPGRADE FAILED: "nope" has no deployed releases');
    h.server.load([
      helmReleaseSecret({
        name: 'istio-cni',
        namespace: ns,
        revision: 2,
        status: 'pending-upgrade',
        chart: istioChart('cni', '1.24.6'),
        values: { profile: 'ambient' },
        firstDeployed: '2025-03-01T10:00:00Z',
        lastDeployed: '2025-03-02T10:00:00Z',
      }) as never,
    ]);
    r = await h.helm(['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
    expect(release(h, 'istio-cni').map((x) => x.status)).toEqual(['deployed', 'pending-upgrade']);
    const pending = JSON.parse((await h.helm(['list', '-n', ns, '--pending', '-o', 'json'])).stdout) as Obj[];
    expect(pending.map((e) => [e.name, e.status])).toEqual([['istio-cni', 'pending-upgrade']]);
    // helm rollback is the way out of a pending revision (an upgrade whose helm was killed)
    r = await h.helm(['rollback', 'istio-cni', '1', '-n', ns, '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(release(h, 'istio-cni').map((x) => [x.revision, x.status])).toEqual([
      [1, 'superseded'],
      [2, 'pending-upgrade'],
      [3, 'deployed'],
    ]);
    r = await h.helm(['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--wait']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('rollback N writes a new revision with N’s chart and values ("Rollback to N"); uninstall removes records and objects', async ({ ambient: h, expect }) => {
    await h.helm(['upgrade', 'istio-ingress', 'istio/gateway', '-n', 'istio-ingress', '--version', '1.24.6', '--set', 'replicaCount=2', '--wait']);
    expect((h.server.get('apps/v1', 'Deployment', 'istio-ingress', 'istio-ingress') as Obj).spec.replicas).toBe(2);
    expect(pods(h, 'istio-ingress', 'istio-ingress-')).toHaveLength(2);
    const r = await h.helm(['rollback', 'istio-ingress', '1', '-n', 'istio-ingress', '--wait', ...ctx]);
    expect(r.stdout).toBe('Rollback was a success! Happy Helming!');
    expect(release(h, 'istio-ingress', 'istio-ingress').map((x) => [x.revision, x.status, x.chart.version, x.description, x.config])).toEqual([
      [1, 'superseded', V, 'Install complete', { service: { type: 'LoadBalancer' } }],
      [2, 'superseded', '1.24.6', 'Upgrade complete', { replicaCount: 2 }],
      [3, 'deployed', V, 'Rollback to 1', { service: { type: 'LoadBalancer' } }],
    ]);
    const d = h.server.get('apps/v1', 'Deployment', 'istio-ingress', 'istio-ingress') as Obj;
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe(V);
    expect(d.spec.replicas).toBe(1);
    expect(d.metadata.annotations['meta.helm.sh/release-name']).toBe('istio-ingress');
    expect(pods(h, 'istio-ingress', 'istio-ingress-')).toHaveLength(1);

    const un = await h.helm(['uninstall', 'istio-ingress', '-n', 'istio-ingress', '--wait', ...ctx]);
    expect(un.stdout).toBe('release "istio-ingress" uninstalled');
    expect(release(h, 'istio-ingress', 'istio-ingress')).toEqual([]);
    expect(h.server.get('apps/v1', 'Deployment', 'istio-ingress', 'istio-ingress')).toBeUndefined();
    expect(h.server.get('v1', 'Service', 'istio-ingress', 'istio-ingress')).toBeUndefined();
    expect(h.server.list('apps/v1', 'ReplicaSet', 'istio-ingress')).toEqual([]);
    expect(h.server.list('v1', 'Pod', 'istio-ingress')).toEqual([]);
    const st = await h.helm(['status', 'istio-ingress', '-n', 'istio-ingress', '-o', 'json']);
    expect(st.stderr).toBe('Error: release: not found');
    const again = await h.helm(['uninstall', 'istio-ingress', '-n', 'istio-ingress']);
    expect(again.stderr).toBe('Error: uninstall: Release not loaded: istio-ingress: release: not found');
  });

  test('uninstalling a revisioned istiod removes exactly its objects', async ({ ambient: h, expect }) => {
    const r = await h.helm(['uninstall', `istiod-${REV}`, '-n', ns, '--wait']);
    expect(r.exitCode).toBe(0);
    expect(h.server.list('apps/v1', 'Deployment', ns).map((d) => d.metadata.name)).toEqual([]);
    expect(pods(h, ns, 'istiod-')).toEqual([]);
    const mwcs = h.server.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration').map((m) => m.metadata.name);
    // the tag applied from `helm template` is not part of the release
    expect(mwcs).toEqual(['istio-revision-tag-default']);
    expect(h.server.list('v1', 'ConfigMap', ns).map((c) => c.metadata.name)).toEqual([]);
    expect(pods(h, ns, 'ztunnel-')).toHaveLength(2);
  });

  test('status and history read the records', async ({ ambient: h, expect }) => {
    const st = JSON.parse((await h.helm(['status', 'ztunnel', '-n', ns, '-o', 'json'])).stdout) as Obj;
    expect(st).toMatchObject({ name: 'ztunnel', namespace: ns, version: 1, info: { status: 'deployed' }, chart: { metadata: { name: 'ztunnel', version: V } }, config: { revision: REV } });
    await h.helm(['upgrade', 'ztunnel', 'istio/ztunnel', '-n', ns, '--version', '1.24.6', '--wait']);
    const hist = JSON.parse((await h.helm(['history', 'ztunnel', '-n', ns, '-o', 'json'])).stdout) as Obj[];
    expect(hist.map((x) => [x.revision, x.status, x.chart, x.app_version, x.description])).toEqual([
      [1, 'superseded', `ztunnel-${V}`, V, 'Install complete'],
      [2, 'deployed', 'ztunnel-1.24.6', '1.24.6', 'Upgrade complete'],
    ]);
    const zt = h.server.get('apps/v1', 'DaemonSet', 'ztunnel', ns) as Obj;
    expect(zt.spec.template.spec.containers[0].image).toBe('docker.io/istio/ztunnel:1.24.6');
    expect(zt.status.observedGeneration).toBe(zt.metadata.generation);
  });
});

describe.concurrent('base chart and CRD ownership', () => {
  const crdApi = (h: Harness, name: string) => `${h.server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;

  test('helm upgrade of base to 1.24 fails on CRDs without Helm ownership, then passes once they are labelled through the API', async ({ ambient: h, expect }) => {
    const args = ['upgrade', 'istio-base', 'istio/base', '-n', ns, '--version', '1.24.6', '--wait', ...ctx];
    let r = await h.helm(args);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error: UPGRADE FAILED: rendered manifests contain a resource that already exists. Unable to continue with update: CustomResourceDefinition "wasmplugins.extensions.istio.io" in namespace "" exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "istio-base"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "istio-system"',
    );
    expect(release(h, 'istio-base')).toHaveLength(1);

    // what the crd-migration-labels step does
    for (const name of istioCrdNames(V)) {
      const res = await fetch(crdApi(h, name), {
        method: 'PATCH',
        headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'istio-base', 'meta.helm.sh/release-namespace': ns } } }),
      });
      expect(res.status).toBe(200);
    }
    r = await h.helm(args);
    expect(r.stderr).toBe('');
    expect(release(h, 'istio-base').map((x) => [x.revision, x.status, x.chart.version])).toEqual([
      [1, 'superseded', V],
      [2, 'deployed', '1.24.6'],
    ]);
    const crd = h.server.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'virtualservices.networking.istio.io') as Obj;
    expect(crd.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'istio-base', 'helm.sh/chart': 'base-1.24.6', 'app.kubernetes.io/version': '1.24.6' });
    expect(crd.metadata.annotations).toMatchObject({ 'helm.sh/resource-policy': 'keep', 'meta.helm.sh/release-name': 'istio-base' });
    expect(release(h, 'istio-base')[1]!.manifest).toContain('# Source: base/templates/crds.yaml');
    const vwc = h.server.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'istiod-default-validator') as Obj;
    expect(vwc.webhooks[0].clientConfig.service.name).toBe(`istiod-${REV}`);
    expect(vwc.metadata.labels['helm.sh/chart']).toBe('base-1.24.6');

    // moving defaultRevision repoints the validator; rolling back to 1.23 keeps the CRDs (resource-policy: keep)
    r = await h.helm(['upgrade', 'istio-base', 'istio/base', '-n', ns, '--version', '1.24.6', '--set', 'defaultRevision=1-24-6', '--wait']);
    expect(r.exitCode).toBe(0);
    expect((h.server.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'istiod-default-validator') as Obj).webhooks[0].clientConfig.service.name).toBe('istiod-1-24-6');
    r = await h.helm(['rollback', 'istio-base', '1', '-n', ns, '--wait']);
    expect(r.exitCode).toBe(0);
    expect(h.server.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'virtualservices.networking.istio.io')).toBeDefined();
    expect(latestReleases(h.server, ns).get(`${ns}/istio-base`)).toMatchObject({ revision: 4, status: 'deployed', description: 'Rollback to 1', chart: { version: V } });
  });

  test('uninstalling a 1.23 base leaves the CRDs (they came from crds/, outside the release) and removes the validator', async ({ ambient: h, expect }) => {
    const r = await h.helm(['uninstall', 'istio-base', '-n', ns]);
    // 1.23 CRDs came from the chart's crds/ directory: not in the manifest at all
    expect(r.stdout).toBe('release "istio-base" uninstalled');
    expect(h.server.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition').length).toBe(istioCrdNames(V).length);
    expect(h.server.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'istiod-default-validator')).toBeUndefined();
  });
});

describe.concurrent('gateway chart', () => {
  test('upgrade re-creates the pods, injected by the revision the default tag points at', async ({ ambient: h, expect }) => {
    const before = pods(h, 'istio-ingress', 'istio-ingress-');
    expect(before.map((p) => p.metadata.annotations['istio.io/rev'])).toEqual([REV]);
    // move the default tag to a new 1.24.6 revision first
    const inst = await h.helm(['install', 'istiod-1-24-6', 'istio/istiod', '-n', ns, '--version', '1.24.6', '--set', 'revision=1-24-6', '--set', 'profile=ambient', '--wait']);
    expect(inst.exitCode).toBe(0);
    const tpl = await h.helm(['template', 'istiod-1-24-6', 'istio/istiod', '-n', ns, '--version', '1.24.6', '-s', 'templates/revision-tags.yaml', '--set', 'revisionTags={default}', '--set', 'revision=1-24-6']);
    const res = await fetch(`${h.server.url}/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/istio-revision-tag-default?fieldManager=istio-upgrade&force=true`, {
      method: 'PATCH',
      headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/apply-patch+yaml' },
      body: tpl.stdout.replace(/^---\n# Source: .*\n/, ''),
    });
    expect(res.status).toBe(200);
    const r = await h.helm(['upgrade', 'istio-ingress', 'istio/gateway', '-n', 'istio-ingress', '--version', '1.24.6', '--wait']);
    expect(r.exitCode).toBe(0);
    const after = pods(h, 'istio-ingress', 'istio-ingress-');
    expect(after).toHaveLength(1);
    expect(after[0]!.metadata.name).not.toBe(before[0]!.metadata.name);
    expect(after[0]!.metadata.annotations['istio.io/rev']).toBe('1-24-6');
    expect(after[0]!.spec.containers[0].image).toBe('docker.io/istio/proxyv2:1.24.6-distroless');
    expect(after[0]!.status.phase).toBe('Running');
    const d = h.server.get('apps/v1', 'Deployment', 'istio-ingress', 'istio-ingress') as Obj;
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, updatedReplicas: 1, availableReplicas: 1 });
    const rs = h.server.list('apps/v1', 'ReplicaSet', 'istio-ingress') as Obj[];
    expect(rs.map((x) => [x.metadata.annotations['deployment.kubernetes.io/revision'], x.spec.replicas]).sort()).toEqual([
      ['1', 0],
      ['2', 1],
    ]);
  });
});

describe.concurrent('dry runs and the controller helper', () => {
  test('--dry-run renders and checks but writes nothing', async ({ ambient: h, expect }) => {
    const r = await h.helm(['upgrade', 'istio-cni', 'istio/cni', '-n', ns, '--version', '1.24.6', '--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('STATUS: pending-upgrade');
    expect(r.stdout).toContain('# Source: cni/templates/daemonset.yaml');
    expect(release(h, 'istio-cni')).toHaveLength(1);
    expect(daemonSet(h, 'istio-cni-node').spec.template.spec.containers[0].image).toBe(`docker.io/istio/install-cni:${V}-distroless`);
  });

  test('reconcile() rolls out a workload the test changed through the API, injecting pods like the webhook', async ({ sidecar: h, expect }) => {
    h.server.load([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'apps', generation: 1 },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    ]);
    await reconcile(h.server, 'Deployment', 'apps', 'web');
    const first = pods(h, 'apps', 'web-');
    expect(first).toHaveLength(2);
    expect(first.map((p) => [p.metadata.annotations['istio.io/rev'], p.spec.containers.map((c: Obj) => c.image), p.status.phase])).toEqual([
      ['default', ['nginx:1.27', `docker.io/istio/proxyv2:${V}`], 'Running'],
      ['default', ['nginx:1.27', `docker.io/istio/proxyv2:${V}`], 'Running'],
    ]);
    const res = await fetch(`${h.server.url}/apis/apps/v1/namespaces/apps/deployments/web`, {
      method: 'PATCH',
      headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-03-02T10:00:00Z' } } } } }),
    });
    expect(res.status).toBe(200);
    await reconcile(h.server, 'Deployment', 'apps', 'web');
    const second = pods(h, 'apps', 'web-');
    expect(second).toHaveLength(2);
    expect(second.some((p) => first.some((q) => q.metadata.name === p.metadata.name))).toBe(false);
    const d = h.server.get('apps/v1', 'Deployment', 'web', 'apps') as Obj;
    expect(d.status).toMatchObject({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  });
});
