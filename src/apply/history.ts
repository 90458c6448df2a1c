import type { ConfigMapPort } from './ports.js';
import { stepsDone, type RunStatus } from './run-record.js';
import { ConfigMapMirror } from './run-state.js';

export interface HistoryEntry {
  runId: string;
  planId: string;
  startedAt: string;
  updatedAt: string;
  status: RunStatus;
  context: string;
  stepsDone: number;
  stepsTotal: number;
}

/** Past runs as recorded in the cluster (every machine's runs, unlike the local state directory), newest first. */
export async function listRunHistory(port: ConfigMapPort, istioNamespace: string): Promise<HistoryEntry[]> {
  const runs = await new ConfigMapMirror(port, istioNamespace).list();
  return runs
    .map(({ record: r }) => ({
      runId: r.runId,
      planId: r.planId,
      startedAt: r.startedAt,
      updatedAt: r.updatedAt,
      status: r.status,
      context: r.context,
      stepsDone: stepsDone(r),
      stepsTotal: r.steps.length,
    }))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}
