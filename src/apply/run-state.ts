import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OLDER_PLAN_API_VERSIONS, type Plan } from '../plan/schema.js';
import { planSchema } from '../steps/registry.js';
import { ConflictError, NotFoundError, type ConfigMapPort, type StoredConfigMap } from './ports.js';
import { runRecordSchema, type RunRecord, type RunStatus } from './run-record.js';
import type { AttemptRecorder } from './attempts.js';
import type { FoundRun } from './run-trust.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'istio-upgrade' } as const;
export const PLAN_ID_LABEL = 'istio-upgrade.io/plan-id';
const RUN_KEY = 'run.json';
const PLAN_KEY = 'plan.json';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ISTIO_UPGRADE_STATE_DIR) return env.ISTIO_UPGRADE_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(env.HOME ?? homedir(), '.local', 'state'), 'istio-upgrade');
}

export function runConfigMapName(runId: string): string {
  return `istio-upgrade-run-${runId}`;
}

function parseRecord(text: string): RunRecord | undefined {
  try {
    const r = runRecordSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** A stored plan; `olderPlan` names the apiVersion of a plan made by an older istio-upgrade (never run again). */
export interface StoredPlan {
  plan: Plan | undefined;
  olderPlan?: string;
}

function parsePlan(text: string | undefined): StoredPlan {
  if (!text) return { plan: undefined };
  try {
    const doc: unknown = JSON.parse(text);
    const r = planSchema.safeParse(doc);
    if (r.success) return { plan: r.data };
    const version = (doc as { apiVersion?: unknown } | null)?.apiVersion;
    return typeof version === 'string' && OLDER_PLAN_API_VERSIONS.includes(version) ? { plan: undefined, olderPlan: version } : { plan: undefined };
  } catch {
    return { plan: undefined };
  }
}

export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

/** `<state-dir>/runs/<run-id>/{run.json,plan.json,run.log}`, private to the user. */
export class LocalRunStore {
  constructor(readonly stateDir: string) {}

  dir(runId: string): string {
    return join(this.stateDir, 'runs', runId);
  }

  logPath(runId: string): string {
    return join(this.dir(runId), 'run.log');
  }

  async save(record: RunRecord): Promise<void> {
    await mkdir(this.dir(record.runId), { recursive: true, mode: 0o700 });
    await writeAtomic(join(this.dir(record.runId), RUN_KEY), `${JSON.stringify(record, null, 2)}\n`);
  }

  async savePlan(runId: string, plan: Plan): Promise<void> {
    await mkdir(this.dir(runId), { recursive: true, mode: 0o700 });
    await writeAtomic(join(this.dir(runId), PLAN_KEY), `${JSON.stringify(plan, null, 2)}\n`);
  }

  async load(runId: string): Promise<RunRecord | undefined> {
    return parseRecord(await readFile(join(this.dir(runId), RUN_KEY), 'utf8').catch(() => ''));
  }

  async loadPlan(runId: string): Promise<Plan | undefined> {
    return (await this.loadStoredPlan(runId)).plan;
  }

  async loadStoredPlan(runId: string): Promise<StoredPlan> {
    return parsePlan(await readFile(join(this.dir(runId), PLAN_KEY), 'utf8').catch(() => undefined));
  }

  async list(): Promise<RunRecord[]> {
    const ids = await readdir(join(this.stateDir, 'runs')).catch(() => [] as string[]);
    const out: RunRecord[] = [];
    for (const id of ids) {
      const r = await this.load(id);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * A sink for subprocess output; the file is created 0600 because rendered manifests land there. Every line starts
   * with the time it was written (ISO 8601, UTC), so the log lines up with the run record and the cluster's events.
   */
  logSink(runId: string, now: () => number = Date.now): (text: string) => void {
    const path = this.logPath(runId);
    return (text) => {
      mkdirSync(this.dir(runId), { recursive: true, mode: 0o700 });
      appendFileSync(path, timestampLines(text, new Date(now()).toISOString()), { mode: 0o600 });
    };
  }
}

/** Prefixes each non-empty line of a chunk (the sinks receive whole lines) with `at`. */
export function timestampLines(text: string, at: string): string {
  return text.replace(/^(?=[^\n])/gm, `${at} `);
}

/**
 * Mirrors run records into ConfigMaps in the Istio namespace, so a resume or rollback from
 * another machine (a new CI job) finds them. The plan travels along for the same reason.
 */
export class ConfigMapMirror {
  private readonly versions = new Map<string, string>();
  private readonly plans = new Map<string, string>();

  constructor(
    private readonly port: ConfigMapPort,
    private readonly namespace: string,
  ) {}

  rememberPlan(runId: string, plan: Plan): void {
    this.plans.set(runId, JSON.stringify(plan));
  }

  async save(record: RunRecord): Promise<void> {
    const name = runConfigMapName(record.runId);
    const body = (resourceVersion?: string): StoredConfigMap => ({
      name,
      labels: { ...MANAGED_BY, [PLAN_ID_LABEL]: labelValue(record.planId) },
      data: { [RUN_KEY]: JSON.stringify(record), ...(this.plans.has(record.runId) ? { [PLAN_KEY]: this.plans.get(record.runId)! } : {}) },
      ...(resourceVersion ? { resourceVersion } : {}),
    });
    let rv = this.versions.get(name);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const saved = rv === undefined ? await this.port.create(this.namespace, body()) : await this.port.replace(this.namespace, body(rv));
        if (saved.resourceVersion) this.versions.set(name, saved.resourceVersion);
        return;
      } catch (e) {
        // Deleted since our last write (by hand, or by a cleanup): the record is evidence worth keeping, write it anew.
        if (e instanceof NotFoundError) {
          rv = undefined;
          continue;
        }
        if (!(e instanceof ConflictError)) throw e;
        // Someone else wrote it (or it exists from an earlier process): take the current version and write ours over it.
        const current = await this.port.get(this.namespace, name);
        if (current?.data[PLAN_KEY] && !this.plans.has(record.runId)) this.plans.set(record.runId, current.data[PLAN_KEY]);
        rv = current?.resourceVersion;
      }
    }
    throw new Error(`could not write ConfigMap ${this.namespace}/${name}: it kept changing (409 Conflict five times)`);
  }

  async load(runId: string): Promise<({ record: RunRecord } & StoredPlan) | undefined> {
    const cm = await this.port.get(this.namespace, runConfigMapName(runId));
    return cm ? this.decode(cm) : undefined;
  }

  async list(planId?: string): Promise<({ record: RunRecord } & StoredPlan)[]> {
    const selector = `app.kubernetes.io/managed-by=istio-upgrade${planId ? `,${PLAN_ID_LABEL}=${labelValue(planId)}` : ''}`;
    const cms = await this.port.list(this.namespace, selector);
    return cms.map((cm) => this.decode(cm)).filter((x): x is { record: RunRecord } & StoredPlan => x !== undefined);
  }

  private decode(cm: StoredConfigMap): ({ record: RunRecord } & StoredPlan) | undefined {
    const record = parseRecord(cm.data[RUN_KEY] ?? '');
    if (!record) return undefined;
    if (cm.resourceVersion) this.versions.set(cm.name, cm.resourceVersion);
    if (cm.data[PLAN_KEY]) this.plans.set(record.runId, cm.data[PLAN_KEY]);
    return { record, ...parsePlan(cm.data[PLAN_KEY]) };
  }
}

/** Label values are at most 63 characters of [A-Za-z0-9._-]; plan ids already are, this guards hand-made ones. */
function labelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * Every checkpoint goes to the local file first (it must succeed: it is what resume needs on
 * this machine) and then to the cluster, where a failure is reported but does not stop the run.
 */
export class CheckpointStore {
  constructor(
    readonly local: LocalRunStore,
    readonly mirror: ConfigMapMirror | undefined,
    private readonly warn: (message: string) => void,
    private readonly now: () => number,
  ) {}

  private mirrorFailing = false;
  private attempt: AttemptRecorder | undefined;

  /** From now on every checkpoint carries this process's attempt (attempts.ts). */
  beginAttempt(recorder: AttemptRecorder): void {
    this.attempt = recorder;
  }

  /** Closes the attempt with its outcome and checkpoints it; nothing when no checkpoint was written (a refusal). */
  async endAttempt(outcome: RunStatus, error?: string): Promise<void> {
    const record = await this.attempt?.finish(outcome, error);
    if (record) await this.save(record);
  }

  async savePlan(runId: string, plan: Plan): Promise<void> {
    await this.local.savePlan(runId, plan);
    this.mirror?.rememberPlan(runId, plan);
  }

  async save(record: RunRecord): Promise<void> {
    await this.attempt?.stamp(record);
    record.updatedAt = new Date(this.now()).toISOString();
    await this.local.save(record);
    if (!this.mirror) return;
    try {
      await this.mirror.save(record);
      this.mirrorFailing = false;
    } catch (e) {
      if (!this.mirrorFailing) this.warn(`could not mirror run ${record.runId} to its ConfigMap (continuing with the local record): ${(e as Error).message.split('\n')[0]}`);
      this.mirrorFailing = true;
    }
  }

  /**
   * Every copy of every run (of one plan, or all), each with where it came from and the plan stored with it:
   * what the trust rules (run-trust.ts) choose from.
   */
  async candidates(planId?: string, runId?: string): Promise<FoundRun[]> {
    const out: FoundRun[] = [];
    for (const r of await this.local.list()) {
      if ((planId && r.planId !== planId) || (runId && r.runId !== runId)) continue;
      out.push({ record: r, ...(await this.local.loadStoredPlan(r.runId)), origin: 'local' });
    }
    if (this.mirror) {
      const remote = await this.mirror.list(planId).catch((e: Error) => {
        this.warn(`could not list run ConfigMaps: ${e.message.split('\n')[0]}`);
        return [];
      });
      for (const { record, ...stored } of remote) {
        if ((planId && record.planId !== planId) || (runId && record.runId !== runId)) continue;
        out.push({ record, ...stored, origin: 'cluster' });
      }
    }
    return out;
  }

  /** Local and cluster records of one plan (or all), the newer copy of each run winning. */
  async runs(planId?: string): Promise<RunRecord[]> {
    const byId = new Map<string, RunRecord>();
    const add = (r: RunRecord) => {
      const seen = byId.get(r.runId);
      if (!seen || seen.updatedAt < r.updatedAt) byId.set(r.runId, r);
    };
    for (const r of await this.local.list()) if (!planId || r.planId === planId) add(r);
    if (this.mirror) {
      const remote = await this.mirror.list(planId).catch((e: Error) => {
        this.warn(`could not list run ConfigMaps: ${e.message.split('\n')[0]}`);
        return [];
      });
      for (const { record } of remote) if (!planId || record.planId === planId) add(record);
    }
    return [...byId.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async load(runId: string): Promise<{ record: RunRecord; plan: Plan | undefined } | undefined> {
    const local = await this.local.load(runId);
    const remote = this.mirror ? await this.mirror.load(runId).catch(() => undefined) : undefined;
    const record = local && remote ? (local.updatedAt >= remote.record.updatedAt ? local : remote.record) : (local ?? remote?.record);
    if (!record) return undefined;
    // A plan that came from the cluster is never written to the state directory: that would make it look local.
    const plan = (await this.local.loadPlan(runId)) ?? remote?.plan;
    if (plan) this.mirror?.rememberPlan(runId, plan);
    return { record, plan };
  }
}
