import { appendFileSync } from 'node:fs';

/** One line of `--events <file>`: a machine-readable trail of the run, step by step. */
export interface StepEvent {
  ts: string;
  runId: string;
  stepId: string;
  kind: string;
  event: 'started' | 'command' | 'succeeded' | 'failed' | 'rolled-back' | 'skipped';
  durationMs?: number;
  error?: string;
  /** For `command`: index of the command in the step, from 0. */
  command?: number;
  note?: string;
}

export interface EventSink {
  emit(event: StepEvent): void;
}

export const noEvents: EventSink = { emit: () => undefined };

/** Appends NDJSON synchronously, so the file is complete even when the process is killed right after. */
export function fileEventSink(path: string): EventSink {
  return { emit: (event) => appendFileSync(path, `${JSON.stringify(event)}\n`) };
}
