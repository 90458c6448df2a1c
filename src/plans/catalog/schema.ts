/**
 * Release catalog schema (zod 4) and the types inferred from it.
 *
 * Release-specific rules are DATA. The planner must never branch on a release number; it walks the notes
 * returned by `notesForHop()` and interprets the small vocabulary below generically.
 *
 * ─── Note ───────────────────────────────────────────────────────────────────────────────────────────────
 *   explanation   one plain sentence for the operator reading a change ticket: what changes for them, what to do
 *   kind       precondition: must hold / be done before the hop starts
 *              step:         an action the plan must contain
 *              order:        an ordering constraint between plan phases
 *              warning:      a behaviour change to review (often revertible with `compatibilityVersion`)
 *   introducedIn  first patch of each minor line that carries the change (default `[<minor>.0]`). A note is part
 *                 of a hop when the target has the change and the source does not (see index.ts `hasChange`).
 *   sameAs     id of an earlier note describing the same change (dedup when both are in one hop).
 *   source     repo path (`istio/istio@<ref>:<path>`, `istio/istio.io:<path>`) or URL. Always present.
 *   verified   where the fact was re-checked in a primary source, if it was.
 *   unconfirmed  true when no primary source was found; the planner should present it as "unverified".
 *
 * ─── Condition (`appliesWhen`) ──────────────────────────────────────────────────────────────────────────
 *   Every key present must hold (AND). Absent `appliesWhen` = always applies. Evaluation is three-valued
 *   (yes / no / unknown); the planner should keep notes whose condition is yes OR unknown (label the latter
 *   "may apply"). `evaluateCondition()` in index.ts implements these semantics.
 *     mode            'sidecar' | 'ambient'            mesh has workloads in this data-plane mode
 *     installMethod   'helm' | 'istioctl' | 'operator' (or a list = any of)  how the control plane is managed
 *     component       name of an installed component (see COMPONENT names below); with optional
 *       versionAtMost / versionAtLeast / versionBelow   bounds on that component's version (semver, `x.y` ok)
 *     helmValue       {path, equals? | notEquals? | set?}  path in the unified Istio values tree
 *                     (IstioOperator `spec.values`, `istioctl --set values.<path>`), e.g. `cni.ambient.dnsCapture`
 *                     (= `ambient.dnsCapture` in the standalone cni chart). Effective value (defaults + user).
 *     env             {name, equals? | set?}  istiod env / proxyMetadata variable explicitly set by the user
 *     crdsHelmOwned   boolean  Istio CRDs carry Helm ownership metadata (app.kubernetes.io/managed-by=Helm +
 *                     meta.helm.sh/release-name)
 *     resourceExists  {kind, group?}  at least one object of that kind exists in the cluster
 *     platform        'gke' | 'openshift' | 'k3s' | …   detected platform
 *     kubernetesAtLeast  cluster (kubelet) minor at least this, e.g. '1.33'
 *     feature         named detector the planner may or may not implement (unknown ⇒ 'unknown'), e.g.
 *                     'gateway-api-automated-deployment', 'telemetry-cel', 'envoyfilter', 'plugged-in-ca',
 *                     'multicluster-remote', 'large-ambient-mesh', 'grafana-dashboards', 'auto-registered-workloadentry'
 *     allOf / anyOf / not   composition
 *
 * ─── Effect ─────────────────────────────────────────────────────────────────────────────────────────────
 *     blocker          the plan must not proceed until the precondition is resolved
 *     stepKind         step the planner inserts (STEP_KINDS below, led by the step registry's note kinds)
 *     placement        {before?: Phase, after?: Phase}  where that step goes inside the hop
 *     order            Phase[]  these phases must run in this order for the hop (order notes)
 *     setHelmValues    [{path, value, charts?, dropWhen?}]  values the plan sets on those charts (workarounds);
 *                      unified-tree paths; no `charts` = every chart the hop upgrades
 *     forbiddenHelmValues  value paths that must not be set any more (removed values); planner checks user values
 *     renamedHelmValues    [{from, to}]  values to move
 *     removedEnv       env vars that no longer exist / are ignored
 *     requireComponent {component, atLeast?, atMost?}  component version the target needs
 *     revertFlags      env/values that restore the old behaviour (besides compatibilityVersion)
 *     commands         documented commands; placeholders <base-release>, <istio-namespace>
 *     automatedBy      the release fact (e.g. revisionTagTemplates) through which the planner carries the note out
 *   Every effect is acted on by the planner (planner/notes.ts); what it cannot carry out for a hop is shown as a
 *   warning "not automated: …" in the plan.
 *
 * ─── Phase ids (shared by notes, `order`, `placement` and UpgradePolicy.ambient.order) ──────────────────
 *     precheck, crds-upgrade, istiod-upgrade, cni-upgrade, workload-restart, ztunnel-upgrade,
 *     gateway-upgrade, tag-move, gateway-api-crds-upgrade, traffic-switch, old-revision-removal
 */
import { z } from 'zod';
import { STEPS } from '../../steps/registry.js';

export const MINOR_RE = /^1\.\d+$/;
export const VERSION_RE = /^1\.\d+\.\d+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const K8S_MINOR_RE = /^1\.\d+$/;
const NOTE_ID_RE = /^1\.\d+(\.\d+)?-[a-z0-9]+(?:[-.][a-z0-9]+)*$/;

const Minor = z.string().regex(MINOR_RE, 'expected a minor like 1.24');
const Version = z.string().regex(VERSION_RE, 'expected a version like 1.24.6');
const IsoDate = z.string().regex(DATE_RE, 'expected YYYY-MM-DD');
const K8sMinor = z.string().regex(K8S_MINOR_RE, 'expected a Kubernetes minor like 1.30');
const Semverish = z.string().regex(/^v?\d+\.\d+(\.\d+)?$/, 'expected x.y or x.y.z');
const OneLine = z.string().min(1).refine((s) => !s.includes('\n'), 'must be one line');
const OneSentence = OneLine.refine((s) => /[.!?]$/.test(s) && !/[.!?] [A-Z]/.test(s), 'must be one sentence ending with a full stop');

export const NOTE_KINDS = ['precondition', 'step', 'order', 'warning'] as const;
export const INSTALL_METHODS = ['helm', 'istioctl', 'operator'] as const;
export const DATA_PLANE_MODES = ['sidecar', 'ambient'] as const;
export const PHASES = [
  'precheck',
  'crds-upgrade',
  'istiod-upgrade',
  'cni-upgrade',
  'workload-restart',
  'ztunnel-upgrade',
  'gateway-upgrade',
  'tag-move',
  'gateway-api-crds-upgrade',
  'traffic-switch',
  'old-revision-removal',
] as const;
/**
 * Steps a note may ask for: the ones that stay manual (the planner turns those into "before
 * applying" warnings), then the kinds the step registry builds from notes.
 */
const MANUAL_STEP_KINDS = [
  'helm-values-migration',
  'label-migration',
  'set-helm-values',
  'install-method-migration',
  'chart-switch',
  'regenerate-dashboards',
  'workloadentry-reregistration',
  'manual',
] as const;
export const STEP_KINDS: [string, ...string[]] = [...MANUAL_STEP_KINDS, ...STEPS.noteKinds];
/** Component names used by `Condition.component` / `Effect.requireComponent`. */
export const COMPONENTS = [
  'istiod',
  'istio-cni',
  'ztunnel',
  'gateway',
  'waypoint',
  'istio-operator',
  'istiod-remote',
  'ambient-umbrella-chart',
  'istio-csr',
  'gateway-api-crds',
  'grafana',
  'kiali',
] as const;
export const CHART_KEYS = ['base', 'istiod', 'cni', 'ztunnel', 'gateway', 'ambientUmbrella'] as const;

export type NoteKind = (typeof NOTE_KINDS)[number];
export type InstallMethod = (typeof INSTALL_METHODS)[number];
export type DataPlaneMode = (typeof DATA_PLANE_MODES)[number];
export type Phase = (typeof PHASES)[number];
export type StepKind = (typeof STEP_KINDS)[number];
export type ComponentName = (typeof COMPONENTS)[number];
export type ChartKey = (typeof CHART_KEYS)[number];

type Scalar = string | number | boolean;

/** Declared by hand because it is recursive; `ConditionSchema` is checked against it. */
export interface Condition {
  mode?: DataPlaneMode;
  installMethod?: InstallMethod | InstallMethod[];
  component?: ComponentName;
  versionAtMost?: string;
  versionAtLeast?: string;
  versionBelow?: string;
  helmValue?: { path: string; equals?: Scalar; notEquals?: Scalar; set?: boolean };
  env?: { name: string; equals?: string; set?: boolean };
  crdsHelmOwned?: boolean;
  resourceExists?: { kind: string; group?: string };
  platform?: string;
  kubernetesAtLeast?: string;
  feature?: string;
  allOf?: Condition[];
  anyOf?: Condition[];
  not?: Condition;
}

const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      mode: z.enum(DATA_PLANE_MODES).optional(),
      installMethod: z.union([z.enum(INSTALL_METHODS), z.array(z.enum(INSTALL_METHODS)).min(1)]).optional(),
      component: z.enum(COMPONENTS).optional(),
      versionAtMost: Semverish.optional(),
      versionAtLeast: Semverish.optional(),
      versionBelow: Semverish.optional(),
      helmValue: z
        .strictObject({
          path: z.string().min(1),
          equals: ScalarSchema.optional(),
          notEquals: ScalarSchema.optional(),
          set: z.boolean().optional(),
        })
        .optional(),
      env: z.strictObject({ name: z.string().min(1), equals: z.string().optional(), set: z.boolean().optional() }).optional(),
      crdsHelmOwned: z.boolean().optional(),
      resourceExists: z.strictObject({ kind: z.string().min(1), group: z.string().optional() }).optional(),
      platform: z.string().min(1).optional(),
      kubernetesAtLeast: K8sMinor.optional(),
      feature: z.string().regex(/^[a-z0-9-]+$/).optional(),
      allOf: z.array(ConditionSchema).min(1).optional(),
      anyOf: z.array(ConditionSchema).min(1).optional(),
      not: ConditionSchema.optional(),
    })
    .refine((c) => Object.keys(c).length > 0, 'empty condition: omit appliesWhen instead')
    .refine(
      (c) => (c.versionAtMost ?? c.versionAtLeast ?? c.versionBelow) === undefined || c.component !== undefined,
      'versionAtMost/versionAtLeast/versionBelow need a component',
    ),
);

/** Release facts the planner reads to build steps; a note naming one is carried out through that fact. */
export const AUTOMATING_FACTS = ['revisionTagTemplates', 'crdsHelmTemplated', 'compatibilityProfiles', 'gatewayApi'] as const;

export const EffectSchema = z.strictObject({
  blocker: z.boolean().optional(),
  stepKind: z.enum(STEP_KINDS).optional(),
  placement: z.strictObject({ before: z.enum(PHASES).optional(), after: z.enum(PHASES).optional() }).optional(),
  order: z.array(z.enum(PHASES)).min(2).optional(),
  setHelmValues: z
    .array(
      z.strictObject({
        path: z.string().min(1),
        value: ScalarSchema,
        charts: z.array(z.enum(CHART_KEYS)).optional(),
        /** When the workaround can be dropped again; the plan turns it into a follow-up. */
        dropWhen: OneLine.optional(),
      }),
    )
    .optional(),
  forbiddenHelmValues: z.array(z.string().min(1)).optional(),
  renamedHelmValues: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1) })).optional(),
  removedEnv: z.array(z.string().min(1)).optional(),
  requireComponent: z
    .strictObject({ component: z.enum(COMPONENTS), atLeast: Semverish.optional(), atMost: Semverish.optional() })
    .optional(),
  revertFlags: z.record(z.string(), ScalarSchema).optional(),
  commands: z.array(z.string().min(1)).optional(),
  automatedBy: z.enum(AUTOMATING_FACTS).optional(),
});
export type Effect = z.infer<typeof EffectSchema>;

export const NoteSchema = z
  .strictObject({
    id: z.string().regex(NOTE_ID_RE, 'note id must be <minor>[.<patch>]-<kebab>'),
    kind: z.enum(NOTE_KINDS),
    summary: OneLine,
    /** What the change means for the operator, in one plain sentence (change tickets show it with the source link). */
    explanation: OneSentence.optional(),
    detail: z.string().optional(),
    appliesWhen: ConditionSchema.optional(),
    effect: EffectSchema.optional(),
    compatibilityRevertible: z.boolean().optional(),
    introducedIn: z.array(Version).min(1).optional(),
    sameAs: z.string().regex(NOTE_ID_RE).optional(),
    source: z.string().min(3),
    verified: z.string().optional(),
    unconfirmed: z.boolean().optional(),
  })
  .refine((n) => n.kind !== 'order' || (n.effect?.order?.length ?? 0) >= 2 || n.effect?.placement !== undefined || n.detail !== undefined, {
    message: 'order notes need effect.order, effect.placement or a detail',
  });
export type Note = z.infer<typeof NoteSchema>;

export const CompatibilityProfileSchema = z.strictObject({
  summary: OneLine,
  flags: z.record(z.string().min(1), z.union([z.string(), z.boolean()])),
});
export type CompatibilityProfile = z.infer<typeof CompatibilityProfileSchema>;

export const ProvenanceSchema = z.strictObject({
  source: z.string().min(3),
  verified: z.string().optional(),
  derived: z.boolean().optional(),
  unconfirmed: z.boolean().optional(),
  note: z.string().optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const FACT_KEYS = [
  'released',
  'eol',
  'patches',
  'kubernetes',
  'istioctlMinKubernetes',
  'charts',
  'helmProfiles',
  'compatibilityVersions',
  'compatibilityProfiles',
  'revisionTagTemplates',
  'crdsHelmTemplated',
  'inClusterOperatorSupported',
  'gatewayApi',
  'securityFixes',
] as const;
export type FactKey = (typeof FACT_KEYS)[number];

export const GatewayApiSchema = z.strictObject({
  /** sigs.k8s.io/gateway-api version in go.mod at the newest tag of the minor. */
  goModule: z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
  /** Oldest bundle whose v1beta1 Gateway/GatewayClass/HTTPRoute/ReferenceGrant Istio reads (precheck IST0156). */
  minBundle: Semverish.optional(),
  /** Per-CRD bounds on the `gateway.networking.k8s.io/bundle-version` annotation; CRDs outside are ignored. */
  crdBounds: z.array(
    z.strictObject({
      crd: z.string().regex(/^[a-z]+\.gateway\.networking\.k8s\.io$/),
      min: Semverish.optional(),
      max: Semverish.optional(),
      sincePatch: Version.optional(),
      untilPatch: Version.optional(),
    }),
  ),
});
export type GatewayApi = z.infer<typeof GatewayApiSchema>;

export const ReleaseSchema = z
  .strictObject({
    minor: Minor,
    released: IsoDate,
    eol: IsoDate.optional(),
    latestPatch: Version,
    patches: z.array(Version).min(1).optional(),
    kubernetes: z.strictObject({ min: K8sMinor, max: K8sMinor }),
    /** `MinK8SVersion` of istioctl at the newest patch. */
    istioctlMinKubernetes: K8sMinor,
    /** Changes of that minimum inside the minor line, oldest first. */
    istioctlMinKubernetesHistory: z.array(z.strictObject({ fromPatch: Version, min: K8sMinor })).optional(),
    charts: z.strictObject({
      base: z.string(),
      istiod: z.string(),
      cni: z.string(),
      ztunnel: z.string(),
      gateway: z.string(),
      ambientUmbrella: z.string().optional(),
      istiodRemote: z.string().optional(),
      istioOperator: z.string().optional(),
    }),
    helmProfiles: z.array(z.string()),
    helmPlatforms: z.array(z.string()).optional(),
    istioctlProfiles: z.array(z.string()),
    compatibilityVersions: z.array(Minor),
    compatibilityProfiles: z.record(Minor, CompatibilityProfileSchema),
    revisionTagTemplates: z.array(z.string().regex(/^templates\/[a-z-]+\.yaml$/)).min(1),
    tagServices: z.boolean(),
    crdsHelmTemplated: z.boolean(),
    inClusterOperatorSupported: z.boolean(),
    gatewayApi: GatewayApiSchema.optional(),
    /** Patches that fix a published security advisory: a target older than one of them gets a warning naming it. */
    securityFixes: z.array(z.strictObject({ patch: Version, advisory: z.string().min(3), summary: OneLine, source: z.string().min(3) })).optional(),
    provenance: z.partialRecord(z.enum(FACT_KEYS), ProvenanceSchema),
    notes: z.array(NoteSchema),
  })
  .superRefine((r, ctx) => {
    if (!r.latestPatch.startsWith(`${r.minor}.`)) ctx.addIssue({ code: 'custom', message: `latestPatch ${r.latestPatch} not in ${r.minor}` });
    if (r.patches && r.patches[r.patches.length - 1] !== r.latestPatch)
      ctx.addIssue({ code: 'custom', message: `patches of ${r.minor} must end with latestPatch` });
    for (const p of r.patches ?? [])
      if (!p.startsWith(`${r.minor}.`)) ctx.addIssue({ code: 'custom', message: `patch ${p} not in ${r.minor}` });
    for (const fix of r.securityFixes ?? [])
      if (!(r.patches ?? [r.latestPatch]).includes(fix.patch)) ctx.addIssue({ code: 'custom', message: `${r.minor}: security fix in unknown patch ${fix.patch}` });
    const keys = Object.keys(r.compatibilityProfiles).sort();
    if (keys.join() !== [...r.compatibilityVersions].sort().join())
      ctx.addIssue({ code: 'custom', message: `${r.minor}: compatibilityProfiles keys must equal compatibilityVersions` });
    for (const n of r.notes) {
      if (!n.id.startsWith(`${r.minor}-`) && !n.id.startsWith(`${r.minor}.`))
        ctx.addIssue({ code: 'custom', message: `note ${n.id} filed under ${r.minor}` });
    }
  });
export type Release = z.infer<typeof ReleaseSchema>;

const PolicyRule = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ ...shape, wording: z.string().min(1), source: z.string().min(3), derived: z.boolean().optional(), unconfirmed: z.boolean().optional() });

export const UpgradePolicySchema = z.strictObject({
  /** Any method: more than two minors in one step is "not officially tested or recommended". */
  generalMaxMinorJump: PolicyRule({ value: z.number().int().positive() }),
  canaryMaxMinorJump: PolicyRule({ value: z.literal(2), recommended: z.boolean() }),
  inPlaceMaxMinorJump: PolicyRule({ value: z.literal(1), downgradeMaxMinorJump: z.literal(1) }),
  /** Derived: CNI and ztunnel tolerate one minor of skew and cannot be canaried. */
  ambientMaxMinorJump: PolicyRule({ value: z.literal(1) }),
  controlPlaneDataPlaneSkew: PolicyRule({
    controlPlaneAheadMaxMinors: z.number().int().nonnegative(),
    dataPlaneAheadAllowed: z.boolean(),
  }),
  ambient: PolicyRule({
    order: z.array(z.enum(PHASES)).min(2),
    nodeComponentMaxSkewMinors: z.number().int().nonnegative(),
  }),
  ambientUmbrellaChart: PolicyRule({ upgradeAsWholeOnly: z.boolean() }),
  crdsFirst: PolicyRule({ phase: z.enum(PHASES) }),
  supportWindow: PolicyRule({ minorsAfter: z.number().int().positive(), weeksAfter: z.number().int().positive() }),
  compatibilityVersionOnEveryChart: PolicyRule({ charts: z.array(z.enum(CHART_KEYS)) }),
  precheck: PolicyRule({ command: z.string(), fromVersionEffectiveUpToMinor: Minor }),
  /** Hosts Istio no longer publishes to (for every version), and where the artifacts are now. */
  artifactHosting: PolicyRule({
    retiredRegistries: z.array(z.string().min(1)).min(1),
    retiredChartRepositories: z.array(z.string().min(1)).min(1),
    helmRepository: z.string().url(),
    ociCharts: z.string().startsWith('oci://'),
    images: z.string().min(1),
  }),
});
export type UpgradePolicy = z.infer<typeof UpgradePolicySchema>;

export const CatalogSchema = z
  .strictObject({
    newestKnown: Version,
    generatedFrom: z.string(),
    releases: z.array(ReleaseSchema).min(1),
    policy: UpgradePolicySchema,
  })
  .superRefine((c, ctx) => {
    const minors = c.releases.map((r) => Number(r.minor.split('.')[1]));
    for (let i = 1; i < minors.length; i++)
      if (minors[i] !== (minors[i - 1] ?? 0) + 1) ctx.addIssue({ code: 'custom', message: 'releases must be consecutive minors, ascending' });
    const last = c.releases[c.releases.length - 1];
    if (last && last.latestPatch !== c.newestKnown) ctx.addIssue({ code: 'custom', message: 'newestKnown must be the newest release latestPatch' });
    const ids = new Set<string>();
    for (const r of c.releases)
      for (const n of r.notes) {
        if (ids.has(n.id)) ctx.addIssue({ code: 'custom', message: `duplicate note id ${n.id}` });
        ids.add(n.id);
      }
    for (const r of c.releases)
      for (const n of r.notes)
        if (n.sameAs && !ids.has(n.sameAs)) ctx.addIssue({ code: 'custom', message: `${n.id}: sameAs ${n.sameAs} unknown` });
  });
export type Catalog = z.infer<typeof CatalogSchema>;
