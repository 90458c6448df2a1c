/** Which resources the fake serves: built-in kinds, CRD-defined kinds, and kinds inferred from loaded fixtures. */
import type { KubeObject } from './types.js';

export type FieldGetter = (o: KubeObject) => string;

export interface ResourceType {
  /** `group/Kind`; the storage key (objects are shared by every served version). */
  readonly gk: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  /** Served versions, highest priority first. */
  readonly versions: string[];
  readonly shortNames: string[];
  readonly categories: string[];
  /** Built-in kinds: list items carry no kind/apiVersion and strategic merge patch is accepted. */
  readonly builtin: boolean;
  /** Has a `/status` subresource: status is ignored on main-resource writes. */
  readonly status: boolean;
  /** Tracks metadata.generation. */
  readonly generation: boolean;
  /** DELETE answers with the object (true) or a Success Status (false). */
  readonly deleteReturnsObject: boolean;
  /** PUT without metadata.resourceVersion is allowed. */
  readonly unconditionalUpdate: boolean;
  /** Field-selector fields beyond metadata.name / metadata.namespace. */
  readonly fields: Record<string, FieldGetter>;
  readonly source: 'builtin' | 'crd' | 'inferred';
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const at = (o: unknown, ...path: string[]): unknown => {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
};
const f = (...path: string[]): FieldGetter => (o) => str(at(o, ...path));

const POD_FIELDS: Record<string, FieldGetter> = {
  'spec.nodeName': f('spec', 'nodeName'),
  'spec.restartPolicy': f('spec', 'restartPolicy'),
  'spec.schedulerName': f('spec', 'schedulerName'),
  'spec.serviceAccountName': f('spec', 'serviceAccountName'),
  'spec.hostNetwork': (o) => String(at(o, 'spec', 'hostNetwork') === true),
  'status.phase': f('status', 'phase'),
  'status.podIP': f('status', 'podIP'),
  'status.nominatedNodeName': f('status', 'nominatedNodeName'),
};
const SECRET_FIELDS: Record<string, FieldGetter> = { type: (o) => str(o['type'] ?? 'Opaque') };
const EVENT_FIELDS: Record<string, FieldGetter> = {
  'involvedObject.kind': f('involvedObject', 'kind'),
  'involvedObject.namespace': f('involvedObject', 'namespace'),
  'involvedObject.name': f('involvedObject', 'name'),
  'involvedObject.uid': f('involvedObject', 'uid'),
  'involvedObject.apiVersion': f('involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': f('involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': f('involvedObject', 'fieldPath'),
  reason: f('reason'),
  reportingComponent: f('reportingComponent'),
  source: f('source', 'component'),
  type: f('type'),
};
const NODE_FIELDS: Record<string, FieldGetter> = { 'spec.unschedulable': (o) => String(at(o, 'spec', 'unschedulable') === true) };
const NAMESPACE_FIELDS: Record<string, FieldGetter> = { 'status.phase': f('status', 'phase') };

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  short?: string[];
  categories?: string[];
  status?: boolean;
  generation?: boolean;
  deleteReturnsObject?: boolean;
  fields?: Record<string, FieldGetter>;
}

const BUILTINS: BuiltinSpec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, short: ['ns'], status: true, deleteReturnsObject: true, fields: NAMESPACE_FIELDS },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, short: ['no'], status: true, fields: NODE_FIELDS },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, short: ['po'], categories: ['all'], status: true, deleteReturnsObject: true, fields: POD_FIELDS },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, short: ['svc'], categories: ['all'], status: true, deleteReturnsObject: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, short: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, fields: SECRET_FIELDS },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, short: ['sa'] },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, short: ['ev'], fields: EVENT_FIELDS },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, short: ['deploy'], categories: ['all'], status: true, generation: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, short: ['rs'], categories: ['all'], status: true, generation: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, short: ['sts'], categories: ['all'], status: true, generation: true },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, short: ['ds'], categories: ['all'], status: true, generation: true },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], status: true, generation: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], generation: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], generation: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', plural: 'validatingadmissionpolicies', namespaced: false, categories: ['api-extensions'], status: true, generation: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding', plural: 'validatingadmissionpolicybindings', namespaced: false, categories: ['api-extensions'], generation: true },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, short: ['crd', 'crds'], categories: ['api-extensions'], status: true, generation: true, deleteReturnsObject: true },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
];

export const CRD_GK = 'apiextensions.k8s.io/CustomResourceDefinition';
export const NAMESPACE_GK = '/Namespace';

export function gkOf(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** `apps/v1` → ['apps','v1']; `v1` → ['', 'v1']. */
export function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Kube-aware version priority: GA > beta > alpha, higher numbers first, others last alphabetically. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra && rb) {
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
    return 0;
  }
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Plural guessed from a Kind: Gateway → gateways, Policy → policies, Ingress → ingresses. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

export class Registry {
  private readonly byGK = new Map<string, ResourceType>();
  private byGVR: Map<string, ResourceType> | undefined;
  private readonly builtinGroupOrder: string[] = [];

  constructor() {
    for (const b of BUILTINS) {
      if (!this.builtinGroupOrder.includes(b.group)) this.builtinGroupOrder.push(b.group);
      this.register({
        gk: gkOf(b.group, b.kind),
        group: b.group,
        kind: b.kind,
        plural: b.plural,
        singular: b.kind.toLowerCase(),
        listKind: `${b.kind}List`,
        namespaced: b.namespaced,
        versions: [b.version],
        shortNames: b.short ?? [],
        categories: b.categories ?? [],
        builtin: true,
        status: b.status ?? false,
        generation: b.generation ?? false,
        deleteReturnsObject: b.deleteReturnsObject ?? false,
        unconditionalUpdate: true,
        fields: b.fields ?? {},
        source: 'builtin',
      });
    }
  }

  private register(rt: ResourceType): void {
    this.byGK.set(rt.gk, rt);
    this.byGVR = undefined;
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    return this.byGK.get(gkOf(group, kind));
  }

  byGk(gk: string): ResourceType | undefined {
    return this.byGK.get(gk);
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    if (!this.byGVR) {
      const m = new Map<string, ResourceType>();
      for (const rt of this.byGK.values()) for (const v of rt.versions) m.set(`${rt.group}/${v}/${rt.plural}`, rt);
      this.byGVR = m;
    }
    return this.byGVR.get(`${group}/${version}/${plural}`);
  }

  all(): ResourceType[] {
    return [...this.byGK.values()];
  }

  /** Registers (or re-registers) the kind a CRD defines. Returns the GK, or undefined when the CRD is unusable. */
  registerCrd(crd: KubeObject): string | undefined {
    const spec = (crd['spec'] ?? {}) as Record<string, unknown>;
    const names = (spec['names'] ?? {}) as Record<string, unknown>;
    const group = typeof spec['group'] === 'string' ? spec['group'] : '';
    const kind = typeof names['kind'] === 'string' ? names['kind'] : '';
    const plural = typeof names['plural'] === 'string' ? names['plural'] : '';
    if (!group || !kind || !plural) return undefined;
    const gk = gkOf(group, kind);
    const existing = this.byGK.get(gk);
    if (existing?.source === 'builtin') return undefined;
    const versions = Array.isArray(spec['versions']) ? (spec['versions'] as Record<string, unknown>[]) : [];
    const served = versions.filter((v) => v['served'] !== false && typeof v['name'] === 'string').map((v) => v['name'] as string);
    const hasStatus = versions.some((v) => at(v, 'subresources', 'status') !== undefined);
    this.register({
      gk,
      group,
      kind,
      plural,
      singular: typeof names['singular'] === 'string' && names['singular'] ? names['singular'] : kind.toLowerCase(),
      listKind: typeof names['listKind'] === 'string' && names['listKind'] ? names['listKind'] : `${kind}List`,
      namespaced: spec['scope'] !== 'Cluster',
      versions: served.sort(compareVersions),
      shortNames: Array.isArray(names['shortNames']) ? (names['shortNames'] as string[]) : [],
      categories: Array.isArray(names['categories']) ? (names['categories'] as string[]) : [],
      builtin: false,
      status: hasStatus,
      generation: true,
      deleteReturnsObject: true,
      unconditionalUpdate: false,
      fields: {},
      source: 'crd',
    });
    return gk;
  }

  /** Forgets a CRD-defined kind (its objects are removed by the store). */
  unregister(gk: string): void {
    const rt = this.byGK.get(gk);
    if (rt && rt.source !== 'builtin') {
      this.byGK.delete(gk);
      this.byGVR = undefined;
    }
  }

  /** The type of a loaded object whose kind is unknown: plural guessed, namespaced iff it has a namespace. */
  infer(apiVersion: string, kind: string, namespaced: boolean): ResourceType {
    const [group, version] = splitApiVersion(apiVersion);
    const gk = gkOf(group, kind);
    const existing = this.byGK.get(gk);
    if (existing) {
      if (existing.versions.includes(version)) return existing;
      const widened: ResourceType = { ...existing, versions: [...existing.versions, version].sort(compareVersions) };
      this.register(widened);
      return widened;
    }
    const rt: ResourceType = {
      gk,
      group,
      kind,
      plural: guessPlural(kind),
      singular: kind.toLowerCase(),
      listKind: `${kind}List`,
      namespaced,
      versions: [version],
      shortNames: [],
      categories: [],
      builtin: false,
      status: false,
      generation: true,
      deleteReturnsObject: true,
      unconditionalUpdate: false,
      fields: {},
      source: 'inferred',
    };
    this.register(rt);
    return rt;
  }

  /** Groups in discovery order: built-in groups first, then the others alphabetically. */
  groups(): { name: string; versions: string[] }[] {
    const byGroup = new Map<string, Set<string>>();
    for (const rt of this.byGK.values()) {
      if (!rt.group) continue;
      let s = byGroup.get(rt.group);
      if (!s) byGroup.set(rt.group, (s = new Set()));
      for (const v of rt.versions) s.add(v);
    }
    const names = [...byGroup.keys()].sort((a, b) => {
      const ia = this.builtinGroupOrder.indexOf(a);
      const ib = this.builtinGroupOrder.indexOf(b);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
      return a < b ? -1 : a > b ? 1 : 0;
    });
    return names.map((name) => ({ name, versions: [...byGroup.get(name)!].sort(compareVersions) }));
  }

  /** APIResourceList resources for one group/version, or undefined when not served. */
  resourcesFor(group: string, version: string): Record<string, unknown>[] | undefined {
    const out: Record<string, unknown>[] = [];
    let served = false;
    const types = [...this.byGK.values()].filter((rt) => rt.group === group && rt.versions.includes(version));
    types.sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
    for (const rt of types) {
      served = true;
      const r: Record<string, unknown> = {
        name: rt.plural,
        singularName: rt.singular,
        namespaced: rt.namespaced,
        kind: rt.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      };
      if (rt.shortNames.length) r['shortNames'] = rt.shortNames;
      if (rt.categories.length) r['categories'] = rt.categories;
      out.push(r);
      if (rt.status) out.push({ name: `${rt.plural}/status`, singularName: '', namespaced: rt.namespaced, kind: rt.kind, verbs: ['get', 'patch', 'update'] });
    }
    return served ? out : undefined;
  }
}
