/**
 * The istiod chart (`manifests/charts/istio-control/istio-discovery`) as it lands in a cluster: Deployment (+
 * ReplicaSet, Pods), Service, injector MutatingWebhookConfiguration, per-revision ValidatingWebhookConfiguration,
 * mesh and injector ConfigMaps, in-chart revision tags; plus revision tags created outside the release and the base
 * chart's `istiod-default-validator`.
 *
 * Object names and labels follow the templates at 1.20.8 / 1.22.8 / 1.23.6 / 1.24.6 / 1.28.10 (see each function).
 */
import {
  chartOwnerName,
  decorate,
  helmInstaller,
  istioChartLabels,
  istioctlInstaller,
  operatorInstaller,
  sailInstaller,
  templateInstaller,
  type Installer,
} from './installer.js';
import { atLeast, meta, mergeLabels, renderNow, type K8sObject, type Labels, type OwnerReference } from './meta.js';
import { deploymentWithPods, type PodTemplate, type PreviousReplicaSet } from './workloads.js';

export interface IstiodOptions {
  version: string;
  /** Revision name; undefined = the revision-less (`default`) control plane. */
  revision?: string;
  /** Istio namespace (default `istio-system`). */
  namespace?: string;
  installMethod: 'helm' | 'istioctl' | 'operator' | 'sail';
  /** Helm release name (default `istiod` / `istiod-<rev>`; Sail: `<revision name>-istiod`). */
  releaseName?: string;
  /** Namespace of the Helm release record (default: the Istio namespace). */
  releaseNamespace?: string;
  /** Overrides the installer derived from installMethod (e.g. the `ambient` umbrella release). */
  installer?: Installer;
  /** operator: name of the IstioOperator CR (owning-resource label). */
  iopName?: string;
  /** istioctl/operator: binary version stamped into `operator.istio.io/version` (default: version). */
  operatorVersion?: string;
  /** sail: ownerReference to the IstioRevision. */
  sailOwner?: OwnerReference;
  replicas?: number;
  /** true = all replicas ready (default), false = none, a number = that many ready. */
  ready?: boolean | number;
  /** Ambient profile (HBONE metadata, PILOT_ENABLE_AMBIENT, distroless images). */
  ambient?: boolean;
  /** Image variant; default `distroless` with ambient, none otherwise. */
  variant?: string;
  hub?: string;
  /** Tags rendered by this release (istiod chart value `revisionTags`). */
  revisionTags?: string[];
  enableNamespacesByDefault?: boolean;
  /** `global.caAddress` (e.g. cert-manager istio-csr). */
  caAddress?: string;
  createdAt?: string;
  nodes?: string[];
  /** Older ReplicaSets of the istiod Deployment, oldest first (replicas > 0 = rollout in progress). */
  previous?: { version: string; replicas: number; createdAt?: string }[];
  /** When the current ReplicaSet was created (the last upgrade); default createdAt (+1 day per previous set). */
  rolledOutAt?: string;
  /**
   * istioctl/operator installing a revision-less control plane also create the `default` tag and
   * `istiod-default-validator` and deactivate the revision-less injector webhooks (operator/pkg/helmreconciler
   * ProcessDefaultWebhook). Default: true for istioctl/operator without revision.
   */
  createDefaultTag?: boolean;
}

/** `istiod` or `istiod-<rev>`. */
export function istiodName(revision?: string): string {
  return revision ? `istiod-${revision}` : 'istiod';
}

export function pilotImage(o: { version: string; hub?: string; variant?: string }): string {
  return `${o.hub ?? 'docker.io/istio'}/pilot:${o.version}${o.variant ? `-${o.variant}` : ''}`;
}

function resolveInstaller(o: IstiodOptions, ns: string): Installer {
  if (o.installer) return o.installer;
  switch (o.installMethod) {
    case 'helm':
      return helmInstaller(o.releaseName ?? istiodName(o.revision), o.releaseNamespace ?? ns);
    case 'istioctl':
      return istioctlInstaller({ version: o.operatorVersion ?? o.version, namespace: ns });
    case 'operator':
      return operatorInstaller({ version: o.operatorVersion ?? o.version, iopName: o.iopName ?? 'installed-state', iopNamespace: ns });
    case 'sail': {
      if (!o.sailOwner) throw new Error('istiod({installMethod: "sail"}) needs sailOwner');
      return sailInstaller({ release: o.releaseName ?? `${o.revision ?? 'default'}-istiod`, releaseNamespace: ns, owner: o.sailOwner });
    }
  }
}

/** Labels every istiod-chart object gets from 1.24 (`app.kubernetes.io/name: istiod` + `istio.labels`). */
function modernLabels(version: string, installer: Installer, chart = 'istiod'): Labels {
  if (!atLeast(version, '1.24')) return {};
  return mergeLabels({ 'app.kubernetes.io/name': 'istiod' }, istioChartLabels(version, chart, installer.release));
}

const INJECT_RULES = [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }];
const VALIDATE_RULES = [
  {
    apiGroups: ['security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
    apiVersions: ['*'],
    operations: ['CREATE', 'UPDATE'],
    resources: ['*'],
    scope: '*',
  },
];

type Selector = Record<string, unknown>;
const exprs = (...e: Record<string, unknown>[]): Selector => ({ matchExpressions: e });
const NOT_DISABLED = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
export const NEVER_MATCH: Selector = { matchLabels: { 'istio.io/deactivated': 'never-match' } };

function injectorWebhook(prefix: string, svc: { name: string; namespace: string; path?: string }, namespaceSelector: Selector, objectSelector: Selector) {
  return {
    name: `${prefix}sidecar-injector.istio.io`,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: svc.name, namespace: svc.namespace, path: svc.path ?? '/inject', port: 443 } },
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    namespaceSelector,
    objectSelector,
    reinvocationPolicy: 'Never',
    rules: INJECT_RULES,
    sideEffects: 'None',
    timeoutSeconds: 10,
  };
}

/**
 * The injector webhooks as `mutatingwebhook.yaml` / `revision-tags.yaml` render them.
 * `match` is the `istio.io/rev` value the revision webhooks select (revision, `default`, or the tag name);
 * `defaultWebhooks` adds the `namespace.`/`object.` (and `auto.`) webhooks of the default revision/tag.
 */
function injectorWebhooks(svc: { name: string; namespace: string; path?: string }, match: string, defaultWebhooks: boolean, enableNamespacesByDefault: boolean) {
  const whs = [
    injectorWebhook(
      'rev.namespace.',
      svc,
      exprs({ key: 'istio.io/rev', operator: 'In', values: [match] }, { key: 'istio-injection', operator: 'DoesNotExist' }),
      exprs(NOT_DISABLED),
    ),
    injectorWebhook(
      'rev.object.',
      svc,
      exprs({ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }),
      exprs(NOT_DISABLED, { key: 'istio.io/rev', operator: 'In', values: [match] }),
    ),
  ];
  if (defaultWebhooks) {
    whs.push(
      injectorWebhook('namespace.', svc, exprs({ key: 'istio-injection', operator: 'In', values: ['enabled'] }), exprs(NOT_DISABLED)),
      injectorWebhook(
        'object.',
        svc,
        exprs({ key: 'istio-injection', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'DoesNotExist' }),
        exprs({ key: 'sidecar.istio.io/inject', operator: 'In', values: ['true'] }, { key: 'istio.io/rev', operator: 'DoesNotExist' }),
      ),
    );
    if (enableNamespacesByDefault) {
      whs.push(
        injectorWebhook(
          'auto.',
          svc,
          exprs(
            { key: 'istio-injection', operator: 'DoesNotExist' },
            { key: 'istio.io/rev', operator: 'DoesNotExist' },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'] },
          ),
          exprs({ key: 'sidecar.istio.io/inject', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'DoesNotExist' }),
        ),
      );
    }
  }
  return whs;
}

function validatingWebhook(name: string, svc: { name: string; namespace: string }, objectSelector?: Selector) {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: svc.name, namespace: svc.namespace, path: '/validate', port: 443 } },
    // istiod's webhook controller flips the policy from Ignore to Fail once it serves (and patches the caBundle).
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    namespaceSelector: {},
    objectSelector: objectSelector ?? {},
    rules: VALIDATE_RULES,
    sideEffects: 'None',
    timeoutSeconds: 10,
  };
}

/** Name of the injector MWC: `istio-sidecar-injector[-<rev>]` (+ `-<ns>` when the namespace is not istio-system). */
export function injectorWebhookName(revision: string | undefined, namespace = 'istio-system'): string {
  return `istio-sidecar-injector${revision ? `-${revision}` : ''}${namespace === 'istio-system' ? '' : `-${namespace}`}`;
}

/** Renders one istiod revision. Returns ConfigMaps, Service, Deployment, ReplicaSet(s), Pods and webhook configurations. */
export function istiod(o: IstiodOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const rev = o.revision;
  const revLabel = rev ?? 'default';
  const name = istiodName(rev);
  const installer = resolveInstaller(o, ns);
  const createdAt = o.createdAt ?? renderNow();
  const variant = o.variant ?? (o.ambient ? 'distroless' : '');
  const hub = o.hub ?? 'docker.io/istio';
  const replicas = o.replicas ?? 1;
  const ownerName = chartOwnerName(installer);
  const modern = modernLabels(o.version, installer);
  const component = { component: 'Pilot' as const, revision: revLabel };
  const out: K8sObject[] = [];

  // --- ConfigMaps (configmap.yaml, istiod-injector-configmap.yaml)
  const cmLabels = mergeLabels(
    { 'istio.io/rev': revLabel, 'install.operator.istio.io/owning-resource': ownerName, 'operator.istio.io/component': 'Pilot', release: installer.release },
    modern,
  );
  const mesh = [
    'defaultConfig:',
    `  discoveryAddress: ${name}.${ns}.svc:15012`,
    ...(o.ambient ? ['  proxyMetadata:', '    ISTIO_META_ENABLE_HBONE: "true"'] : []),
    'defaultProviders:',
    '  metrics:',
    '  - prometheus',
    'enablePrometheusMerge: true',
    `rootNamespace: ${ns}`,
    'trustDomain: cluster.local',
    '',
  ].join('\n');
  out.push(
    decorate(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta('ConfigMap', rev ? `istio-${rev}` : 'istio', { namespace: ns, labels: cmLabels, createdAt }),
        data: { mesh, meshNetworks: 'networks: {}' },
      },
      installer,
      component,
    ),
  );
  const injectorValues: Record<string, unknown> = {
    gateways: { seccompProfile: {}, securityContext: {} },
    global: {
      ...(o.caAddress ? { caAddress: o.caAddress } : {}),
      hub,
      istioNamespace: ns,
      proxy: { image: 'proxyv2' },
      proxy_init: { image: 'proxyv2' },
      tag: o.version,
      variant,
    },
    pilot: { cni: { enabled: Boolean(o.ambient), provider: 'default' } },
    revision: rev ?? '',
    sidecarInjectorWebhook: {
      alwaysInjectSelector: [],
      defaultTemplates: [],
      enableNamespacesByDefault: Boolean(o.enableNamespacesByDefault),
      neverInjectSelector: [],
      reinvocationPolicy: 'Never',
      rewriteAppHTTPProbe: true,
      templates: {},
    },
  };
  out.push(
    decorate(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta('ConfigMap', rev ? `istio-sidecar-injector-${rev}` : 'istio-sidecar-injector', { namespace: ns, labels: cmLabels, createdAt }),
        data: {
          config: [
            '# defaultTemplates defines the default template to use for pods that do not explicitly specify a template',
            'defaultTemplates: [sidecar]',
            'policy: enabled',
            'alwaysInjectSelector:',
            '  []',
            'neverInjectSelector:',
            '  []',
            'injectedAnnotations:',
            'template: "{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}"',
            'templates:',
            '  # sidecar, gateway, grpc-simple, grpc-agent, waypoint, kube-gateway templates omitted from this fixture',
            '',
          ].join('\n'),
          values: JSON.stringify(injectorValues, null, 2),
        },
      },
      installer,
      component,
    ),
  );

  // --- Service (service.yaml)
  out.push(
    decorate(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta('Service', name, {
          namespace: ns,
          labels: mergeLabels(
            {
              'istio.io/rev': revLabel,
              'install.operator.istio.io/owning-resource': ownerName,
              'operator.istio.io/component': 'Pilot',
              app: 'istiod',
              istio: 'pilot',
              release: installer.release,
            },
            modern,
          ),
          createdAt,
        }),
        spec: istiodServiceSpec(rev),
      },
      installer,
      component,
    ),
  );

  // --- Deployment (deployment.yaml)
  const templateFor = (version: string): PodTemplate => ({
    labels: mergeLabels(
      {
        app: 'istiod',
        'istio.io/rev': revLabel,
        'install.operator.istio.io/owning-resource': ownerName,
        'sidecar.istio.io/inject': 'false',
        'operator.istio.io/component': 'Pilot',
        istio: rev ? 'istiod' : 'pilot',
      },
      atLeast(version, '1.23') ? { 'istio.io/dataplane-mode': 'none' } : {},
      modernLabels(version, installer),
    ),
    annotations: mergeLabels(
      atLeast(version, '1.23') ? {} : { 'ambient.istio.io/redirection': 'disabled' },
      { 'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true', 'sidecar.istio.io/inject': 'false' },
    ),
    serviceAccountName: name,
    containers: [{ name: 'discovery', image: pilotImage({ version, hub, variant }) }],
  });
  const ready = o.ready === undefined || o.ready === true ? undefined : o.ready === false ? 0 : o.ready;
  const previous: PreviousReplicaSet[] | undefined = o.previous?.map((p) => ({ template: templateFor(p.version), replicas: p.replicas, createdAt: p.createdAt }));
  const deploymentObjects = deploymentWithPods({
    namespace: ns,
    name,
    labels: mergeLabels(
      {
        app: 'istiod',
        'istio.io/rev': revLabel,
        'install.operator.istio.io/owning-resource': ownerName,
        'operator.istio.io/component': 'Pilot',
        istio: 'pilot',
        release: installer.release,
      },
      modern,
    ),
    selector: rev ? { app: 'istiod', 'istio.io/rev': rev } : { istio: 'pilot' },
    strategy: { rollingUpdate: { maxSurge: '100%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: templateFor(o.version),
    replicas,
    ready,
    createdAt,
    previous,
    rolledOutAt: o.rolledOutAt,
    nodes: o.nodes,
  });
  decorate(deploymentObjects[0]!, installer, component);
  out.push(...deploymentObjects);

  // --- Injector MWC (mutatingwebhook.yaml)
  const svc = { name, namespace: ns };
  const mwc: K8sObject = decorate(
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: meta('MutatingWebhookConfiguration', injectorWebhookName(rev, ns), {
        labels: mergeLabels(
          {
            'istio.io/rev': revLabel,
            'install.operator.istio.io/owning-resource': ownerName,
            'operator.istio.io/component': 'Pilot',
            app: 'sidecar-injector',
            release: installer.release,
          },
          modern,
        ),
        createdAt,
        generation: 1,
      }),
      webhooks: injectorWebhooks(svc, revLabel, !rev, Boolean(o.enableNamespacesByDefault)),
    },
    installer,
    component,
  );
  out.push(mwc);

  // --- Per-revision VWC (validatingwebhookconfiguration.yaml)
  out.push(
    decorate(
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: meta('ValidatingWebhookConfiguration', `istio-validator${rev ? `-${rev}` : ''}-${ns}`, {
          labels: mergeLabels({ app: 'istiod', release: installer.release, istio: 'istiod', 'istio.io/rev': revLabel }, modern),
          createdAt,
          generation: 1,
        }),
        webhooks: [validatingWebhook('rev.validation.istio.io', svc, exprs({ key: 'istio.io/rev', operator: 'In', values: [revLabel] }))],
      },
      installer,
      component,
    ),
  );

  // --- In-release revision tags (revision-tags.yaml / revision-tags-mwc.yaml + -svc.yaml)
  for (const tag of o.revisionTags ?? []) {
    out.push(
      ...revisionTag({
        tag,
        revision: rev,
        namespace: ns,
        version: o.version,
        createdBy: 'helm-release',
        installer,
        enableNamespacesByDefault: o.enableNamespacesByDefault,
        createdAt,
      }),
    );
  }

  // --- istioctl / operator: default tag for a revision-less install
  const createDefaultTag = o.createDefaultTag ?? ((installer.method === 'istioctl' || installer.method === 'operator') && !rev);
  if (createDefaultTag) {
    const tagObjects = revisionTag({
      tag: 'default',
      revision: rev,
      namespace: ns,
      version: o.version,
      createdBy: 'istioctl',
      canonicalWebhook: mwc,
      userManaged: false,
      extraLabels: { 'install.operator.istio.io/owning-resource-not-pruned': 'true' },
      enableNamespacesByDefault: o.enableNamespacesByDefault,
      createdAt,
    });
    out.push(...tagObjects);
    out.push(
      defaultValidator({
        revision: rev,
        namespace: ns,
        version: o.version,
        createdBy: 'istioctl',
        canonicalWebhook: mwc,
        extraLabels: { 'install.operator.istio.io/owning-resource-not-pruned': 'true' },
        createdAt,
      }),
    );
    // tag.Generate → DeactivateIstioInjectionWebhook: the revision-less webhooks are neutered in place.
    if (!rev) {
      mwc.webhooks = (mwc.webhooks as Record<string, unknown>[]).map((w) => ({ ...w, namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH }));
      mwc.metadata.generation = 2;
    }
  }
  return out;
}

function istiodServiceSpec(rev: string | undefined): Record<string, unknown> {
  return {
    ports: [
      { name: 'grpc-xds', port: 15010, protocol: 'TCP', targetPort: 15010 },
      { name: 'https-dns', port: 15012, protocol: 'TCP', targetPort: 15012 },
      { name: 'https-webhook', port: 443, protocol: 'TCP', targetPort: 15017 },
      { name: 'http-monitoring', port: 15014, protocol: 'TCP', targetPort: 15014 },
    ],
    selector: rev ? { app: 'istiod', 'istio.io/rev': rev } : { app: 'istiod', istio: 'pilot' },
    type: 'ClusterIP',
  };
}

export interface RevisionTagOptions {
  tag: string;
  /** Target revision; undefined = the revision-less control plane (`istio.io/rev: default`, service `istiod`). */
  revision?: string;
  namespace?: string;
  /** Version of the chart/istioctl that rendered the tag (1.24+ labels, 1.28+ Service). */
  version: string;
  /**
   * - `helm-template` (default): `helm template istiod istio/istiod -s templates/revision-tags…yaml | kubectl apply` — not owned by any release.
   * - `helm-release`: the istiod release's own `revisionTags` value (Helm-owned by that release).
   * - `istioctl`: `istioctl tag set` / the installer's default tag — labels and annotations copied from the revision's MWC.
   */
  createdBy?: 'helm-template' | 'helm-release' | 'istioctl';
  /** helm-release: the istiod release's installer; helm-template: release name defaults to `istiod`. */
  installer?: Installer;
  /** istioctl: the revision's canonical injector MWC (labels/annotations are copied from it, minus `app`). */
  canonicalWebhook?: K8sObject;
  /** istioctl `tag set` strips `operator.istio.io` labels (default true); the installer's default tag keeps them. */
  userManaged?: boolean;
  extraLabels?: Labels;
  enableNamespacesByDefault?: boolean;
  /** 1.28+: also render Service `istiod-revision-tag-<tag>` (default: true from 1.28). */
  service?: boolean;
  createdAt?: string;
}

function copiedLabels(o: { canonicalWebhook?: K8sObject; userManaged?: boolean }): { labels: Labels; annotations: Labels } {
  const src = o.canonicalWebhook;
  const labels: Labels = {};
  for (const [k, val] of Object.entries(src?.metadata.labels ?? {})) {
    if (k === 'app') continue;
    if ((o.userManaged ?? true) && k.includes('operator.istio.io')) continue;
    labels[k] = val;
  }
  return { labels, annotations: { ...(src?.metadata.annotations ?? {}) } };
}

/** MWC `istio-revision-tag-<tag>` (and, 1.28+, Service `istiod-revision-tag-<tag>`). */
export function revisionTag(o: RevisionTagOptions): K8sObject[] {
  const ns = o.namespace ?? 'istio-system';
  const createdBy = o.createdBy ?? 'helm-template';
  const installer = o.installer ?? templateInstaller('istiod', ns);
  const revLabel = o.revision ?? 'default';
  const createdAt = o.createdAt ?? renderNow();
  const modern = modernLabels(o.version, installer);
  const templateLabels = mergeLabels(
    {
      'istio.io/tag': o.tag,
      'istio.io/rev': revLabel,
      'install.operator.istio.io/owning-resource': chartOwnerName(installer),
      'operator.istio.io/component': 'Pilot',
      app: 'sidecar-injector',
      release: installer.release,
    },
    modern,
  );
  const svc = { name: istiodName(o.revision), namespace: ns };
  let labels = templateLabels;
  let annotations: Labels = {};
  if (createdBy === 'istioctl') {
    const copied = copiedLabels(o);
    labels = mergeLabels(templateLabels, copied.labels, { 'istio.io/tag': o.tag });
    annotations = copied.annotations;
  }
  labels = mergeLabels(labels, o.extraLabels);
  const mwc: K8sObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: meta('MutatingWebhookConfiguration', `istio-revision-tag-${o.tag}${ns === 'istio-system' ? '' : `-${ns}`}`, {
      labels,
      annotations,
      createdAt,
      generation: 1,
    }),
    webhooks: injectorWebhooks(svc, o.tag, o.tag === 'default', Boolean(o.enableNamespacesByDefault)),
  };
  if (createdBy === 'helm-release') decorate(mwc, installer);
  const out = [mwc];
  if (o.service ?? atLeast(o.version, '1.28')) {
    const svcObj: K8sObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('Service', `istiod-revision-tag-${o.tag}`, {
        namespace: ns,
        labels: mergeLabels(
          {
            'istio.io/rev': revLabel,
            'istio.io/tag': o.tag,
            'install.operator.istio.io/owning-resource': chartOwnerName(installer),
            'operator.istio.io/component': 'Pilot',
            app: 'istiod',
            istio: 'pilot',
            release: installer.release,
          },
          modern,
          createdBy === 'istioctl' ? copiedLabels(o).labels : {},
          { 'istio.io/tag': o.tag },
          o.extraLabels,
        ),
        createdAt,
      }),
      spec: istiodServiceSpec(o.revision),
    };
    if (createdBy === 'helm-release') decorate(svcObj, installer);
    out.push(svcObj);
  }
  return out;
}

export interface DefaultValidatorOptions {
  /** Revision the validator points at (`istiod-<rev>`); undefined = `istiod`. */
  revision?: string;
  namespace?: string;
  version: string;
  /** `helm` (base chart, `defaultRevision` value; default) or `istioctl` (tag generation). */
  createdBy?: 'helm' | 'istioctl';
  /** helm: the base release (default `istio-base` in the Istio namespace). */
  installer?: Installer;
  /** istioctl: canonical injector MWC whose labels are copied. */
  canonicalWebhook?: K8sObject;
  extraLabels?: Labels;
  createdAt?: string;
}

/** VWC `istiod-default-validator` (base chart `default.yaml` ≤1.23, `defaultrevision-validatingwebhookconfiguration.yaml` 1.24+). */
export function defaultValidator(o: DefaultValidatorOptions): K8sObject {
  const ns = o.namespace ?? 'istio-system';
  const createdBy = o.createdBy ?? 'helm';
  const installer = o.installer ?? (createdBy === 'helm' ? helmInstaller('istio-base', ns) : istioctlInstaller({ version: o.version, namespace: ns }));
  const revLabel = o.revision ?? 'default';
  let labels = mergeLabels(
    { app: 'istiod', release: installer.release, istio: 'istiod', 'istio.io/rev': revLabel },
    modernLabels(o.version, installer, 'base'),
  );
  let annotations: Labels = {};
  if (createdBy === 'istioctl') {
    const copied = copiedLabels({ canonicalWebhook: o.canonicalWebhook, userManaged: false });
    labels = mergeLabels(labels, copied.labels);
    annotations = copied.annotations;
  }
  labels = mergeLabels(labels, o.extraLabels);
  const vwc: K8sObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: meta('ValidatingWebhookConfiguration', 'istiod-default-validator', { labels, annotations, createdAt: o.createdAt, generation: 1 }),
    webhooks: [validatingWebhook('validation.istio.io', { name: istiodName(o.revision), namespace: ns })],
  };
  if (createdBy === 'helm') decorate(vwc, installer);
  return vwc;
}
