import { basename, dirname, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { ExitCode, UserError } from '../errors.js';
import { discover } from '../k8s/discover/index.js';
import type { ClusterSource } from '../k8s/source.js';
import { readSnapshotFile, SnapshotSource } from '../k8s/snapshot.js';
import type { MeshMemberInput } from '../plans/mesh/index.js';
import { readRegularFile } from '../util/regular-file.js';
import { formatZodIssue } from '../util/zod-errors.js';
import { connectionFrom } from './connection.js';
import { validateNamespace } from './options.js';

/** status/plan flags when several clusters may be given: --context and --snapshot repeat, or --mesh names them. */
export interface MeshSelectionOptions {
  kubeconfig?: string;
  context?: string | string[];
  snapshot?: string | string[];
  mesh?: string;
  requestTimeout?: string;
  kubernetesVersion?: string;
  istioNamespace: string;
}

export function isMeshSelection(o: MeshSelectionOptions): boolean {
  return o.mesh !== undefined || Array.isArray(o.context) || Array.isArray(o.snapshot);
}

const meshFileSchema = z.object({
  apiVersion: z.literal('istio-upgrade/v1').optional(),
  kind: z.literal('Mesh').optional(),
  clusters: z
    .array(
      z
        .object({
          name: z.string().min(1).optional(),
          kubeconfig: z.string().min(1).optional(),
          context: z.string().min(1).optional(),
          snapshot: z.string().min(1).optional(),
          role: z.enum(['primary', 'remote']).optional(),
          istioNamespace: z.string().optional(),
        })
        .strict()
        .refine((c) => !(c.snapshot && (c.kubeconfig || c.context)), 'a cluster is read from a snapshot or from a kubeconfig context, not both'),
    )
    .min(2, 'a mesh file names at least two clusters'),
});

interface MemberSource {
  label: string;
  open: () => Promise<ClusterSource>;
  role?: 'primary' | 'remote';
  istioNamespace: string;
}

/** Reads every cluster given (in parallel) and discovers its inventory. */
export async function readMeshMembers(o: MeshSelectionOptions): Promise<MeshMemberInput[]> {
  const sources = o.mesh ? await fromMeshFile(o) : fromFlags(o);
  const labels = new Set<string>();
  for (const s of sources) {
    if (labels.has(s.label)) throw new UserError(`cluster ${s.label} is given twice`, ExitCode.usage);
    labels.add(s.label);
  }
  return Promise.all(
    sources.map(async (s) => {
      const inventory = await discover(await s.open(), { istioNamespace: validateNamespace(s.istioNamespace) });
      return { label: s.label, inventory, ...(s.role ? { role: s.role } : {}) };
    }),
  );
}

function fromFlags(o: MeshSelectionOptions): MemberSource[] {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const contexts = list(o.context);
  const snapshots = list(o.snapshot);
  if (contexts.length && snapshots.length) throw new UserError('give the clusters of a mesh either as --context (live) or as --snapshot files, not both; a --mesh file can mix them', ExitCode.usage);
  if (snapshots.length) return snapshots.map((file) => snapshotMember(file, o.kubernetesVersion, o.istioNamespace));
  return contexts.map((context) => liveMember(context, o.kubeconfig, o));
}

async function fromMeshFile(o: MeshSelectionOptions): Promise<MemberSource[]> {
  if (o.context !== undefined || o.snapshot !== undefined) throw new UserError('--mesh names the clusters: do not combine it with --context or --snapshot', ExitCode.usage);
  const path = o.mesh!;
  const text = await readRegularFile(path, { what: 'mesh file', maxBytes: 1024 * 1024, fix: 'pass a YAML file with clusters: [{name, context | snapshot, role}]' });
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    throw new UserError(`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`, ExitCode.usage);
  }
  const parsed = meshFileSchema.safeParse(doc);
  if (!parsed.success) throw new UserError(`${path}: ${formatZodIssue(parsed.error)}`, ExitCode.usage);
  // Files named in a mesh file are relative to it, so the file works from any directory.
  const near = (f: string) => resolve(dirname(path), f);
  return parsed.data.clusters.map((c, i) => {
    const ns = c.istioNamespace ?? o.istioNamespace;
    const role = c.role ? { role: c.role } : {};
    if (c.snapshot) return { ...snapshotMember(near(c.snapshot), o.kubernetesVersion, ns, c.name), ...role };
    if (!c.context && !c.kubeconfig) throw new UserError(`${path}: cluster ${c.name ?? i + 1} names neither a context nor a snapshot`, ExitCode.usage);
    return { ...liveMember(c.context, c.kubeconfig ? near(c.kubeconfig) : o.kubeconfig, { ...o, istioNamespace: ns }, c.name), ...role };
  });
}

function snapshotMember(file: string, kubernetesVersion: string | undefined, istioNamespace: string, name?: string): MemberSource {
  return { label: name ?? basename(file).replace(/\.(ya?ml|json)$/, ''), istioNamespace, open: async () => new SnapshotSource(await readSnapshotFile(file, kubernetesVersion)) };
}

function liveMember(context: string | undefined, kubeconfig: string | undefined, o: MeshSelectionOptions, name?: string): MemberSource {
  return {
    label: name ?? context ?? 'current-context',
    istioNamespace: o.istioNamespace,
    open: async () => {
      const { LiveSource } = await import('../k8s/live-source.js');
      return LiveSource.connect(connectionFrom({ kubeconfig, context, requestTimeout: o.requestTimeout }));
    },
  };
}
