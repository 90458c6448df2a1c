import type { LogSink, Tool } from './ports.js';
import { clientVersionOf, type ClientVersions } from './client-versions.js';
import type { Attempt, AttemptKind, RunRecord, RunStatus } from './run-record.js';

export type Operator = Omit<Attempt['operator'], 'holder'>;

export interface AttemptSpec {
  /** A rollback, or a forward attempt whose kind (apply, resume, re-apply) the record decides. */
  rollback: boolean;
  from: string;
  to: string;
  holder: string;
  toolVersion: string;
  /** The binaries the attempt may run; their versions are recorded. */
  tools: Tool[];
  /** The minor whose istioctl is recorded (the first the plan's commands need: the one the prerequisite checks read first). */
  istioMinor?: string;
  /** The process's one reading of each client's version, shared with the prerequisite checks. */
  versions: ClientVersions;
  identify: () => Promise<Operator>;
  now: () => number;
  log?: (runId: string) => LogSink;
}

const VERSION_TIMEOUT_MS = 15_000;

/** The clients' versions for the record; a version the prerequisite checks already read is not asked again. */
export async function clientVersions(versions: ClientVersions, tools: Tool[], istioMinor?: string): Promise<Attempt['clients']> {
  const one = async (tool: Tool): Promise<string | null> => {
    const minor = tool === 'istioctl' ? istioMinor : undefined;
    if (!tools.includes(tool) || !(await versions.runner.available(tool, minor).catch(() => false))) return null;
    const r = await versions.query(tool, { istioMinor: minor, timeoutMs: VERSION_TIMEOUT_MS, signal: AbortSignal.timeout(VERSION_TIMEOUT_MS) }).catch(() => undefined);
    return (r?.ok && clientVersionOf(tool, r.stdout)) || null;
  };
  const [helm, istioctl] = await Promise.all([one('helm'), one('istioctl')]);
  return { helm, istioctl };
}

/**
 * The kind of a forward attempt, from what the record says happened before: nothing yet is an apply, continuing after
 * a rollback (a deliberate one, or the automatic one of a failed step) is a re-apply, anything else a resume.
 */
export function forwardKind(record: RunRecord, prior: Attempt | undefined): AttemptKind {
  if (prior) return prior.outcome === 'rolled-back' ? 're-apply' : 'resume';
  if (record.steps.every((s) => s.status === 'pending')) return 'apply';
  return record.steps.some((s) => s.status === 'rolled-back') ? 're-apply' : 'resume';
}

/**
 * Keeps this process's attempt on the run record it checkpoints. It opens the attempt at the first checkpoint (after
 * every pre-change check passed, so a refused command records nothing and asks the API server nothing more), and
 * the command closes it with the outcome once the executor or rollback returns.
 */
export class AttemptRecorder {
  private attempt: Attempt | undefined;
  private record: RunRecord | undefined;
  private clients: Promise<void> | undefined;

  constructor(private readonly spec: AttemptSpec) {}

  async stamp(record: RunRecord): Promise<void> {
    // One process works on one run record object; only the first checkpoint opens the attempt.
    if (this.record !== undefined) return;
    this.record = record;
    const attempts = (record.attempts ??= []);
    const prior = attempts.at(-1);
    if (prior && prior.endedAt === null) {
      prior.endedAt = record.updatedAt;
      prior.outcome = 'interrupted';
      prior.error ??= 'its process ended without recording how (killed?); closed at its last checkpoint by the next attempt';
    }
    const { spec } = this;
    // The version queries run alongside the first step (they are recorded from the next checkpoint on, and at the end).
    const attempt = { clients: { helm: null, istioctl: null } as Attempt['clients'] };
    this.clients = clientVersions(spec.versions, spec.tools, spec.istioMinor).then((c) => {
      attempt.clients = c;
      if (this.attempt) this.attempt.clients = c;
    });
    const operator = await spec.identify();
    this.attempt = {
      kind: spec.rollback ? 'rollback' : forwardKind(record, prior),
      startedAt: new Date(spec.now()).toISOString(),
      endedAt: null,
      operator: { ...operator, holder: spec.holder },
      toolVersion: spec.toolVersion,
      clients: attempt.clients,
      from: spec.from,
      to: spec.to,
      outcome: 'running',
    };
    attempts.push(this.attempt);
    const a = this.attempt;
    spec.log?.(record.runId)(`\n# attempt ${attempts.length} (${a.kind}) of run ${record.runId}: ${a.from} → ${a.to}, by ${a.operator.name} (${a.operator.source}) as ${a.operator.holder}, istio-upgrade ${a.toolVersion}\n`);
  }

  /** The record to checkpoint once more with the attempt closed; undefined when no attempt was opened. */
  async finish(outcome: RunStatus, error?: string): Promise<RunRecord | undefined> {
    if (!this.attempt || !this.record) return undefined;
    await this.clients;
    this.attempt.endedAt = new Date(this.spec.now()).toISOString();
    this.attempt.outcome = outcome;
    if (error !== undefined) this.attempt.error = error;
    const c = this.attempt.clients;
    this.spec.log?.(this.record.runId)(`# attempt ${this.record.attempts!.length} (${this.attempt.kind}) ended: ${outcome}${error ? ` — ${error}` : ''} (helm ${c.helm ?? '-'}, istioctl ${c.istioctl ?? '-'})\n`);
    return this.record;
  }
}
