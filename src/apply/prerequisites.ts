/**
 * What must hold before the first change, checked by the preflight step and by `apply --dry-run`, each failure naming
 * its fix: every binary the plan calls exists at a supported version (helm 3.8+ or 4, istioctl of each step's target
 * minor), every chart version resolves from its source (`helm show chart … --version`), a repository alias exists and
 * does not point at a retired location, the identity may do every API action the plan takes (SelfSubjectAccessReview),
 * helm and istioctl reach the API server with the same credentials, and every Gateway API release manifest the plan
 * applies can be fetched and is that bundle. Only reads: nothing here changes the cluster.
 */
import { chartArgs, retiredLocation, type ChartSource } from '../plans/chart-source.js';
import semver from 'semver';
import { Semaphore } from '../util/semaphore.js';
import { minorOf } from '../util/version.js';
import { describePermission, planPermissions, rbacRule, type AccessNeed, type Permission } from './permissions.js';
import type { RunOutcome, Runner, Tool } from './ports.js';
import { ClientVersions, clientVersionOf } from './client-versions.js';
import { renderedObjects } from './api-actions.js';
import { foreignBundle, manifestDigest, type BundleNeed, type PinnedBundle } from './gateway-api-bundle.js';

/** A chart version the plan installs or upgrades to, and where it comes from. */
export interface ChartNeed {
  chart: string;
  version: string;
  source: ChartSource;
}

/** The istioctl a command needs: the client of its hop's target minor. */
export interface IstioctlNeed {
  /** The hop's target version, e.g. `1.24.6` (its minor selects the binary; the version goes into the download hint). */
  version: string;
  /** False for commands the executor skips when istioctl is absent (the optional precheck). */
  required: boolean;
}

export interface PrerequisiteNeeds {
  /** Whether any command (rollbacks included) runs helm. */
  helm: boolean;
  charts: ChartNeed[];
  istioctl: IstioctlNeed[];
  access: AccessNeed[];
  istioNamespace: string;
  /** Releases the plan has Helm 4 apply client-side (`--server-side=false`, src/plans/helm-apply-method.ts). */
  clientSideReleases: string[];
  /** Gateway API release manifests the plan's commands or rollbacks apply. */
  bundles?: BundleNeed[];
}

export interface PrerequisiteDeps {
  runner: Runner;
  /** SelfSubjectAccessReview of one permission for the identity running apply; absent: not checked. */
  reviewAccess?: (p: Permission) => Promise<boolean>;
  /** The process's one reading of each client's version, shared with the attempt record; absent: a reading of its own. */
  versions?: ClientVersions;
  signal: AbortSignal;
  timeoutMs: number;
  /** GET of a release manifest (gateway-api-bundle.ts fetchManifest); absent: bundles are not fetched here. */
  fetchManifest?: (url: string, signal: AbortSignal) => Promise<string>;
}

export interface PrerequisiteReport {
  problems: string[];
  /** What was found, for the run record: `helm v4.2.4 (Helm 4)`, `istioctl 1.24.6`. */
  tools: string[];
  /** Each Gateway API manifest fetched and checked, with its bytes: the ones the run applies. */
  bundles?: FetchedBundle[];
}

export interface FetchedBundle extends PinnedBundle {
  text: string;
}

const NONE: PrerequisiteReport = { problems: [], tools: [] };
const HELM_INSTALL = 'https://helm.sh/docs/intro/install/';
/** SelfSubjectAccessReviews in flight at once: a plan needs about sixty, each a cheap request. */
const REVIEWS_AT_ONCE = 8;

/** Helm releases this tool supports: 3.8 (OCI charts without the experimental flag) and every Helm 4. */
export function helmSupport(version: string): { major: number; ok: boolean } {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return { major: 0, ok: false };
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return { major, ok: (major === 3 && minor >= 8) || major === 4 };
}

type Run = (tool: Tool, args: string[], istioMinor?: string) => Promise<RunOutcome>;
type Version = (tool: Tool, istioMinor?: string) => Promise<RunOutcome>;

/** Runs the checks side by side (each helm/istioctl call is a process start); problems come in a stable order. */
export async function checkPrerequisites(needs: PrerequisiteNeeds, deps: PrerequisiteDeps): Promise<PrerequisiteReport> {
  const run: Run = (tool, args, istioMinor) => deps.runner.run({ tool, args, timeoutMs: deps.timeoutMs, signal: deps.signal, ...(istioMinor ? { istioMinor } : {}) });
  const versions = deps.versions ?? new ClientVersions(deps.runner);
  const version: Version = (tool, istioMinor) => versions.query(tool, { istioMinor, signal: deps.signal, timeoutMs: deps.timeoutMs });
  const [helm, istioctl, access, bundles] = await Promise.all([
    needs.helm ? checkHelm(needs, run, version) : NONE,
    needs.istioctl.length ? checkIstioctl(needs.istioctl, run, version) : NONE,
    checkAccess(needs, deps),
    deps.fetchManifest && needs.bundles?.length ? fetchBundles(needs.bundles, deps.fetchManifest, deps.signal) : { problems: [], fetched: [] },
  ]);
  return {
    problems: [...helm.problems, ...istioctl.problems, ...access, ...bundles.problems],
    tools: [...helm.tools, ...istioctl.tools],
    ...(bundles.fetched.length ? { bundles: bundles.fetched } : {}),
  };
}

/** Each distinct manifest once, checked to be the bundle the plan names (gateway-api-bundle.ts). */
export async function fetchBundles(needs: BundleNeed[], fetch: (url: string, signal: AbortSignal) => Promise<string>, signal: AbortSignal): Promise<{ problems: string[]; fetched: FetchedBundle[] }> {
  const distinct = [...new Map(needs.map((n) => [n.url, n])).values()];
  const results = await Promise.all(
    distinct.map(async (n): Promise<FetchedBundle | string> => {
      const text = await fetch(n.url, signal).catch((e: Error) => e);
      if (text instanceof Error) return `the Gateway API v${n.version} ${n.channel} manifest cannot be fetched: ${text.message}`;
      let objects;
      try {
        objects = renderedObjects(text);
      } catch (e) {
        return `${n.url} is not YAML: ${(e as Error).message.split('\n')[0]}`;
      }
      return foreignBundle(objects, n) ?? { ...n, sha256: manifestDigest(text), text };
    }),
  );
  return { problems: results.filter((r): r is string => typeof r === 'string'), fetched: results.filter((r): r is FetchedBundle => typeof r !== 'string') };
}

async function checkHelm(needs: PrerequisiteNeeds, run: Run, version: Version): Promise<PrerequisiteReport> {
  const v = await version('helm');
  if (!v.ok) return { problems: [v.reason === 'not-found' ? `${v.message}: install Helm 3.8+ or Helm 4 (${HELM_INSTALL})` : `helm version failed: ${v.message}`], tools: [] };
  const found = v.stdout.trim();
  const s = helmSupport(found);
  const tools = [`helm ${found} (Helm ${s.major || '?'})`];
  if (!s.ok) return { problems: [`helm ${found} is not supported: use Helm 3.8 or newer, or Helm 4 (${HELM_INSTALL})`], tools };
  // Helm 3 has no --server-side flag; the plan carries it because Helm 4 installed these releases (see helm-apply-method.ts).
  if (s.major === 3 && needs.clientSideReleases.length)
    return { problems: [`helm ${found} cannot run this plan: Helm 4 installed ${needs.clientSideReleases.join(', ')} server-side, so the plan upgrades and rolls them back with --server-side=false, a Helm 4 flag; run it with Helm 4 (${HELM_INSTALL})`], tools };
  const [charts, reach] = await Promise.all([checkCharts(needs.charts, run), run('helm', ['list', '-n', needs.istioNamespace, '--max', '1', '-o', 'json'])]);
  return { problems: [...charts, ...(reach.ok ? [] : [`helm cannot read the releases in ${needs.istioNamespace} with the same credentials: ${reach.message}`])], tools };
}

/** One `version --remote=false` per minor (each may be its own binary: --istioctl 1.24=PATH), one read of the cluster. */
async function checkIstioctl(needs: IstioctlNeed[], run: Run, version: Version): Promise<PrerequisiteReport> {
  const byMinor = new Map<string, IstioctlNeed>();
  for (const n of needs) {
    const m = minorOf(n.version);
    const had = byMinor.get(m);
    byMinor.set(m, { version: had && semver.valid(had.version) && semver.valid(n.version) && semver.gt(had.version, n.version) ? had.version : n.version, required: (had?.required ?? false) || n.required });
  }
  const minors = [...byMinor.keys()].sort();
  const results = await Promise.all(minors.map((m) => version('istioctl', m)));
  const problems: string[] = [];
  const tools: string[] = [];
  let reachFrom: string | undefined;
  minors.forEach((minor, i) => {
    const need = byMinor.get(minor)!;
    const r = results[i]!;
    const download = `download it (curl -sL https://istio.io/downloadIstio | ISTIO_VERSION=${need.version} sh -) and pass --istioctl ${minor}=<path to its bin/istioctl>`;
    if (!r.ok) {
      // Only optional commands need it (the precheck): the executor skips them when istioctl is absent.
      if (r.reason === 'not-found' && !need.required) return;
      problems.push(r.reason === 'not-found' ? `${r.message}: the ${minor} steps need istioctl ${minor}.x; ${download}` : `istioctl version failed: ${r.message}`);
      return;
    }
    const client = clientVersionOf('istioctl', r.stdout);
    tools.push(`istioctl ${client ?? 'unknown'}${minors.length > 1 ? ` (for ${minor})` : ''}`);
    const matches = !!client && minorOf(client) === minor;
    // Only optional commands (the precheck) need it: they report for the client's own minor, which is noted, not refused.
    if (!matches && need.required) problems.push(`istioctl ${client ?? '(unknown version)'} cannot run the ${minor} steps: they need istioctl ${minor}.x; ${download}`);
    else if (!matches) tools[tools.length - 1] += `, not ${minor}.x: its optional checks answer for its own minor`;
    else reachFrom ??= minor;
  });
  if (reachFrom) {
    const reach = await run('istioctl', ['version', '-o', 'json'], reachFrom);
    if (!reach.ok) problems.push(`istioctl cannot reach the cluster with the same credentials: ${reach.message}`);
  }
  return { problems, tools };
}

async function checkAccess(needs: PrerequisiteNeeds, deps: PrerequisiteDeps): Promise<string[]> {
  const review = deps.reviewAccess;
  if (!review) return [];
  const perms = planPermissions(needs.access, needs.istioNamespace);
  const gate = new Semaphore(REVIEWS_AT_ONCE);
  const allowed = await Promise.all(perms.map((p) => gate.run(() => review(p).catch((e: Error) => e))));
  return perms.flatMap((p, i) => {
    const a = allowed[i];
    if (a instanceof Error) return [`cannot ask the API server whether this identity may ${describePermission(p)}: ${a.message}`];
    return a ? [] : [`not allowed to ${describePermission(p)}: grant ${rbacRule(p)}`];
  });
}

function showChartArgs(n: ChartNeed): string[] {
  return ['show', 'chart', ...chartArgs(n.source, n.chart, n.version), '--version', n.version];
}

/** Aliases that are missing or point at a retired location (their charts are not fetched: the fix is the same). */
async function checkAliases(needs: ChartNeed[], run: Run): Promise<{ problems: string[]; bad: Set<string> }> {
  const aliases = [...new Set(needs.flatMap((n) => (n.source.kind === 'alias' ? [n.source.name] : [])))].sort();
  const bad = new Set<string>();
  const problems: string[] = [];
  if (!aliases.length) return { problems, bad };
  const list = await run('helm', ['repo', 'list', '-o', 'json']);
  let repos: { name: string; url: string }[] = [];
  try {
    repos = list.ok ? (JSON.parse(list.stdout || '[]') as { name: string; url: string }[]) : [];
  } catch {
    repos = [];
  }
  for (const a of aliases) {
    const r = repos.find((x) => x.name === a);
    const replacement = r ? retiredLocation(r.url) : undefined;
    if (!r) problems.push(`the plan's charts come from the Helm repository alias "${a}", which is not configured on this machine: helm repo add ${a} <url>, or plan with --chart-repo <url>`);
    else if (replacement) problems.push(`the Helm repository alias "${a}" points at ${r.url}, where Istio no longer publishes: helm repo add ${a} ${replacement} --force-update, or plan with --chart-repo ${replacement}`);
    if (!r || replacement) bad.add(a);
  }
  return { problems, bad };
}

async function checkCharts(needs: ChartNeed[], run: Run): Promise<string[]> {
  const distinct = [...new Map(needs.map((n) => [showChartArgs(n).join(' '), n])).values()];
  const aliases = await checkAliases(distinct, run);
  const checked = distinct.filter((n) => !(n.source.kind === 'alias' && aliases.bad.has(n.source.name)));
  const results = await Promise.all(checked.map((n) => run('helm', showChartArgs(n))));
  const problems = [...aliases.problems];
  checked.forEach((n, i) => {
    const r = results[i]!;
    const where = chartArgs(n.source, n.chart, n.version).join(' ');
    if (!r.ok) {
      problems.push(`chart ${n.chart} ${n.version} does not resolve from ${where}: ${r.message}`);
      return;
    }
    const found = /^version:\s*"?([^"\s]+)"?\s*$/m.exec(r.stdout)?.[1];
    if (found !== n.version) {
      problems.push(`chart ${n.chart} at ${where} is version ${found ?? 'unknown'}, the plan needs ${n.version}${n.source.kind === 'local' ? ' (Helm ignores --version for local charts: put that version there)' : ''}`);
    }
  });
  return problems;
}
