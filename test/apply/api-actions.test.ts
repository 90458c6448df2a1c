import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { performAction, type KubeWriter } from '../../src/apply/api-actions.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import type { ResourceRef } from '../../src/k8s/resources.js';
import type { ApiAction } from '../../src/plan/schema.js';
import { backupProblem } from '../../src/apply/backup.js';
import { manifestDigest } from '../../src/apply/gateway-api-bundle.js';
import type { PinnedManifest } from '../../src/apply/ports.js';
import { inventory, T0 } from './fakes.js';

class RecordingWriter implements KubeWriter {
  calls: string[] = [];
  bodies: unknown[] = [];
  missing = new Set<string>();
  async mergePatch(r: ResourceRef, name: string, ns: string | undefined, body: object) {
    this.calls.push(`merge ${r.plural} ${ns ?? ''}/${name}`);
    this.bodies.push(body);
    return !this.missing.has(name);
  }
  async strategicPatch(r: ResourceRef, name: string, ns: string, body: object) {
    this.calls.push(`strategic ${r.plural} ${ns}/${name}`);
    this.bodies.push(body);
    return !this.missing.has(name);
  }
  async serverSideApply(obj: KubeObject, fieldManager: string) {
    this.calls.push(`apply ${obj.kind} ${obj.metadata.name} as ${fieldManager}`);
  }
  async deleteObject(o: { kind: string; namespace: string; name: string }) {
    this.calls.push(`delete ${o.kind} ${o.namespace}/${o.name}`);
    return !this.missing.has(o.name);
  }
}

const objects: KubeObject[] = [
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gateways.networking.istio.io', managedFields: [{ manager: 'x' }] }, spec: { group: 'networking.istio.io', scope: 'Namespaced', names: { plural: 'gateways', kind: 'Gateway' }, versions: [{ name: 'v1', served: true, storage: true }] } },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'httproutes.gateway.networking.k8s.io' }, spec: {} },
  { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'ingress', namespace: 'shop' } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'istio-revision-tag-default' } },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'cert-manager-webhook' } },
];
const reader = {
  async get() {
    return undefined;
  },
  async list(r: ResourceRef) {
    return objects.filter((o) => o.kind === r.kind);
  },
};

const gwCrd = (plural: string, version: string, channel = 'standard') =>
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.gateway.networking.k8s.io\n  annotations:\n    gateway.networking.k8s.io/bundle-version: v${version}\n    gateway.networking.k8s.io/channel: ${channel}\nspec: {}\n`;
const POLICY = 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: safe-upgrades.gateway.networking.k8s.io\nspec: {}\n';
const URL_OK = 'https://example.test/v1.5.1/standard-install.yaml';
const URL_FOREIGN = 'https://example.test/foreign.yaml';
const URL_OLD = 'https://example.test/v1.4.1/standard-install.yaml';
const manifests = new Map<string, string>([
  [URL_OK, [gwCrd('gateways', '1.5.1'), gwCrd('referencegrants', '1.5.1'), POLICY].join('---\n')],
  [URL_FOREIGN, [gwCrd('gateways', '1.5.1'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: miner\n  namespace: default\n'].join('---\n')],
  [URL_OLD, gwCrd('gateways', '1.4.1')],
]);

function run(action: ApiAction, writer = new RecordingWriter(), previousOutput?: string, pinned?: ReadonlyMap<string, PinnedManifest>) {
  return performAction(
    action,
    { previousOutput, signal: new AbortController().signal, deadline: T0 + 60_000, helmValues: async (r, n) => `# values of ${n}/${r}\nsecret: x\n`, ...(pinned ? { manifests: pinned } : {}) },
    { writer, reader, inventory: async () => inventory(), now: () => T0, fetchManifest: async (url: string) => manifests.get(url) ?? Promise.reject(new Error(`GET ${url}: HTTP 404`)) },
  ).then(() => writer);
}

describe('API actions', () => {
  it('label-namespaces is a merge patch where null removes the label', async () => {
    const w = await run({ type: 'label-namespaces', namespaces: ['shop', 'cart'], labels: { 'istio.io/rev': 'stable', 'istio-injection': null } });
    expect(w.calls).toEqual(['merge namespaces /shop', 'merge namespaces /cart']);
    expect(w.bodies[0]).toEqual({ metadata: { labels: { 'istio.io/rev': 'stable', 'istio-injection': null } } });
  });

  it('unlabel-crds removes exactly the named labels and annotations', async () => {
    const w = await run({ type: 'unlabel-crds', crds: ['a.istio.io'], labels: ['app.kubernetes.io/managed-by'], annotations: ['meta.helm.sh/release-name'] });
    expect(w.bodies[0]).toEqual({ metadata: { labels: { 'app.kubernetes.io/managed-by': null }, annotations: { 'meta.helm.sh/release-name': null } } });
  });

  it('label-crds fails on a CRD that is gone', async () => {
    const writer = new RecordingWriter();
    writer.missing.add('b.istio.io');
    await expect(run({ type: 'label-crds', crds: ['a.istio.io', 'b.istio.io'], labels: { x: 'y' }, annotations: {} }, writer)).rejects.toThrow('CustomResourceDefinition b.istio.io does not exist');
  });

  it('rollout-restart sets restartedAt on the pod template with a strategic merge patch', async () => {
    const w = await run({ type: 'rollout-restart', workloads: [{ kind: 'StatefulSet', namespace: 'shop', name: 'db' }] });
    expect(w.calls).toEqual(['strategic statefulsets shop/db']);
    expect(w.bodies[0]).toEqual({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date(T0).toISOString() } } } } });
  });

  it('apply-rendered server-side applies each object the previous command printed', async () => {
    const rendered = '---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: istio-revision-tag-default\n---\n# empty\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istiod-revision-tag-default\n  namespace: istio-system\n';
    const w = await run({ type: 'apply-rendered', fieldManager: 'istio-upgrade' }, new RecordingWriter(), rendered);
    expect(w.calls).toEqual(['apply MutatingWebhookConfiguration istio-revision-tag-default as istio-upgrade', 'apply Service istiod-revision-tag-default as istio-upgrade']);
    await expect(run({ type: 'apply-rendered', fieldManager: 'istio-upgrade' }, new RecordingWriter(), '')).rejects.toThrow('rendered no Kubernetes objects');
  });

  it('apply-objects applies the objects the plan carries; delete-objects deletes, and an object already gone is no failure', async () => {
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'istiod-vs-1-24-6', namespace: 'istio-system' } };
    const w = await run({ type: 'apply-objects', file: 'expose.yaml', fieldManager: 'istio-upgrade', objects: [{ plural: 'virtualservices', object: vs }] });
    expect(w.calls).toEqual(['apply VirtualService istiod-vs-1-24-6 as istio-upgrade']);
    const gone = new RecordingWriter();
    gone.missing.add('istiod-vs-1-24-6');
    const d = await run({ type: 'delete-objects', objects: [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', plural: 'virtualservices', namespace: 'istio-system', name: 'istiod-vs-1-24-6' }] }, gone);
    expect(d.calls).toEqual(['delete VirtualService istio-system/istiod-vs-1-24-6']);
  });

  it('export-backup writes Istio CRDs, their resources, Istio webhooks and Helm values, all 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'iu-bk-')), 'backup');
    await run({ type: 'export-backup', directory: dir, istioNamespace: 'istio-system', helmReleases: [{ release: 'istiod', namespace: 'istio-system' }] });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.files).toEqual(['crds.yaml', 'resources/gateways.networking.istio.io.yaml', 'webhooks.yaml', 'values/istio-system-istiod.yaml']);
    for (const f of [...index.files, 'index.json']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    const crds = readFileSync(join(dir, 'crds.yaml'), 'utf8');
    expect(crds).toContain('gateways.networking.istio.io');
    expect(crds).not.toContain('httproutes');
    expect(crds).not.toContain('managedFields');
    expect(readFileSync(join(dir, 'webhooks.yaml'), 'utf8')).not.toContain('cert-manager');
    expect(readFileSync(join(dir, 'values/istio-system-istiod.yaml'), 'utf8')).toBe('# values of istio-system/istiod\nsecret: x\n');
    expect(await backupProblem(dir)).toBeUndefined();
  });

  it('apply-gateway-api-crds applies every object of the fetched bundle server-side', async () => {
    const w = await run({ type: 'apply-gateway-api-crds', version: '1.5.1', channel: 'standard', url: URL_OK, fieldManager: 'istio-upgrade' });
    expect(w.calls).toEqual([
      'apply CustomResourceDefinition gateways.gateway.networking.k8s.io as istio-upgrade',
      'apply CustomResourceDefinition referencegrants.gateway.networking.k8s.io as istio-upgrade',
      'apply ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io as istio-upgrade',
    ]);
  });

  it('apply-gateway-api-crds writes nothing when the manifest is not exactly the bundle the plan names', async () => {
    const action = (url: string, version = '1.5.1', channel: 'standard' | 'experimental' = 'standard'): ApiAction => ({ type: 'apply-gateway-api-crds', version, channel, url, fieldManager: 'istio-upgrade' });
    for (const [a, message] of [
      [action(URL_FOREIGN), 'Deployment miner is not part of a Gateway API release'],
      [action(URL_OLD), 'is bundle v1.4.1, not v1.5.1'],
      [action(URL_OK, '1.5.1', 'experimental'), 'is channel standard, not experimental'],
      [action('https://example.test/missing.yaml'), 'HTTP 404'],
    ] as const) {
      const w = new RecordingWriter();
      await expect(run(a, w)).rejects.toThrow(message);
      expect(w.calls).toEqual([]);
    }
  });

  it('apply-gateway-api-crds applies the bytes pinned before the first change, and refuses other bytes under the pinned URL', async () => {
    const action: ApiAction = { type: 'apply-gateway-api-crds', version: '1.5.1', channel: 'standard', url: URL_OK, fieldManager: 'istio-upgrade' };
    // Fetched before the first change: applied from those bytes, even if the URL now serves something else.
    const fetchedEarlier = [gwCrd('gateways', '1.5.1')].join('');
    const fromPin = await run(action, new RecordingWriter(), undefined, new Map([[URL_OK, { sha256: manifestDigest(fetchedEarlier), text: fetchedEarlier }]]));
    expect(fromPin.calls).toEqual(['apply CustomResourceDefinition gateways.gateway.networking.k8s.io as istio-upgrade']);
    // A later process of the run (resume, rollback) holds only the digest: other bytes are refused with no write.
    const w = new RecordingWriter();
    await expect(run(action, w, undefined, new Map([[URL_OK, { sha256: manifestDigest(fetchedEarlier) }]]))).rejects.toThrow(
      `the Gateway API manifest ${URL_OK} changed since this run checked it: ${manifestDigest(fetchedEarlier)} then, ${manifestDigest(manifests.get(URL_OK)!)} now`,
    );
    expect(w.calls).toEqual([]);
    // The same bytes pass.
    const same = await run(action, new RecordingWriter(), undefined, new Map([[URL_OK, { sha256: manifestDigest(manifests.get(URL_OK)!) }]]));
    expect(same.calls).toHaveLength(3);
  });

  it('preflight-checks fails on a pending Helm release, naming the recovery', async () => {
    const inv = inventory({ helmReleases: [{ ...inventory().helmReleases[1]!, status: 'pending-upgrade', revision: 2, lastGoodRevision: 1 }] });
    await expect(
      performAction({ type: 'preflight-checks' }, { previousOutput: undefined, signal: new AbortController().signal, deadline: T0, helmValues: async () => '' }, { writer: new RecordingWriter(), reader, inventory: async () => inv, now: () => T0, fetchManifest: async () => '' }),
    ).rejects.toThrow('preflight failed: Helm release istio-system/istiod-1-23-6 is pending-upgrade (revision 2): recover with helm rollback istiod-1-23-6 1 -n istio-system');
  });
});
