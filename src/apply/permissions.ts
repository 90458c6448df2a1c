/**
 * The Kubernetes permissions a plan needs, as (verb, group, resource, namespace) tuples for SelfSubjectAccessReview:
 * what apply does through the API itself, what helm does for each chart it installs, upgrades, rolls back or removes
 * (release Secrets plus the kinds each Istio chart renders), what istioctl installs, and the run's own lock and records.
 * The input is typed (the plan's API actions and tool operations), never parsed from argv.
 */
import type { ApiAction } from '../plan/schema.js';

export interface Permission {
  verb: string;
  group: string;
  resource: string;
  /** Absent: cluster-scoped. */
  namespace?: string;
}

/** One thing the plan does (a command or its rollback), as far as access is concerned. */
export type AccessNeed =
  | { via: 'api'; action: ApiAction }
  /** `chart` is the Istio chart the release renders (base, istiod, cni, ztunnel, gateway); unknown charts add only the release storage. */
  | { via: 'helm'; operation: 'install' | 'upgrade' | 'rollback' | 'uninstall'; namespace: string; chart?: string }
  | { via: 'istioctl'; operation: 'install' | 'uninstall' | 'tag'; namespace: string };

type Kind = [group: string, resource: string, scope: 'ns' | 'cluster'];

const HELM_WRITE = ['get', 'create', 'patch', 'delete'];
const RBAC = 'rbac.authorization.k8s.io';
const WEBHOOKS = 'admissionregistration.k8s.io';

/** What each Istio chart renders (charts 1.18–1.31), for the helm commands that apply them. */
const CHART_KINDS: Record<string, Kind[]> = {
  base: [['apiextensions.k8s.io', 'customresourcedefinitions', 'cluster'], [WEBHOOKS, 'validatingwebhookconfigurations', 'cluster'], ['', 'serviceaccounts', 'ns']],
  istiod: [
    ['apps', 'deployments', 'ns'], ['', 'services', 'ns'], ['', 'configmaps', 'ns'], ['', 'serviceaccounts', 'ns'], [RBAC, 'roles', 'ns'], [RBAC, 'rolebindings', 'ns'],
    ['policy', 'poddisruptionbudgets', 'ns'], ['autoscaling', 'horizontalpodautoscalers', 'ns'], [RBAC, 'clusterroles', 'cluster'], [RBAC, 'clusterrolebindings', 'cluster'],
    [WEBHOOKS, 'mutatingwebhookconfigurations', 'cluster'], [WEBHOOKS, 'validatingwebhookconfigurations', 'cluster'],
  ],
  cni: [['apps', 'daemonsets', 'ns'], ['', 'configmaps', 'ns'], ['', 'serviceaccounts', 'ns'], [RBAC, 'clusterroles', 'cluster'], [RBAC, 'clusterrolebindings', 'cluster']],
  ztunnel: [['apps', 'daemonsets', 'ns'], ['', 'serviceaccounts', 'ns'], [RBAC, 'clusterroles', 'cluster'], [RBAC, 'clusterrolebindings', 'cluster']],
  gateway: [['apps', 'deployments', 'ns'], ['', 'services', 'ns'], ['', 'serviceaccounts', 'ns'], [RBAC, 'roles', 'ns'], [RBAC, 'rolebindings', 'ns'], ['autoscaling', 'horizontalpodautoscalers', 'ns'], ['policy', 'poddisruptionbudgets', 'ns']],
};

const WORKLOAD_RESOURCE: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

function kinds(list: Kind[], verbs: string[], namespace: string): Permission[] {
  return list.flatMap(([group, resource, scope]) => verbs.map((verb) => ({ verb, group, resource, ...(scope === 'ns' ? { namespace } : {}) })));
}

function apiPermissions(a: ApiAction, istioNamespace: string): Permission[] {
  switch (a.type) {
    case 'label-crds':
    case 'unlabel-crds':
      return [{ verb: 'patch', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }];
    case 'apply-rendered':
      return [{ verb: 'patch', group: WEBHOOKS, resource: 'mutatingwebhookconfigurations' }, { verb: 'patch', group: '', resource: 'services', namespace: istioNamespace }];
    case 'rollout-restart':
      return a.workloads.map((w) => ({ verb: 'patch', group: 'apps', resource: WORKLOAD_RESOURCE[w.kind]!, namespace: w.namespace }));
    case 'label-namespaces':
      return [{ verb: 'patch', group: '', resource: 'namespaces' }];
    case 'export-backup':
      return [
        { verb: 'list', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
        { verb: 'list', group: WEBHOOKS, resource: 'mutatingwebhookconfigurations' },
        { verb: 'list', group: WEBHOOKS, resource: 'validatingwebhookconfigurations' },
        ...a.helmReleases.map((r) => ({ verb: 'get', group: '', resource: 'secrets', namespace: r.namespace })),
      ];
    case 'preflight-checks':
      return [];
    case 'apply-objects':
      return a.objects.map((o) => ({ verb: 'patch', group: groupOf(String(o.object.apiVersion)), resource: o.plural, namespace: String((o.object.metadata as { namespace?: string } | undefined)?.namespace ?? istioNamespace) }));
    case 'delete-objects':
      return a.objects.map((o) => ({ verb: 'delete', group: groupOf(o.apiVersion), resource: o.plural, namespace: o.namespace }));
    case 'apply-gateway-api-crds':
      return [
        { verb: 'patch', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
        { verb: 'patch', group: WEBHOOKS, resource: 'validatingadmissionpolicies' },
        { verb: 'patch', group: WEBHOOKS, resource: 'validatingadmissionpolicybindings' },
      ];
    case 'delete-admission-policy':
      return [{ verb: 'delete', group: WEBHOOKS, resource: 'validatingadmissionpolicies' }];
  }
}

/** `networking.istio.io/v1` → `networking.istio.io`; the core group (`v1`) is ''. */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function needPermissions(n: AccessNeed, istioNamespace: string): Permission[] {
  switch (n.via) {
    case 'api':
      return apiPermissions(n.action, istioNamespace);
    case 'helm': {
      // Helm's release storage: one Secret per revision in the release's namespace.
      const storage = ['get', 'list', 'create', 'update', 'delete'].map((verb) => ({ verb, group: '', resource: 'secrets', namespace: n.namespace }));
      const rendered = n.chart && CHART_KINDS[n.chart] ? kinds(CHART_KINDS[n.chart]!, HELM_WRITE, n.namespace) : [];
      return [...storage, ...rendered];
    }
    case 'istioctl':
      return kinds([...CHART_KINDS.base!, ...CHART_KINDS.istiod!], HELM_WRITE, n.namespace);
  }
}

/** Every permission the needs, the run's lock (a Lease) and its run records (ConfigMaps) take, deduplicated and sorted. */
export function planPermissions(needs: AccessNeed[], istioNamespace: string): Permission[] {
  const out: Permission[] = [
    ...['get', 'create', 'update', 'delete'].map((verb) => ({ verb, group: 'coordination.k8s.io', resource: 'leases', namespace: istioNamespace })),
    ...['get', 'list', 'create', 'update'].map((verb) => ({ verb, group: '', resource: 'configmaps', namespace: istioNamespace })),
    ...needs.flatMap((n) => needPermissions(n, istioNamespace)),
  ];
  const seen = new Map<string, Permission>();
  for (const p of out) seen.set(`${p.namespace ?? ''}|${p.group}|${p.resource}|${p.verb}`, p);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** The RBAC rule that would grant a permission, as a person would add it to a (Cluster)Role. */
export function rbacRule(p: Permission): string {
  const where = p.namespace ? `Role in namespace ${p.namespace}` : 'ClusterRole';
  return `${where}: {apiGroups: ["${p.group}"], resources: ["${p.resource}"], verbs: ["${p.verb}"]}`;
}

/** `patch daemonsets.apps in namespace istio-system`. */
export function describePermission(p: Permission): string {
  return `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}${p.namespace ? ` in namespace ${p.namespace}` : ' (cluster-wide)'}`;
}
