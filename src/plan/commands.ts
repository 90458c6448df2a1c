import { isDns1123Label, isHelmReleaseName, isOverrideComponent } from './names.js';
import { overridesPlaceholder, revisionBeforePlaceholder, valuesPlaceholder } from './placeholders.js';
import type { ChartSource, HelmOperation, IstioctlOperation, ReleaseRef, ValueSetting } from './operations.js';
import type { ApiAction, PlanCommand, PlanStep } from './schema.js';
import { shellLine } from './shell.js';

/**
 * The one command builder. Steps write their commands with it, and apply, resume and rollback rebuild
 * every argv with it from the typed operation, never from argv read out of a document. It emits only
 * the flags below: no `--kube-context`/`--kubeconfig` (the runner appends ours), no `--post-renderer`
 * or any other flag that runs code. Every value that reaches argv (releases, namespaces, revisions,
 * tags, charts, versions, settings: some come from cluster data) is checked first, so a name like
 * `--kube-apiserver=…` never becomes a flag and a setting never smuggles in a second one.
 */

export class UnsafeOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeOperationError';
  }
}

const CHART = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const MINOR = /^\d+\.\d+$/;
/** A values path: `a.b[0].c`, keys of letters, digits, `_` and `-`. */
const VALUE_KEY = /^[A-Za-z_][A-Za-z0-9_.[\]-]*$/;
/** No comma (Helm would read a second `key=value`), no space, no quote, no backslash. */
const VALUE = /^[\w.:/@{}[\]+*-]*$/;
const SHOW_ONLY = /^templates\/[\w.-]+\.ya?ml$/;
const SHA256 = /^[0-9a-f]{64}$/;
const SOURCE = {
  repo: /^https?:\/\/[^\s'"<>\\]+$/,
  oci: /^oci:\/\/[^\s'"<>\\]+$/,
  alias: /^[A-Za-z0-9][\w.-]*$/,
} as const;
/** A path of this machine: relative or absolute, never an option, no control characters. */
const PATH = /^[^-\s][^\0-\x1f]*$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new UnsafeOperationError(message);
}

function quoted(v: string): string {
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}

/** Helm release names are DNS-1123 subdomains of at most 53 characters; namespaces are labels. */
export function checkRelease(ref: ReleaseRef): void {
  check(isHelmReleaseName(ref.release), `Helm release name ${quoted(ref.release)} is not a valid release name (lowercase DNS-1123, at most 53 characters); it is never passed to helm`);
  check(isDns1123Label(ref.namespace), `namespace ${quoted(ref.namespace)} of Helm release ${quoted(ref.release)} is not a valid namespace name; it is never passed to helm`);
}

function checkLabel(what: string, value: string): void {
  check(isDns1123Label(value), `${what} ${quoted(value)} is not a DNS-1123 label; it is never passed to a command`);
}

function checkSetting(key: string, value: string): string {
  check(VALUE_KEY.test(key) && VALUE.test(value), `value setting ${quoted(`${key}=${value}`)} is not a plain key=value; it is never passed to a command`);
  return `${key}=${value}`;
}

function settingArgs(settings: ValueSetting[]): string[] {
  return settings.flatMap((s) => [`--${s.flag}`, checkSetting(s.key, s.value)]);
}

/** The chart argument(s) of a helm install/upgrade/template for `chart` at `version` from `source`. */
export function chartArgs(source: ChartSource, chart: string, version: string): string[] {
  check(CHART.test(chart), `chart name ${quoted(chart)} is not a plain chart name`);
  check(VERSION.test(version), `chart version ${quoted(version)} is not a version`);
  switch (source.kind) {
    case 'repo':
      check(SOURCE.repo.test(source.url), `chart repository ${quoted(source.url)} is not an http(s) URL`);
      return [chart, '--repo', source.url];
    case 'oci':
      check(SOURCE.oci.test(source.prefix), `chart registry ${quoted(source.prefix)} is not an oci:// prefix`);
      return [`${source.prefix.replace(/\/+$/, '')}/${chart}`];
    case 'alias':
      check(SOURCE.alias.test(source.name), `chart repository alias ${quoted(source.name)} is not a repository alias`);
      return [`${source.name}/${chart}`];
    case 'local': {
      check(PATH.test(source.dir), `chart directory ${quoted(source.dir)} is not a directory name`);
      const packaged = `${chart}-${version}.tgz`;
      return [`${source.dir.replace(/\/+$/, '')}/${source.entries.includes(packaged) ? packaged : chart}`];
    }
  }
}

/** What apply knows that the plan could not: filled in from the run record. */
export interface Resolved {
  /** Helm revision of a release recorded just before the step ran (`rollbackTo: recorded-before`). */
  revisionBefore?: (ref: ReleaseRef) => number | null | undefined;
}

function rollbackRevision(ref: ReleaseRef, resolved: Resolved): string {
  if (!resolved.revisionBefore) return revisionBeforePlaceholder(ref.namespace, ref.release);
  const before = resolved.revisionBefore(ref);
  if (typeof before !== 'number' || before < 1) {
    throw new UnsafeOperationError(
      `no Helm revision of ${ref.namespace}/${ref.release} was recorded before the step ran, so there is nothing known to roll back to; look at helm history ${ref.release} -n ${ref.namespace}`,
    );
  }
  return String(before);
}

/** helm arguments (after the binary) for a typed operation. */
export function helmArgs(op: HelmOperation, resolved: Resolved = {}): string[] {
  checkRelease(op);
  const wait = 'wait' in op && op.wait ? ['--wait'] : [];
  // Helm 4 only; see src/plans/helm-apply-method.ts
  const clientSide = 'serverSide' in op && op.serverSide === false ? ['--server-side=false'] : [];
  switch (op.op) {
    case 'install':
    case 'upgrade':
    case 'template': {
      const head = [op.op, op.release, ...chartArgs(op.source, op.chart, op.version), '-n', op.namespace, '--version', op.version];
      if (op.op === 'template') {
        for (const t of op.showOnly) check(SHOW_ONLY.test(t), `template ${quoted(t)} is not a chart template path`);
        check(op.values.reuse === null && op.values.overrides === undefined, `helm template of ${op.release} cannot start from a release's values or value overrides`);
        return [...head, ...op.showOnly.flatMap((t) => ['-s', t]), ...settingArgs(op.values.settings)];
      }
      const { reuse, overrides } = op.values;
      if (reuse) checkRelease(reuse);
      if (overrides !== undefined) check(isOverrideComponent(overrides), `value overrides of ${quoted(overrides)} name no component (base, istiod, cni, ztunnel or gateway/NAME)`);
      // Helm merges --values files in order (the overrides win over the reused values), then every --set on top.
      return [
        ...head,
        ...settingArgs(op.values.settings),
        ...wait,
        ...clientSide,
        ...(reuse ? ['--values', valuesPlaceholder(reuse.namespace, reuse.release)] : []),
        ...(overrides !== undefined ? ['--values', overridesPlaceholder(overrides)] : []),
      ];
    }
    case 'uninstall':
      return ['uninstall', op.release, '-n', op.namespace, ...wait];
    case 'rollback':
      return ['rollback', op.release, rollbackRevision(op, resolved), '-n', op.namespace, ...wait, ...clientSide];
  }
}

/** The subcommand of Istio's own pre-upgrade check. */
export const ISTIOCTL_PRECHECK = ['x', 'precheck'] as const;

export function istioctlArgs(op: IstioctlOperation): string[] {
  switch (op.op) {
    case 'install':
      if (op.file) {
        check(PATH.test(op.file.path), `IstioOperator file ${quoted(op.file.path)} is not a file name`);
        check(SHA256.test(op.file.sha256), `sha256 ${quoted(op.file.sha256)} of the IstioOperator file is not a sha256`);
      }
      return ['install', '-y', ...(op.file ? ['-f', op.file.path] : []), ...op.set.flatMap((s) => ['--set', checkSetting(s.key, s.value)])];
    case 'uninstall':
      checkLabel('revision', op.revision);
      return ['uninstall', '--revision', op.revision, '-y'];
    case 'tag-set':
      checkLabel('tag', op.tag);
      checkLabel('revision', op.revision);
      return ['tag', 'set', op.tag, '--revision', op.revision, '--overwrite', '-y'];
    case 'precheck':
      check(MINOR.test(op.fromVersion), `version ${quoted(op.fromVersion)} is not a minor version`);
      return [...ISTIOCTL_PRECHECK, '--from-version', op.fromVersion];
  }
}

const labelArg = ([k, v]: [string, string | null]) => (v === null ? `${k}-` : `${k}=${v}`);

/**
 * The merge patch the executor sends to each CRD of a `label-crds` / `unlabel-crds` action (null removes a key):
 * the shown `kubectl patch` line carries this very body, so what is shown is what runs.
 */
export function crdMetadataPatch(action: Extract<ApiAction, { type: 'label-crds' | 'unlabel-crds' }>): { metadata: { labels: Record<string, string | null>; annotations: Record<string, string | null> } } {
  const removed = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, null]));
  return action.type === 'label-crds'
    ? { metadata: { labels: action.labels, annotations: action.annotations } }
    : { metadata: { labels: removed(action.labels), annotations: removed(action.annotations) } };
}

/**
 * An API action as the one kubectl command that makes the same change (it runs through the Kubernetes API, with the
 * same patch type, body and field manager). Plan text, Markdown and `apply --dry-run` all show this line; the two
 * read-only actions (backup, preflight) show the read they stand for.
 */
export function apiArgv(action: ApiAction): string[] {
  switch (action.type) {
    case 'label-crds':
    case 'unlabel-crds':
      return ['kubectl', 'patch', 'crd', ...action.crds, '--type', 'merge', '-p', JSON.stringify(crdMetadataPatch(action))];
    case 'apply-rendered':
      return ['kubectl', 'apply', '--server-side', '--force-conflicts', `--field-manager=${action.fieldManager}`, '-f', '-'];
    case 'rollout-restart': {
      const namespaces = new Set(action.workloads.map((w) => w.namespace));
      check(namespaces.size === 1, `a rollout-restart batch must name workloads of exactly one namespace (it names ${namespaces.size})`);
      return ['kubectl', 'rollout', 'restart', ...action.workloads.map((w) => `${w.kind.toLowerCase()}/${w.name}`), '-n', action.workloads[0]!.namespace];
    }
    case 'label-namespaces':
      return ['kubectl', 'label', 'namespace', ...action.namespaces, ...Object.entries(action.labels).map(labelArg), '--overwrite'];
    case 'export-backup':
      return ['kubectl', 'get', 'crd,mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'yaml'];
    case 'preflight-checks':
      return ['istio-upgrade', 'status'];
    case 'apply-objects':
      return ['kubectl', 'apply', '--server-side', '--force-conflicts', `--field-manager=${action.fieldManager}`, '-f', action.file];
    case 'apply-gateway-api-crds':
      check(VERSION.test(action.version), `Gateway API version ${quoted(action.version)} is not a version`);
      check(SOURCE.repo.test(action.url), `Gateway API manifest URL ${quoted(action.url)} is not an http(s) URL`);
      return ['kubectl', 'apply', '--server-side', '--force-conflicts', `--field-manager=${action.fieldManager}`, '-f', action.url];
    case 'delete-admission-policy':
      return ['kubectl', 'delete', 'validatingadmissionpolicy', action.name, '--ignore-not-found'];
    case 'delete-objects': {
      const namespaces = new Set(action.objects.map((o) => o.namespace));
      check(namespaces.size === 1, `a delete-objects action must name objects of exactly one namespace (it names ${namespaces.size})`);
      // kubectl's resource.group/name; core objects (apiVersion v1) have no group. A missing object is not an error.
      const ref = (o: { apiVersion: string; plural: string; name: string }) => `${o.apiVersion.includes('/') ? `${o.plural}.${o.apiVersion.split('/')[0]}` : o.plural}/${o.name}`;
      return ['kubectl', 'delete', ...action.objects.map(ref), '-n', action.objects[0]!.namespace, '--ignore-not-found'];
    }
  }
}

function valuesFromOf(op: HelmOperation): ReleaseRef | undefined {
  return op.op === 'install' || op.op === 'upgrade' ? (op.values.reuse ?? undefined) : undefined;
}

/** A plan command for a helm operation: the typed operation, and the argv it renders for people. */
export function helmCommand(op: HelmOperation, description: string): PlanCommand {
  const reuse = valuesFromOf(op);
  return { argv: ['helm', ...helmArgs(op)], via: 'helm', description, helm: op, ...(reuse ? { valuesFrom: reuse } : {}) };
}

export function istioctlCommand(op: IstioctlOperation, description: string, optional = false): PlanCommand {
  return { argv: ['istioctl', ...istioctlArgs(op)], via: 'istioctl', description, istioctl: op, ...(optional ? { optional } : {}) };
}

export function apiCommand(action: ApiAction, description: string): PlanCommand {
  return { argv: apiArgv(action), via: 'kubernetes-api', description, api: action };
}

/** What a command runs, rebuilt from its typed operation; the argv stored in the plan is never used. */
export type Invocation =
  | { tool: 'helm'; args: string[]; valuesFrom?: ReleaseRef }
  | { tool: 'istioctl'; args: string[] }
  | { tool: 'kubernetes-api'; action: ApiAction };

export function invocationOf(cmd: PlanCommand, resolved: Resolved = {}): Invocation {
  switch (cmd.via) {
    case 'helm': {
      if (!cmd.helm) throw new UnsafeOperationError(`helm command "${cmd.description}" has no typed operation`);
      const reuse = valuesFromOf(cmd.helm);
      return { tool: 'helm', args: helmArgs(cmd.helm, resolved), ...(reuse ? { valuesFrom: reuse } : {}) };
    }
    case 'istioctl':
      if (!cmd.istioctl) throw new UnsafeOperationError(`istioctl command "${cmd.description}" has no typed operation`);
      return { tool: 'istioctl', args: istioctlArgs(cmd.istioctl) };
    case 'kubernetes-api':
      if (!cmd.api) throw new UnsafeOperationError(`command "${cmd.description}" has no API action`);
      return { tool: 'kubernetes-api', action: cmd.api };
  }
}

/** The command as its typed operation renders it: what the stored one must equal. */
function rendered(cmd: PlanCommand): PlanCommand {
  const typed = [cmd.helm && 'helm', cmd.istioctl && 'istioctl', cmd.api && 'kubernetes-api'].filter(Boolean);
  if (typed.length !== 1 || typed[0] !== cmd.via) throw new UnsafeOperationError(`it runs via ${cmd.via} but carries ${typed.length ? `a ${typed.join(' and ')} operation` : 'no typed operation'}`);
  if (cmd.helm) return helmCommand(cmd.helm, cmd.description);
  if (cmd.istioctl) return istioctlCommand(cmd.istioctl, cmd.description, cmd.optional ?? false);
  return apiCommand(cmd.api!, cmd.description);
}

/** The stored command against what its typed operation renders; undefined when they agree. */
function commandDrift(cmd: PlanCommand): string | undefined {
  let expected: PlanCommand;
  try {
    expected = rendered(cmd);
  } catch (e) {
    return (e as Error).message;
  }
  if (shellLine(cmd.argv) !== shellLine(expected.argv)) return `argv is\n      ${shellLine(cmd.argv)}\n    but its typed operation renders\n      ${shellLine(expected.argv)}`;
  if (JSON.stringify(cmd.valuesFrom ?? null) !== JSON.stringify(expected.valuesFrom ?? null)) {
    return `valuesFrom ${JSON.stringify(cmd.valuesFrom ?? null)} is not its operation's ${JSON.stringify(expected.valuesFrom ?? null)}`;
  }
  if (cmd.optional && cmd.via !== 'istioctl') return 'only istioctl commands may be optional';
  return undefined;
}

/** Every command of the steps (and their rollbacks) whose stored form is not what its typed operation renders. */
export function planCommandDrift(steps: PlanStep[]): string[] {
  const out: string[] = [];
  for (const step of steps) {
    const each = (cmds: PlanCommand[], where: string) =>
      cmds.forEach((c, i) => {
        const d = commandDrift(c);
        if (d) out.push(`step ${step.id} ${where} ${i + 1}: ${d}`);
      });
    each(step.commands, 'command');
    each(step.rollback?.commands ?? [], 'rollback command');
  }
  return out;
}

/** Releases whose Helm revision a step's commands change, for the run record (`namespace/release`). */
export function releasesChangedBy(step: PlanStep): (ReleaseRef & { key: string })[] {
  const out = new Map<string, ReleaseRef & { key: string }>();
  for (const c of step.commands) {
    if (!c.helm || c.helm.op === 'template') continue;
    const key = `${c.helm.namespace}/${c.helm.release}`;
    out.set(key, { key, release: c.helm.release, namespace: c.helm.namespace });
  }
  return [...out.values()];
}
