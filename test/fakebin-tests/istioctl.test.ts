import { beforeAll, describe } from 'vitest';
import { ensureFakeBinBuilt, helmReleases } from '../fakebin/index.js';
import { harness, REV, V, type Harness } from './mesh.js';
import { test } from './fixtures.js';

type Obj = Record<string, any>;
const ADM = 'admissionregistration.k8s.io/v1';
const ns = 'istio-system';
const ctx = ['--context', 'fake'];

beforeAll(ensureFakeBinBuilt);

const mwc = (h: Harness, name: string) => h.server.get(ADM, 'MutatingWebhookConfiguration', name) as Obj | undefined;

describe.concurrent('istioctl install / tag / uninstall (ambient mesh, Helm-installed 1-23-6, default tag present)', () => {
  test('install --set revision creates the revision’s objects labelled for the operator, without Helm records', async ({ ambient: h, expect }) => {
    const releasesBefore = helmReleases(h.server).length;
    const r = await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6', ...ctx]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('✔ Istio core installed ⛵️\n✔ Istiod installed 🧠\n✔ Installation complete');
    const d = h.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', ns) as Obj;
    expect(d.metadata.labels).toMatchObject({ 'operator.istio.io/managed': 'Reconcile', 'operator.istio.io/version': '1.24.6', 'operator.istio.io/component': 'Pilot', 'istio.io/rev': '1-24-6' });
    expect(d.metadata.annotations['meta.helm.sh/release-name']).toBeUndefined();
    expect(d.spec.template.spec.containers[0].image).toBe('docker.io/istio/pilot:1.24.6');
    expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, readyReplicas: 1 });
    expect(mwc(h, 'istio-sidecar-injector-1-24-6')!.metadata.labels['operator.istio.io/managed']).toBe('Reconcile');
    expect(helmReleases(h.server)).toHaveLength(releasesBefore);
    // a default tag exists already: istioctl leaves it alone
    expect(mwc(h, 'istio-revision-tag-default')!.metadata.labels['istio.io/rev']).toBe(REV);
    const crd = h.server.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gateways.networking.istio.io') as Obj;
    expect(crd.metadata.labels).toMatchObject({ 'operator.istio.io/component': 'Base', 'operator.istio.io/managed': 'Reconcile' });
  });

  test('tag set creates the tag webhook, refuses an existing tag without --overwrite, moves it with --overwrite (and the 1.28 Service)', async ({ ambient: h, expect }) => {
    await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6', ...ctx]);
    let r = await h.istioctl(['tag', 'set', 'prod', '--revision', '1-24-6', '-y', ...ctx]);
    expect(r.stdout).toBe(`Revision tag "prod" created, referencing control plane revision "1-24-6". To enable injection using this\nrevision tag, use 'kubectl label namespace <NAMESPACE> istio.io/rev=prod'`);
    let tag = mwc(h, 'istio-revision-tag-prod')!;
    expect(tag.metadata.labels).toMatchObject({ 'istio.io/tag': 'prod', 'istio.io/rev': '1-24-6' });
    expect(Object.keys(tag.metadata.labels).filter((k) => k.includes('operator.istio.io'))).toEqual([]);
    expect(tag.webhooks[0].clientConfig.service.name).toBe('istiod-1-24-6');
    expect(h.server.get('v1', 'Service', 'istiod-revision-tag-prod', ns)).toBeUndefined();

    r = await h.istioctl(['tag', 'set', 'prod', '--revision', REV, '-y', ...ctx]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: revision tag "prod" already exists, and --overwrite is false');

    r = await h.istioctl(['tag', 'set', 'default', '--revision', '1-24-6', '--overwrite', '-y', ...ctx], { env: { FAKE_ISTIOCTL_VERSION: '1.28.1' } });
    expect(r.exitCode).toBe(0);
    tag = mwc(h, 'istio-revision-tag-default')!;
    expect(tag.metadata.labels['istio.io/rev']).toBe('1-24-6');
    expect(tag.webhooks.map((w: Obj) => w.name)).toContain('namespace.sidecar-injector.istio.io');
    expect(tag.webhooks.every((w: Obj) => w.clientConfig.service.name === 'istiod-1-24-6')).toBe(true);
    const svc = h.server.get('v1', 'Service', 'istiod-revision-tag-default', ns) as Obj;
    expect(svc.spec.selector).toEqual({ app: 'istiod', 'istio.io/rev': '1-24-6' });
    const vwc = h.server.get(ADM, 'ValidatingWebhookConfiguration', 'istiod-default-validator') as Obj;
    expect(vwc.webhooks[0].clientConfig.service.name).toBe('istiod-1-24-6');

    r = await h.istioctl(['tag', 'set', 'prod', '--revision', '9-9-9', '--overwrite', '-y', ...ctx]);
    expect(r.stderr).toBe('Error: cannot modify tag: cannot find MutatingWebhookConfiguration with revision "9-9-9"');
    const list = JSON.parse((await h.istioctl(['tag', 'list', '-o', 'json', ...ctx])).stdout) as Obj[];
    expect(list.map((t) => [t.tag, t.revision])).toEqual([
      ['', REV],
      ['default', '1-24-6'],
      ['prod', '1-24-6'],
    ]);
  });

  test('uninstall --revision removes that revision’s control plane and nothing else', async ({ ambient: h, expect }) => {
    await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6', ...ctx]);
    let r = await h.istioctl(['uninstall', '--revision', '1-24-6', '-y', ...ctx]);
    expect(r.stdout).toContain('  Removed Deployment:istio-system:istiod-1-24-6.');
    expect(r.stdout.split('\n').pop()).toBe('✔ Uninstall complete');
    expect(h.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', ns)).toBeUndefined();
    expect(h.server.list('v1', 'Pod', ns).filter((p) => p.metadata.name.startsWith('istiod-1-24-6'))).toEqual([]);
    expect(h.server.list('apps/v1', 'ReplicaSet', ns).map((x) => x.metadata.name)).toEqual(h.server.list('apps/v1', 'ReplicaSet', ns).filter((x) => x.metadata.name.startsWith(`istiod-${REV}`)).map((x) => x.metadata.name));
    expect(mwc(h, 'istio-sidecar-injector-1-24-6')).toBeUndefined();
    expect(h.server.get('apps/v1', 'Deployment', `istiod-${REV}`, ns)).toBeDefined();
    r = await h.istioctl(['uninstall', '--revision', '1-99-0', '-y', ...ctx]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: could not find target revision: 1-99-0');
    r = await h.istioctl(['uninstall', '-y', ...ctx]);
    expect(r.stderr).toBe('Error: at least one of the --revision (or --set revision=<revision>), --filename or --purge flags must be set');
  });
});

describe.concurrent('istioctl against a revision-less Helm sidecar mesh (no default tag)', () => {
  test('install of a revision refuses to create a conflicting default tag; --force creates it and deactivates the old injector', async ({ sidecar: h, expect }) => {
    let r = await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6', ...ctx]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('creating default tag would conflict');
    expect(h.server.get('apps/v1', 'Deployment', 'istiod-1-24-6', ns)).toBeUndefined();
    r = await h.istioctl(['install', '-y', '--set', 'profile=minimal', '--set', 'revision=1-24-6', '--force', ...ctx]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Made this installation the default for cluster-wide operations.');
    expect(mwc(h, 'istio-revision-tag-default')!.metadata.labels['istio.io/rev']).toBe('1-24-6');
    expect(mwc(h, 'istio-sidecar-injector')!.webhooks.every((w: Obj) => w.namespaceSelector.matchLabels?.['istio.io/deactivated'] === 'never-match')).toBe(true);
  });

  test('without -y the install asks and, with no answer on stdin, cancels', async ({ sidecar: h, expect }) => {
    const r = await h.istioctl(['install', '--set', 'profile=minimal', '--set', 'revision=1-24-6', ...ctx]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('This will install the Istio 1.24.6 profile "minimal" into the cluster. Proceed? (y/N) ');
    expect(r.stderr).toBe('Cancelled.');
  });
});

describe.concurrent('istioctl precheck and version', () => {
  test('x precheck reports success on stderr and exits 0', async ({ sidecar: h, expect }) => {
    const r = await h.istioctl(['x', 'precheck', '--from-version', '1.23', ...ctx]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('✔ No issues found when checking the cluster. Istio is safe to install or upgrade!');
  });

  test('x precheck fails on a Kubernetes older than the istioctl version supports', async ({ expect, onTestFinished }) => {
    const h = await harness('empty', { kubernetesVersion: '1.27.3' });
    onTestFinished(() => h.close());
    const r = await h.istioctl(['x', 'precheck', ...ctx], { env: { FAKE_ISTIOCTL_VERSION: '1.24.6' } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('Error [IST0142] () The Kubernetes Version "v1.27.3" is lower than the minimum version: 1.28');
    expect(r.stderr).toMatch(/^Error: Issues found when checking the cluster/);
  });

  test('version -o json reports the client, the running istiod pods and the proxies', async ({ ambient: h, expect }) => {
    const r = await h.istioctl(['version', '-o', 'json', ...ctx], { env: { FAKE_ISTIOCTL_VERSION: '1.24.6' } });
    const doc = JSON.parse(r.stdout) as Obj;
    expect(doc.clientVersion).toMatchObject({ version: '1.24.6', status: 'Clean', tag: '1.24.6' });
    expect(doc.meshVersion).toEqual([{ Component: 'istiod', Revision: REV, Info: expect.objectContaining({ version: V, tag: V }) }]);
    expect(doc.dataPlaneVersion).toEqual([{ ID: expect.stringMatching(/^istio-ingress-.*\.istio-ingress$/), IstioVersion: V, Type: 'gateway' }]);
    expect((await h.istioctl(['version', '--remote=false'])).stdout).toBe('1.24.6');
    // the binary version defaults to the revision being installed
    expect((await h.istioctl(['version', '--remote=false', '--revision', '1-28-1'])).stdout).toBe('1.28.1');
    const text = await h.istioctl(['version', ...ctx]);
    expect(text.stdout).toBe(`client version: 1.24.6\ncontrol plane version: ${V}\ndata plane version: ${V} (1 proxies)`);
  });
});

describe.concurrent('istioctl analyze (sidecar mesh: revision-less istiod, namespace apps istio-injection=enabled)', () => {
  const analyze = ['analyze', '--all-namespaces', ...ctx];

  test('nothing found: the ✔ line on stderr, an empty JSON list, exit 0', async ({ sidecar: h, expect }) => {
    const r = await h.istioctl([...analyze, '-o', 'json']);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '[]', '✔ No validation issues found when analyzing all namespaces.']);
  });

  test('a pod on another proxy image (IST0158, Warning) and an injector without its Service (IST0139, Error): -o json exits 0, the log format 79', async ({ sidecar: h, expect }) => {
    // A pod the 1.22 injector made, in the namespace the 1.23 injector serves now.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reports-0', namespace: 'apps' }, spec: { containers: [{ name: 'app', image: 'busybox' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.8' }] } };
    h.server.load([pod as never]);
    const del = await fetch(`${h.server.url}/api/v1/namespaces/${ns}/services/istiod`, { method: 'DELETE', headers: { authorization: 'Bearer test-token' } });
    expect(del.status).toBe(200);

    const json = await h.istioctl([...analyze, '-o', 'json']);
    expect(json.exitCode).toBe(0);
    expect(json.stdout).toContain('\n\t{\n\t\t"code": "IST0139"');
    const messages = JSON.parse(json.stdout) as Obj[];
    expect(messages.map((m) => [m.code, m.level, m.origin])).toEqual([
      ...messages.filter((m) => m.code === 'IST0139').map((m) => ['IST0139', 'Error', m.origin]),
      ['IST0158', 'Warning', 'Namespace apps'],
    ]);
    expect(messages.filter((m) => m.code === 'IST0139').length).toBeGreaterThan(0);
    expect(messages.find((m) => m.code === 'IST0139')!.message).toBe(`Injector refers to a control plane service that does not exist: ${ns}/istiod.`);
    expect(messages.at(-1)!.message).toBe(`The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [${pod.metadata.name}]). This often happens after upgrading the Istio control-plane and can be fixed by redeploying the pods.`);
    expect(messages.at(-1)!.documentationUrl).toBe('https://istio.io/v1.24/docs/reference/config/analysis/ist0158/?ref=istioctl-analyze');

    const log = await h.istioctl(analyze);
    expect(log.exitCode).toBe(79);
    expect(log.stdout).toContain(`Warning [IST0158] (Namespace apps) The Istio proxy images`);
    expect(log.stderr).toMatch(/^Error: Analyzers found issues when analyzing all namespaces\./);
    // Below the Error threshold only the Warning is left: exit 0 unless the threshold is lowered.
    await h.server.load([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istiod', namespace: ns }, spec: { ports: [{ port: 443 }] } } as never]);
    expect((await h.istioctl(analyze)).exitCode).toBe(0);
    expect((await h.istioctl([...analyze, '--failure-threshold', 'Warning'])).exitCode).toBe(79);
  });
});
