/**
 * How an object got into the cluster decides its owner metadata. The chart templates render the same labels for
 * every method; the installer then adds its own marks:
 *
 * - Helm (`helm install/upgrade`, `pkg/action` setMetadataVisitor): label `app.kubernetes.io/managed-by: Helm`,
 *   annotations `meta.helm.sh/release-name` / `meta.helm.sh/release-namespace`. CRDs from a chart's `crds/`
 *   directory are created without these marks.
 * - `helm template … | kubectl apply`: nothing beyond what the templates render.
 * - istioctl / in-cluster operator (`operator/pkg/helmreconciler` getCoreOwnerLabels): labels
 *   `operator.istio.io/managed=Reconcile`, `operator.istio.io/version`, `install.operator.istio.io/owning-resource`,
 *   `install.operator.istio.io/owning-resource-namespace`, `istio.io/rev`, `operator.istio.io/component`.
 *   Both render with Helm release name `istio`.
 * - Sail Operator (Helm library + post-renderer, `pkg/helm/postrenderer.go`): Helm's marks plus label
 *   `managed-by: sail-operator` and an ownerReference to the `IstioRevision`.
 *
 * From Istio 1.24 the charts also render `istio.labels` (`app.kubernetes.io/managed-by: "Helm"` from
 * `.Release.Service`, instance, part-of, version, `helm.sh/chart`) on nearly every object, so istioctl output
 * carries `app.kubernetes.io/managed-by: Helm` too. Before 1.24 only the gateway and ztunnel charts did.
 */
import { atLeast, mergeLabels, type K8sObject, type Labels, type OwnerReference } from './meta.js';

export type InstallMethod = 'helm' | 'istioctl' | 'operator' | 'sail' | 'template';

export interface Installer {
  method: InstallMethod;
  /** Helm release name; rendered into the charts' `release` label. istioctl and the operator render as `istio`. */
  release: string;
  /** Namespace of the Helm release record (helm/sail). */
  releaseNamespace: string;
  /** istioctl/operator: `install.operator.istio.io/owning-resource` (istioctl: `installed-state`, operator: the IOP name). */
  owningResource?: string;
  owningResourceNamespace?: string;
  /** istioctl/operator: `operator.istio.io/version` (the istioctl/operator binary version). */
  operatorVersion?: string;
  /** sail: ownerReference to the IstioRevision that owns the release. */
  sailOwner?: OwnerReference;
}

export function helmInstaller(release: string, releaseNamespace: string): Installer {
  return { method: 'helm', release, releaseNamespace };
}

/** `helm template <release> … | kubectl apply -f -`: chart labels only, not owned by any release. */
export function templateInstaller(release: string, namespace = 'istio-system'): Installer {
  return { method: 'template', release, releaseNamespace: namespace };
}

export function istioctlInstaller(opts: { version: string; owningResource?: string; namespace?: string }): Installer {
  return {
    method: 'istioctl',
    release: 'istio',
    releaseNamespace: opts.namespace ?? 'istio-system',
    owningResource: opts.owningResource ?? 'installed-state',
    owningResourceNamespace: opts.namespace ?? 'istio-system',
    operatorVersion: opts.version,
  };
}

export function operatorInstaller(opts: { version: string; iopName: string; iopNamespace?: string }): Installer {
  return {
    method: 'operator',
    release: 'istio',
    releaseNamespace: opts.iopNamespace ?? 'istio-system',
    owningResource: opts.iopName,
    owningResourceNamespace: opts.iopNamespace ?? 'istio-system',
    operatorVersion: opts.version,
  };
}

export function sailInstaller(opts: { release: string; releaseNamespace: string; owner: OwnerReference }): Installer {
  return { method: 'sail', release: opts.release, releaseNamespace: opts.releaseNamespace, sailOwner: opts.owner };
}

export type IstioComponent = 'Base' | 'Pilot' | 'Cni' | 'Ztunnel' | 'IngressGateways' | 'EgressGateways';

/** `istio.labels` (charts ≥ 1.24); empty before 1.24. */
export function istioChartLabels(version: string, chart: string, release: string): Labels {
  if (!atLeast(version, '1.24')) return {};
  return {
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/part-of': 'istio',
    'app.kubernetes.io/version': version,
    'helm.sh/chart': `${chart}-${version}`,
  };
}

/** `install.operator.istio.io/owning-resource` as the chart template renders it (`ownerName | default "unknown"`). */
export function chartOwnerName(installer: Installer): string {
  return installer.method === 'istioctl' || installer.method === 'operator' ? (installer.owningResource ?? 'unknown') : 'unknown';
}

/**
 * Labels an installer added at apply time (Helm's setMetadataVisitor, Sail's post-renderer), per object — so the
 * Helm manifest can be reconstructed without them (Helm stores the rendered, not the applied, documents; Sail's
 * post-renderer output is what Helm stores, so its label is kept there).
 */
const APPLY_TIME_LABELS = new WeakMap<object, string[]>();

export function applyTimeLabels(obj: object): string[] {
  return APPLY_TIME_LABELS.get(obj) ?? [];
}

/** Applies the installer's own marks to a top-level object (not to pods or pod templates). Mutates and returns `obj`. */
export function decorate<T extends K8sObject>(obj: T, installer: Installer, opts: { component?: IstioComponent; revision?: string } = {}): T {
  const m = obj.metadata;
  switch (installer.method) {
    case 'helm':
    case 'sail': {
      const added = [
        ...(m.labels?.['app.kubernetes.io/managed-by'] === 'Helm' ? [] : ['app.kubernetes.io/managed-by']),
        ...(installer.method === 'sail' ? ['managed-by'] : []),
      ];
      if (added.length > 0) APPLY_TIME_LABELS.set(obj, added);
      m.labels = mergeLabels(m.labels, {
        'app.kubernetes.io/managed-by': 'Helm',
        ...(installer.method === 'sail' ? { 'managed-by': 'sail-operator' } : {}),
      });
      m.annotations = mergeLabels(m.annotations, {
        'meta.helm.sh/release-name': installer.release,
        'meta.helm.sh/release-namespace': installer.releaseNamespace,
      });
      if (installer.method === 'sail' && installer.sailOwner) {
        m.ownerReferences = [...(m.ownerReferences ?? []), { ...installer.sailOwner }];
      }
      break;
    }
    case 'istioctl':
    case 'operator': {
      m.labels = mergeLabels(m.labels, {
        'operator.istio.io/managed': 'Reconcile',
        'operator.istio.io/version': installer.operatorVersion,
        'install.operator.istio.io/owning-resource': installer.owningResource,
        'install.operator.istio.io/owning-resource-namespace': installer.owningResourceNamespace,
        'istio.io/rev': opts.revision ?? 'default',
        'operator.istio.io/component': opts.component,
      });
      break;
    }
    case 'template':
      break;
  }
  return obj;
}
