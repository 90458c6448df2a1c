/**
 * What each Istio chart renders, per chart version and values, built from test/support/istio-render. Controller
 * artifacts (ReplicaSets, Pods) and server-side fields are not part of a rendering; controllers.ts creates them.
 */
import {
  atLeast,
  baseCrds,
  cniDaemonSet,
  defaultValidator,
  gatewayDeployment,
  helmInstaller,
  istioctlInstaller,
  istiod,
  parseVersion,
  remoteProfileInstall,
  templateInstaller,
  ztunnelDaemonSet,
  type CrdOwner,
  type Installer,
  type K8sObject,
} from '../../support/istio-render/index.js';
import { CliError } from './errors.js';
import { valueAt, type Values } from './values.js';

export type ChartName = 'base' | 'istiod' | 'cni' | 'ztunnel' | 'gateway';
export const CHARTS: ChartName[] = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'];

/** Chart directory names in the istio repo → chart names. */
const DIR_ALIASES: Record<string, ChartName> = { 'istio-discovery': 'istiod', 'istio-cni': 'cni', gateways: 'gateway' };

export interface RenderedObject {
  obj: K8sObject;
  /** Template path inside the chart (`templates/deployment.yaml`, or `crds/crd-all.gen.yaml`). */
  source: string;
  /** From the chart's `crds/` directory: created on install only, never upgraded, not part of the release. */
  crdsDir?: boolean;
}

export interface RenderOptions {
  chart: ChartName;
  version: string;
  release: string;
  namespace: string;
  /** Effective values (nulls removed). */
  values: Values;
  /** helm = owned by the release; template = `helm template` output; istioctl = operator labels. */
  mode: 'helm' | 'template' | 'istioctl';
  operatorVersion?: string;
}

/** `istio/istiod`, `oci://registry.istio.io/release/charts/istiod`, `./manifests/charts/istio-control/istio-discovery` → chart name. */
export function chartName(ref: string): string {
  const lastSeg = ref.replace(/\/+$/, '').split('/').pop() ?? ref;
  const bare = lastSeg.replace(/-\d+\.\d+\.\d+.*\.tgz$/, '').replace(/\.tgz$/, '');
  return DIR_ALIASES[bare] ?? bare;
}

export function isIstioChart(name: string): name is ChartName {
  return (CHARTS as string[]).includes(name);
}

/** Chart versions the fake "repository" serves: Istio 1.18 – 1.31, any patch. */
export function chartVersionKnown(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return false;
  return Number(m[1]) === 1 && Number(m[2]) >= 18 && Number(m[2]) <= 31;
}

const PROFILES = ['ambient', 'default', 'demo', 'empty', 'minimal', 'openshift', 'openshift-ambient', 'preview', 'remote', 'stable'];

/** `compatibilityVersion` values a chart accepts (files/profile-compatibility-version-*.yaml present at each minor). */
export function acceptedCompatibilityVersions(version: string): string[] {
  const minor = parseVersion(version).minor;
  if (minor < 21) return [];
  const lo = minor <= 28 ? Math.max(20, minor - 3) : 25;
  const out: string[] = [];
  for (let m = lo; m <= minor - 1; m++) out.push(`1.${m}`);
  return out;
}

/** `templates/zzz_profile.yaml` (1.21+): unknown profile or compatibility version fails the render. */
function checkProfile(o: RenderOptions): void {
  if (!atLeast(o.version, '1.21')) return;
  const at = `${o.chart}/templates/zzz_profile.yaml`;
  const profile = valueAt(o.values, 'profile') ?? valueAt(o.values, 'global.profile');
  if (profile !== undefined && profile !== '' && !PROFILES.includes(String(profile))) {
    throw new CliError(`execution error at (${at}:39:3): unknown profile ${String(profile)}`);
  }
  const compat = valueAt(o.values, 'compatibilityVersion') ?? valueAt(o.values, 'global.compatibilityVersion');
  if (compat !== undefined && compat !== '') {
    // A YAML float (compatibilityVersion: 1.23) reaches the template as float64, which never names a profile file.
    const shown = typeof compat === 'string' ? compat : `%!s(${typeof compat === 'number' ? 'float64' : typeof compat}=${String(compat)})`;
    if (typeof compat !== 'string' || !acceptedCompatibilityVersions(o.version).includes(compat)) {
      throw new CliError(`execution error at (${at}:47:3): unknown compatibility version ${shown}`);
    }
  }
}

function installerFor(o: RenderOptions): Installer {
  if (o.mode === 'helm') return helmInstaller(o.release, o.namespace);
  if (o.mode === 'template') return templateInstaller(o.release, o.namespace);
  return istioctlInstaller({ version: o.operatorVersion ?? o.version, namespace: o.namespace });
}

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** Rewrites `<hub>/<image>:<version>[-variant]` to another tag (values `global.tag`, ztunnel `tag`). */
function retag(obj: K8sObject, version: string, tag: string | undefined): void {
  if (!tag || tag === version) return;
  const spec = (obj.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template?.spec;
  for (const c of spec?.containers ?? []) c.image = c.image.replace(`:${version}`, `:${tag}`);
}

function isTag(o: K8sObject): boolean {
  return o.metadata.labels?.['istio.io/tag'] !== undefined;
}

function istiodSource(o: K8sObject, version: string): string {
  switch (o.kind) {
    case 'ConfigMap':
      return o.metadata.name.startsWith('istio-sidecar-injector') ? 'templates/istiod-injector-configmap.yaml' : 'templates/configmap.yaml';
    case 'Service':
      return isTag(o) ? 'templates/revision-tags-svc.yaml' : 'templates/service.yaml';
    case 'Deployment':
      return 'templates/deployment.yaml';
    case 'MutatingWebhookConfiguration':
      return isTag(o) ? (atLeast(version, '1.28') ? 'templates/revision-tags-mwc.yaml' : 'templates/revision-tags.yaml') : 'templates/mutatingwebhook.yaml';
    case 'ValidatingWebhookConfiguration':
      return 'templates/validatingwebhookconfiguration.yaml';
    default:
      return `templates/${o.kind.toLowerCase()}.yaml`;
  }
}

export function renderChart(o: RenderOptions): RenderedObject[] {
  checkProfile(o);
  const v = o.values;
  const installer = installerFor(o);
  const profile = str(valueAt(v, 'profile')) ?? str(valueAt(v, 'global.profile'));
  const ambientProfile = profile === 'ambient' || profile === 'openshift-ambient';
  switch (o.chart) {
    case 'base': {
      const out: RenderedObject[] = [];
      const templated = atLeast(o.version, '1.24') ? valueAt(v, 'base.enableCRDTemplates') !== false : valueAt(v, 'base.enableCRDTemplates') === true;
      const owner: CrdOwner =
        o.mode === 'istioctl'
          ? { kind: 'istioctl', operatorVersion: o.operatorVersion ?? o.version, namespace: o.namespace }
          : templated
            ? { kind: 'helm', release: o.release, namespace: o.namespace }
            : { kind: 'legacy' };
      const excluded = new Set((valueAt(v, 'base.excludedCRDs') as string[] | undefined) ?? []);
      for (const crd of baseCrds({ version: o.version, owner })) {
        if (excluded.has(crd.metadata.name)) continue;
        if (o.mode === 'template' && templated) {
          // `helm template` renders the chart's labels but not Helm's apply-time ownership marks
          delete crd.metadata.annotations?.['meta.helm.sh/release-name'];
          delete crd.metadata.annotations?.['meta.helm.sh/release-namespace'];
          if (!atLeast(o.version, '1.24')) delete crd.metadata.labels?.['app.kubernetes.io/managed-by'];
        }
        out.push(templated || o.mode === 'istioctl' ? { obj: crd, source: 'templates/crds.yaml' } : { obj: crd, source: 'crds/crd-all.gen.yaml', crdsDir: true });
      }
      const defaultRevision = v.defaultRevision === undefined ? 'default' : String(v.defaultRevision);
      if (defaultRevision !== '' && o.mode !== 'istioctl') {
        out.push({
          obj: defaultValidator({ revision: defaultRevision === 'default' ? undefined : defaultRevision, namespace: o.namespace, version: o.version, createdBy: 'helm', installer }),
          source: atLeast(o.version, '1.24') ? 'templates/defaultrevision-validatingwebhookconfiguration.yaml' : 'templates/default.yaml',
        });
      }
      return out;
    }
    case 'istiod': {
      // profile=remote (1.24+): no istiod of its own, only the injector webhook and the Service that leads to the primary.
      if (profile === 'remote' && o.mode !== 'istioctl') {
        const objects = remoteProfileInstall({
          version: o.version,
          release: o.release,
          namespace: o.namespace,
          ...(str(v.revision) ? { revision: str(v.revision)! } : {}),
          clusterName: str(valueAt(v, 'global.multiCluster.clusterName')) ?? 'Kubernetes',
          network: str(valueAt(v, 'global.network')) ?? '',
          remotePilotAddress: str(valueAt(v, 'global.remotePilotAddress')) ?? '',
        });
        return objects.map((obj) => ({ obj, source: istiodSource(obj, o.version) }));
      }
      const tags = valueAt(v, 'revisionTags');
      const objects = istiod({
        version: o.version,
        revision: str(v.revision),
        namespace: o.namespace,
        installMethod: o.mode === 'istioctl' ? 'istioctl' : 'helm',
        installer: o.mode === 'istioctl' ? undefined : installer,
        operatorVersion: o.operatorVersion,
        ambient: ambientProfile || valueAt(v, 'pilot.env.PILOT_ENABLE_AMBIENT') === 'true' || valueAt(v, 'pilot.env.PILOT_ENABLE_AMBIENT') === true,
        variant: str(valueAt(v, 'global.variant')),
        hub: str(valueAt(v, 'pilot.hub')) ?? str(valueAt(v, 'global.hub')),
        replicas: num(valueAt(v, 'pilot.replicaCount')) ?? num(valueAt(v, 'replicaCount')),
        revisionTags: Array.isArray(tags) ? tags.map(String) : undefined,
        enableNamespacesByDefault: valueAt(v, 'sidecarInjectorWebhook.enableNamespacesByDefault') === true,
        caAddress: str(valueAt(v, 'global.caAddress')),
        // the istioctl default tag is istioctl's own logic, not the chart's
        createDefaultTag: false,
      }).filter((x) => x.kind !== 'ReplicaSet' && x.kind !== 'Pod');
      for (const x of objects) if (x.kind === 'Deployment') retag(x, o.version, str(valueAt(v, 'pilot.tag')) ?? str(valueAt(v, 'global.tag')));
      return objects.map((obj) => ({ obj, source: istiodSource(obj, o.version) }));
    }
    case 'cni': {
      const [ds] = cniDaemonSet({
        version: o.version,
        ambient: ambientProfile || valueAt(v, 'ambient.enabled') === true || valueAt(v, 'cni.ambient.enabled') === true,
        revision: str(v.revision),
        namespace: o.namespace,
        installer,
        nodes: [],
        variant: str(valueAt(v, 'global.variant')),
        hub: str(valueAt(v, 'global.hub')),
      });
      retag(ds!, o.version, str(valueAt(v, 'global.tag')) ?? str(valueAt(v, 'tag')));
      return [{ obj: ds!, source: 'templates/daemonset.yaml' }];
    }
    case 'ztunnel': {
      const [ds] = ztunnelDaemonSet({
        version: o.version,
        revision: str(v.revision),
        namespace: o.namespace,
        installer,
        nodes: [],
        variant: str(v.variant) ?? str(valueAt(v, 'global.variant')),
        hub: str(v.hub) ?? str(valueAt(v, 'global.hub')),
      });
      const resourceName = str(v.resourceName);
      if (resourceName) ds!.metadata.name = resourceName;
      retag(ds!, o.version, str(v.tag) ?? str(valueAt(v, 'global.tag')));
      return [{ obj: ds!, source: 'templates/daemonset.yaml' }];
    }
    case 'gateway': {
      const labels = valueAt(v, 'labels');
      const objects = gatewayDeployment({
        name: str(v.name) ?? o.release,
        namespace: o.namespace,
        version: o.version,
        release: o.release,
        installer,
        revision: str(v.revision),
        injectedBy: { revision: 'default', version: o.version },
        replicas: num(v.replicaCount),
        labels: labels && typeof labels === 'object' ? (labels as Record<string, string>) : undefined,
      });
      const svcType = str(valueAt(v, 'service.type'));
      const out: RenderedObject[] = [];
      for (const obj of objects) {
        if (obj.kind === 'Deployment') out.push({ obj, source: 'templates/deployment.yaml' });
        else if (obj.kind === 'Service') {
          if (svcType) (obj.spec as Record<string, unknown>).type = svcType;
          out.push({ obj, source: 'templates/service.yaml' });
        }
      }
      return out;
    }
  }
}

/** Helm's InstallOrder (`pkg/releaseutil/kind_sorter.go`); unknown kinds go last, by kind name. */
const INSTALL_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret',
  'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList',
  'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
];

export function sortByInstallOrder<T extends { obj: { kind: string } }>(list: T[]): T[] {
  const rank = (k: string): number => {
    const i = INSTALL_ORDER.indexOf(k);
    return i < 0 ? INSTALL_ORDER.length : i;
  };
  return list
    .map((x, i) => ({ x, i }))
    .sort((a, b) => rank(a.x.obj.kind) - rank(b.x.obj.kind) || (rank(a.x.obj.kind) === INSTALL_ORDER.length ? (a.x.obj.kind < b.x.obj.kind ? -1 : a.x.obj.kind > b.x.obj.kind ? 1 : 0) : 0) || a.i - b.i)
    .map((e) => e.x);
}
