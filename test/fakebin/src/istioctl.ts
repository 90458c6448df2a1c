/**
 * The fake `istioctl`: install/upgrade, uninstall, tag set|generate|list|remove, x precheck, version, analyze.
 * The binary's own version comes from FAKE_ISTIOCTL_VERSION, else from `--set revision=1-24-6` / `--revision 1-24-6`
 * of the call, else 1.24.6.
 */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import {
  atLeast,
  defaultValidator,
  istioctlIngressGateway,
  istioctlInstaller,
  NEVER_MATCH,
  parseVersion,
  revisionTag,
  type K8sObject,
} from '../../support/istio-render/index.js';
import { all, flag, last, parseArgs, type FlagSpec, type Parsed } from './args.js';
import { cmdAnalyze } from './analyze.js';
import { applyAll, applyOne, clientSide, dumpDoc } from './apply.js';
import { renderChart, type ChartName } from './charts.js';
import { Controllers } from './controllers.js';
import { ApiError, CliError, UnreachableError } from './errors.js';
import { type KObj, Kube } from './kube.js';
import { kubeconfigFiles, resolveTarget } from './kubeconfig.js';
import type { Runtime } from './runtime.js';
import { mergeMaps, parseSet, valueAt, type Values } from './values.js';

export const DEFAULT_ISTIOCTL_VERSION = '1.24.6';
const GIT_SHA = '9a6a3e2c1f5b4d7e8a0b1c2d3e4f5a6b7c8d9e0f';

const GLOBAL_VALUES = ['context', 'kubeconfig', 'istioNamespace', 'namespace', 'vklog', 'log_output_level', 'log_as_json', 'log_target', 'log_caller', 'log_stacktrace_level', 'log_rotate'];
const GLOBAL_BOOLS = ['help'];
const GLOBAL_ALIASES: Record<string, string> = { c: 'kubeconfig', i: 'istioNamespace', n: 'namespace', h: 'help' };

function spec(values: string[], bools: string[], aliases: Record<string, string> = {}): FlagSpec {
  return { values: [...GLOBAL_VALUES, ...values], bools: [...GLOBAL_BOOLS, ...bools], aliases: { ...GLOBAL_ALIASES, ...aliases } };
}

const SPECS: Record<string, FlagSpec> = {
  version: spec(['output', 'revision'], ['remote', 'short'], { o: 'output', r: 'revision', s: 'short' }),
  install: spec(['set', 'filename', 'revision', 'readiness-timeout', 'manifests'], ['skip-confirmation', 'force', 'verify', 'dry-run', 'detailed-exit-code'], { s: 'set', f: 'filename', r: 'revision', y: 'skip-confirmation', d: 'manifests' }),
  uninstall: spec(['set', 'filename', 'revision', 'manifests'], ['purge', 'skip-confirmation', 'dry-run', 'verbose', 'force'], { s: 'set', f: 'filename', r: 'revision', y: 'skip-confirmation', d: 'manifests', v: 'verbose' }),
  tag: spec(['revision', 'webhook-name', 'output', 'manifests'], ['overwrite', 'skip-confirmation', 'auto-inject-namespaces'], { r: 'revision', o: 'output', y: 'skip-confirmation', d: 'manifests' }),
  precheck: spec(['from-version', 'output', 'output-threshold', 'revision'], ['skip-controlplane'], { f: 'from-version', o: 'output', r: 'revision' }),
  analyze: spec(['output', 'output-threshold', 'failure-threshold', 'revision', 'suppress', 'timeout', 'analyzer', 'meshConfigFile'], ['all-namespaces', 'color', 'list-analyzers', 'use-kube', 'verbose', 'recursive', 'ignore-unknown'], { o: 'output', A: 'all-namespaces', r: 'revision', S: 'suppress', L: 'list-analyzers', k: 'use-kube', R: 'recursive', v: 'verbose' }),
};

/** Minimum Kubernetes minor per istioctl minor (istioctl/pkg/install/k8sversion/version.go). */
function minKubernetes(istioVersion: string): number {
  const m = parseVersion(istioVersion).minor;
  if (m <= 23) return 26;
  if (m <= 25) return 28;
  if (m <= 28) return 29;
  if (m === 29) return 30;
  return 32;
}

function explain(e: unknown): never {
  if (e instanceof CliError) throw e;
  if (e instanceof UnreachableError) throw new CliError(`failed to create Kubernetes client: ${e.message}`);
  if (e instanceof ApiError) throw new CliError(e.message);
  throw e;
}

class Session {
  private kubeClient?: Kube;
  constructor(
    readonly rt: Runtime,
    readonly p: Parsed,
  ) {}

  get istioNamespace(): string {
    return last(this.p, 'istioNamespace') ?? 'istio-system';
  }

  kube(): Kube {
    const files = kubeconfigFiles(this.rt.env, last(this.p, 'kubeconfig'));
    this.kubeClient ??= new Kube(resolveTarget(files, last(this.p, 'context'), (m) => new CliError(`failed to create Kubernetes client: ${m}`)));
    return this.kubeClient;
  }

  close(): void {
    this.kubeClient?.close();
  }
}

/** `--set` pairs of istioctl (IstioOperator paths: profile, revision, hub, tag, values.*, compatibilityVersion…). */
function operatorSettings(p: Parsed): { profile: string; revision?: string; values: Values; compat?: string; hub?: string; tag?: string } {
  let iop: Values = {};
  for (const f of all(p, 'filename')) {
    const doc = yaml.load(readFileSync(f, 'utf8')) as Values | null;
    iop = mergeMaps(iop, ((doc?.spec as Values | undefined) ?? {}) as Values);
  }
  for (const s of all(p, 'set')) {
    const one: Values = {};
    parseSet(s, one);
    iop = mergeMaps(iop, one);
  }
  const rev = last(p, 'revision') ?? (iop.revision === undefined ? undefined : String(iop.revision));
  const values = (iop.values as Values | undefined) ?? {};
  const compat = iop.compatibilityVersion ?? valueAt(values, 'compatibilityVersion');
  if (compat !== undefined) values.compatibilityVersion = compat;
  return {
    profile: String(iop.profile ?? 'default'),
    revision: rev && rev !== 'default' ? rev : undefined,
    values,
    compat: compat === undefined ? undefined : String(compat),
    hub: iop.hub === undefined ? undefined : String(iop.hub),
    tag: iop.tag === undefined ? undefined : String(iop.tag),
  };
}

/** The binary version: FAKE_ISTIOCTL_VERSION, else the version a `1-24-6`-style revision names, else 1.24.6. */
export function istioctlVersion(env: NodeJS.ProcessEnv, args: string[]): string {
  if (env.FAKE_ISTIOCTL_VERSION) return env.FAKE_ISTIOCTL_VERSION.replace(/^v/, '');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.startsWith('revision=') ? a.slice(9) : (a === '--revision' || a === '-r') ? args[i + 1] : a.startsWith('--revision=') ? a.slice(11) : undefined;
    const m = v ? /^(\d+)-(\d+)-(\d+)$/.exec(v) : null;
    if (m) return `${m[1]}.${m[2]}.${m[3]}`;
  }
  return DEFAULT_ISTIOCTL_VERSION;
}

function confirm(rt: Runtime, question: string): boolean {
  rt.out(`${question} (y/N) `);
  let answer = '';
  try {
    answer = readFileSync(0, 'utf8').split('\n')[0]!.trim().toLowerCase();
  } catch {
    answer = '';
  }
  return answer === 'y' || answer === 'yes';
}

const isActive = (w: { namespaceSelector?: { matchLabels?: Record<string, string> } }): boolean => w.namespaceSelector?.matchLabels?.['istio.io/deactivated'] !== 'never-match';

async function deactivateRevisionless(kube: Kube): Promise<void> {
  const mwc = await kube.get('MutatingWebhookConfiguration', 'istio-sidecar-injector');
  if (!mwc) return;
  const whs = (mwc.webhooks as Record<string, unknown>[] | undefined) ?? [];
  if (!whs.some((w) => isActive(w as never))) return;
  await kube.mergePatch('MutatingWebhookConfiguration', 'istio-sidecar-injector', undefined, {
    webhooks: whs.map((w) => ({ ...w, namespaceSelector: NEVER_MATCH, objectSelector: NEVER_MATCH })),
  });
}

async function cmdInstall(s: Session, version: string): Promise<void> {
  const { p, rt } = s;
  const o = operatorSettings(p);
  const ns = s.istioNamespace;
  if (o.revision && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.revision)) throw new CliError(`invalid revision specified: ${o.revision}`);
  if (!flag(p, 'skip-confirmation') && !confirm(rt, `This will install the Istio ${version} profile "${o.profile}" into the cluster. Proceed?`)) {
    throw new CliError('Cancelled.', 1);
  }
  const kube = s.kube();
  const ver = await kube.serverVersion();
  if (Number(ver.minor.replace(/\D.*$/, '')) < minKubernetes(version)) {
    throw new CliError(`The Kubernetes version v${ver.major}.${ver.minor} is not supported by Istio ${version}. The minimum supported Kubernetes version is 1.${minKubernetes(version)}.`);
  }
  const components: { base: boolean; pilot: boolean; cni: boolean; ztunnel: boolean; ingress: boolean } = {
    base: o.profile !== 'empty' && o.profile !== 'remote',
    pilot: o.profile !== 'empty',
    cni: o.profile === 'ambient',
    ztunnel: o.profile === 'ambient',
    ingress: o.profile === 'default' || o.profile === 'demo',
  };
  const values: Values = mergeMaps(o.values, { ...(o.revision ? { revision: o.revision } : {}), ...(o.profile === 'ambient' ? { profile: 'ambient' } : {}) });
  if (o.hub) values.global = mergeMaps((values.global as Values | undefined) ?? {}, { hub: o.hub });
  if (o.tag) values.global = mergeMaps((values.global as Values | undefined) ?? {}, { tag: o.tag });
  const render = (chart: ChartName): KObj[] => {
    try {
      return renderChart({ chart, version, release: 'istio', namespace: ns, values, mode: 'istioctl', operatorVersion: version }).map((r) => r.obj as KObj);
    } catch (e) {
      if (e instanceof CliError) throw new CliError(`failed to generate manifest: ${e.message}`);
      throw e;
    }
  };
  const objects: KObj[] = [];
  if (components.base) objects.push(...render('base'));
  if (components.pilot) objects.push(...render('istiod'));
  if (components.cni) objects.push(...render('cni'));
  if (components.ztunnel) objects.push(...render('ztunnel'));
  if (components.ingress) {
    const gw = istioctlIngressGateway({ version, installer: istioctlInstaller({ version, namespace: ns }), namespace: ns, revision: o.revision });
    objects.push(...gw.filter((x) => x.kind === 'Deployment' || x.kind === 'Service').map((x) => x as KObj));
  }

  // Default tag: generated when no `default` tag exists yet, or for a revision-less control plane.
  const defaultTags = await kube.list('MutatingWebhookConfiguration', { labelSelector: 'app=sidecar-injector,istio.io/tag=default' });
  const makeDefault = components.pilot && (!o.revision || defaultTags.length === 0);
  if (makeDefault && o.revision && !flag(p, 'force')) {
    const revisionless = await kube.get('MutatingWebhookConfiguration', 'istio-sidecar-injector');
    const active = ((revisionless?.webhooks as { name: string; namespaceSelector?: { matchLabels?: Record<string, string> } }[] | undefined) ?? []).find(
      (w) => w.name === 'namespace.sidecar-injector.istio.io' && isActive(w),
    );
    if (revisionless && active) {
      throw new CliError(
        `creating default tag would conflict:\nError [IST0139] (MutatingWebhookConfiguration istio-sidecar-injector) Webhook overlaps with others: [istio-revision-tag-default/namespace.sidecar-injector.istio.io]. This may cause injection to occur twice.`,
      );
    }
  }
  const existing = components.pilot ? await kube.get('Deployment', o.revision ? `istiod-${o.revision}` : 'istiod', ns) : undefined;
  const oldImage = ((existing?.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template?.spec?.containers ?? [])[0]?.image;
  const oldVersion = oldImage ? /:(\d+\.\d+\.\d+)/.exec(oldImage)?.[1] : undefined;
  if (oldVersion && oldVersion !== version) rt.out(`WARNING: Istio is being upgraded from ${oldVersion} to ${version}.\n         Running this command will overwrite it; use revisions to upgrade alongside the existing version.\n         Before upgrading, you may wish to use 'istioctl x precheck' to check for upgrade warnings.\n`);

  const ctl = new Controllers(kube);
  await applyAll(kube, ctl, objects);
  if (makeDefault) {
    const canonical = objects.find((x) => x.kind === 'MutatingWebhookConfiguration' && x.metadata.labels?.['istio.io/tag'] === undefined);
    const extra = { 'install.operator.istio.io/owning-resource-not-pruned': 'true' };
    const tagObjs = revisionTag({ tag: 'default', revision: o.revision, namespace: ns, version, createdBy: 'istioctl', canonicalWebhook: canonical as K8sObject, userManaged: false, extraLabels: extra });
    const vwc = defaultValidator({ revision: o.revision, namespace: ns, version, createdBy: 'istioctl', canonicalWebhook: canonical as K8sObject, extraLabels: extra });
    for (const x of [...tagObjs, vwc]) await applyOne(kube, x as KObj);
    await deactivateRevisionless(kube);
  }
  await rt.afterApply({});
  rt.out('✔ Istio core installed ⛵️\n');
  if (components.pilot) rt.out('✔ Istiod installed 🧠\n');
  if (components.cni) rt.out('✔ CNI installed 🪢\n');
  if (components.ztunnel) rt.out('✔ Ztunnel installed 🔒\n');
  if (components.ingress) rt.out('✔ Ingress gateways installed 🛬\n');
  rt.out('✔ Installation complete\n');
  if (makeDefault) rt.out('Made this installation the default for cluster-wide operations.\n');
}

const UNINSTALL_COMPONENTS = 'Pilot,IngressGateways,EgressGateways,Cni,Ztunnel';

async function cmdUninstall(s: Session): Promise<void> {
  const { p, rt } = s;
  const o = all(p, 'set').length || all(p, 'filename').length ? operatorSettings(p) : undefined;
  const revision = last(p, 'revision') ?? o?.revision;
  const purge = flag(p, 'purge');
  if (!revision && !purge && !all(p, 'filename').length) {
    throw new CliError('at least one of the --revision (or --set revision=<revision>), --filename or --purge flags must be set');
  }
  const kube = s.kube();
  const mwcs = await kube.list('MutatingWebhookConfiguration');
  if (revision && !purge) {
    const revisions = new Set(mwcs.map((m) => m.metadata.labels?.['istio.io/rev']).filter(Boolean));
    if (!revisions.has(revision)) throw new CliError(`could not find target revision: ${revision}`);
  }
  if (!flag(p, 'skip-confirmation') && !confirm(rt, purge ? 'All Istio resources will be pruned from the cluster\nProceed?' : `All Istio resources of revision ${revision} will be pruned from the cluster\nProceed?`)) {
    throw new CliError('Cancelled.', 1);
  }
  const selector = purge ? 'operator.istio.io/component' : `istio.io/rev=${revision ?? 'default'},operator.istio.io/component in (${UNINSTALL_COMPONENTS})`;
  const ctl = new Controllers(kube);
  const removed: string[] = [];
  for (const kind of ['Deployment', 'DaemonSet', 'Service', 'ConfigMap', 'Pod', 'Secret', 'ServiceAccount']) {
    for (const obj of await kube.list(kind, { labelSelector: selector })) {
      if (await ctl.deleteCascade(kind, obj.metadata.name, obj.metadata.namespace)) removed.push(`${kind}:${obj.metadata.namespace}:${obj.metadata.name}`);
    }
  }
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    for (const obj of await kube.list(kind, { labelSelector: selector })) {
      if (await kube.delete(kind, obj.metadata.name)) removed.push(`${kind}::${obj.metadata.name}`);
    }
  }
  if (purge) {
    for (const crd of await kube.list('CustomResourceDefinition')) {
      if (crd.metadata.name.endsWith('.istio.io') && (await kube.delete('CustomResourceDefinition', crd.metadata.name))) removed.push(`CustomResourceDefinition::${crd.metadata.name}`);
    }
  }
  await rt.afterApply({});
  for (const r of removed) rt.out(`  Removed ${r}.\n`);
  rt.out('✔ Uninstall complete\n');
}

async function cmdTag(s: Session, version: string): Promise<void> {
  const { p, rt } = s;
  const sub = p.positionals[0];
  const ns = s.istioNamespace;
  const kube = s.kube();
  if (sub === 'list') {
    const mwcs = await kube.list('MutatingWebhookConfiguration', { labelSelector: 'istio.io/rev' });
    const namespaces = await kube.list('Namespace');
    const nsFor = (v: string): string[] => namespaces.filter((n) => n.metadata.labels?.['istio.io/rev'] === v).map((n) => n.metadata.name);
    const tagged = mwcs.filter((m) => m.metadata.labels?.['istio.io/tag']);
    const rows = tagged.map((m) => ({ tag: m.metadata.labels!['istio.io/tag']!, revision: m.metadata.labels!['istio.io/rev']!, namespaces: nsFor(m.metadata.labels!['istio.io/tag']!) }));
    const taggedRevisions = new Set(rows.map((r) => r.revision));
    for (const m of mwcs) {
      const rev = m.metadata.labels!['istio.io/rev']!;
      if (!m.metadata.labels?.['istio.io/tag'] && !taggedRevisions.has(rev)) rows.push({ tag: '', revision: rev, namespaces: nsFor(rev) });
    }
    rows.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    const out = last(p, 'output') ?? 'table';
    if (out === 'json') rt.out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (out === 'yaml') rt.out(dumpDoc(rows));
    else rt.out(['TAG\tREVISION\tNAMESPACES', ...rows.map((r) => `${r.tag}\t${r.revision}\t${r.namespaces.join(',')}`)].join('\n') + '\n');
    return;
  }
  if (sub === 'remove') {
    const tag = p.positionals[1];
    if (!tag) throw new CliError('must provide a tag for removal');
    const whs = await kube.list('MutatingWebhookConfiguration', { labelSelector: `istio.io/tag=${tag}` });
    if (!whs.length) throw new CliError(`cannot remove tag "${tag}": cannot find MutatingWebhookConfiguration for tag "${tag}"`);
    const inUse = (await kube.list('Namespace', { labelSelector: `istio.io/rev=${tag}` })).map((n) => n.metadata.name);
    if (inUse.length && !flag(p, 'skip-confirmation')) {
      throw new CliError(`Caution, found ${inUse.length} namespace(s) still injected by tag "${tag}": ${inUse.join(' ')}\nProceed with operation? [y/N]`);
    }
    for (const w of whs) await kube.delete('MutatingWebhookConfiguration', w.metadata.name);
    for (const svc of await kube.list('Service', { namespace: ns, labelSelector: `istio.io/tag=${tag}` })) await kube.delete('Service', svc.metadata.name, ns);
    await rt.afterApply({});
    rt.out(`Revision tag ${tag} removed\n`);
    return;
  }
  if (sub !== 'set' && sub !== 'generate') throw new CliError(`unknown command "${sub ?? ''}" for "istioctl tag"`);
  const tag = p.positionals[1];
  if (!tag) throw new CliError('must provide a tag for modification');
  const revision = last(p, 'revision');
  if (!revision) throw new CliError('required flag(s) "revision" not set');
  const overwrite = flag(p, 'overwrite');
  const generate = sub === 'generate';
  if (!generate && !overwrite && tag !== 'default') {
    const same = await kube.list('MutatingWebhookConfiguration', { labelSelector: `istio.io/rev=${tag},!istio.io/tag` });
    if (same.length) throw new CliError(`cannot create revision tag "${tag}": found existing control plane revision with same name`);
  }
  const canonical = await kube.list('MutatingWebhookConfiguration', { labelSelector: `istio.io/rev=${revision},!istio.io/tag` });
  if (!canonical.length) throw new CliError(`cannot modify tag: cannot find MutatingWebhookConfiguration with revision "${revision}"`);
  if (canonical.length > 1) throw new CliError(`cannot modify tag: found multiple canonical webhooks with revision "${revision}"`);
  if (!overwrite && !generate) {
    const existing = await kube.list('MutatingWebhookConfiguration', { labelSelector: `istio.io/tag=${tag}` });
    if (existing.length) throw new CliError(`revision tag "${tag}" already exists, and --overwrite is false`);
  }
  const objs: KObj[] = revisionTag({
    tag,
    revision: revision === 'default' ? undefined : revision,
    namespace: ns,
    version,
    createdBy: 'istioctl',
    canonicalWebhook: canonical[0] as K8sObject,
    userManaged: true,
    enableNamespacesByDefault: flag(p, 'auto-inject-namespaces'),
    service: atLeast(version, '1.28'),
  }) as KObj[];
  // `tag set` makes user-managed webhooks: every label naming operator.istio.io is stripped (generateLabels)
  for (const o of objs) {
    if (o.kind === 'Service') continue;
    for (const k of Object.keys(o.metadata.labels ?? {})) if (k.includes('operator.istio.io')) delete o.metadata.labels![k];
  }
  if (tag === 'default') {
    objs.push(defaultValidator({ revision: revision === 'default' ? undefined : revision, namespace: ns, version, createdBy: 'istioctl', canonicalWebhook: canonical[0] as K8sObject }) as KObj);
  }
  const webhookName = last(p, 'webhook-name');
  if (webhookName) objs[0]!.metadata.name = webhookName;
  if (generate) {
    rt.out(objs.map((o) => dumpDoc(clientSide(o))).join('---\n'));
    return;
  }
  if (tag === 'default') await deactivateRevisionless(kube);
  for (const o of objs) await applyOne(kube, o);
  await rt.afterApply({});
  rt.out(`Revision tag "${tag}" created, referencing control plane revision "${revision}". To enable injection using this\nrevision tag, use 'kubectl label namespace <NAMESPACE> istio.io/rev=${tag}'\n`);
}

async function cmdPrecheck(s: Session, version: string): Promise<void> {
  const { p, rt } = s;
  const kube = s.kube();
  const messages: { code: string; level: 'Error' | 'Warning'; origin: string; message: string }[] = [];
  const ver = await kube.serverVersion();
  const minor = Number(ver.minor.replace(/\D.*$/, ''));
  if (minor < minKubernetes(version)) {
    messages.push({ code: 'IST0142', level: 'Error', origin: '', message: `The Kubernetes Version "${ver.gitVersion}" is lower than the minimum version: 1.${minKubernetes(version)}` });
  }
  const from = last(p, 'from-version');
  if (from) {
    const m = /^(\d+)\.(\d+)/.exec(from);
    if (!m) throw new CliError(`invalid --from-version: ${from}`);
    if (Number(m[2]) <= 21 && (await kube.get('Service', 'zipkin', s.istioNamespace))) {
      messages.push({
        code: 'IST0169',
        level: 'Warning',
        origin: `Service ${s.istioNamespace}/zipkin`,
        message: 'The configuration for tracing has changed in 1.22; the default tracing provider zipkin.istio-system is no longer configured. Consider configuring the Telemetry API or setting compatibilityVersion=1.21.',
      });
    }
  }
  const out = last(p, 'output');
  if (out === 'json') rt.out(`${JSON.stringify(messages.map((m) => ({ code: m.code, level: m.level, origin: m.origin, message: m.message, documentationUrl: `https://istio.io/v${version.split('.').slice(0, 2).join('.')}/docs/reference/config/analysis/${m.code.toLowerCase()}/` })), null, 2)}\n`);
  else if (out === 'yaml') rt.out(dumpDoc(messages));
  else for (const m of messages) rt.out(`${m.level} [${m.code}] (${m.origin}) ${m.message}\n`);
  if (messages.length) throw new CliError('Issues found when checking the cluster. Istio may not be safe to install or upgrade.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.');
  rt.err('✔ No issues found when checking the cluster. Istio is safe to install or upgrade!\n  To get started, check out https://istio.io/latest/docs/setup/getting-started/\n');
}

function imageVersion(image: string | undefined): string | undefined {
  return image ? /:(\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)\.?\d+)?)/.exec(image)?.[1] : undefined;
}

async function cmdVersion(s: Session, version: string): Promise<void> {
  const { p, rt } = s;
  const client = { version, revision: GIT_SHA, golang_version: 'go1.23.7', status: 'Clean', tag: version };
  const remote = p.bools.get('remote') ?? true;
  const out = last(p, 'output');
  if (!remote) {
    if (out === 'json') rt.out(`${JSON.stringify({ clientVersion: client }, null, 2)}\n`);
    else if (out === 'yaml') rt.out(dumpDoc({ clientVersion: client }));
    else rt.out(p.bools.get('short') === false ? `version.BuildInfo{Version:"${version}", GitRevision:"${GIT_SHA}", GolangVersion:"go1.23.7", BuildStatus:"Clean", GitTag:"${version}"}\n` : `${version}\n`);
    return;
  }
  const kube = s.kube();
  const ready = (pod: KObj): boolean =>
    (pod.status as { phase?: string } | undefined)?.phase === 'Running' &&
    ((pod.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const istiods = (await kube.list('Pod', { namespace: s.istioNamespace, labelSelector: 'app=istiod' })).filter(ready);
  const wantRev = last(p, 'revision');
  const mesh = istiods
    .filter((pod) => !wantRev || pod.metadata.labels?.['istio.io/rev'] === wantRev)
    .map((pod) => {
      const v = imageVersion(((pod.spec as { containers?: { name: string; image: string }[] }).containers ?? []).find((c) => c.name === 'discovery')?.image) ?? 'unknown';
      return { Component: pod.metadata.labels?.istio ?? 'istiod', Revision: pod.metadata.labels?.['istio.io/rev'] ?? 'default', Info: { version: v, revision: GIT_SHA, golang_version: '', status: 'Clean', tag: v } };
    });
  const proxies: { ID: string; IstioVersion: string; Type: string }[] = [];
  for (const pod of await kube.list('Pod')) {
    const containers = [...(((pod.spec as Record<string, unknown>).containers as { name: string; image: string }[] | undefined) ?? []), ...(((pod.spec as Record<string, unknown>).initContainers as { name: string; image: string }[] | undefined) ?? [])];
    const proxy = containers.find((c) => c.name === 'istio-proxy' && c.image.includes('/proxyv2:'));
    if (!proxy || !ready(pod)) continue;
    const labels = pod.metadata.labels ?? {};
    const gateway = !!labels['gateway.networking.k8s.io/gateway-name'] || (labels.istio ?? '').includes('gateway') || containers.filter((c) => c.name !== 'istio-proxy' && !c.name.startsWith('istio-')).length === 0;
    proxies.push({ ID: `${pod.metadata.name}.${pod.metadata.namespace}`, IstioVersion: imageVersion(proxy.image) ?? 'unknown', Type: gateway ? 'gateway' : 'sidecar' });
  }
  const doc: Record<string, unknown> = { clientVersion: client };
  if (mesh.length) doc.meshVersion = mesh;
  if (proxies.length) doc.dataPlaneVersion = proxies;
  if (out === 'json') rt.out(`${JSON.stringify(doc, null, 2)}\n`);
  else if (out === 'yaml') rt.out(dumpDoc(doc));
  else {
    const cp = [...new Set(mesh.map((m) => m.Info.version))].join(', ');
    const dp = new Map<string, number>();
    for (const x of proxies) dp.set(x.IstioVersion, (dp.get(x.IstioVersion) ?? 0) + 1);
    rt.out(`client version: ${version}\n`);
    if (mesh.length) rt.out(`control plane version: ${cp}\n`);
    if (proxies.length) rt.out(`data plane version: ${[...dp].map(([v, n]) => `${v} (${n} proxies)`).join(', ')}\n`);
  }
}

function subcommand(args: string[]): { path: string[]; rest: string[] } {
  const takesValue = new Set(['--context', '--kubeconfig', '-c', '--istioNamespace', '-i', '--namespace', '-n', '--vklog', '--log_output_level']);
  const path: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      rest.push(a);
      if (takesValue.has(a) && i + 1 < args.length) rest.push(args[++i]!);
      continue;
    }
    path.push(a);
    if (!(path.length === 1 && (a === 'x' || a === 'experimental'))) {
      i++;
      break;
    }
  }
  rest.push(...args.slice(i));
  return { path, rest };
}

export async function istioctl(rt: Runtime, args: string[]): Promise<void> {
  const { path, rest } = subcommand(args);
  const [first, second] = path;
  const name = first === 'x' || first === 'experimental' ? `x ${second ?? ''}` : first;
  const version = istioctlVersion(rt.env, args);
  const specName = name === 'upgrade' ? 'install' : name === 'x precheck' ? 'precheck' : name;
  if (!specName || !SPECS[specName]) {
    if (!specName) {
      rt.out('Istio configuration command line utility for service operators to\ndebug and diagnose their Istio mesh.\n');
      return;
    }
    throw new CliError(`unknown command "${name}" for "istioctl"`);
  }
  const p = parseArgs(rest, SPECS[specName]!, 'istioctl');
  const s = new Session(rt, p);
  try {
    switch (specName) {
      case 'install':
        return await cmdInstall(s, version);
      case 'uninstall':
        return await cmdUninstall(s);
      case 'tag':
        return await cmdTag(s, version);
      case 'precheck':
        return await cmdPrecheck(s, version);
      case 'version':
        return await cmdVersion(s, version);
      case 'analyze':
        return await cmdAnalyze(p, rt, s.kube(), s.istioNamespace, version);
    }
  } catch (e) {
    explain(e);
  } finally {
    s.close();
  }
}
