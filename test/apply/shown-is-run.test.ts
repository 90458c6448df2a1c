/**
 * Issue 9 defect 9: what the plan text, the Markdown ticket and `apply --dry-run` show for an API action is what the
 * executor sends. Every action kind runs through the real client path against the fake API server; the requests it
 * makes are compared with what the shown kubectl line asks the API server for, read here the way kubectl reads it.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dump } from 'js-yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCluster } from '../../src/apply/live-cluster.js';
import { renderDryRunText as renderDryRun } from '../../src/report/dry-run/text.js';
import { LiveSource } from '../../src/k8s/live-source.js';
import { apiCommand } from '../../src/plan/commands.js';
import { apiActionSchema, type ApiAction } from '../../src/plan/schema.js';
import { shellLine } from '../../src/plan/shell.js';
import { renderPlanMarkdown } from '../../src/report/plan/markdown.js';
import { renderPlanText } from '../../src/report/plan/text.js';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.js';
import type { RequestRecord } from '../fake-apiserver/types.js';
import { inventory, testPlan } from './fakes.js';

const CRD = 'gateways.networking.istio.io';
const RENDERED = 'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: istio-revision-tag-prod\nwebhooks: []\n';
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'exposed', namespace: 'istio-system' }, data: { a: 'b' } };
const tmp = mkdtempSync(join(tmpdir(), 'iu-shown-'));

/** One action of every kind; the test fails when a kind is added without one. */
const SAMPLES: Record<ApiAction['type'], ApiAction> = {
  'label-crds': { type: 'label-crds', crds: [CRD], labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'istio-base', 'meta.helm.sh/release-namespace': 'istio-system' } },
  'unlabel-crds': { type: 'unlabel-crds', crds: [CRD], labels: ['app.kubernetes.io/managed-by'], annotations: ['meta.helm.sh/release-name', 'meta.helm.sh/release-namespace'] },
  'apply-rendered': { type: 'apply-rendered', fieldManager: 'istio-upgrade' },
  'rollout-restart': { type: 'rollout-restart', workloads: [{ kind: 'Deployment', namespace: 'shop', name: 'cart' }] },
  'label-namespaces': { type: 'label-namespaces', namespaces: ['shop'], labels: { 'istio.io/rev': '1-24-6', 'istio-injection': null } },
  'export-backup': { type: 'export-backup', directory: join(tmp, 'backup'), istioNamespace: 'istio-system', helmReleases: [] },
  'preflight-checks': { type: 'preflight-checks' },
  'apply-objects': { type: 'apply-objects', file: 'expose.yaml', fieldManager: 'istio-upgrade', objects: [{ plural: 'configmaps', object: CONFIG_MAP }] },
  'apply-gateway-api-crds': { type: 'apply-gateway-api-crds', version: '1.5.1', channel: 'standard', url: 'http://127.0.0.1:1/v1.5.1/standard-install.yaml', fieldManager: 'istio-upgrade' },
  'delete-admission-policy': { type: 'delete-admission-policy', name: 'safe-upgrades.gateway.networking.k8s.io' },
  'delete-objects': { type: 'delete-objects', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespace: 'istio-system', name: 'exposed' }] },
};

/** The writes a kubectl line makes, as kubectl makes them (method, path, patch type, query, body). */
interface Write {
  method: string;
  path: string;
  contentType?: string;
  query?: Record<string, string>;
  body?: unknown;
}

const PLURAL: Record<string, string> = { deployment: 'deployments', statefulset: 'statefulsets', daemonset: 'daemonsets' };

interface Manifested {
  apiVersion: string;
  plural: string;
  namespace?: string;
  name: string;
}

const pathOf = (o: Manifested) => `${o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`}${o.namespace ? `/namespaces/${o.namespace}` : ''}/${o.plural}/${o.name}`;

function kubectlWrites(argv: string[], manifest: (file: string) => Manifested[]): Write[] {
  const [tool, verb, ...rest] = argv;
  if (tool !== 'kubectl') return []; // `istio-upgrade status` reads only
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  switch (verb) {
    case 'patch': {
      expect(rest[0]).toBe('crd');
      expect(flag('--type')).toBe('merge');
      const names = rest.slice(1, rest.indexOf('--type'));
      return names.map((n) => ({ method: 'PATCH', path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}`, contentType: 'application/merge-patch+json', body: JSON.parse(flag('-p')!) }));
    }
    case 'apply': {
      expect(rest).toContain('--server-side');
      const force = rest.includes('--force-conflicts') ? 'true' : 'false';
      const manager = rest.find((a) => a.startsWith('--field-manager='))!.slice('--field-manager='.length);
      // -f -: the previous command's output; -f FILE: the objects the plan wrote to that file.
      return manifest(flag('-f')!).map((o) => ({ method: 'PATCH', path: pathOf(o), contentType: 'application/apply-patch+yaml', query: { force, fieldManager: manager } }));
    }
    case 'rollout': {
      expect(rest[0]).toBe('restart');
      const ns = flag('-n')!;
      return rest.slice(1, rest.indexOf('-n')).map((ref) => {
        const [kind, name] = ref.split('/');
        return { method: 'PATCH', path: `/apis/apps/v1/namespaces/${ns}/${PLURAL[kind!]}/${name}`, contentType: 'application/strategic-merge-patch+json', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': expect.any(String) } } } } } };
      });
    }
    case 'label': {
      expect(rest[0]).toBe('namespace');
      expect(rest.at(-1)).toBe('--overwrite');
      const words = rest.slice(1, -1);
      const labels = Object.fromEntries(words.filter((w) => w.includes('=') || w.endsWith('-')).map((w) => (w.endsWith('-') ? [w.slice(0, -1), null] : w.split('='))));
      return words.filter((w) => !w.includes('=') && !w.endsWith('-')).map((n) => ({ method: 'PATCH', path: `/api/v1/namespaces/${n}`, contentType: 'application/merge-patch+json', body: { metadata: { labels } } }));
    }
    case 'delete': {
      expect(rest.at(-1)).toBe('--ignore-not-found');
      if (rest[0] === 'validatingadmissionpolicy') return [{ method: 'DELETE', path: `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${rest[1]}` }];
      const ns = flag('-n')!;
      return rest.slice(0, rest.indexOf('-n')).map((ref) => {
        const [resource, name] = ref.split('/');
        const [plural, ...group] = resource!.split('.');
        return { method: 'DELETE', path: group.length ? `/apis/${group.join('.')}/v1/namespaces/${ns}/${plural}/${name}` : `/api/v1/namespaces/${ns}/${plural}/${name}` };
      });
    }
    default:
      // `kubectl get` reads only.
      return [];
  }
}

const sent = (r: RequestRecord): Write =>
  r.method === 'DELETE'
    ? { method: r.method, path: r.path }
    : {
        method: r.method,
        path: r.path,
        contentType: r.headers['content-type']!.split(';')[0]!,
        ...(r.headers['content-type']!.startsWith('application/apply-patch') ? { query: { force: r.query.force ?? 'false', fieldManager: r.query.fieldManager! } } : { body: JSON.parse(r.body ?? 'null') }),
      };

/** What `-f` names: stdin is the rendered tag webhook, the file holds the objects of the apply-objects sample. */
const manifestOf = (file: string): Manifested[] =>
  file === '-'
    ? [{ apiVersion: 'admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations', name: 'istio-revision-tag-prod' }]
    : file.startsWith('http')
      ? [{ apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', name: 'gateways.gateway.networking.k8s.io' }, { apiVersion: 'admissionregistration.k8s.io/v1', plural: 'validatingadmissionpolicies', name: 'safe-upgrades.gateway.networking.k8s.io' }]
      : [{ apiVersion: 'v1', plural: 'configmaps', namespace: 'istio-system', name: 'exposed' }];

let server: FakeApiServer;
let kubeconfig: string;
/** Serves the Gateway API release manifest the apply-gateway-api-crds sample names. */
let releases: Server;
const GATEWAY_CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gateways.gateway.networking.k8s.io', annotations: { 'gateway.networking.k8s.io/bundle-version': 'v1.5.1', 'gateway.networking.k8s.io/channel': 'standard' } }, spec: { group: 'gateway.networking.k8s.io', scope: 'Namespaced', names: { plural: 'gateways', kind: 'Gateway' }, versions: [{ name: 'v1', served: true, storage: true }] } };
const POLICY = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'safe-upgrades.gateway.networking.k8s.io' }, spec: {} };

beforeAll(async () => {
  server = await startFakeApiServer({
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'uid-1' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop' }, spec: { replicas: 1, selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1' }] } } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'exposed', namespace: 'istio-system' }, data: {} },
      { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: CRD }, spec: { group: 'networking.istio.io', scope: 'Namespaced', names: { plural: 'gateways', kind: 'Gateway' }, versions: [{ name: 'v1', served: true, storage: true }] } },
    ],
  });
  kubeconfig = join(tmp, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { context: 'fake' });
  releases = createServer((_req, res) => res.end(dump(GATEWAY_CRD) + '---\n' + dump(POLICY)));
  await new Promise<void>((resolve) => releases.listen(0, '127.0.0.1', resolve));
  const a = SAMPLES['apply-gateway-api-crds'];
  if (a.type === 'apply-gateway-api-crds') a.url = `http://127.0.0.1:${(releases.address() as AddressInfo).port}/v1.5.1/standard-install.yaml`;
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => releases.close(resolve));
});

describe('shown is what runs (issue 9 defect 9)', () => {
  it('has a sample of every API action kind', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(apiActionSchema.options.map((o) => o.shape.type.value).sort());
  });

  it.each(Object.values(SAMPLES))('$type: the kubectl line shown makes exactly the writes the executor makes', async (action) => {
    const cmd = apiCommand(action, 'sample');
    const cluster = new LiveCluster(await LiveSource.connect({ kubeconfig }), 'istio-system');
    server.clearRequests();
    await cluster
      .act(action, { previousOutput: RENDERED, signal: new AbortController().signal, deadline: Date.now() + 60_000, helmValues: async () => '' })
      .catch((e: Error) => expect(action.type, e.message).toBe('preflight-checks')); // the fake cluster has no istiod: the check fails, it writes nothing
    const writes = server.requests.filter((r) => !['GET', 'HEAD'].includes(r.method) && !r.path.includes('selfsubject'));
    expect(writes.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(writes.map(sent)).toEqual(kubectlWrites(cmd.argv, manifestOf));
  });

  it('the CRD adoption shows the label and both Helm annotations, the server-side apply shows --force-conflicts', () => {
    expect(shellLine(apiCommand(SAMPLES['label-crds'], 'x').argv)).toBe(
      `kubectl patch crd ${CRD} --type merge -p '{"metadata":{"labels":{"app.kubernetes.io/managed-by":"Helm"},"annotations":{"meta.helm.sh/release-name":"istio-base","meta.helm.sh/release-namespace":"istio-system"}}}'`,
    );
    expect(apiCommand(SAMPLES['apply-rendered'], 'x').argv).toContain('--force-conflicts');
  });

  it('plan text, Markdown and apply --dry-run show that same line for every kind', () => {
    const base = testPlan();
    const commands = Object.values(SAMPLES).map((a) => apiCommand(a, `sample ${a.type}`));
    const plan = { ...base, steps: [{ ...base.steps[0]!, commands }] };
    const text = renderPlanText(plan, new Chalk({ level: 0 }), 2000);
    const markdown = renderPlanMarkdown(plan, inventory());
    const dryRun = renderDryRun(plan, { context: 'fake', display: (tool, args) => [tool, ...args] });
    for (const c of commands) {
      expect(text, c.api!.type).toContain(shellLine(c.argv));
      expect(markdown, c.api!.type).toContain(shellLine(c.argv));
      if (c.api!.type !== 'export-backup' && c.api!.type !== 'preflight-checks') expect(dryRun, c.api!.type).toContain(shellLine([...c.argv, '--context', 'fake']));
    }
  });
});
