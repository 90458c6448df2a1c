import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { newRunId, RUN_STATUSES } from '../run-record.js';
import { ConflictError, type ConfigMapPort } from '../ports.js';
import { MANAGED_BY, writeAtomic } from '../run-state.js';

export const MESH_RUN_LABEL = 'istio-upgrade.io/mesh-run';
const MESH_RUN_KEY = 'mesh-run.json';

const partStatuses = ['pending', 'succeeded', 'failed', 'rolled-back'] as const;

/**
 * One mesh run: which run of the single-cluster executor applied each cluster's plan, how far the mesh order got, and
 * the cross-cluster checks made between its parts. Each cluster's own run record (with its checkpoints) stays the
 * source of truth for resume and rollback; this record ties them together and is kept as evidence, locally and in
 * every cluster of the mesh.
 */
export const meshRunRecordSchema = z.object({
  apiVersion: z.literal('istio-upgrade/v1'),
  kind: z.literal('MeshRun'),
  meshRunId: z.string(),
  planId: z.string(),
  planPath: z.string(),
  digest: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(RUN_STATUSES),
  clusters: z.array(
    z.object({
      name: z.string(),
      context: z.string(),
      clusterId: z.string().nullable(),
      /** The executor's run of this cluster's plan; null until its first part starts. */
      runId: z.string().nullable(),
      status: z.enum([...RUN_STATUSES, 'pending']),
    }),
  ),
  parts: z.array(z.object({ index: z.number(), cluster: z.string(), steps: z.array(z.string()), status: z.enum(partStatuses), finishedAt: z.string().nullable() })),
  /** Cross-cluster conditions checked after a part: each remote's injector on a revision its primary runs. */
  checks: z.array(z.object({ afterPart: z.number(), at: z.string(), ok: z.boolean(), problems: z.array(z.string()) })),
});
export type MeshRunRecord = z.infer<typeof meshRunRecordSchema>;

/** `mesh-` and the form of a run id: a ConfigMap name part (lower case), told apart from single-cluster runs. */
export function newMeshRunId(nowMs: number): string {
  return `mesh-${newRunId(nowMs)}`;
}

export function isMeshRunId(id: string): boolean {
  return id.startsWith('mesh-');
}

function parse(text: string): MeshRunRecord | undefined {
  try {
    const r = meshRunRecordSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Mesh run records on this machine: `<state dir>/mesh-runs/<id>.json`. */
export class LocalMeshRuns {
  constructor(readonly stateDir: string) {}

  private dir(): string {
    return join(this.stateDir, 'mesh-runs');
  }

  async save(r: MeshRunRecord): Promise<void> {
    await mkdir(this.dir(), { recursive: true, mode: 0o700 });
    await writeAtomic(join(this.dir(), `${r.meshRunId}.json`), `${JSON.stringify(r, null, 2)}\n`);
  }

  async load(id: string): Promise<MeshRunRecord | undefined> {
    return parse(await readFile(join(this.dir(), `${id}.json`), 'utf8').catch(() => ''));
  }

  /** Newest first. */
  async list(planId?: string): Promise<MeshRunRecord[]> {
    const names = await readdir(this.dir()).catch(() => [] as string[]);
    const all = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.load(n.replace(/\.json$/, ''))));
    return all.filter((r): r is MeshRunRecord => !!r && (!planId || r.planId === planId)).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}

/** The copy in one cluster's Istio namespace (`istio-upgrade-mesh-<id>`): evidence for `history`, never steering a run. */
export class MeshRunMirror {
  private version: string | undefined;

  constructor(
    private readonly port: ConfigMapPort,
    private readonly namespace: string,
  ) {}

  async save(r: MeshRunRecord): Promise<void> {
    const name = `istio-upgrade-${r.meshRunId}`;
    const body = { name, labels: { ...MANAGED_BY, [MESH_RUN_LABEL]: r.meshRunId }, data: { [MESH_RUN_KEY]: JSON.stringify(r) } };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const saved = this.version === undefined ? await this.port.create(this.namespace, body) : await this.port.replace(this.namespace, { ...body, resourceVersion: this.version });
        this.version = saved.resourceVersion;
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        this.version = (await this.port.get(this.namespace, name))?.resourceVersion;
      }
    }
    throw new Error(`could not write ConfigMap ${this.namespace}/${name}: it kept changing (409 Conflict five times)`);
  }

  async list(): Promise<MeshRunRecord[]> {
    const cms = await this.port.list(this.namespace, MESH_RUN_LABEL);
    return cms.map((cm) => parse(cm.data[MESH_RUN_KEY] ?? '')).filter((r): r is MeshRunRecord => !!r);
  }
}
