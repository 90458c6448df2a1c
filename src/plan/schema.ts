import { z } from 'zod';
import { helmOperationSchema, istioctlOperationSchema } from './operations.js';

/**
 * The plan document: what `plan -o json` prints and `plan --out` writes, and the only input
 * `apply` executes. Versioned by `apiVersion`; see docs/plan-schema.md. It never holds Helm
 * values or secrets: commands name values by reference (`valuesFrom`) and apply fetches them.
 */

export const PLAN_API_VERSION = 'istio-upgrade/v2';
/** Plans before typed operations: their argv cannot be rebuilt, so they are refused, never run. */
export const OLDER_PLAN_API_VERSIONS: readonly string[] = ['istio-upgrade/v1'];

/** Step kinds are named by the step registry (src/steps/registry.ts); the contract only fixes their spelling. */
export const STEP_KIND_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A Kubernetes change made through the API (client-node), not a subprocess. */
export const apiActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('label-crds'),
    /** Exactly the CRDs that lack the marks, so the rollback removes only what this added. */
    crds: z.array(z.string()).min(1),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
  }),
  z.object({
    type: z.literal('unlabel-crds'),
    crds: z.array(z.string()).min(1),
    labels: z.array(z.string()),
    annotations: z.array(z.string()),
  }),
  z.object({
    /** Apply the manifests printed by the previous command of the same step (e.g. `helm template`). */
    type: z.literal('apply-rendered'),
    fieldManager: z.string(),
  }),
  z.object({
    type: z.literal('rollout-restart'),
    workloads: z.array(z.object({ kind: z.enum(['Deployment', 'StatefulSet', 'DaemonSet']), namespace: z.string(), name: z.string() })),
  }),
  z.object({
    type: z.literal('label-namespaces'),
    namespaces: z.array(z.string()),
    labels: z.record(z.string(), z.string().nullable()),
  }),
  z.object({
    type: z.literal('export-backup'),
    directory: z.string(),
    istioNamespace: z.string(),
    helmReleases: z.array(z.object({ release: z.string(), namespace: z.string() })),
  }),
  z.object({
    type: z.literal('preflight-checks'),
  }),
  z.object({
    /** Objects the plan carries in full (no values, no secrets: routing objects), applied server-side. */
    type: z.literal('apply-objects'),
    /** The manifest file written beside the plan, named in the kubectl equivalent. */
    file: z.string(),
    fieldManager: z.string(),
    objects: z.array(z.object({ plural: z.string(), object: z.record(z.string(), z.unknown()) })).min(1),
  }),
  z.object({
    /**
     * Server-side apply (forced) of a Gateway API release manifest fetched from `url`; refused before any write unless
     * every object in it is a Gateway API CRD of this bundle version and channel (or the bundle's own admission policy).
     */
    type: z.literal('apply-gateway-api-crds'),
    version: z.string(),
    channel: z.enum(['standard', 'experimental']),
    url: z.string(),
    fieldManager: z.string(),
  }),
  z.object({
    /** Deletes one ValidatingAdmissionPolicy (a missing one counts as deleted). */
    type: z.literal('delete-admission-policy'),
    name: z.string(),
  }),
  z.object({
    type: z.literal('delete-objects'),
    objects: z.array(z.object({ apiVersion: z.string(), kind: z.string(), plural: z.string(), namespace: z.string(), name: z.string() })).min(1),
  }),
]);
export type ApiAction = z.infer<typeof apiActionSchema>;

export const commandSchema = z.object({
  /**
   * What the typed operation renders (helm/istioctl), or the kubectl equivalent of an API action, for people to
   * read. Never executed: apply rebuilds argv from `helm`/`istioctl`/`api`, and refuses a plan where they differ.
   */
  argv: z.array(z.string()).min(1),
  via: z.enum(['helm', 'istioctl', 'kubernetes-api']),
  description: z.string(),
  /** Exactly one, matching `via`. */
  helm: helmOperationSchema.optional(),
  istioctl: istioctlOperationSchema.optional(),
  api: apiActionSchema.optional(),
  /** `--values <file>` is filled at apply time with `helm get values <release>`, so no values live in the plan. */
  valuesFrom: z.object({ release: z.string(), namespace: z.string() }).optional(),
  /** Skipped (with a note) when the binary is absent, e.g. `istioctl x precheck` in a Helm-only setup. */
  optional: z.boolean().optional(),
});
export type PlanCommand = z.infer<typeof commandSchema>;

export const verifySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('helm-release'), release: z.string(), namespace: z.string(), status: z.literal('deployed'), chartVersion: z.string().optional(), absent: z.boolean().optional() }),
  z.object({ type: z.literal('deployment-rollout'), name: z.string(), namespace: z.string() }),
  z.object({ type: z.literal('daemonset-rollout'), name: z.string(), namespace: z.string(), version: z.string().optional() }),
  z.object({ type: z.literal('tag-points-to'), tag: z.string(), revision: z.string() }),
  /** istiod-default-validator is labelled with `revision` and every webhook of it calls Service `namespace/service`, which exists. */
  z.object({ type: z.literal('default-validator'), revision: z.string(), service: z.string(), namespace: z.string() }),
  z.object({ type: z.literal('crds-helm-owned'), release: z.string(), namespace: z.string() }),
  z.object({ type: z.literal('crds-not-labelled'), labels: z.array(z.string()) }),
  z.object({ type: z.literal('workloads-restarted'), workloads: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string() })), revision: z.string().nullable(), proxyVersion: z.string().nullable() }),
  z.object({ type: z.literal('namespaces-labelled'), namespaces: z.array(z.string()), label: z.string(), value: z.string().nullable() }),
  z.object({ type: z.literal('revision-absent'), revision: z.string() }),
  z.object({ type: z.literal('backup-written'), directory: z.string() }),
  /** Only in plans made before the preflight step's checks ran once (its preflight-checks command checks the same). */
  z.object({ type: z.literal('preflight-passed') }),
  /** Each named CRD carries `gateway.networking.k8s.io/bundle-version: v<version>`. */
  z.object({ type: z.literal('gateway-api-bundle'), version: z.string(), crds: z.array(z.string()).min(1) }),
]);
export type VerifySpec = z.infer<typeof verifySchema>;

const stepShape = <K extends z.ZodType<string>>(kind: K) => ({
  id: z.string().regex(/^h\d+-[a-z0-9-]+$/),
  kind,
  hop: z.number().int().min(1),
  title: z.string(),
  why: z.array(z.object({ text: z.string(), source: z.string().optional() })),
  commands: z.array(commandSchema),
  verify: z.array(verifySchema),
  rollback: z.object({ commands: z.array(commandSchema) }).nullable(),
  irreversible: z.boolean(),
  disruption: z.string(),
  /** Keys of `facts` this step's commands rely on; apply refuses when they changed. */
  preconditions: z.array(z.string()),
  /** The skew gate apply checks against the live cluster before this step (src/plan/gates.ts), shown with the plan. */
  gate: z.object({ title: z.string(), checks: z.array(z.string()) }).optional(),
});

export const issueSchema = z.object({
  id: z.string(),
  message: z.string(),
  source: z.string().optional(),
  /** Commands or actions that resolve it. */
  remedy: z.array(z.string()).optional(),
});
export type PlanIssue = z.infer<typeof issueSchema>;

export const hopSchema = z.object({
  index: z.number().int().min(1),
  from: z.string(),
  to: z.string(),
  fromRevision: z.string(),
  revision: z.string(),
  compatibilityVersion: z.string().nullable(),
  compatibilityReason: z.string().nullable(),
});
export type Hop = z.infer<typeof hopSchema>;

const planShape = <S extends z.ZodType>(step: S) => ({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal('Plan'),
  metadata: z.object({
    id: z.string(),
    createdAt: z.string(),
    toolVersion: z.string(),
    context: z.string().nullable(),
    clusterId: z.string().nullable(),
    inputs: z.enum(['live', 'snapshot']),
    /** Planned with `--catalog FILE`: apply refuses unless given a file of the same digest. */
    catalog: z.object({ version: z.string(), source: z.string(), mode: z.enum(['merge', 'replace']), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }).optional(),
  }),
  source: z.object({
    version: z.string(),
    revision: z.string(),
    mode: z.enum(['sidecar', 'ambient']),
    installMethod: z.string(),
    istioNamespace: z.string(),
    kubernetesVersion: z.string(),
  }),
  target: z.object({ version: z.string(), revision: z.string(), known: z.boolean() }),
  strategy: z.enum(['canary', 'in-place']),
  upToDate: z.boolean(),
  hops: z.array(hopSchema),
  blockers: z.array(issueSchema),
  warnings: z.array(issueSchema),
  notes: z.array(
    z.object({ id: z.string(), hop: z.number(), kind: z.string(), summary: z.string(), applies: z.enum(['yes', 'maybe']), source: z.string(), unconfirmed: z.boolean() }),
  ),
  /**
   * The operator's `--set COMPONENT:key=value` / `--values COMPONENT=FILE`, by key and sha256 only (values may be
   * secrets): `sources` as given, in order, which apply must be given again (it re-reads the files); `keys` every
   * value key they set, per component. Helm commands of those components carry `values.overrides`.
   */
  valueOverrides: z
    .object({
      sources: z.array(
        z.discriminatedUnion('flag', [
          z.object({ flag: z.literal('--values'), component: z.string(), file: z.string(), sha256: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
          z.object({ flag: z.literal('--set'), component: z.string(), key: z.string(), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
        ]),
      ),
      keys: z.array(z.object({ component: z.string(), key: z.string(), from: z.string(), digest: z.string() })),
    })
    .optional(),
  steps: z.array(step),
  followUps: z.array(z.object({ id: z.string(), title: z.string(), commands: z.array(z.array(z.string())) })),
  /** What was observed when planning; apply compares them to detect a stale plan. */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** Written by `plan --out`: digest of the rest of the document (src/plans/plan-integrity.ts), optionally signed. */
  integrity: z
    .object({
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      signature: z.object({ algorithm: z.literal('ed25519'), publicKey: z.string(), value: z.string() }).optional(),
    })
    .optional(),
});

/**
 * The plan schema for a vocabulary of step kinds. The registry passes the kinds it knows, so the
 * JSON Schema lists them and a plan naming an unknown kind is refused when read.
 */
export function planSchemaFor(kinds: readonly [string, ...string[]]) {
  return z.object(planShape(z.object(stepShape(z.enum(kinds)))));
}

/** Any spelling-valid kind: what the planner and executor types are written against. */
const anyKindPlanSchema = z.object(planShape(z.object(stepShape(z.string().regex(STEP_KIND_RE)))));
export type Plan = z.infer<typeof anyKindPlanSchema>;
export type PlanStep = Plan['steps'][number];
