/**
 * The fake `helm` (Helm 3 or Helm 4 semantics by the major of FAKE_HELM_VERSION, Secrets storage driver) against the
 * API server named by the kubeconfig. Supported: version, list/ls, status, history, get values|manifest, install,
 * upgrade [--install], rollback, uninstall/delete, template, show chart|values, repo add|update|list|remove.
 * Charts are located as Helm does (repos.ts): local paths, `--repo URL`, `oci://`, `alias/chart`.
 */
import { all, flag, last, parseArgs, type Parsed } from './args.js';
import { applyAll, buildManifest, clientSide, deleteAll, dumpDoc, parseManifest, withHelmMarks } from './apply.js';
import { chartName, renderChart, sortByInstallOrder, type ChartName, type RenderedObject } from './charts.js';
import { Controllers } from './controllers.js';
import { istioChart } from '../../support/istio-render/index.js';
import { ApiError, CliError, UnreachableError } from './errors.js';
import { key, type KObj, Kube } from './kube.js';
import { kubeconfigFiles, loadKubeconfig, resolveTarget } from './kubeconfig.js';
import { applyMethod, applyOptions, GLOBAL_VALUES, helmFlavor, istiodOwnershipConflict, specsFor, type HelmFlavor } from './helm-flavor.js';
import { goNow, newRecord, ReleaseStore, type ReleaseRecord } from './releases.js';
import { checkRepoReachable, locateChart, readRepositories, repositoryConfigPath, writeRepositories } from './repos.js';
import type { Runtime } from './runtime.js';
import { effectiveValues, mergeMaps, mergeUserValues, toYaml, type Values } from './values.js';

const ALIASES: Record<string, string> = { ls: 'list', hist: 'history', delete: 'uninstall', del: 'uninstall', un: 'uninstall', uninstal: 'uninstall' };


class Session {
  private kubeClient?: Kube;
  readonly files: string[];
  constructor(
    readonly rt: Runtime,
    readonly p: Parsed,
    readonly flavor: HelmFlavor,
  ) {
    this.files = kubeconfigFiles(rt.env, last(p, 'kubeconfig'));
  }

  get namespace(): string {
    const n = last(this.p, 'namespace') ?? this.rt.env.HELM_NAMESPACE;
    if (n) return n;
    try {
      const kc = loadKubeconfig(this.files);
      const ctx = kc.contexts.get(last(this.p, 'kube-context') ?? kc.currentContext ?? '');
      if (ctx && typeof ctx.namespace === 'string' && ctx.namespace) return ctx.namespace;
    } catch {
      /* helm falls back to default */
    }
    return 'default';
  }

  kube(): Kube {
    this.kubeClient ??= new Kube(resolveTarget(this.files, last(this.p, 'kube-context'), (m) => new CliError(`Kubernetes cluster unreachable: ${m}`)));
    return this.kubeClient;
  }

  close(): void {
    this.kubeClient?.close();
  }
}

/** Errors of the API server and the network, worded as Helm words them. */
function explain(e: unknown): never {
  if (e instanceof CliError) throw e;
  if (e instanceof UnreachableError) throw new CliError(`Kubernetes cluster unreachable: ${e.message}`);
  if (e instanceof ApiError) throw new CliError(e.message);
  throw e;
}

function wrap(prefix: string, e: unknown): never {
  try {
    explain(e);
  } catch (x) {
    if (x instanceof CliError) throw new CliError(prefix ? `${prefix}: ${x.message.replace(/^Error: /, '')}` : x.message.replace(/^Error: /, ''), x.exitCode);
    throw x;
  }
}

function requireArgs(p: Parsed, n: number, usage: string): void {
  if (p.positionals.length < n) throw new CliError(`"helm ${usage}" requires ${n === 1 ? 'at least 1 argument' : `${n} arguments`}\n\nUsage:  helm ${usage} [flags]`);
}

function isPending(status: string): boolean {
  return status.startsWith('pending-');
}

function updatedString(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(9, '0')} +0000 UTC`;
}

function ansicDate(iso: string): string {
  const d = new Date(Date.parse(iso));
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('\t').trimEnd()).join('\n') + '\n';
}

function statusBlock(rec: ReleaseRecord): string {
  return [
    `NAME: ${rec.name}`,
    `LAST DEPLOYED: ${ansicDate(rec.info.last_deployed)}`,
    `NAMESPACE: ${rec.namespace}`,
    `STATUS: ${rec.info.status}`,
    `REVISION: ${rec.version}`,
    'TEST SUITE: None',
    '',
  ].join('\n');
}

/** Locates the chart as Helm does; `op` prefixes errors the way each command words them. */
function resolveChart(s: Session, ref: string, op: string): { chart: ChartName; version: string } {
  try {
    const c = locateChart(ref, { repo: last(s.p, 'repo'), version: last(s.p, 'version'), env: s.rt.env, repositoryConfig: last(s.p, 'repository-config') });
    return { chart: c.chart, version: c.version };
  } catch (e) {
    if (e instanceof CliError && op) throw new CliError(`${op}${e.message}`, e.exitCode);
    throw e;
  }
}

function userValues(p: Parsed): Values {
  return mergeUserValues({ files: all(p, 'values'), json: all(p, 'set-json'), set: all(p, 'set'), setString: all(p, 'set-string') });
}

function render(chart: ChartName, version: string, release: string, namespace: string, config: Values, mode: 'helm' | 'template', prefix: string): RenderedObject[] {
  try {
    return renderChart({ chart, version, release, namespace, values: effectiveValues(config), mode });
  } catch (e) {
    if (e instanceof CliError) throw new CliError(`${prefix}${e.message}`);
    throw e;
  }
}

/** `pkg/action/validate.go` existingResourceConflict + checkOwnership. */
async function ownershipConflict(kube: Kube, objects: KObj[], release: string, namespace: string, op: 'install' | 'update'): Promise<void> {
  for (const o of objects) {
    const live = await kube.get(o.kind, o.metadata.name, o.metadata.namespace);
    if (!live) continue;
    const errs: string[] = [];
    const req = (m: Record<string, string> | undefined, k: string, want: string, what: string): void => {
      const actual = m?.[k];
      if (actual === undefined) errs.push(`${what} validation error: missing key "${k}": must be set to "${want}"`);
      else if (actual !== want) errs.push(`${what} validation error: key "${k}" must equal "${want}": current value is "${actual}"`);
    };
    req(live.metadata.labels, 'app.kubernetes.io/managed-by', 'Helm', 'label');
    req(live.metadata.annotations, 'meta.helm.sh/release-name', release, 'annotation');
    req(live.metadata.annotations, 'meta.helm.sh/release-namespace', namespace, 'annotation');
    if (errs.length) {
      throw new CliError(
        `rendered manifests contain a resource that already exists. Unable to continue with ${op}: ${o.kind} "${o.metadata.name}" in namespace "${o.metadata.namespace ?? ''}" exists and cannot be imported into the current release: invalid ownership metadata; ${errs.join('; ')}`,
      );
    }
  }
}

function latestDeployed(history: ReleaseRecord[]): ReleaseRecord | undefined {
  return [...history].reverse().find((r) => r.info.status === 'deployed');
}

async function pruneHistory(store: ReleaseStore, history: ReleaseRecord[], max: number): Promise<void> {
  if (max <= 0) return;
  const removable = history.filter((r) => r.info.status !== 'deployed');
  let excess = history.length - max;
  for (const r of removable) {
    if (excess <= 0) break;
    await store.remove(r);
    excess--;
  }
}

async function installOrUpgradeOutput(rt: Runtime, rec: ReleaseRecord, upgraded: boolean, output: string | undefined): Promise<void> {
  if (output === 'json') rt.out(`${JSON.stringify(rec)}\n`);
  else if (output === 'yaml') rt.out(dumpDoc(rec));
  else {
    if (upgraded) rt.out(`Release "${rec.name}" has been upgraded. Happy Helming!\n`);
    rt.out(statusBlock(rec));
  }
}

async function cmdInstall(s: Session): Promise<void> {
  const { p, rt } = s;
  const prefix = '';
  let release = p.positionals[0];
  let chartRef = p.positionals[1];
  if (flag(p, 'generate-name')) {
    chartRef = p.positionals[0];
    release = `${chartName(chartRef ?? 'chart')}-${Math.floor(Date.now() / 1000)}`;
  }
  if (!release || !chartRef) throw new CliError(`INSTALLATION FAILED: must either provide a name or specify --generate-name`);
  const ns = s.namespace;
  const ao = applyOptions(s.flavor, p, 'install', (t) => rt.err(t));
  const { chart, version } = resolveChart(s, chartRef, prefix);
  const config = userValues(p);
  const rendered = render(chart, version, release, ns, config, 'helm', prefix);
  const kube = s.kube();
  const store = new ReleaseStore(kube);
  const ctl = new Controllers(kube);
  const history = await store.history(release, ns);
  if (history.length) {
    const lastRec = history[history.length - 1]!;
    if (!(flag(p, 'replace') && (lastRec.info.status === 'uninstalled' || lastRec.info.status === 'failed'))) throw new CliError('cannot re-use a name that is still in use');
  }
  if (flag(p, 'create-namespace') && !flag(p, 'dry-run') && !(await kube.get('Namespace', ns))) {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { name: ns } } });
  }
  // crds/: created when missing, never touched when present
  for (const r of rendered.filter((x) => x.crdsDir)) {
    if (!flag(p, 'skip-crds') && !flag(p, 'dry-run') && !(await kube.get(r.obj.kind, r.obj.metadata.name))) await kube.create(clientSide(r.obj));
  }
  const objects = rendered.filter((r) => !r.crdsDir).map((r) => r.obj as KObj);
  if (!flag(p, 'take-ownership')) await ownershipConflict(kube, objects, release, ns, 'install');
  const manifest = buildManifest(chart, rendered);
  const rec = newRecord({
    name: release,
    namespace: ns,
    revision: history.length ? history[history.length - 1]!.version + 1 : 1,
    status: 'pending-install',
    chart,
    version,
    config,
    description: 'Initial install underway',
    manifest,
    applyMethod: applyMethod(s.flavor, ao.serverSide, undefined),
  });
  if (flag(p, 'dry-run')) {
    rt.out(`${statusBlock(rec)}HOOKS:\nMANIFEST:\n${manifest}`);
    return;
  }
  const fail = async (msg: string): Promise<void> => {
    rec.info.status = 'failed';
    rec.info.description = `Release "${release}" failed: ${msg}`;
    await store.update(rec);
  };
  // Registered before the record is written: a SIGTERM right after the write must still find the handler.
  let created = false;
  rt.onCancel(async () => {
    rt.out(`Release ${release} has been cancelled.\n`);
    if (created) await fail('context canceled');
    rt.err('Error: INSTALLATION FAILED: context canceled\n');
  });
  await store.create(rec);
  created = true;
  await applyAll(kube, ctl, objects);
  await rt.afterApply({ onFail: fail });
  rec.info.status = 'deployed';
  rec.info.description = 'Install complete';
  await store.update(rec);
  await installOrUpgradeOutput(rt, rec, false, last(p, 'output'));
}

async function cmdUpgrade(s: Session): Promise<void> {
  const { p, rt } = s;
  requireArgs(p, 2, 'upgrade [RELEASE] [CHART]');
  const [release, chartRef] = p.positionals as [string, string];
  const ns = s.namespace;
  let kube: Kube;
  let store: ReleaseStore;
  let history: ReleaseRecord[];
  try {
    kube = s.kube();
    store = new ReleaseStore(kube);
    history = await store.history(release, ns);
  } catch (e) {
    wrap('UPGRADE FAILED', e);
  }
  if (!history.length) {
    if (flag(p, 'install')) {
      try {
        await cmdInstall(s);
        return;
      } catch (e) {
        wrap('', e);
      }
    }
    throw new CliError(`UPGRADE FAILED: "${release}" has no deployed releases`);
  }
  try {
    const lastRec = history[history.length - 1]!;
    if (isPending(lastRec.info.status)) throw new CliError('another operation (install/upgrade/rollback) is in progress');
    let current = lastRec.info.status === 'deployed' ? lastRec : latestDeployed(history);
    if (!current) {
      if (lastRec.info.status === 'failed' || lastRec.info.status === 'superseded') current = lastRec;
      else throw new CliError(`"${release}" has no deployed releases`);
    }
    const ao = applyOptions(s.flavor, p, 'upgrade', (t) => rt.err(t));
    const { chart, version } = resolveChart(s, chartRef, '');
    const given = userValues(p);
    let config: Values;
    if (flag(p, 'reset-values')) config = given;
    else if (flag(p, 'reuse-values') || flag(p, 'reset-then-reuse-values')) config = mergeMaps(current.config ?? {}, given);
    else if (!Object.keys(given).length) config = current.config ?? {};
    else config = given;
    const rendered = render(chart, version, release, ns, config, 'helm', '');
    const previous = parseManifest(current.manifest);
    const known = new Set(previous.map(key));
    const objects = rendered.filter((r) => !r.crdsDir).map((r) => r.obj as KObj);
    if (!flag(p, 'take-ownership')) await ownershipConflict(kube, objects.filter((o) => !known.has(key(o))), release, ns, 'update');
    const maxHistory = Number(last(p, 'history-max') ?? rt.env.HELM_MAX_HISTORY ?? 10);
    if (!flag(p, 'dry-run')) await pruneHistory(store, history, maxHistory > 0 ? maxHistory - 1 : 0);
    const rec = newRecord({
      name: release,
      namespace: ns,
      revision: lastRec.version + 1,
      status: 'pending-upgrade',
      chart,
      version,
      config,
      description: 'Preparing upgrade',
      manifest: buildManifest(chart, rendered),
      firstDeployed: current.info.first_deployed,
      applyMethod: applyMethod(s.flavor, ao.serverSide, current.apply_method as string | undefined),
    });
    if (flag(p, 'dry-run')) {
      rt.out(`Release "${release}" has been upgraded. Happy Helming!\n${statusBlock(rec)}HOOKS:\nMANIFEST:\n${rec.manifest ?? ''}`);
      return;
    }
    const fail = async (msg: string): Promise<void> => {
      rec.info.status = 'failed';
      rec.info.description = `Upgrade "${release}" failed: ${msg}`;
      await store.update(rec);
    };
    // Registered before the record is written: a SIGTERM right after the write must still find the handler.
    let created = false;
    rt.onCancel(async () => {
      rt.out(`Release ${release} has been cancelled.\n`);
      if (created) await fail('context canceled');
      rt.err('Error: UPGRADE FAILED: context canceled\n');
    });
    await store.create(rec);
    created = true;
    const conflict = await istiodOwnershipConflict(rec.apply_method as string | undefined, version, objects, async (kind, name) => !!(await kube.get(kind, name)));
    if (conflict) {
      await fail(conflict);
      throw new CliError(conflict);
    }
    const ctl = new Controllers(kube);
    await applyAll(kube, ctl, objects, previous);
    const targetKeys = new Set(objects.map(key));
    await deleteAll(ctl, previous.filter((o) => !targetKeys.has(key(o))));
    await rt.afterApply({ onFail: fail });
    current.info.status = 'superseded';
    await store.update(current);
    rec.info.status = 'deployed';
    rec.info.description = 'Upgrade complete';
    await store.update(rec);
    await installOrUpgradeOutput(rt, rec, true, last(p, 'output'));
  } catch (e) {
    wrap('UPGRADE FAILED', e);
  }
}

async function cmdRollback(s: Session): Promise<void> {
  const { p, rt } = s;
  requireArgs(p, 1, 'rollback <RELEASE> [REVISION]');
  const release = p.positionals[0]!;
  const ns = s.namespace;
  const ao = applyOptions(s.flavor, p, 'rollback', (t) => rt.err(t));
  const kube = s.kube();
  const store = new ReleaseStore(kube);
  const history = await store.history(release, ns);
  if (!history.length) throw new CliError('release: not found');
  const lastRec = history[history.length - 1]!;
  // Unlike install/upgrade, Helm's rollback does not refuse a pending latest revision: it is how an upgrade cut short
  // (pending-upgrade for ever) is recovered. The pending record stays in the history as it is.
  const wanted = p.positionals[1] === undefined ? 0 : Number(p.positionals[1]);
  if (!Number.isInteger(wanted) || wanted < 0) throw new CliError(`invalid argument "${p.positionals[1]}" for revision`);
  const targetVersion = wanted === 0 ? lastRec.version - 1 : wanted;
  if (targetVersion < 1) throw new CliError('release has no previous version');
  const target = history.find((r) => r.version === targetVersion);
  if (!target) throw new CliError(`release has no ${targetVersion} version`);
  if (flag(p, 'dry-run')) {
    rt.out('Rollback was a success! Happy Helming!\n');
    return;
  }
  const rec: ReleaseRecord = {
    ...structuredClone(target),
    version: lastRec.version + 1,
    info: { ...target.info, first_deployed: lastRec.info.first_deployed, last_deployed: goNow(), deleted: '0001-01-01T00:00:00Z', description: `Rollback to ${targetVersion}`, status: 'pending-rollback' },
  };
  const method = applyMethod(s.flavor, ao.serverSide, target.apply_method as string | undefined);
  if (method) rec.apply_method = method;
  await store.create(rec);
  const currentObjs = parseManifest(lastRec.manifest);
  const targetObjs = parseManifest(target.manifest).map((o) => withHelmMarks(o, release, ns));
  const conflict = await istiodOwnershipConflict(method, target.chart.metadata.version, targetObjs, async (kind, name) => !!(await kube.get(kind, name)));
  if (conflict) {
    rec.info.status = 'failed';
    rec.info.description = `Rollback "${release}" failed: ${conflict}`;
    await store.update(rec);
    throw new CliError(conflict);
  }
  const ctl = new Controllers(kube);
  await applyAll(kube, ctl, targetObjs, currentObjs);
  const targetKeys = new Set(targetObjs.map(key));
  await deleteAll(ctl, currentObjs.filter((o) => !targetKeys.has(key(o))));
  await rt.afterApply({
    onFail: async (msg) => {
      rec.info.status = 'failed';
      rec.info.description = `Rollback "${release}" failed: ${msg}`;
      await store.update(rec);
    },
  });
  for (const r of history) {
    if (r.info.status === 'deployed') {
      r.info.status = 'superseded';
      await store.update(r);
    }
  }
  rec.info.status = 'deployed';
  await store.update(rec);
  rt.out('Rollback was a success! Happy Helming!\n');
}

async function cmdUninstall(s: Session): Promise<void> {
  const { p, rt } = s;
  requireArgs(p, 1, 'uninstall RELEASE_NAME [...]');
  const ns = s.namespace;
  const kube = s.kube();
  const store = new ReleaseStore(kube);
  const ctl = new Controllers(kube);
  for (const release of p.positionals) {
    const history = await store.history(release, ns);
    if (!history.length) {
      if (flag(p, 'ignore-not-found')) continue;
      throw new CliError(`uninstall: Release not loaded: ${release}: release: not found`);
    }
    const lastRec = history[history.length - 1]!;
    if (lastRec.info.status === 'uninstalled') throw new CliError(`the release named "${release}" is already deleted`);
    if (flag(p, 'dry-run')) {
      rt.out(`release "${release}" uninstalled\n`);
      continue;
    }
    lastRec.info.status = 'uninstalling';
    lastRec.info.deleted = goNow();
    lastRec.info.description = 'Deletion in progress (or silently failed)';
    await store.update(lastRec);
    const kept = await deleteAll(ctl, parseManifest(lastRec.manifest));
    await rt.afterApply({});
    if (kept.length) {
      rt.out(`These resources were kept due to the resource policy:\n${kept.map((k) => `[${k.kind}] ${k.metadata.name}\n`).join('')}\n`);
    }
    if (flag(p, 'keep-history')) {
      lastRec.info.status = 'uninstalled';
      lastRec.info.description = 'Uninstallation complete';
      await store.update(lastRec);
    } else {
      for (const r of history) await store.remove(r);
    }
    rt.out(`release "${release}" uninstalled\n`);
  }
}

async function findRecord(s: Session, release: string): Promise<ReleaseRecord> {
  const history = await new ReleaseStore(s.kube()).history(release, s.namespace);
  const rev = last(s.p, 'revision');
  const rec = rev ? history.find((r) => r.version === Number(rev)) : history[history.length - 1];
  if (!rec) throw new CliError('release: not found');
  return rec;
}

async function cmdGet(s: Session): Promise<void> {
  const { p, rt } = s;
  const what = p.positionals[0];
  const release = p.positionals[1];
  if (!what || !['values', 'manifest', 'all', 'notes', 'hooks', 'metadata'].includes(what)) throw new CliError(`unknown command "${what ?? ''}" for "helm get"`);
  if (!release) throw new CliError(`"helm get ${what}" requires 1 argument\n\nUsage:  helm get ${what} RELEASE_NAME [flags]`);
  const rec = await findRecord(s, release);
  const out = last(p, 'output') ?? 'table';
  if (what === 'values') {
    const vals = flag(p, 'all') ? effectiveValues(rec.config ?? {}) : (rec.config ?? null);
    const empty = vals === null || Object.keys(vals).length === 0;
    if (out === 'json') rt.out(`${JSON.stringify(empty && !flag(p, 'all') ? null : vals)}\n`);
    else if (out === 'yaml') rt.out(empty && !flag(p, 'all') ? 'null\n' : toYaml(vals));
    else rt.out(`${flag(p, 'all') ? 'COMPUTED VALUES' : 'USER-SUPPLIED VALUES'}:\n${empty && !flag(p, 'all') ? 'null\n' : toYaml(vals)}`);
  } else if (what === 'manifest') {
    rt.out(rec.manifest ? `${rec.manifest}\n` : '\n');
  } else if (what === 'metadata') {
    const md = { name: rec.name, chart: rec.chart.metadata.name, version: rec.chart.metadata.version, appVersion: rec.chart.metadata.appVersion, namespace: rec.namespace, revision: rec.version, status: rec.info.status, deployedAt: rec.info.last_deployed };
    rt.out(out === 'json' ? `${JSON.stringify(md)}\n` : dumpDoc(md));
  } else if (what === 'notes') {
    rt.out(`NOTES:\n${rec.info.notes ?? ''}\n`);
  } else if (what === 'hooks') {
    rt.out('');
  } else {
    rt.out(`${statusBlock(rec)}USER-SUPPLIED VALUES:\n${toYaml(rec.config ?? null)}\nMANIFEST:\n${rec.manifest ?? ''}\n`);
  }
}

async function cmdStatus(s: Session): Promise<void> {
  const { p, rt } = s;
  requireArgs(p, 1, 'status RELEASE_NAME');
  const rec = await findRecord(s, p.positionals[0]!);
  const out = last(p, 'output') ?? 'table';
  if (out === 'json') rt.out(`${JSON.stringify(rec)}\n`);
  else if (out === 'yaml') rt.out(dumpDoc(rec));
  else rt.out(statusBlock(rec) + (flag(p, 'show-desc') ? `DESCRIPTION: ${rec.info.description}\n` : ''));
}

async function cmdHistory(s: Session): Promise<void> {
  const { p, rt } = s;
  requireArgs(p, 1, 'history RELEASE_NAME');
  const history = await new ReleaseStore(s.kube()).history(p.positionals[0]!, s.namespace);
  if (!history.length) throw new CliError('release: not found');
  const max = Number(last(p, 'max') ?? 256);
  const rows = history.slice(-max).map((r) => ({
    revision: r.version,
    updated: r.info.last_deployed,
    status: r.info.status,
    chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`,
    app_version: r.chart.metadata.appVersion ?? '',
    description: r.info.description,
  }));
  const out = last(p, 'output') ?? 'table';
  if (out === 'json') rt.out(`${JSON.stringify(rows)}\n`);
  else if (out === 'yaml') rt.out(dumpDoc(rows));
  else rt.out(table([['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'], ...rows.map((r) => [String(r.revision), ansicDate(r.updated), r.status, r.chart, r.app_version, r.description])]));
}

async function cmdList(s: Session): Promise<void> {
  const { p, rt } = s;
  const allNs = flag(p, 'all-namespaces');
  const records = await new ReleaseStore(s.kube()).all(allNs ? undefined : s.namespace);
  const latest = new Map<string, ReleaseRecord>();
  for (const r of records) {
    const k = `${r.namespace}/${r.name}`;
    const cur = latest.get(k);
    if (!cur || cur.version < r.version) latest.set(k, r);
  }
  const states = ['deployed', 'failed', 'pending', 'superseded', 'uninstalled', 'uninstalling'].filter((st) => flag(p, st));
  // No state flag: Helm 3 lists deployed and failed releases, Helm 4 every state (it dropped --all; pkg/action/list.go).
  const mask = flag(p, 'all') ? null : states.length ? states : s.flavor.major === 4 ? null : ['deployed', 'failed'];
  const filter = last(p, 'filter');
  let list = [...latest.values()].filter((r) => {
    const st = isPending(r.info.status) ? 'pending' : r.info.status;
    if (mask && !mask.includes(st)) return false;
    if (filter && !new RegExp(filter).test(r.name)) return false;
    return true;
  });
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.namespace < b.namespace ? -1 : 1));
  if (flag(p, 'reverse')) list.reverse();
  const max = Number(last(p, 'max') ?? 256);
  if (max > 0) list = list.slice(0, max);
  const rows = list.map((r) => ({
    name: r.name,
    namespace: r.namespace,
    revision: String(r.version),
    updated: updatedString(r.info.last_deployed),
    status: r.info.status,
    chart: `${r.chart.metadata.name}-${r.chart.metadata.version}`,
    app_version: r.chart.metadata.appVersion ?? '',
  }));
  const out = last(p, 'output') ?? 'table';
  if (out === 'json') rt.out(`${JSON.stringify(rows)}\n`);
  else if (out === 'yaml') rt.out(rows.length ? dumpDoc(rows) : '[]\n');
  else if (flag(p, 'short')) rt.out(rows.map((r) => `${r.name}\n`).join(''));
  else {
    const head = ['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'];
    rt.out(table([...(flag(p, 'no-headers') ? [] : [head]), ...rows.map((r) => [r.name, r.namespace, r.revision, r.updated, r.status, r.chart, r.app_version])]));
  }
}

async function cmdTemplate(s: Session): Promise<void> {
  const { p, rt } = s;
  let release = p.positionals[0];
  let chartRef = p.positionals[1];
  if (p.positionals.length === 1) {
    chartRef = p.positionals[0];
    release = 'release-name';
  }
  if (!release || !chartRef) throw new CliError(`"helm template" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]`);
  const { chart, version } = resolveChart(s, chartRef, '');
  const ns = s.namespace;
  const config = userValues(p);
  let rendered = render(chart, version, release, ns, config, 'template', '');
  if (!flag(p, 'include-crds')) rendered = rendered.filter((r) => !r.crdsDir);
  const showOnly = all(p, 'show-only');
  if (showOnly.length) {
    for (const so of showOnly) {
      const want = so.replace(/^\.\//, '').replace(new RegExp(`^${chart}/`), '');
      if (!rendered.some((r) => r.source === want)) throw new CliError(`could not find template ${so} in chart`);
    }
    const wanted = new Set(showOnly.map((so) => so.replace(/^\.\//, '').replace(new RegExp(`^${chart}/`), '')));
    rendered = rendered.filter((r) => wanted.has(r.source));
  }
  const text = sortByInstallOrder(rendered)
    .map((r) => `---\n# Source: ${chart}/${r.source}\n${dumpDoc(clientSide(r.obj))}`)
    .join('');
  rt.out(text);
}

function cmdVersion(s: Session): void {
  const { p, rt, flavor: f } = s;
  const tpl = last(p, 'template');
  if (tpl) {
    const fields: Record<string, string> = { Version: f.version, GitCommit: f.commit, GitTreeState: 'clean', GoVersion: f.goVersion, KubeClientVersion: f.kubeClientVersion };
    // text/template's Execute writes no newline of its own
    rt.out(tpl.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => fields[k] ?? '<no value>'));
  } else if (flag(p, 'short')) rt.out(`${f.version}+g${f.commit.slice(0, 7)}\n`);
  else if (f.major === 4) rt.out(`version.BuildInfo{Version:"${f.version}", GitCommit:"${f.commit}", GitTreeState:"clean", GoVersion:"${f.goVersion}", KubeClientVersion:"${f.kubeClientVersion}"}\n`);
  else rt.out(`version.BuildInfo{Version:"${f.version}", GitCommit:"${f.commit}", GitTreeState:"clean", GoVersion:"${f.goVersion}"}\n`);
}

/** `helm repo add|list|remove|update` on the repositories file (`--repository-config`, HELM_REPOSITORY_CONFIG, config home). */
function cmdRepo(s: Session): void {
  const { p, rt } = s;
  const sub = p.positionals[0];
  const file = repositoryConfigPath(rt.env, last(p, 'repository-config'));
  const repos = readRepositories(file);
  if (sub === 'add') {
    const [, name, url] = p.positionals;
    if (!name || !url) throw new CliError(`"helm repo add" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]`);
    const same = repos.find((r) => r.name === name);
    if (same && same.url === url) {
      rt.out(`"${name}" already exists with the same configuration, skipping\n`);
      return;
    }
    if (same && !flag(p, 'force-update')) throw new CliError(`repository name (${name}) already exists, please specify a different name`);
    checkRepoReachable(url, rt.env);
    writeRepositories(file, [...repos.filter((r) => r.name !== name), { name, url }]);
    rt.out(`"${name}" has been added to your repositories\n`);
  } else if (sub === 'update' || sub === 'up') {
    if (!repos.length) throw new CliError('no repositories found. You must add one before updating');
    rt.out('Hang tight while we grab the latest from your chart repositories...\n');
    for (const r of repos) {
      try {
        checkRepoReachable(r.url, rt.env);
        rt.out(`...Successfully got an update from the "${r.name}" chart repository\n`);
      } catch (e) {
        rt.out(`...Unable to get an update from the "${r.name}" chart repository (${r.url}):\n\t${(e as Error).message}\n`);
      }
    }
    rt.out('Update Complete. ⎈Happy Helming!⎈\n');
  } else if (sub === 'list' || sub === 'ls') {
    if (!repos.length && last(p, 'output') !== 'json') throw new CliError('no repositories to show');
    if (last(p, 'output') === 'json') rt.out(`${JSON.stringify(repos)}\n`);
    else rt.out(table([['NAME', 'URL'], ...repos.map((r) => [r.name, r.url])]));
  } else if (sub === 'remove' || sub === 'rm') {
    const names = p.positionals.slice(1);
    for (const n of names) {
      if (!repos.some((r) => r.name === n)) throw new CliError(`no repo named "${n}" found`);
    }
    writeRepositories(file, repos.filter((r) => !names.includes(r.name)));
    for (const n of names) rt.out(`"${n}" has been removed from your repositories\n`);
  } else throw new CliError(`unknown command "${sub ?? ''}" for "helm repo"`);
}

/** `helm show chart|values|all CHART`: locates the chart as install does (so a missing version fails the same way). */
function cmdShow(s: Session): void {
  const { p, rt } = s;
  const what = p.positionals[0];
  const ref = p.positionals[1];
  if (!what || !['chart', 'values', 'all', 'readme', 'crds'].includes(what)) throw new CliError(`unknown command "${what ?? ''}" for "helm show"`);
  if (!ref) throw new CliError(`"helm show ${what}" requires 1 argument\n\nUsage:  helm show ${what} [CHART] [flags]`);
  const { chart, version } = resolveChart(s, ref, '');
  const md = istioChart(chart, version);
  if (what === 'chart' || what === 'all') rt.out(dumpDoc(md));
  if (what === 'values' || what === 'all') rt.out(what === 'all' ? '---\n{}\n' : '{}\n');
  if (what === 'readme') rt.out(`# Istio ${chart} chart\n`);
}

/** Finds the subcommand (first non-flag word, skipping global flag values). */
export function subcommand(args: string[]): { name: string | undefined; rest: string[] } {
  const takesValue = new Set([...GLOBAL_VALUES.map((f) => `--${f}`), '-n']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (takesValue.has(a)) i++;
      continue;
    }
    return { name: a, rest: [...args.slice(0, i), ...args.slice(i + 1)] };
  }
  return { name: undefined, rest: args };
}

export async function helm(rt: Runtime, args: string[]): Promise<void> {
  const { name, rest } = subcommand(args);
  const cmd = name ? (ALIASES[name] ?? name) : undefined;
  const flavor = helmFlavor(rt.env);
  const specs = specsFor(flavor.major);
  if (!cmd || !specs[cmd]) {
    if (!cmd) {
      rt.out('The Kubernetes package manager\n\nUsage:\n  helm [command]\n');
      return;
    }
    throw new CliError(`unknown command "${name}" for "helm"\nRun 'helm --help' for usage.`);
  }
  const p = parseArgs(rest, specs[cmd]!, 'helm');
  const s = new Session(rt, p, flavor);
  try {
    switch (cmd) {
      case 'version':
        return cmdVersion(s);
      case 'repo':
        return cmdRepo(s);
      case 'show':
        return cmdShow(s);
      case 'template':
        return await cmdTemplate(s);
      case 'install':
        try {
          return await cmdInstall(s);
        } catch (e) {
          return wrap('INSTALLATION FAILED', e);
        }
      case 'upgrade':
        return await cmdUpgrade(s);
      case 'rollback':
        return await cmdRollback(s).catch((e: unknown) => wrap('', e));
      case 'uninstall':
        return await cmdUninstall(s).catch((e: unknown) => wrap('', e));
      case 'get':
        return await cmdGet(s).catch((e: unknown) => wrap('', e));
      case 'status':
        return await cmdStatus(s).catch((e: unknown) => wrap('', e));
      case 'history':
        return await cmdHistory(s).catch((e: unknown) => wrap('', e));
      case 'list':
        return await cmdList(s).catch((e: unknown) => wrap('', e));
    }
  } finally {
    s.close();
  }
}
