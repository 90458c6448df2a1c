/**
 * Installs a mesh with real helm from the loopback chart repository, the way an operator did before the upgrade,
 * plus application namespaces and workloads; waits until every pod runs.
 */
import type { RealCluster } from './harness/cluster.js';
import { deployment, namespace, statefulSet } from './workloads.js';
import { AMBIENT_RESTARTED } from '../e2e/checks.js';

const NS = 'istio-system';

/** Revision tags as the Istio docs apply them: `helm template … -s <tag templates> | kubectl apply -f -`. */
export async function applyTags(c: RealCluster, version: string, revision: string, tags: string[]): Promise<void> {
  const minor = Number(version.split('.')[1]);
  const templates = minor >= 28 ? ['templates/revision-tags-mwc.yaml', 'templates/revision-tags-svc.yaml'] : ['templates/revision-tags.yaml'];
  const out = await c.helmOk([
    'template', `istiod-${revision}`, 'istio/istiod', '-n', NS, '--version', version,
    ...templates.flatMap((t) => ['-s', t]),
    '--set', `revisionTags={${tags.join(',')}}`, '--set', `revision=${revision}`,
  ]);
  await c.applyYaml(out);
}

/** A Helm install of `version` waiting for readiness, as the Istio install guides run it. */
class Installer {
  constructor(
    private readonly c: RealCluster,
    readonly version: string,
  ) {}

  get revision(): string {
    return this.version.replace(/\./g, '-');
  }

  chart(release: string, chart: string, namespace: string, ...set: string[]): Promise<string> {
    const args = ['install', release, `istio/${chart}`, '-n', namespace, '--create-namespace', ...set.flatMap((x) => ['--set', x]), '--version', this.version, '--wait', '--timeout', '3m'];
    return this.c.helmOk(args, undefined, this.c.setupHelm);
  }

  /** istio-base (default validator on this revision) and istiod-<revision>. */
  async controlPlane(...istiodSet: string[]): Promise<void> {
    await this.chart('istio-base', 'base', NS, `defaultRevision=${this.revision}`);
    await this.chart(`istiod-${this.revision}`, 'istiod', NS, `revision=${this.revision}`, ...istiodSet);
  }
}

/** The Helm releases installAmbient123 leaves, by `namespace/name` → `chart status` (as checks.ts `releases` reads them). */
export const AMBIENT_123_RELEASES = {
  'istio-system/istio-base': 'base-1.23.6 deployed',
  'istio-system/istiod-1-23-6': 'istiod-1.23.6 deployed',
  'istio-system/istio-cni': 'cni-1.23.6 deployed',
  'istio-system/ztunnel': 'ztunnel-1.23.6 deployed',
  'istio-ingress/istio-ingress': 'gateway-1.23.6 deployed',
};

/** Ambient 1.23.6 with DNS capture, tags `default` and `prod-stable`, an ingress gateway and three ambient namespaces. */
export async function installAmbient123(c: RealCluster): Promise<void> {
  const i = new Installer(c, '1.23.6');
  await i.controlPlane('profile=ambient');
  await applyTags(c, i.version, i.revision, ['default', 'prod-stable']);
  await i.chart('istio-cni', 'cni', NS, 'profile=ambient', 'cni.ambient.dnsCapture=true');
  await i.chart('ztunnel', 'ztunnel', NS, `revision=${i.revision}`);
  await i.chart('istio-ingress', 'gateway', 'istio-ingress');
  for (const ns of ['bookinfo', 'inventory', 'payments']) await namespace(c.api, ns, { 'istio.io/dataplane-mode': 'ambient' });
  for (const [ns, name] of AMBIENT_RESTARTED) await c.api.create('Deployment', deployment(ns, name));
  await c.settle([NS, 'istio-ingress', 'bookinfo', 'inventory', 'payments']);
}

/** Workloads of the sidecar mesh: namespace → Deployments (search also has the StatefulSet search-index). */
export const SIDECAR_APPS: Record<string, string[]> = { shop: ['cart', 'frontend'], orders: ['orders'], payments: ['payments-api'], search: ['search-api'] };

/**
 * Sidecar 1.22.8 installed canary-style as revision 1-22-8 with the in-chart tags `default` and `canary`
 * (`revisionTags`); shop and orders use istio-injection=enabled, payments istio.io/rev=default, search the `canary`
 * tag (with a StatefulSet); an ingress gateway injected through the default tag.
 */
export async function installSidecar122(c: RealCluster): Promise<void> {
  const i = new Installer(c, '1.22.8');
  await i.controlPlane('revisionTags={default,canary}');
  await i.chart('istio-ingress', 'gateway', 'istio-ingress');
  await namespace(c.api, 'shop', { 'istio-injection': 'enabled' });
  await namespace(c.api, 'orders', { 'istio-injection': 'enabled' });
  await namespace(c.api, 'payments', { 'istio.io/rev': 'default' });
  await namespace(c.api, 'search', { 'istio.io/rev': 'canary' });
  for (const [ns, apps] of Object.entries(SIDECAR_APPS)) for (const app of apps) await c.api.create('Deployment', deployment(ns, app));
  await c.api.create('StatefulSet', statefulSet('search', 'search-index'));
  await c.settle([NS, 'istio-ingress', ...Object.keys(SIDECAR_APPS)]);
}
