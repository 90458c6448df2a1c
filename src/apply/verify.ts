import { BUNDLE_VERSION_ANNOTATION } from '../k8s/gateway-api.js';
import type { Inventory } from '../k8s/inventory.js';
import { decodeHelmReleaseSecret, HELM_SECRET_TYPE } from '../k8s/helm-release.js';
import { versionFromImage } from '../k8s/discover/lean-pod.js';
import { DEFAULT_VALIDATOR } from '../k8s/discover/control-plane.js';
import { arrayField, stringField, type KubeObject } from '../k8s/objects.js';
import { RESOURCES } from '../k8s/resources.js';
import type { VerifySpec } from '../plan/schema.js';
import { backupProblem } from './backup.js';
import type { VerifyContext, VerifyOutcome } from './ports.js';
import { preflightProblems } from './preflight-check.js';
import { podSelector, type WorkloadKind } from './rollout-state.js';
import { waitForRollout, type WaiterDeps } from './rollout-waiter.js';

export interface VerifyDeps extends WaiterDeps {
  istioNamespace: string;
  inventory: () => Promise<Inventory>;
  /** How long a plain check (labels, Helm status) may take to become true (default 60 s). */
  settleMs?: number;
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const ISTIO_CRD = /\.istio\.io$/;
const WORKLOAD_KINDS = new Set<string>(['Deployment', 'StatefulSet', 'DaemonSet']);

type Check = () => Promise<string | undefined>;

/** Plain checks are re-tried briefly: the API reflects a finished helm command within seconds, not minutes. */
async function settle(check: Check, ctx: VerifyContext, deps: VerifyDeps): Promise<VerifyOutcome> {
  const until = Math.min(ctx.deadline, deps.clock.now() + (deps.settleMs ?? 60_000));
  for (;;) {
    const problem = await check();
    if (problem === undefined) return { ok: true };
    if (ctx.probe || ctx.signal.aborted || deps.clock.now() >= until) return { ok: false, reason: problem };
    await deps.clock.sleep(Math.min(2_000, until - deps.clock.now()), ctx.signal).catch(() => undefined);
  }
}

/** A release's record Secrets (metadata only), newest revision first. */
export async function helmSecrets(deps: VerifyDeps, release: string, namespace: string): Promise<KubeObject[]> {
  const secrets = await deps.reader.list(RESOURCES.secrets, { namespace, labelSelector: `owner=helm,name=${release}`, fieldSelector: `type=${HELM_SECRET_TYPE}`, metadataOnly: true });
  return secrets.sort((a, b) => Number(b.metadata.labels?.version ?? 0) - Number(a.metadata.labels?.version ?? 0));
}

async function latestHelmSecret(deps: VerifyDeps, release: string, namespace: string): Promise<KubeObject | undefined> {
  return (await helmSecrets(deps, release, namespace))[0];
}

async function helmRelease(spec: Extract<VerifySpec, { type: 'helm-release' }>, deps: VerifyDeps): Promise<string | undefined> {
  const what = `Helm release ${spec.namespace}/${spec.release}`;
  const latest = await latestHelmSecret(deps, spec.release, spec.namespace);
  const status = latest?.metadata.labels?.status;
  if (spec.absent) return !latest || status === 'uninstalled' ? undefined : `${what} still exists (revision ${latest.metadata.labels?.version}, ${status})`;
  if (!latest) return `${what} does not exist`;
  if (status !== spec.status) return `${what} revision ${latest.metadata.labels?.version} is ${status ?? 'of unknown status'}, not ${spec.status}`;
  if (spec.chartVersion) {
    const full = await deps.reader.get(RESOURCES.secrets, latest.metadata.name, spec.namespace);
    if (!full) return `${what}: Secret ${latest.metadata.name} disappeared`;
    const chartVersion = decodeHelmReleaseSecret(full).chartVersion;
    if (chartVersion !== spec.chartVersion) return `${what} runs chart ${chartVersion}, not ${spec.chartVersion}`;
  }
  return undefined;
}

async function tagPointsTo(spec: Extract<VerifySpec, { type: 'tag-points-to' }>, deps: VerifyDeps): Promise<string | undefined> {
  const mwc = await deps.reader.get(RESOURCES.mutatingWebhooks, `istio-revision-tag-${spec.tag}`);
  if (!mwc) return `MutatingWebhookConfiguration istio-revision-tag-${spec.tag} does not exist`;
  const rev = mwc.metadata.labels?.['istio.io/rev'];
  if (rev !== spec.revision) return `tag ${spec.tag} webhook points at ${rev ?? 'no revision'}, not ${spec.revision}`;
  // Istio 1.28+ also renders a Service per tag; older versions have none, which is fine.
  const svc = await deps.reader.get(RESOURCES.services, `istiod-revision-tag-${spec.tag}`, deps.istioNamespace);
  if (svc) {
    const selected = (svc as { spec?: { selector?: Record<string, string> } }).spec?.selector?.['istio.io/rev'] ?? svc.metadata.labels?.['istio.io/rev'];
    if (selected !== spec.revision) return `Service ${deps.istioNamespace}/istiod-revision-tag-${spec.tag} selects revision ${selected ?? 'none'}, not ${spec.revision}`;
  }
  return undefined;
}

async function defaultValidator(spec: Extract<VerifySpec, { type: 'default-validator' }>, deps: VerifyDeps): Promise<string | undefined> {
  const vwc = await deps.reader.get(RESOURCES.validatingWebhooks, DEFAULT_VALIDATOR);
  if (!vwc) return `ValidatingWebhookConfiguration ${DEFAULT_VALIDATOR} does not exist`;
  const rev = vwc.metadata.labels?.['istio.io/rev'];
  if (rev !== spec.revision) return `${DEFAULT_VALIDATOR} is labelled istio.io/rev=${rev ?? '(unset)'}, not ${spec.revision}`;
  const webhooks = arrayField(vwc, 'webhooks');
  if (!webhooks.length) return `${DEFAULT_VALIDATOR} has no webhook`;
  for (const w of webhooks) {
    const name = stringField(w, 'clientConfig', 'service', 'name');
    const namespace = stringField(w, 'clientConfig', 'service', 'namespace');
    if (name !== spec.service || namespace !== spec.namespace) {
      return `${DEFAULT_VALIDATOR} webhook ${stringField(w, 'name') ?? '(unnamed)'} calls ${name ? `Service ${namespace}/${name}` : 'no Service'}, not ${spec.namespace}/${spec.service}`;
    }
  }
  // failurePolicy Fail: a validator calling a Service that does not exist rejects every Istio resource change.
  if (!(await deps.reader.get(RESOURCES.services, spec.service, spec.namespace))) return `Service ${spec.namespace}/${spec.service}, which ${DEFAULT_VALIDATOR} calls, does not exist`;
  return undefined;
}

async function istioCrds(deps: VerifyDeps): Promise<KubeObject[]> {
  return (await deps.reader.list(RESOURCES.crds, { metadataOnly: true })).filter((c) => ISTIO_CRD.test(c.metadata.name));
}

async function crdsHelmOwned(spec: Extract<VerifySpec, { type: 'crds-helm-owned' }>, deps: VerifyDeps): Promise<string | undefined> {
  const crds = await istioCrds(deps);
  if (!crds.length) return 'no Istio CRDs found';
  const bad = crds.filter(
    (c) =>
      c.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'Helm' ||
      c.metadata.annotations?.['meta.helm.sh/release-name'] !== spec.release ||
      c.metadata.annotations?.['meta.helm.sh/release-namespace'] !== spec.namespace,
  );
  return bad.length ? `${bad.length} Istio CRD(s) not owned by Helm release ${spec.namespace}/${spec.release}, e.g. ${bad[0]!.metadata.name}` : undefined;
}

async function gatewayApiBundle(spec: Extract<VerifySpec, { type: 'gateway-api-bundle' }>, deps: VerifyDeps): Promise<string | undefined> {
  for (const name of spec.crds) {
    const crd = await deps.reader.get(RESOURCES.crds, name);
    const have = crd?.metadata.annotations?.[BUNDLE_VERSION_ANNOTATION];
    if (have !== `v${spec.version}`) return `CRD ${name} ${crd ? `is bundle ${have ?? '(none)'}` : 'does not exist'}, not v${spec.version}`;
  }
  return undefined;
}

async function crdsNotLabelled(spec: Extract<VerifySpec, { type: 'crds-not-labelled' }>, deps: VerifyDeps): Promise<string | undefined> {
  const bad = (await istioCrds(deps)).filter((c) => spec.labels.some((l) => c.metadata.labels?.[l] !== undefined));
  return bad.length ? `${bad.length} Istio CRD(s) still carry ${spec.labels.join(', ')}, e.g. ${bad[0]!.metadata.name}` : undefined;
}

async function namespacesLabelled(spec: Extract<VerifySpec, { type: 'namespaces-labelled' }>, deps: VerifyDeps): Promise<string | undefined> {
  for (const name of spec.namespaces) {
    const ns = await deps.reader.get(RESOURCES.namespaces, name);
    if (!ns) return `namespace ${name} does not exist`;
    const v = ns.metadata.labels?.[spec.label] ?? null;
    if (v !== spec.value) return `namespace ${name} has ${spec.label}=${v ?? '(unset)'}, not ${spec.value ?? '(unset)'}`;
  }
  return undefined;
}

async function revisionAbsent(spec: Extract<VerifySpec, { type: 'revision-absent' }>, deps: VerifyDeps): Promise<string | undefined> {
  const sel = `istio.io/rev=${spec.revision}`;
  const deployments = (await deps.reader.list(RESOURCES.deployments, { namespace: deps.istioNamespace, labelSelector: sel })).filter((d) => d.metadata.labels?.app === 'istiod');
  if (deployments.length) return `istiod Deployment ${deps.istioNamespace}/${deployments[0]!.metadata.name} of revision ${spec.revision} still exists`;
  const webhooks = (await deps.reader.list(RESOURCES.mutatingWebhooks, { labelSelector: sel })).filter((w) => w.metadata.labels?.['istio.io/tag'] === undefined);
  if (webhooks.length) return `injector webhook ${webhooks[0]!.metadata.name} of revision ${spec.revision} still exists`;
  return undefined;
}

function proxyMatches(pod: KubeObject, version: string): boolean {
  const containers = [...arrayField(pod, 'spec', 'containers'), ...arrayField(pod, 'spec', 'initContainers')];
  const proxy = containers.find((c) => stringField(c, 'name') === 'istio-proxy');
  const v = versionFromImage(stringField(proxy, 'image'));
  return v === version || (v?.startsWith(`${version}.`) ?? false);
}

const WORKLOAD_RESOURCE = { Deployment: RESOURCES.deployments, StatefulSet: RESOURCES.statefulSets, DaemonSet: RESOURCES.daemonSets } as const;

async function workloadsRestarted(spec: Extract<VerifySpec, { type: 'workloads-restarted' }>, ctx: VerifyContext, deps: VerifyDeps): Promise<VerifyOutcome> {
  for (const w of spec.workloads) {
    if (!WORKLOAD_KINDS.has(w.kind)) return { ok: false, reason: `cannot verify a restart of ${w.kind} ${w.namespace}/${w.name}` };
    const kind = w.kind as WorkloadKind;
    const obj = await deps.reader.get(WORKLOAD_RESOURCE[kind], w.name, w.namespace);
    if (!obj) return { ok: false, reason: `${kind} ${w.namespace}/${w.name} does not exist` };
    if (ctx.since !== undefined) {
      // On resume this tells "restarted by this run" from "was already on the right proxy".
      const at = Date.parse((obj as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }).spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? '');
      if (Number.isNaN(at) || at < ctx.since - 1_000) return { ok: false, reason: `${kind} ${w.namespace}/${w.name} was not restarted by this run` };
    }
    const rolled = await waitForRollout({ kind, namespace: w.namespace, name: w.name }, ctx, deps);
    if (!rolled.ok) return rolled;
    const selector = podSelector(obj);
    const pods = selector ? await deps.reader.list(RESOURCES.pods, { namespace: w.namespace, labelSelector: selector, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }) : [];
    for (const pod of pods) {
      if (spec.revision !== null && pod.metadata.annotations?.['istio.io/rev'] !== spec.revision) {
        return { ok: false, reason: `pod ${w.namespace}/${pod.metadata.name} was injected by ${pod.metadata.annotations?.['istio.io/rev'] ?? 'no revision'}, not ${spec.revision}` };
      }
      if (spec.proxyVersion !== null && !proxyMatches(pod, spec.proxyVersion)) {
        return { ok: false, reason: `pod ${w.namespace}/${pod.metadata.name} does not run proxy ${spec.proxyVersion}` };
      }
    }
  }
  return { ok: true };
}

/** One verify spec of a step; rollouts wait up to the deadline, plain checks settle briefly. */
export async function verifySpec(spec: VerifySpec, ctx: VerifyContext, deps: VerifyDeps): Promise<VerifyOutcome> {
  switch (spec.type) {
    case 'deployment-rollout':
      return waitForRollout({ kind: 'Deployment', namespace: spec.namespace, name: spec.name }, ctx, deps);
    case 'daemonset-rollout':
      return waitForRollout({ kind: 'DaemonSet', namespace: spec.namespace, name: spec.name, ...(spec.version ? { expectVersion: spec.version } : {}) }, ctx, deps);
    case 'workloads-restarted':
      return workloadsRestarted(spec, ctx, deps);
    case 'helm-release':
      return settle(() => helmRelease(spec, deps), ctx, deps);
    case 'tag-points-to':
      return settle(() => tagPointsTo(spec, deps), ctx, deps);
    case 'default-validator':
      return settle(() => defaultValidator(spec, deps), ctx, deps);
    case 'crds-helm-owned':
      return settle(() => crdsHelmOwned(spec, deps), ctx, deps);
    case 'crds-not-labelled':
      return settle(() => crdsNotLabelled(spec, deps), ctx, deps);
    case 'gateway-api-bundle':
      return settle(() => gatewayApiBundle(spec, deps), ctx, deps);
    case 'namespaces-labelled':
      return settle(() => namespacesLabelled(spec, deps), ctx, deps);
    case 'revision-absent':
      return settle(() => revisionAbsent(spec, deps), ctx, deps);
    case 'backup-written':
      return settle(() => backupProblem(spec.directory), ctx, deps);
    case 'preflight-passed':
      return settle(async () => {
        const problems = preflightProblems(await deps.inventory());
        return problems.length ? problems.join('; ') : undefined;
      }, ctx, deps);
  }
}
