/**
 * Where the plan's Helm charts come from. Every helm command that needs a chart names its source itself, so a plan
 * runs the same on any machine: nothing depends on a local `helm repo add`.
 *
 * - `repo`: a classic Helm repository URL, rendered `<chart> --repo <url>` (no alias, no local index cache needed);
 * - `oci`: an OCI prefix, rendered `oci://<prefix>/<chart>`;
 * - `local`: a directory of charts (air-gapped sites): `<dir>/<chart>-<version>.tgz` as `helm pull` writes it when
 *   that file was there at plan time, else the unpacked `<dir>/<chart>` (Helm ignores --version for local charts, so
 *   the preflight reads each chart's version with `helm show chart`);
 * - `alias`: a repository configured with `helm repo add`, rendered `<alias>/<chart>`; preflight checks it exists and
 *   where it points.
 *
 * Istio's GCP-hosted locations are retired (istio.io 1.31 upgrade notes): nothing is published to
 * istio-release.storage.googleapis.com, gcr.io/istio-release or registry.istio.io any more.
 */
import { ExitCode, UserError } from '../errors.js';
import { upgradePolicy } from './catalog/index.js';
import type { ChartSource } from '../plan/operations.js';

export type { ChartSource };
/** Rendering a source into helm's chart argument is the command builder's job. */
export { chartArgs } from '../plan/commands.js';

const hosting = () => upgradePolicy().artifactHosting;

/** Istio's Helm repository: where the plan's charts come from unless --chart-repo says otherwise. */
export const ISTIO_HELM_REPOSITORY = hosting().helmRepository;

/**
 * The default: Istio's Helm repository, `<chart> --repo <url>`. It works with every Helm 3 and 4 release (OCI charts
 * need Helm 3.8+), needs no `helm repo add`, and classic-repository mirrors (Artifactory, Nexus, ChartMuseum) serve
 * the same layout.
 */
export function defaultChartSource(): ChartSource {
  return { kind: 'repo', url: hosting().helmRepository };
}

/** The replacement when `location` (a chart repository URL or an OCI reference) is a retired Istio location. */
export function retiredLocation(location: string): string | undefined {
  const h = hosting();
  const hit = h.retiredChartRepositories.find((r) => location.includes(r));
  if (!hit) return undefined;
  return location.startsWith('oci://') ? h.ociCharts : h.helmRepository;
}

/** The replacement when an image hub (`global.hub`, `hub`, an image reference) is a retired Istio registry. */
export function retiredImageHub(hub: string): string | undefined {
  const h = hosting();
  const v = hub.trim();
  return h.retiredRegistries.some((r) => v === r || v.startsWith(`${r}/`)) ? h.images : undefined;
}

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `--chart-repo` as typed: a URL, an `oci://` prefix, a directory (contains a `/` or starts with `.`/`~`), or an
 * alias. `listDir` reads a local directory (the CLI's I/O edge); it throws when the directory cannot be read.
 */
export function parseChartSource(value: string, listDir: (dir: string) => string[]): ChartSource {
  const v = value.trim();
  const bad = (why: string) => new UserError(`--chart-repo "${value}" ${why}`, ExitCode.usage);
  if (!v) throw bad('is empty: give a repository URL, an oci:// prefix, a chart directory or a repository alias');
  if (v.startsWith('-') || /\s/.test(v)) throw bad('is not a repository URL, oci:// prefix, directory or alias');
  if (/^https?:\/\//.test(v)) {
    try {
      new URL(v);
    } catch {
      throw bad('is not a valid URL');
    }
    return { kind: 'repo', url: v.replace(/\/+$/, '') };
  }
  if (v.startsWith('oci://')) {
    if (!/^oci:\/\/[^/\s]+(\/[^/\s]+)*\/?$/.test(v)) throw bad('is not a valid oci:// prefix (oci://registry/path)');
    return { kind: 'oci', prefix: v.replace(/\/+$/, '') };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw bad('uses a scheme Helm cannot fetch charts from (use https:// or oci://)');
  if (v.includes('/') || v.startsWith('.') || v.startsWith('~')) {
    let entries: string[];
    try {
      entries = listDir(v);
    } catch (e) {
      throw new UserError(`--chart-repo "${value}": cannot read the chart directory (${(e as Error).message})`, ExitCode.usage);
    }
    return { kind: 'local', dir: v.replace(/\/+$/, ''), entries: [...entries].sort() };
  }
  if (!ALIAS.test(v)) throw bad('is not a repository alias (letters, digits, ".", "_", "-")');
  return { kind: 'alias', name: v };
}

/** One line for plans and reports: where the charts come from. */
export function describeChartSource(source: ChartSource): string {
  switch (source.kind) {
    case 'repo':
      return `Helm repository ${source.url}`;
    case 'oci':
      return `OCI registry ${source.prefix}`;
    case 'alias':
      return `Helm repository alias "${source.name}" (from the helm configuration of the machine that applies)`;
    case 'local':
      return `local chart directory ${source.dir}`;
  }
}

/** Where the source points, when that is known from the source itself (an alias is resolved at apply time). */
export function sourceLocation(source: ChartSource): string | undefined {
  return source.kind === 'repo' ? source.url : source.kind === 'oci' ? source.prefix : undefined;
}
