/**
 * Where charts come from, as Helm finds them (`pkg/action/install.go` LocateChart): a local chart directory or
 * packaged `.tgz` (its Chart.yaml decides the version; `--version` is ignored for local charts), `--repo URL` with a
 * chart name, an `oci://` reference, or `alias/chart` through the repositories file
 * (`$HELM_REPOSITORY_CONFIG`, else `$HELM_CONFIG_HOME`, `$XDG_CONFIG_HOME/helm` or `$HOME/.config/helm`).
 *
 * The remote side is a small world of repositories, `FAKE_HELM_REPOS` = JSON `{ "<url or oci prefix>": { "versions":
 * ["1.24.2", …] } | { "upTo": "1.30" } | "unreachable" }`, over these defaults: Istio's current locations
 * (https://blob.istio.io/istio-release/charts and oci://ghcr.io/istio/release/charts) serve every version the fake
 * renders; the retired https://istio-release.storage.googleapis.com/charts serves up to 1.30 (1.31 was never published
 * there). Any other location cannot be reached, as on a machine without that network.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { chartVersionKnown, isIstioChart, type ChartName } from './charts.js';
import { CliError } from './errors.js';
import { readTgz } from './tar.js';

export const CURRENT_HTTP_REPO = 'https://blob.istio.io/istio-release/charts';
export const CURRENT_OCI_REPO = 'oci://ghcr.io/istio/release/charts';
export const RETIRED_HTTP_REPO = 'https://istio-release.storage.googleapis.com/charts';

type Served = { versions?: string[]; upTo?: string } | 'unreachable';

const DEFAULT_WORLD: Record<string, Served> = {
  [CURRENT_HTTP_REPO]: {},
  [CURRENT_OCI_REPO]: {},
  [RETIRED_HTTP_REPO]: { upTo: '1.30' },
};

export interface RepoEntry {
  name: string;
  url: string;
}

export function helmConfigHome(env: NodeJS.ProcessEnv): string {
  if (env.HELM_CONFIG_HOME) return env.HELM_CONFIG_HOME;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'helm');
  return join(env.HOME ?? '/', '.config', 'helm');
}

export function repositoryConfigPath(env: NodeJS.ProcessEnv, flagValue?: string): string {
  return flagValue ?? env.HELM_REPOSITORY_CONFIG ?? join(helmConfigHome(env), 'repositories.yaml');
}

export function readRepositories(file: string): RepoEntry[] {
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CliError(`couldn't load repositories file (${file}): ${(e as Error).message.split('\n')[0]}`);
  }
  const repos = (doc as { repositories?: unknown } | null)?.repositories;
  if (!Array.isArray(repos)) return [];
  return repos.filter((r): r is RepoEntry => !!r && typeof r.name === 'string' && typeof r.url === 'string').map((r) => ({ name: r.name, url: r.url }));
}

export function writeRepositories(file: string, repos: RepoEntry[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const doc = { apiVersion: '', generated: '0001-01-01T00:00:00Z', repositories: repos.map((r) => ({ name: r.name, url: r.url, username: '', password: '', certFile: '', keyFile: '', caFile: '', insecure_skip_tls_verify: false, pass_credentials_all: false })) };
  writeFileSync(file, yaml.dump(doc, { lineWidth: -1 }));
}

function world(env: NodeJS.ProcessEnv): Record<string, Served> {
  let extra: Record<string, Served> = {};
  if (env.FAKE_HELM_REPOS) extra = JSON.parse(env.FAKE_HELM_REPOS) as Record<string, Served>;
  const out: Record<string, Served> = {};
  for (const [k, v] of Object.entries({ ...DEFAULT_WORLD, ...extra })) out[k.replace(/\/+$/, '')] = v;
  return out;
}

function cmpVersion(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number(x) || 0);
  const pb = b.split(/[.-]/).map((x) => Number(x) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

function serves(s: Exclude<Served, 'unreachable'>, version: string): boolean {
  if (s.versions) return s.versions.includes(version);
  if (!chartVersionKnown(version)) return false;
  return s.upTo ? cmpVersion(version, `${s.upTo}.999`) <= 0 : true;
}

/** The newest version a location serves when no --version is given (a real repository's index picks its newest). */
function newest(s: Exclude<Served, 'unreachable'>): string {
  if (s.versions?.length) return [...s.versions].sort(cmpVersion).pop()!;
  return s.upTo ? `${s.upTo}.0` : '1.31.1';
}

function host(url: string): string {
  return url.replace(/^[a-z]+:\/\//, '').split('/')[0] ?? url;
}

export interface LocatedChart {
  chart: ChartName;
  version: string;
  /** Chart.yaml as the chart carries it (local charts), else undefined (the fake's metadata for that chart version). */
  location: string;
}

function fromLocal(path: string): LocatedChart {
  let text: string | undefined;
  if (statSync(path).isDirectory()) {
    try {
      text = readFileSync(join(path, 'Chart.yaml'), 'utf8');
    } catch {
      throw new CliError(`Chart.yaml file is missing`);
    }
  } else {
    let entries: Map<string, Buffer>;
    try {
      entries = readTgz(readFileSync(path));
    } catch {
      throw new CliError(`file '${path}' does not appear to be a gzipped archive; got 'application/octet-stream'`);
    }
    const chartYaml = [...entries.entries()].find(([n]) => /^[^/]+\/Chart\.yaml$/.test(n));
    if (!chartYaml) throw new CliError(`Chart.yaml file is missing`);
    text = chartYaml[1].toString('utf8');
  }
  const md = (yaml.load(text) ?? {}) as { name?: unknown; version?: unknown };
  const name = String(md.name ?? '');
  const version = String(md.version ?? '');
  if (!name) throw new CliError('validation: chart.metadata.name is required');
  if (!isIstioChart(name) || !chartVersionKnown(version)) throw new CliError(`the fake helm cannot render chart ${name}-${version} from ${path}`);
  return { chart: name, version, location: resolve(path) };
}

function missingVersion(chart: string, version: string | undefined, where: string): CliError {
  return new CliError(`chart "${chart}" version "${version ?? ''}" not found in ${where} repository`);
}

/** Resolves a chart reference the way `helm install|upgrade|template|show|pull` do; errors are worded as Helm's. */
export function locateChart(ref: string, o: { repo?: string; version?: string; env: NodeJS.ProcessEnv; repositoryConfig?: string }): LocatedChart {
  const wanted = o.version?.replace(/^v/, '');
  const w = world(o.env);
  if (!o.repo) {
    if (existsSync(ref)) return fromLocal(ref);
    if (isAbsolute(ref) || ref.startsWith('.')) throw new CliError(`path "${ref}" not found`);
  }
  if (o.repo) {
    const url = o.repo.replace(/\/+$/, '');
    const served = w[url];
    if (!served || served === 'unreachable') {
      throw new CliError(`looks like "${o.repo}" is not a valid chart repository or cannot be reached: Get "${url}/index.yaml": dial tcp: lookup ${host(url)}: no such host`);
    }
    if (!isIstioChart(ref)) throw new CliError(`chart "${ref}" not found in ${url} repository`);
    const version = wanted ?? newest(served);
    if (!serves(served, version)) throw missingVersion(ref, o.version, url);
    return { chart: ref, version, location: `${url}/${ref}-${version}.tgz` };
  }
  if (ref.startsWith('oci://')) {
    const prefix = ref.replace(/\/+$/, '').split('/').slice(0, -1).join('/');
    const chart = ref.replace(/\/+$/, '').split('/').pop() ?? '';
    const served = w[prefix];
    const tag = wanted ?? (served && served !== 'unreachable' ? newest(served) : 'latest');
    const bare = ref.slice('oci://'.length);
    if (!served || served === 'unreachable') {
      const [h, ...path] = bare.split('/');
      throw new CliError(`failed to do request: Head "https://${h}/v2/${path.join('/')}/manifests/${tag}": dial tcp: lookup ${h}: no such host`);
    }
    if (!isIstioChart(chart) || !serves(served, tag)) throw new CliError(`${bare}:${tag}: not found`);
    return { chart, version: tag, location: `${ref}:${tag}` };
  }
  const slash = ref.indexOf('/');
  if (slash < 0) throw new CliError(`non-absolute URLs should be in form of repo_name/path_to_chart, got: ${ref}`);
  const alias = ref.slice(0, slash);
  const chart = ref.slice(slash + 1);
  const entry = readRepositories(repositoryConfigPath(o.env, o.repositoryConfig)).find((r) => r.name === alias);
  if (!entry) throw new CliError(`repo ${alias} not found`);
  const served = w[entry.url.replace(/\/+$/, '')];
  if (!served || served === 'unreachable') {
    throw new CliError(`no cached repo found. (try 'helm repo update'): open ${join(o.env.XDG_CACHE_HOME ?? join(o.env.HOME ?? '/', '.cache'), 'helm', 'repository', `${alias}-index.yaml`)}: no such file or directory`);
  }
  const version = wanted ?? newest(served);
  if (!isIstioChart(chart) || !serves(served, version)) {
    throw new CliError(`chart "${chart}" matching ${o.version ?? ''} not found in ${alias} index. (try 'helm repo update'): no chart version found for ${chart}-${o.version ?? ''}`);
  }
  return { chart, version, location: `${entry.url.replace(/\/+$/, '')}/${chart}-${version}.tgz` };
}

/** `helm repo add`: the URL must serve an index (Helm downloads it before writing the entry). */
export function checkRepoReachable(url: string, env: NodeJS.ProcessEnv): void {
  const served = world(env)[url.replace(/\/+$/, '')];
  if (!served || served === 'unreachable') {
    throw new CliError(`looks like "${url}" is not a valid chart repository or cannot be reached: Get "${url.replace(/\/+$/, '')}/index.yaml": dial tcp: lookup ${host(url)}: no such host`);
  }
}
