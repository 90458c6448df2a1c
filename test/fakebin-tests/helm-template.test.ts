import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ensureFakeBinBuilt } from '../fakebin/index.js';
import { harness, type Harness } from './mesh.js';

type Obj = Record<string, any>;

let h: Harness;
beforeAll(async () => {
  await ensureFakeBinBuilt();
  h = await harness('empty');
});
afterAll(async () => h.close());

function docs(stdout: string): { source: string; obj: Obj }[] {
  return stdout
    .split(/^---\n/m)
    .filter((d) => d.trim())
    .map((d) => ({ source: /^# Source: (.*)$/m.exec(d)![1]!, obj: yaml.load(d) as Obj }));
}

const tagArgs = (version: string, revision: string, templates: string[], tags = '{prod}') => [
  'template',
  `istiod-${revision}`,
  'istio/istiod',
  '-n',
  'istio-system',
  '--version',
  version,
  ...templates.flatMap((t) => ['-s', t]),
  '--set',
  `revisionTags=${tags}`,
  '--set',
  `revision=${revision}`,
  '--kube-context',
  'fake',
];

describe.concurrent('helm template of the revision tags', () => {
  it('before 1.28 prints the tag webhook from templates/revision-tags.yaml, owned by no release', async ({ expect }) => {
    const r = await h.helm(tagArgs('1.24.6', '1-24-6', ['templates/revision-tags.yaml']));
    expect(r.stderr).toBe('');
    const out = docs(r.stdout);
    expect(out.map((d) => [d.source, d.obj.kind, d.obj.metadata.name])).toEqual([['istiod/templates/revision-tags.yaml', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod']]);
    const mwc = out[0]!.obj;
    expect(mwc.metadata.labels).toMatchObject({ 'istio.io/tag': 'prod', 'istio.io/rev': '1-24-6', app: 'sidecar-injector', release: 'istiod-1-24-6', 'helm.sh/chart': 'istiod-1.24.6' });
    expect(mwc.metadata.annotations).toBeUndefined();
    expect(mwc.metadata.uid).toBeUndefined();
    expect(mwc.metadata.creationTimestamp).toBeUndefined();
    expect(mwc.webhooks.map((w: Obj) => w.name)).toEqual(['rev.namespace.sidecar-injector.istio.io', 'rev.object.sidecar-injector.istio.io']);
    expect(mwc.webhooks[0].clientConfig.service).toEqual({ name: 'istiod-1-24-6', namespace: 'istio-system', path: '/inject', port: 443 });
    expect(mwc.webhooks[0].namespaceSelector.matchExpressions[0]).toEqual({ key: 'istio.io/rev', operator: 'In', values: ['prod'] });
  });

  it('the default tag also matches istio-injection=enabled and sidecar.istio.io/inject=true', async ({ expect }) => {
    const r = await h.helm(tagArgs('1.23.6', '1-23-6', ['templates/revision-tags.yaml'], '{default}'));
    const [mwc] = docs(r.stdout);
    expect(mwc!.obj.webhooks.map((w: Obj) => w.name)).toEqual([
      'rev.namespace.sidecar-injector.istio.io',
      'rev.object.sidecar-injector.istio.io',
      'namespace.sidecar-injector.istio.io',
      'object.sidecar-injector.istio.io',
    ]);
    // 1.23 charts do not render istio.labels
    expect(mwc!.obj.metadata.labels['helm.sh/chart']).toBeUndefined();
  });

  it('from 1.28 prints the webhook and the tag Service from revision-tags-mwc.yaml and revision-tags-svc.yaml', async ({ expect }) => {
    const r = await h.helm(tagArgs('1.28.1', '1-28-1', ['templates/revision-tags-mwc.yaml', 'templates/revision-tags-svc.yaml'], '{prod,canary}'));
    expect(r.stderr).toBe('');
    const out = docs(r.stdout);
    expect(out.map((d) => [d.source, d.obj.kind, d.obj.metadata.name])).toEqual([
      ['istiod/templates/revision-tags-svc.yaml', 'Service', 'istiod-revision-tag-prod'],
      ['istiod/templates/revision-tags-svc.yaml', 'Service', 'istiod-revision-tag-canary'],
      ['istiod/templates/revision-tags-mwc.yaml', 'MutatingWebhookConfiguration', 'istio-revision-tag-prod'],
      ['istiod/templates/revision-tags-mwc.yaml', 'MutatingWebhookConfiguration', 'istio-revision-tag-canary'],
    ]);
    const svc = out[0]!.obj;
    expect(svc.metadata.namespace).toBe('istio-system');
    expect(svc.metadata.labels).toMatchObject({ 'istio.io/tag': 'prod', 'istio.io/rev': '1-28-1', app: 'istiod' });
    expect(svc.spec.selector).toEqual({ app: 'istiod', 'istio.io/rev': '1-28-1' });
    expect(svc.status).toBeUndefined();
  });

  it('fails like Helm when a -s template does not exist in that chart version or renders nothing', async ({ expect }) => {
    let r = await h.helm(tagArgs('1.28.1', '1-28-1', ['templates/revision-tags.yaml']));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: could not find template templates/revision-tags.yaml in chart');
    r = await h.helm(tagArgs('1.27.3', '1-27-3', ['templates/revision-tags-mwc.yaml']));
    expect(r.stderr).toBe('Error: could not find template templates/revision-tags-mwc.yaml in chart');
    r = await h.helm(['template', 'istiod', 'istio/istiod', '--version', '1.24.6', '-s', 'templates/revision-tags.yaml']);
    expect(r.stderr).toBe('Error: could not find template templates/revision-tags.yaml in chart');
    r = await h.helm(['template', 'istiod', 'istio/istiod', '--version', '1.99.0']);
    expect(r.stderr).toMatch(/^Error: chart "istiod" matching 1\.99\.0 not found in istio index/);
  });

  it('without -s prints every object of the chart (here istiod 1.24.6 revisioned, ambient)', async ({ expect }) => {
    const r = await h.helm(['template', 'istiod-1-24-6', 'istio/istiod', '-n', 'istio-system', '--version', '1.24.6', '--set', 'revision=1-24-6', '--set', 'profile=ambient']);
    expect(docs(r.stdout).map((d) => `${d.obj.kind}/${d.obj.metadata.name}`)).toEqual([
      'ConfigMap/istio-1-24-6',
      'ConfigMap/istio-sidecar-injector-1-24-6',
      'Service/istiod-1-24-6',
      'Deployment/istiod-1-24-6',
      'MutatingWebhookConfiguration/istio-sidecar-injector-1-24-6',
      'ValidatingWebhookConfiguration/istio-validator-1-24-6-istio-system',
    ]);
  });
});

describe.concurrent('helm version', () => {
  it('answers --short and the full form', async ({ expect }) => {
    expect((await h.helm(['version', '--short'])).stdout).toBe('v3.17.3+ge4da497');
    expect((await h.helm(['version'])).stdout).toBe('version.BuildInfo{Version:"v3.17.3", GitCommit:"e4da49785aa6e6ee2b86efd5dd9e43400318262b", GitTreeState:"clean", GoVersion:"go1.23.7"}');
    expect((await h.helm(['version', '--short'], { env: { FAKE_HELM_VERSION: 'v3.14.4' } })).stdout).toBe('v3.14.4+ge4da497');
  });
});
