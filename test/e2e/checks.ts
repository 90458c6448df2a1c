/** What the ambient 1.23 → 1.24 plan's steps change, read back from the fake API server. */
import { expect } from 'vitest';
import type { FakeApiServer, KubeObject } from '../fake-apiserver/index.js';
import { latestReleases, type StoredRelease } from '../fakebin/index.js';

export const OLD = '1.23.6';
export const NEW = '1.24.6';
export const OLD_REV = '1-23-6';
export const NEW_REV = '1-24-6';

export function release(server: FakeApiServer, namespace: string, name: string): StoredRelease | undefined {
  return latestReleases(server, namespace).get(`${namespace}/${name}`);
}

/** `chartVersion status` of the newest revision, or 'absent'. */
export function releaseState(server: FakeApiServer, namespace: string, name: string): string {
  const r = release(server, namespace, name);
  return r ? `${r.chart.version} ${r.status}` : 'absent';
}

export function images(server: FakeApiServer, kind: 'Deployment' | 'DaemonSet', namespace: string, name: string): string[] {
  const w = server.get('apps/v1', kind, name, namespace) as { spec?: { template?: { spec?: { containers?: { image: string }[] } } } } | undefined;
  return (w?.spec?.template?.spec?.containers ?? []).map((c) => c.image);
}

/** The version in the workload's first image (`…:1.24.6-distroless` → 1.24.6), or 'absent'. */
export function imageVersion(server: FakeApiServer, kind: 'Deployment' | 'DaemonSet', namespace: string, name: string): string {
  const first = images(server, kind, namespace, name)[0];
  return first ? (/:(\d+\.\d+\.\d+)/.exec(first)?.[1] ?? first) : 'absent';
}

export function tagRevision(server: FakeApiServer, tag: string): string | undefined {
  return server.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', `istio-revision-tag-${tag}`)?.metadata.labels?.['istio.io/rev'];
}

/** `namespace/name` of the Service every webhook of istiod-default-validator calls (one name, or the distinct ones joined). */
export function validatorService(server: FakeApiServer): string | undefined {
  const vwc = server.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'istiod-default-validator') as { webhooks?: { clientConfig?: { service?: { name: string; namespace: string } } }[] } | undefined;
  if (!vwc) return undefined;
  return [...new Set((vwc.webhooks ?? []).map((w) => `${w.clientConfig?.service?.namespace}/${w.clientConfig?.service?.name}`))].join(' ');
}

export function istioCrds(server: FakeApiServer): KubeObject[] {
  return server.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition').filter((c) => c.metadata.name.endsWith('.istio.io'));
}

export function crdsOwnedByBase(server: FakeApiServer): number {
  return istioCrds(server).filter(
    (c) =>
      c.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm' &&
      c.metadata.annotations?.['meta.helm.sh/release-name'] === 'istio-base' &&
      c.metadata.annotations?.['meta.helm.sh/release-namespace'] === 'istio-system',
  ).length;
}

export function restartedAt(server: FakeApiServer, namespace: string, name: string, kind = 'Deployment'): string | undefined {
  const w = server.get('apps/v1', kind, name, namespace) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } } | undefined;
  return w?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
}

/** Step ids of the ambient 1.23 → 1.24 plan (fixture ambient-helm-1.23, and the same mesh installed by the real-cluster tier). */
export const AMBIENT_STEPS = [
  'h1-preflight',
  'h1-backup',
  'h1-crd-migration-labels',
  'h1-base-chart-upgrade',
  'h1-istiod-install',
  'h1-cni-upgrade',
  'h1-workload-restart-ambient-dns',
  'h1-ztunnel-upgrade',
  'h1-tag-move-prod-stable',
  'h1-tag-move-default',
  'h1-default-revision-move',
  'h1-gateway-upgrade-istio-ingress',
];

export const AMBIENT_RESTARTED = [
  ['bookinfo', 'details'],
  ['bookinfo', 'productpage'],
  ['bookinfo', 'ratings'],
  ['bookinfo', 'reviews'],
  ['inventory', 'inventory-svc'],
  ['payments', 'fraud-check'],
  ['payments', 'payments-api'],
] as const;

/**
 * Asserts the effect of one step of the ambient plan: `applied` true = the step's change is in the cluster,
 * false = the cluster is as before the step (never run, or rolled back). Read-only steps have nothing to check.
 */
export function expectStepEffect(server: FakeApiServer, stepId: string, applied: boolean): void {
  const what = `${stepId} ${applied ? 'applied' : 'not applied'}`;
  switch (stepId) {
    case 'h1-crd-migration-labels':
      if (applied) expect(crdsOwnedByBase(server), what).toBe(istioCrds(server).length);
      else expect(crdsOwnedByBase(server), what).toBe(0);
      return;
    case 'h1-base-chart-upgrade':
      expect(releaseState(server, 'istio-system', 'istio-base'), what).toBe(`${applied ? NEW : OLD} deployed`);
      return;
    case 'h1-istiod-install':
      expect(releaseState(server, 'istio-system', `istiod-${NEW_REV}`), what).toBe(applied ? `${NEW} deployed` : 'absent');
      expect(server.get('apps/v1', 'Deployment', `istiod-${NEW_REV}`, 'istio-system') !== undefined, what).toBe(applied);
      return;
    case 'h1-cni-upgrade':
      expect(releaseState(server, 'istio-system', 'istio-cni'), what).toBe(`${applied ? NEW : OLD} deployed`);
      expect(imageVersion(server, 'DaemonSet', 'istio-system', 'istio-cni-node'), what).toBe(applied ? NEW : OLD);
      return;
    case 'h1-workload-restart-ambient-dns':
      // A partly run restart cannot be undone (its rollback is "nothing to undo"); only the applied case is checked.
      if (applied) for (const [ns, name] of AMBIENT_RESTARTED) expect(restartedAt(server, ns, name), `${what}: ${ns}/${name}`).toBeDefined();
      return;
    case 'h1-ztunnel-upgrade':
      expect(releaseState(server, 'istio-system', 'ztunnel'), what).toBe(`${applied ? NEW : OLD} deployed`);
      expect(imageVersion(server, 'DaemonSet', 'istio-system', 'ztunnel'), what).toBe(applied ? NEW : OLD);
      return;
    case 'h1-tag-move-prod-stable':
      expect(tagRevision(server, 'prod-stable'), what).toBe(applied ? NEW_REV : OLD_REV);
      return;
    case 'h1-tag-move-default':
      expect(tagRevision(server, 'default'), what).toBe(applied ? NEW_REV : OLD_REV);
      return;
    case 'h1-default-revision-move':
      expect(validatorService(server), what).toBe(`istio-system/istiod-${applied ? NEW_REV : OLD_REV}`);
      expect(release(server, 'istio-system', 'istio-base')?.config?.defaultRevision === NEW_REV, what).toBe(applied);
      return;
    case 'h1-gateway-upgrade-istio-ingress':
      expect(releaseState(server, 'istio-ingress', 'istio-ingress'), what).toBe(`${applied ? NEW : OLD} deployed`);
      return;
    default:
      return;
  }
}

/** The whole ambient upgrade is in the cluster, the old revision still installed. */
export function expectAmbientUpgraded(server: FakeApiServer, plannedSteps: string[]): void {
  for (const id of plannedSteps) expectStepEffect(server, id, true);
  expect(releaseState(server, 'istio-system', `istiod-${OLD_REV}`)).toBe(`${OLD} deployed`);
  expect(server.get('apps/v1', 'Deployment', `istiod-${OLD_REV}`, 'istio-system')).toBeDefined();
}
