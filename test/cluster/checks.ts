/** Reading the real cluster back: Helm's own release records (through helm), tags, webhook targets, proxies. */
import { expect } from 'vitest';
import type { KubeObject } from './harness/api.js';
import type { RealCluster } from './harness/cluster.js';
import type { RunRecord } from '../../src/apply/run-record.js';
import type { Plan } from '../../src/plan/schema.js';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface HelmListEntry {
  name: string;
  namespace: string;
  revision: string | number;
  status: string;
  chart: string;
  app_version: string;
}

/**
 * Every release in any status, by `namespace/name` → `chart status` (e.g. `istiod-1.24.6 deployed`). Helm 3 lists
 * only deployed and failed releases unless given `-a`; Helm 4 lists every status and has no `-a`.
 */
export async function releases(c: RealCluster): Promise<Record<string, string>> {
  const list = JSON.parse(await c.helmOk(['list', '-A', ...(c.helmMajor === 3 ? ['-a'] : []), '-o', 'json'])) as HelmListEntry[];
  return Object.fromEntries(list.map((r) => [`${r.namespace}/${r.name}`, `${r.chart} ${r.status}`]));
}

/** `helm history` of a release: revision, status, chart, description. */
export async function history(c: RealCluster, namespace: string, name: string): Promise<{ revision: number; status: string; chart: string; description: string; updated: string }[]> {
  return JSON.parse(await c.helmOk(['history', name, '-n', namespace, '-o', 'json'])) as { revision: number; status: string; chart: string; description: string; updated: string }[];
}

type Mwc = KubeObject & { webhooks: { name: string; clientConfig: { caBundle?: string; service?: { name: string; namespace: string } } }[] };

/** The revision a tag's webhooks point at, after checking that their Service exists and has a ready istiod behind it. */
export async function tagTarget(c: RealCluster, tag: string): Promise<{ revisionLabel: string | undefined; service: string; servedBy: string[] }> {
  const mwc = await c.api.get<Mwc>('MutatingWebhookConfiguration', `istio-revision-tag-${tag}`);
  if (!mwc) throw new Error(`no tag ${tag}`);
  const services = [...new Set(mwc.webhooks.map((w) => `${w.clientConfig.service!.namespace}/${w.clientConfig.service!.name}`))];
  expect(services, `tag ${tag} webhooks point at one Service`).toHaveLength(1);
  const [ns, name] = services[0]!.split('/') as [string, string];
  const ep = await c.api.get<KubeObject & { subsets?: { addresses?: { targetRef?: { name: string } }[] }[] }>('Endpoints', name, ns);
  const servedBy = (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.targetRef?.name ?? '?'));
  return { revisionLabel: mwc.metadata.labels?.['istio.io/rev'], service: services[0]!, servedBy };
}

export function localRuns(c: RealCluster): RunRecord[] {
  const dir = join(c.stateDir, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(join(dir, id, 'run.json'), 'utf8')) as RunRecord);
}

export async function clusterRun(c: RealCluster, runId: string): Promise<RunRecord | undefined> {
  const cm = await c.api.get<KubeObject & { data?: Record<string, string> }>('ConfigMap', `istio-upgrade-run-${runId}`, 'istio-system');
  return cm?.data?.['run.json'] ? (JSON.parse(cm.data['run.json']) as RunRecord) : undefined;
}

/** Creation times (ms) of the running pods of a namespace/app. */
export async function podCreations(c: RealCluster, namespace: string, app: string): Promise<number[]> {
  const pods = await c.api.list('Pod', namespace, { labelSelector: `app=${app}` });
  return pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => Date.parse(String(p.metadata.creationTimestamp)));
}

/** Child processes of `pid` with their argv (from /proc). */
export function childProcesses(pid: number): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== pid) continue;
      out.push({ pid: Number(d), argv: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** `plan <args> --out <work>/<name>`, expected to succeed; returns the file and the plan it holds. */
export async function planToFile(c: RealCluster, args: string[], name = 'plan.json'): Promise<{ path: string; plan: Plan }> {
  const path = join(c.work, name);
  // The loopback repository stands in for Istio's: the plan names it through the alias the harness added, as an
  // operator with a mirror would (the default source is Istio's own repository, which this machine cannot reach).
  const p = await c.cli(['plan', ...args, '--chart-repo', 'istio', '--out', path]);
  expect(p.exitCode, p.stderr).toBe(0);
  return { path, plan: JSON.parse(readFileSync(path, 'utf8')) as Plan };
}

/** `<op> <namespace>/<release>` of every plan command that has Helm 4 apply client-side (`--server-side=false`), sorted. */
export function clientSideCommands(plan: Plan): string[] {
  return plan.steps
    .flatMap((s) => s.commands)
    .filter((x) => x.argv.includes('--server-side=false'))
    .map((x) => `${x.helm!.op} ${x.helm!.namespace}/${x.helm!.release}`)
    .sort();
}
