import { z } from 'zod';

/**
 * The inventory: everything planning needs to know about a mesh, read from a live cluster or a
 * snapshot. This is the `status -o json` document; its schema is versioned by `apiVersion`
 * and documented in docs/inventory-schema.md. Helm values appear only redacted (see redact.ts).
 */

export const installMethodSchema = z.enum(['helm', 'istioctl', 'operator', 'sail', 'unknown']);
export type InstallMethod = z.infer<typeof installMethodSchema>;

export const helmRefSchema = z.object({ release: z.string(), namespace: z.string() });
export type HelmRef = z.infer<typeof helmRefSchema>;

export const healthSchema = z.enum(['healthy', 'progressing', 'degraded', 'unknown']);
export type Health = z.infer<typeof healthSchema>;

export const rolloutSchema = z.object({
  generation: z.number().nullable(),
  observedGeneration: z.number().nullable(),
  desired: z.number(),
  ready: z.number(),
  updated: z.number(),
  available: z.number(),
  /** Generation observed and every replica updated and available. */
  complete: z.boolean(),
});
export type Rollout = z.infer<typeof rolloutSchema>;

export const revisionSchema = z.object({
  /** `default` for a revision-less control plane. */
  name: z.string(),
  version: z.string().nullable(),
  namespace: z.string(),
  deployment: z.string().nullable(),
  image: z.string().nullable(),
  rollout: rolloutSchema.nullable(),
  health: healthSchema,
  injectorWebhook: z.string().nullable(),
  validatingWebhooks: z.array(z.string()),
  meshConfigMap: z.string().nullable(),
  /** Leaf path → digest of its mesh config (never a value); absent when it was not read (older snapshots). */
  meshConfig: z.record(z.string(), z.string()).optional(),
  installMethod: installMethodSchema,
  helmRelease: helmRefSchema.nullable(),
  profile: z.string().nullable(),
  compatibilityVersion: z.string().nullable(),
  ambient: z.boolean(),
  /** Tags that currently point at this revision. */
  tags: z.array(z.string()),
});
export type Revision = z.infer<typeof revisionSchema>;

export const tagSchema = z.object({
  name: z.string(),
  revision: z.string(),
  webhook: z.string().nullable(),
  service: z.string().nullable(),
  /** Namespaces labelled `istio.io/rev=<tag>`. */
  namespaces: z.array(z.string()),
  /** The webhook and the Service disagree about the revision. */
  conflicting: z.boolean(),
});
export type Tag = z.infer<typeof tagSchema>;

export const defaultsSchema = z.object({
  /** Revision the `default` tag points at. */
  tagRevision: z.string().nullable(),
  /** Revision `istiod-default-validator` targets. */
  validatorRevision: z.string().nullable(),
  /** `defaultRevision` value of the base chart release, when Helm-installed. */
  baseDefaultRevision: z.string().nullable(),
  consistent: z.boolean(),
});

export const helmReleaseSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  chart: z.string(),
  chartVersion: z.string(),
  appVersion: z.string().nullable(),
  status: z.string(),
  revision: z.number(),
  component: z.enum(['base', 'istiod', 'cni', 'ztunnel', 'gateway', 'ambient', 'istio-csr', 'revisiontags', 'other']),
  lastDeployed: z.string().nullable(),
  secretName: z.string(),
  /** Newest revision whose status is deployed or superseded: the one to roll back to. */
  lastGoodRevision: z.number().nullable(),
  history: z.array(z.object({ revision: z.number(), status: z.string() })),
  /** Values with every leaf redacted except the keys planning needs (see redact.ts). */
  values: z.record(z.string(), z.unknown()),
  /** Helm 4 only: how the latest revision was applied (`ssa` server-side, `csa` client-side); Helm 3 records none. */
  applyMethod: z.string().optional(),
});
export type HelmRelease = z.infer<typeof helmReleaseSchema>;

export const componentSchema = z.object({
  component: z.enum(['base', 'istiod', 'cni', 'ztunnel', 'gateway', 'operator', 'sail-operator', 'istio-csr']),
  name: z.string(),
  namespace: z.string(),
  version: z.string().nullable(),
  revision: z.string().nullable(),
  installMethod: installMethodSchema,
  helmRelease: helmRefSchema.nullable(),
  health: healthSchema,
});
export type Component = z.infer<typeof componentSchema>;

export const namespaceSchema = z.object({
  name: z.string(),
  injection: z.string().nullable(),
  revisionLabel: z.string().nullable(),
  dataplaneMode: z.string().nullable(),
  /** The revision new pods here get: through a tag, a revision name, or the default tag. */
  effectiveRevision: z.string().nullable(),
});
export type NamespaceInfo = z.infer<typeof namespaceSchema>;

export const workloadSchema = z.object({
  namespace: z.string(),
  kind: z.string(),
  name: z.string(),
  /** Injecting revision from the pod annotation `istio.io/rev`; null for ambient pods. */
  revision: z.string().nullable(),
  proxyVersion: z.string().nullable(),
  pods: z.number(),
  restartable: z.boolean(),
  mode: z.enum(['sidecar', 'ambient']),
});
export type Workload = z.infer<typeof workloadSchema>;

export const proxyCountSchema = z.object({
  namespace: z.string(),
  revision: z.string(),
  version: z.string().nullable(),
  count: z.number(),
});

export const daemonSetSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  version: z.string().nullable(),
  revision: z.string().nullable(),
  rollout: rolloutSchema,
  health: healthSchema,
  installMethod: installMethodSchema,
  helmRelease: helmRefSchema.nullable(),
});
export type DaemonSetInfo = z.infer<typeof daemonSetSchema>;

export const gatewaySchema = z.object({
  type: z.enum(['helm', 'deployment', 'gateway-api']),
  name: z.string(),
  namespace: z.string(),
  helmRelease: helmRefSchema.nullable(),
  revision: z.string().nullable(),
  version: z.string().nullable(),
  className: z.string().nullable(),
});
export type GatewayInfo = z.infer<typeof gatewaySchema>;

export const crdSchema = z.object({
  name: z.string(),
  group: z.string(),
  servedVersions: z.array(z.string()),
  storageVersion: z.string().nullable(),
  managedBy: z.string().nullable(),
  helmRelease: helmRefSchema.nullable(),
  /** Legacy `chart=istio` label of CRDs installed from the base chart's crds/ directory (≤1.23). */
  legacyChartLabel: z.boolean(),
  istioctlOwned: z.boolean(),
  /** Has all three Helm ownership marks, so `helm upgrade` can adopt it. */
  helmOwned: z.boolean(),
});
export type CrdInfo = z.infer<typeof crdSchema>;

export const findingSchema = z.object({
  id: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;

export const eastWestGatewaySchema = z.object({
  name: z.string(),
  namespace: z.string(),
  /** `topology.istio.io/network` of the gateway (the network it is the entry to). */
  network: z.string().nullable(),
  /** Service ports among the multi-cluster ones: 15443 (cross-network mTLS), 15012 (xDS/CA), 15017 (webhooks). */
  ports: z.array(z.number()),
  /**
   * Its Service opens 15012 and 15017, the ports remotes reach istiod through. Whether istiod is routed there is
   * Istio config (the expose-istiod Gateway/VirtualService), which discovery does not read.
   */
  controlPlanePorts: z.boolean(),
  helmRelease: helmRefSchema.nullable(),
  revision: z.string().nullable(),
  version: z.string().nullable(),
});
export type EastWestGateway = z.infer<typeof eastWestGatewaySchema>;

export const remoteInstallSchema = z.object({
  /** `istiod-remote` (until 1.23) or `istiod` installed with profile=remote (1.24 and later). */
  chart: z.string(),
  helmRelease: helmRefSchema.nullable(),
  version: z.string().nullable(),
  /** The revision its injector webhook serves (`default` when revision-less). */
  revision: z.string(),
  injectorWebhook: z.string().nullable(),
  /**
   * Where the webhook sends pods: a URL, or `service/<ns>/<name><path>` (a selector-less Service whose Endpoints
   * lead to the primary's or external istiod, usually through an east-west gateway).
   */
  injectionTarget: z.string().nullable(),
  remotePilotAddress: z.string().nullable(),
});
export type RemoteInstall = z.infer<typeof remoteInstallSchema>;

/** Multi-cluster topology of this cluster; present only when something marks the cluster as part of a multi-cluster mesh. */
export const meshTopologySchema = z.object({
  /** primary: runs an istiod serving this cluster; remote: its webhooks and proxies use a control plane elsewhere. */
  role: z.enum(['primary', 'remote']),
  meshId: z.string().nullable(),
  clusterName: z.string().nullable(),
  network: z.string().nullable(),
  trustDomain: z.string().nullable(),
  /** Annotation `topology.istio.io/controlPlaneClusters` on the Istio namespace of a remote. */
  controlPlaneClusters: z.array(z.string()),
  /** `istio/multiCluster=true` Secrets: the clusters this control plane reads (never their credentials). */
  remoteSecrets: z.array(z.object({ name: z.string(), namespace: z.string(), cluster: z.string().nullable() })),
  eastWestGateways: z.array(eastWestGatewaySchema),
  remoteInstalls: z.array(remoteInstallSchema),
  /** istiod installed with `global.externalIstiod=true`: it serves clusters other than its own. */
  servesRemotes: z.boolean(),
  /** `global.remotePilotAddress`: the address of the control plane a remote (or external) install uses. */
  remotePilotAddress: z.string().nullable(),
});
export type MeshTopology = z.infer<typeof meshTopologySchema>;

export const INVENTORY_API_VERSION = 'istio-upgrade/v1';

export const inventorySchema = z.object({
  apiVersion: z.literal(INVENTORY_API_VERSION),
  kind: z.literal('Inventory'),
  source: z.object({ type: z.enum(['live', 'snapshot']), context: z.string().nullable(), capturedAt: z.string().nullable() }),
  cluster: z.object({
    kubernetesVersion: z.string(),
    clusterId: z.string().nullable(),
    nodes: z.array(z.object({ name: z.string(), kubeletVersion: z.string().nullable() })),
  }),
  istioNamespace: z.string(),
  installMethod: z.enum(['helm', 'istioctl', 'operator', 'sail', 'mixed', 'none', 'unknown']),
  mode: z.enum(['sidecar', 'ambient', 'none']),
  revisions: z.array(revisionSchema),
  tags: z.array(tagSchema),
  defaults: defaultsSchema,
  components: z.array(componentSchema),
  helmReleases: z.array(helmReleaseSchema),
  dataPlane: z.object({
    namespaces: z.array(namespaceSchema),
    proxies: z.array(proxyCountSchema),
    workloads: z.array(workloadSchema),
  }),
  ambient: z.object({
    cni: daemonSetSchema.extend({ dnsCapture: z.boolean().nullable(), ambientEnabled: z.boolean() }).nullable(),
    ztunnel: daemonSetSchema.nullable(),
  }),
  waypoints: z.array(z.object({ name: z.string(), namespace: z.string(), revision: z.string().nullable() })),
  gateways: z.array(gatewaySchema),
  crds: z.object({
    istio: z.array(crdSchema),
    gatewayApi: z.object({
      present: z.boolean(),
      bundleVersion: z.string().nullable(),
      channel: z.string().nullable(),
      crds: z.array(z.object({ name: z.string(), servedVersions: z.array(z.string()) })),
    }),
  }),
  istioCsr: z.object({ present: z.boolean(), name: z.string().nullable(), namespace: z.string().nullable(), version: z.string().nullable() }),
  /**
   * The plugged-in CA Secret `cacerts` of the Istio namespace: absent, or complete/incomplete by its key names (all of
   * ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem, or all of tls.crt, tls.key, ca.crt); unknown when unreadable.
   */
  pluggedInCa: z.object({ state: z.enum(['absent', 'complete', 'incomplete', 'unknown']), keys: z.array(z.string()) }).optional(),
  operators: z.object({
    inCluster: z.object({
      deployments: z.array(z.object({ name: z.string(), namespace: z.string(), version: z.string().nullable(), revision: z.string().nullable() })),
      istioOperators: z.array(z.object({ name: z.string(), namespace: z.string(), revision: z.string().nullable() })),
    }),
    sail: z.object({ istios: z.array(z.object({ name: z.string(), version: z.string().nullable(), updateStrategy: z.string().nullable() })) }),
  }),
  findings: z.array(findingSchema),
  /** Multi-cluster role and topology (see meshTopologySchema); absent on a single-cluster mesh. */
  mesh: meshTopologySchema.optional(),
});

export type Inventory = z.infer<typeof inventorySchema>;
