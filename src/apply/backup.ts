import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { Plan } from '../plan/schema.js';
import { dump } from 'js-yaml';
import type { KubeObject } from '../k8s/objects.js';
import { arrayField, stringField } from '../k8s/objects.js';
import { RESOURCES, type ResourceRef } from '../k8s/resources.js';
import type { ObjectReader } from './rollout-waiter.js';

/**
 * The `export-backup` action: a local copy of what an upgrade can change, taken before the first
 * change. Files are private (0600) because Helm values and some custom resources hold secrets.
 */

export const BACKUP_INDEX = 'index.json';
const ISTIO_CRD = /\.istio\.io$/;

export interface BackupRequest {
  directory: string;
  istioNamespace: string;
  helmReleases: { release: string; namespace: string }[];
}

export interface BackupIndex {
  createdAt: string;
  files: string[];
}

async function writePrivate(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

function clean(obj: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function yamlDocs(objs: KubeObject[]): string {
  return objs.map((o) => dump(clean(o), { noRefs: true, lineWidth: -1 })).join('---\n');
}

/** Istio's webhooks: the injectors and validators it installs, tag webhooks included. */
export function isIstioWebhook(w: KubeObject): boolean {
  const l = w.metadata.labels ?? {};
  return /istio/.test(w.metadata.name) || l['istio.io/rev'] !== undefined || l['istio.io/tag'] !== undefined || ['sidecar-injector', 'istiod'].includes(l.app ?? '');
}

export function crdResource(crd: KubeObject): ResourceRef | undefined {
  const spec = (crd as { spec?: Record<string, unknown> }).spec;
  const group = stringField(spec, 'group');
  const plural = stringField(spec, 'names', 'plural');
  const kind = stringField(spec, 'names', 'kind');
  const versions = arrayField(spec, 'versions');
  const version = stringField(versions.find((v) => (v as { storage?: boolean }).storage) ?? versions.find((v) => (v as { served?: boolean }).served), 'name');
  if (!group || !plural || !kind || !version) return undefined;
  return { group, version, plural, kind, namespaced: stringField(spec, 'scope') !== 'Cluster' };
}

export async function writeBackup(req: BackupRequest, reader: ObjectReader, helmValues: (release: string, namespace: string) => Promise<string>, now: Date): Promise<BackupIndex> {
  await mkdir(req.directory, { recursive: true, mode: 0o700 });
  await mkdir(join(req.directory, 'resources'), { recursive: true, mode: 0o700 });
  await mkdir(join(req.directory, 'values'), { recursive: true, mode: 0o700 });
  const files: string[] = [];
  const put = async (rel: string, text: string) => {
    await writePrivate(join(req.directory, rel), text);
    files.push(rel);
  };

  const crds = (await reader.list(RESOURCES.crds)).filter((c) => ISTIO_CRD.test(c.metadata.name));
  await put('crds.yaml', yamlDocs(crds));
  for (const crd of crds) {
    const ref = crdResource(crd);
    if (!ref) continue;
    const items = await reader.list(ref);
    if (items.length) await put(join('resources', `${ref.plural}.${ref.group}.yaml`), yamlDocs(items.map((i) => ({ ...i, apiVersion: `${ref.group}/${ref.version}`, kind: ref.kind }))));
  }

  const [mutating, validating] = await Promise.all([reader.list(RESOURCES.mutatingWebhooks), reader.list(RESOURCES.validatingWebhooks)]);
  await put('webhooks.yaml', yamlDocs([...mutating, ...validating].filter(isIstioWebhook)));

  for (const r of req.helmReleases) {
    await put(join('values', `${r.namespace}-${r.release}.yaml`), await helmValues(r.release, r.namespace));
  }

  const index: BackupIndex = { createdAt: now.toISOString(), files };
  await writePrivate(join(req.directory, BACKUP_INDEX), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

/** Undefined when the backup is complete, else what is missing. */
export async function backupProblem(directory: string): Promise<string | undefined> {
  let index: BackupIndex;
  try {
    index = JSON.parse(await readFile(join(directory, BACKUP_INDEX), 'utf8')) as BackupIndex;
  } catch {
    return `no backup index at ${join(directory, BACKUP_INDEX)}`;
  }
  for (const f of index.files ?? []) {
    if (!(await stat(join(directory, f)).then((s) => s.isFile(), () => false))) return `backup file ${join(directory, f)} is missing`;
  }
  return undefined;
}

/**
 * A plan names where its backup step writes. A plan file can come from anyone, so that directory must lie under the
 * working directory, unless the operator names the same directory with --backup-dir on this command line.
 */
export function checkBackupDirectories(plan: Plan, cwd: string, restated: string | undefined): void {
  for (const step of plan.steps) {
    for (const c of step.commands) {
      if (c.api?.type !== 'export-backup') continue;
      const dir = c.api.directory;
      const abs = resolve(cwd, dir);
      if (restated !== undefined && abs === resolve(cwd, restated)) continue;
      const rel = relative(cwd, abs);
      if (!dir || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
        throw new UserError(
          `step ${step.id} of the plan writes its backup to ${JSON.stringify(dir)}, which is not under the working directory ${cwd}`,
          ExitCode.blocked,
          `if that is where it belongs, say so on this command line: --backup-dir ${dir || '<dir>'}; otherwise make a new plan`,
        );
      }
    }
  }
}
