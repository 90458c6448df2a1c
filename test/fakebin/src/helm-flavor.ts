/**
 * Helm 3 and Helm 4 as the fake plays them, chosen by the major of FAKE_HELM_VERSION (default v3.17.3). The flag sets
 * follow helm's `pkg/cmd` (v3.17 and v4.2): Helm 4's `--wait` takes an optional strategy (`--wait` alone = watcher,
 * `--wait=legacy|hookOnly`; `--wait=true|false` still parse, deprecated), `--atomic` → `--rollback-on-failure` and
 * `--force` → `--force-replace` (the old names still parse, deprecated), `--server-side` (install: bool, default true;
 * upgrade/rollback: true|false|auto, auto = the previous release's method) and `--force-conflicts`. Helm 3 rejects
 * every Helm 4 name as an unknown flag.
 */
import { flag, last, type FlagSpec, type Parsed } from './args.js';
import { CliError } from './errors.js';

export interface HelmFlavor {
  major: 3 | 4;
  version: string;
  commit: string;
  goVersion: string;
  kubeClientVersion: string;
}

export function helmFlavor(env: NodeJS.ProcessEnv): HelmFlavor {
  const version = env.FAKE_HELM_VERSION ?? 'v3.17.3';
  const major = /^v?4\./.test(version) ? 4 : 3;
  return major === 4
    ? { major, version, commit: '7a4c8a1e2b0f3d5c6e9a8b7c6d5e4f3a2b1c0d9e', goVersion: 'go1.25.0', kubeClientVersion: 'v1.34' }
    : { major, version, commit: 'e4da49785aa6e6ee2b86efd5dd9e43400318262b', goVersion: 'go1.23.7', kubeClientVersion: 'v1.32' };
}

export const GLOBAL_VALUES = [
  'kube-context', 'kubeconfig', 'namespace', 'burst-limit', 'kube-apiserver', 'kube-as-group', 'kube-as-user', 'kube-ca-file',
  'kube-tls-server-name', 'kube-token', 'qps', 'registry-config', 'repository-cache', 'repository-config',
];
const GLOBAL_BOOLS = ['debug', 'kube-insecure-skip-tls-verify', 'help'];
const GLOBAL_ALIASES: Record<string, string> = { n: 'namespace', h: 'help' };

const VALUE_FLAGS = ['values', 'set', 'set-json', 'set-string', 'set-file', 'set-literal'];
const CHART_FLAGS = ['version', 'repo', 'username', 'password', 'ca-file', 'cert-file', 'key-file', 'keyring', 'post-renderer', 'post-renderer-args'];
const CHART_BOOLS = ['devel', 'verify', 'insecure-skip-tls-verify', 'plain-http', 'pass-credentials', 'dependency-update', 'skip-schema-validation', 'enable-dns', 'render-subchart-notes', 'disable-openapi-validation', 'skip-crds', 'no-hooks'];

interface Extra {
  values?: string[];
  bools?: string[];
  aliases?: Record<string, string>;
  optional?: Record<string, string>;
}

function spec(values: string[], bools: string[], aliases: Record<string, string> = {}, extra: Extra = {}): FlagSpec {
  return {
    values: [...GLOBAL_VALUES, ...values, ...(extra.values ?? [])],
    bools: [...GLOBAL_BOOLS, ...bools, ...(extra.bools ?? [])],
    aliases: { ...GLOBAL_ALIASES, ...aliases, ...(extra.aliases ?? {}) },
    ...(extra.optional ? { optional: extra.optional } : {}),
  };
}

/** Helm 3: `--wait` is a bool. Helm 4: an optional strategy, plus the new names (the old ones stay, deprecated). */
function waitAndApply(major: 3 | 4, serverSide: 'bool' | 'value'): { bools: string[]; extra: Extra } {
  if (major === 3) return { bools: ['wait'], extra: {} };
  return {
    bools: ['force-replace', 'force-conflicts', ...(serverSide === 'bool' ? ['server-side'] : [])],
    extra: { optional: { wait: 'watcher' }, ...(serverSide === 'value' ? { values: ['server-side'] } : {}) },
  };
}

export function specsFor(major: 3 | 4): Record<string, FlagSpec> {
  const inst = waitAndApply(major, 'bool');
  const upg = waitAndApply(major, 'value');
  const rb = waitAndApply(major, 'value');
  const un = major === 3 ? { bools: ['wait'], extra: {} } : { bools: [], extra: { optional: { wait: 'watcher' } } };
  const onFailure = major === 4 ? ['rollback-on-failure'] : [];
  // Flags Helm 4 removed (pkg/cmd of v4 against cmd/helm of v3.17): an argv carrying them fails as an unknown flag.
  const only3 = (...names: string[]) => (major === 3 ? names : []);
  return {
    version: spec(['template'], ['short', 'client'], { c: 'client' }),
    list: spec(['output', 'filter', 'max', 'offset', 'selector', 'time-format'], ['all-namespaces', ...only3('all'), 'deployed', 'failed', 'pending', 'superseded', 'uninstalled', 'uninstalling', 'short', 'date', 'reverse', 'no-headers'], { A: 'all-namespaces', ...(major === 3 ? { a: 'all' } : {}), o: 'output', f: 'filter', m: 'max', l: 'selector', q: 'short', d: 'date', r: 'reverse' }),
    status: spec(['output', 'revision'], only3('show-desc', 'show-resources'), { o: 'output' }),
    history: spec(['output', 'max'], [], { o: 'output' }),
    get: spec(['output', 'revision', 'template'], ['all'], { o: 'output', a: 'all' }),
    show: spec(['version', 'repo', 'username', 'password', 'ca-file', 'cert-file', 'key-file', 'keyring', 'jsonpath'], ['devel', 'verify', 'insecure-skip-tls-verify', 'plain-http', 'pass-credentials']),
    install: spec([...VALUE_FLAGS, ...CHART_FLAGS, 'timeout', 'description', 'output', 'labels', 'name-template'], [...CHART_BOOLS, ...inst.bools, ...onFailure, 'wait-for-jobs', 'atomic', 'create-namespace', 'dry-run', 'generate-name', 'replace', 'force', 'take-ownership', 'hide-notes', 'hide-secret'], { f: 'values', o: 'output', g: 'generate-name', l: 'labels' }, inst.extra),
    upgrade: spec([...VALUE_FLAGS, ...CHART_FLAGS, 'timeout', 'description', 'output', 'labels', 'history-max'], [...CHART_BOOLS, ...upg.bools, ...onFailure, 'wait-for-jobs', 'atomic', 'create-namespace', 'dry-run', 'install', 'reuse-values', 'reset-values', 'reset-then-reuse-values', 'cleanup-on-fail', 'force', ...only3('recreate-pods'), 'take-ownership', 'hide-notes', 'hide-secret'], { f: 'values', o: 'output', i: 'install', l: 'labels' }, upg.extra),
    template: spec([...VALUE_FLAGS, ...CHART_FLAGS, 'show-only', 'api-versions', 'kube-version', 'output-dir', 'name-template', 'description', 'timeout', 'labels'], [...CHART_BOOLS, 'include-crds', 'skip-tests', 'validate', 'is-upgrade', 'release-name', 'generate-name', 'create-namespace', 'atomic', 'replace', 'dry-run', ...(major === 3 ? ['wait'] : [])], { f: 'values', s: 'show-only', a: 'api-versions', g: 'generate-name' }, major === 4 ? { optional: { wait: 'watcher' } } : {}),
    rollback: spec(['timeout', 'history-max', ...(major === 4 ? ['description'] : [])], [...rb.bools, 'wait-for-jobs', 'force', ...only3('recreate-pods'), 'cleanup-on-fail', 'no-hooks', 'dry-run'], {}, rb.extra),
    uninstall: spec(['timeout', 'description', 'cascade'], [...un.bools, 'keep-history', 'dry-run', 'no-hooks', 'ignore-not-found'], {}, un.extra),
    repo: spec(['username', 'password', 'ca-file', 'cert-file', 'key-file', 'output'], ['force-update', 'insecure-skip-tls-verify', 'pass-credentials', 'fail-on-repo-update-fail', ...only3('no-update'), 'allow-deprecated-repos'], { o: 'output' }),
  };
}

const DEPRECATED: Record<string, string> = { force: 'use --force-replace instead' };
const WAIT_STRATEGIES = ['watcher', 'hookOnly', 'legacy'];

export interface ApplyOptions {
  /** Wait for resources to be ready (Helm 3 `--wait`, Helm 4 `--wait[=watcher|legacy]`). */
  wait: boolean;
  /** Helm 4: whether this operation applies server-side (install default true; upgrade/rollback `auto`). */
  serverSide: 'true' | 'false' | 'auto';
}

/**
 * Checks what cobra checks for the Helm 4 flags (strategy values, mutually exclusive groups), prints pflag's
 * deprecation warnings, and says what the flags ask for.
 */
export function applyOptions(flavor: HelmFlavor, p: Parsed, cmd: string, warn: (text: string) => void): ApplyOptions {
  // Accepting these and then not undoing a failed release would be a fake that lies; no test needs them yet.
  if (flag(p, 'atomic') || flag(p, 'rollback-on-failure')) throw new CliError('the fake helm does not model --atomic/--rollback-on-failure');
  if (flavor.major === 3) return { wait: flag(p, 'wait'), serverSide: 'false' };
  for (const [name, hint] of Object.entries(DEPRECATED)) if (p.bools.has(name)) warn(`Flag --${name} has been deprecated, ${hint}\n`);
  const wait = last(p, 'wait');
  if (wait !== undefined && !['true', 'false', ...WAIT_STRATEGIES].includes(wait)) {
    throw new CliError(`invalid argument "${wait}" for "--wait" flag: invalid wait input "${wait}". Valid inputs are watcher, hookOnly, and legacy`);
  }
  if (wait === 'true' || wait === 'false') warn(`level=WARN msg="--wait=${wait} is deprecated (boolean value) and can be replaced with --wait=${wait === 'true' ? 'watcher' : 'hookOnly'}"\n`);
  const replace = flag(p, 'force-replace') || flag(p, 'force');
  if (replace && flag(p, 'force-conflicts')) {
    const set = [flag(p, 'force') ? 'force' : 'force-replace', 'force-conflicts'].sort();
    throw new CliError(`if any flags in the group [${set.join(' ')}] are set none of the others can be; [${set.join(' ')}] were all set`);
  }
  let serverSide: ApplyOptions['serverSide'];
  if (cmd === 'install') serverSide = p.bools.get('server-side') === false ? 'false' : 'true';
  else {
    const v = last(p, 'server-side') ?? 'auto';
    if (!['true', 'false', 'auto'].includes(v)) throw new CliError(`invalid/unknown release server-side apply method: ${v}`);
    serverSide = v as ApplyOptions['serverSide'];
  }
  const strategy = wait ?? 'hookOnly';
  return { wait: strategy === 'watcher' || strategy === 'legacy' || strategy === 'true', serverSide };
}

/** The `apply_method` Helm 4 records (`pkg/action` getUpgradeServerSideValue); Helm 3 records none. */
export function applyMethod(flavor: HelmFlavor, serverSide: ApplyOptions['serverSide'], previous: string | undefined): 'ssa' | 'csa' | undefined {
  if (flavor.major === 3) return undefined;
  if (serverSide === 'auto') return previous === 'ssa' ? 'ssa' : 'csa';
  return serverSide === 'true' ? 'ssa' : 'csa';
}

/**
 * Helm 4's server-side apply meeting istiod's field ownership. Once istiod serves, its webhook controller sets
 * `failurePolicy: Fail` on the ValidatingWebhookConfigurations of its revision as field manager `pilot-discovery`;
 * Istio charts before 1.28 still render `failurePolicy: Ignore` on upgrade (istio/istio#59367, #59488), so applying
 * such a chart server-side conflicts on every validating webhook configuration it renders that exists already (the
 * fake takes an existing one as served by istiod). Client-side apply (Helm 3, `--server-side=false`) merges over it.
 * Returns the error as Helm prints it, or undefined.
 */
export async function istiodOwnershipConflict(method: string | undefined, chartVersion: string, rendered: { kind: string; metadata: { name: string }; webhooks?: unknown }[], exists: (kind: string, name: string) => Promise<boolean>): Promise<string | undefined> {
  if (method !== 'ssa' || Number(/^v?1\.(\d+)\./.exec(chartVersion)?.[1] ?? 99) >= 28) return undefined;
  let taken: { metadata: { name: string }; webhooks?: unknown } | undefined;
  for (const o of rendered) if (!taken && o.kind === 'ValidatingWebhookConfiguration' && (await exists(o.kind, o.metadata.name))) taken = o;
  if (!taken) return undefined;
  const webhook = (taken.webhooks as { name?: string }[] | undefined)?.[0]?.name ?? '';
  return `conflict occurred while applying object /${taken.metadata.name} admissionregistration.k8s.io/v1, Kind=ValidatingWebhookConfiguration: Apply failed with 1 conflict: conflict with "pilot-discovery" using admissionregistration.k8s.io/v1: .webhooks[name="${webhook}"].failurePolicy`;
}
