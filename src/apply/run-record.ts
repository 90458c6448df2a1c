import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Resolved } from '../plan/commands.js';
import type { Plan } from '../plan/schema.js';
import { planDigest } from '../plans/plan-integrity.js';
import { analyzeResultSchema } from './analyze-check.js';

/**
 * The record of one `apply` run: what resume, rollback and history read back. It is stored in
 * the state directory and mirrored into the cluster, so both are trust boundaries and the
 * record is validated on every read.
 */

/** paused: one part of a mesh run is done; the steps left wait for other clusters (src/apply/mesh). */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'rolled-back', 'rollback-failed', 'interrupted', 'paused'] as const;
export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'rolled-back', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * Per release a step changes: the Helm revision before and after it, and `undoneTo`, the revision its rollback left
 * (a later rollback of the same run expects the release there, not at an earlier step's `after`).
 */
const helmRevisionsSchema = z.record(z.string(), z.object({ before: z.number().nullable(), after: z.number().nullable(), undoneTo: z.number().nullable().optional() }));

export const stepRecordSchema = z.object({
  id: z.string(),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Commands of the step that completed; resume continues with the next one. */
  commandsDone: z.number().int().min(0),
  /** Keyed `namespace/release`. */
  helmRevisions: helmRevisionsSchema,
  error: z.string().optional(),
  note: z.string().optional(),
  /** The skew gate checked right before the step (the latest check): what it found in the live cluster. */
  gate: z.object({ title: z.string(), checkedAt: z.string(), passed: z.boolean(), offenders: z.array(z.string()) }).optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const ATTEMPT_KINDS = ['apply', 'resume', 're-apply', 'rollback'] as const;
export type AttemptKind = (typeof ATTEMPT_KINDS)[number];

/**
 * One process working on a run: its first apply, each resume, a rollback, a re-apply after a rollback. Who ran it and
 * with what, so the record answers an auditor's "who changed the mesh, when, from what to what, with which tools".
 */
export const attemptSchema = z.object({
  kind: z.enum(ATTEMPT_KINDS),
  startedAt: z.string(),
  /** Null while it runs (or when its process died without recording its end; the next attempt then closes it). */
  endedAt: z.string().nullable(),
  operator: z.object({
    /** The user the API server authenticated (SelfSubjectReview), else the kubeconfig's user entry. */
    name: z.string(),
    groups: z.array(z.string()).optional(),
    source: z.enum(['SelfSubjectReview', 'kubeconfig']),
    /** Who ran the process on which machine (the lock's holder identity: user@host, or ci:<job>). */
    holder: z.string(),
  }),
  toolVersion: z.string(),
  /** `helm version` / `istioctl version` of the binaries the attempt ran; null when absent or not answering. */
  clients: z.object({ helm: z.string().nullable(), istioctl: z.string().nullable() }),
  from: z.string(),
  to: z.string(),
  outcome: z.enum(RUN_STATUSES),
  error: z.string().optional(),
  /** Helm releases a killed helm call had left pending-*, and what this attempt did about each (pending-recovery.ts). */
  recovered: z.array(z.string()).optional(),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const runRecordSchema = z.object({
  runId: z.string(),
  planId: z.string(),
  planPath: z.string(),
  /** Digest of the plan at the first attempt (plan-integrity.ts); resume refuses a plan that differs. */
  planDigest: z.string().optional(),
  context: z.string(),
  clusterId: z.string().nullable(),
  istioNamespace: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(RUN_STATUSES),
  steps: z.array(stepRecordSchema),
  /** Oldest first. Absent in records written before attempts were kept. */
  attempts: z.array(attemptSchema).optional(),
  /** `istioctl analyze` before the first change and after the last step, and what the run changed (report lines). */
  analyze: z.object({ before: analyzeResultSchema.optional(), after: analyzeResultSchema.optional(), report: z.array(z.string()).optional() }).optional(),
  /** Gateway API release manifests fetched and checked before the first change (gateway-api-bundle.ts); later attempts and rollbacks refuse other bytes. */
  gatewayApiBundles: z.array(z.object({ url: z.string(), version: z.string(), channel: z.enum(['standard', 'experimental']), sha256: z.string() })).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** Sortable by time and a valid Kubernetes name suffix: `20261122-100000-a1b2c3`. */
export function newRunId(nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newRunRecord(plan: Plan, init: { runId: string; planPath: string; context: string; clusterId: string | null; now: number }): RunRecord {
  const at = new Date(init.now).toISOString();
  return {
    runId: init.runId,
    planId: plan.metadata.id,
    planPath: init.planPath,
    planDigest: planDigest(plan),
    context: init.context,
    clusterId: init.clusterId,
    istioNamespace: plan.source.istioNamespace,
    startedAt: at,
    updatedAt: at,
    status: 'running',
    steps: plan.steps.map((s) => ({ id: s.id, status: 'pending', startedAt: null, finishedAt: null, commandsDone: 0, helmRevisions: {} })),
  };
}

/** A run may only continue a plan whose steps are the ones it recorded, in the same order. */
export function recordMatchesPlan(record: RunRecord, plan: Plan): boolean {
  return record.planId === plan.metadata.id && record.steps.length === plan.steps.length && record.steps.every((s, i) => s.id === plan.steps[i]!.id);
}

export const DONE_STEP: ReadonlySet<StepStatus> = new Set(['succeeded', 'skipped']);
/** A step cut short (or stopped by --on-failure stop): the next apply continues it where it stopped. */
export const CONTINUED: ReadonlySet<StepStatus> = new Set(['running', 'failed']);

export function stepsDone(record: RunRecord): number {
  return record.steps.filter((s) => DONE_STEP.has(s.status)).length;
}

/** What a step's rollback fills in from its record: the Helm revision of each release before the step ran. */
export function resolvedFrom(rec: StepRecord | undefined): Resolved {
  return { revisionBefore: (ref) => rec?.helmRevisions[`${ref.namespace}/${ref.release}`]?.before };
}
