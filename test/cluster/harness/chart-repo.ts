/**
 * Packages the project's Istio-shaped charts (test/cluster/charts) for each Istio version with the real helm
 * (`helm package`, `helm repo index`) and serves them from a loopback HTTP chart repository, so `helm repo add
 * istio <url>` and `--repo <url>` work as with the official repository.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { acceptedCompatibilityVersions } from '../../fakebin/src/charts.js';
import { atLeast, baseCrds, type K8sObject } from '../../support/istio-render/index.js';

export const CHARTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'charts');
const CHART_NAMES = ['base', 'istiod', 'cni', 'ztunnel', 'gateway'] as const;

const minor = (v: string) => Number(v.split('.')[1]);

/** `# istio-upgrade: 1.24-` on a template's first line: packaged only for versions in that range of minors. */
function included(text: string, version: string): boolean {
  const m = /^# istio-upgrade: (1\.\d+)?-(1\.\d+)?\s*$/m.exec(text.split('\n')[0] ?? '');
  if (!m) return true;
  if (m[1] && minor(version) < minor(m[1])) return false;
  if (m[2] && minor(version) > minor(m[2])) return false;
  return true;
}

/** The Istio CRDs of a version as a YAML stream; from 1.24 as a template whose labels are the chart's. */
function crdYaml(version: string): string {
  const docs = baseCrds({ version, owner: { kind: 'legacy' } }).map((crd: K8sObject) => {
    const { uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = crd.metadata as Record<string, unknown>;
    const spec = crd.spec as { versions: Record<string, unknown>[] };
    spec.versions = spec.versions.map((v) => ({ ...v, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }));
    return { apiVersion: crd.apiVersion, kind: crd.kind, metadata, spec };
  });
  if (!atLeast(version, '1.24')) return docs.map((d) => `---\n${yaml.dump(d, { lineWidth: -1 })}`).join('');
  // 1.24+: templates/crds.yaml replaces the static labels with `istio.labels`
  return [
    '{{- if .Values.base.enableCRDTemplates }}',
    ...docs.map((d) => {
      const { labels: _l, ...metadata } = d.metadata as Record<string, unknown>;
      const text = yaml.dump({ ...d, metadata: { ...metadata, labels: { __LABELS__: '' } } }, { lineWidth: -1 });
      return `---\n${text.replace(/^( +)__LABELS__: ''$/m, (_m, indent: string) => `${indent}{{- include "istio.chartLabels" . | nindent ${indent.length} }}`)}`;
    }),
    '{{- end }}',
    '',
  ].join('\n');
}

function stageChart(chart: (typeof CHART_NAMES)[number], version: string, stage: string): string {
  const dir = join(stage, `${chart}-${version}`, chart);
  mkdirSync(join(dir, 'templates'), { recursive: true });
  const src = join(CHARTS_DIR, chart);
  writeFileSync(
    join(dir, 'Chart.yaml'),
    yaml.dump({ apiVersion: 'v2', name: chart, version, appVersion: version, description: `Istio-shaped ${chart} chart for istio-upgrade's real-cluster tests`, type: 'application' }),
  );
  const values = yaml.load(readFileSync(join(src, 'values.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  if (chart === 'base') values.base!.enableCRDTemplates = atLeast(version, '1.24');
  writeFileSync(join(dir, 'values.yaml'), yaml.dump(values));
  for (const f of readdirSync(join(src, 'templates'))) {
    const text = readFileSync(join(src, 'templates', f), 'utf8');
    if (included(text, version)) writeFileSync(join(dir, 'templates', f), text);
  }
  copyFileSync(join(CHARTS_DIR, 'common', '_istio-common.tpl'), join(dir, 'templates', '_istio-common.tpl'));
  mkdirSync(join(dir, 'files'));
  writeFileSync(join(dir, 'files', 'compatibility-versions.txt'), acceptedCompatibilityVersions(version).join(','));
  if (chart === 'base') {
    if (atLeast(version, '1.24')) writeFileSync(join(dir, 'templates', 'crds.yaml'), crdYaml(version));
    else {
      mkdirSync(join(dir, 'crds'));
      writeFileSync(join(dir, 'crds', 'crd-all.gen.yaml'), crdYaml(version));
    }
  }
  return dir;
}

/** Packages every chart at every version into `out` (with index.yaml); reused when `out` already has them. */
export function packageCharts(helm: string, versions: string[], out: string): void {
  const key = JSON.stringify({ versions, sources: fingerprint(CHARTS_DIR) });
  if (existsSync(join(out, 'index.yaml')) && existsSync(join(out, '.key')) && readFileSync(join(out, '.key'), 'utf8') === key) return;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const stage = join(out, '.stage');
  const dirs = versions.flatMap((v) => CHART_NAMES.map((c) => stageChart(c, v, stage)));
  execFileSync(helm, ['package', '-d', out, ...dirs], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync(helm, ['repo', 'index', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  rmSync(stage, { recursive: true, force: true });
  writeFileSync(join(out, '.key'), key);
}

function fingerprint(dir: string): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else parts.push(`${p}:${readFileSync(p, 'utf8').length}:${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return parts.join('|');
}

export interface ChartRepo {
  url: string;
  dir: string;
  /** Every request path served (chart downloads show which versions helm fetched). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` (index.yaml + .tgz) on 127.0.0.1. */
export async function serveChartRepo(dir: string): Promise<ChartRepo> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = join(dir, path.replace(/^\/+/, ''));
    if (!/^\/[\w.-]+$/.test(path) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': path.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

