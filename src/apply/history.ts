import type { ConfigMapPort } from './ports.js';
import { stepsDone, type Attempt, type RunStatus } from './run-record.js';
import { ConfigMapMirror } from './run-state.js';

export interface HistoryEntry {
  runId: string;
  planId: string;
  startedAt: string;
  updatedAt: string;
  status: RunStatus;
  context: string;
  /** The plan's versions (null when the ConfigMap carries no plan). */
  from: string | null;
  to: string | null;
  stepsDone: number;
  stepsTotal: number;
  /** Oldest first; empty for runs recorded before attempts were kept. */
  attempts: Attempt[];
}

/** Past runs as recorded in the cluster (every machine's runs, unlike the local state directory), newest first. */
export async function listRunHistory(port: ConfigMapPort, istioNamespace: string): Promise<HistoryEntry[]> {
  const runs = await new ConfigMapMirror(port, istioNamespace).list();
  return runs
    .map(({ record: r, plan }) => ({
      runId: r.runId,
      planId: r.planId,
      startedAt: r.startedAt,
      updatedAt: r.updatedAt,
      status: r.status,
      context: r.context,
      from: plan?.source.version ?? null,
      to: plan?.target.version ?? null,
      stepsDone: stepsDone(r),
      stepsTotal: r.steps.length,
      attempts: r.attempts ?? [],
    }))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}
