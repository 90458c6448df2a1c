import type { RunHistory } from './index.js';
import type { TextStyle } from '../text/style.js';
import { table } from '../text/table.js';

/** One row per attempt, newest run first, fitted to the width; the outcome coloured. */
export function renderHistoryText(doc: RunHistory, { chalk: c, width }: TextStyle): string {
  if (!doc.runs.length) return `no upgrade runs recorded in ${doc.istioNamespace} (context "${doc.context}")\n`;
  const paint = (s: string) => (s === 'succeeded' ? c.green(s) : s === 'running' || s === 'interrupted' || s === 'rolled-back' ? c.yellow(s) : c.red(s));
  const at = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');
  // One row per attempt (runs recorded before attempts were kept: one row for the run); the run's step count on its latest row.
  const rows = doc.runs.flatMap((r) => {
    const steps = `${r.stepsDone}/${r.stepsTotal}`;
    if (!r.attempts.length) return [[r.runId, '-', at(r.startedAt), '-', `${r.from ?? '?'} → ${r.to ?? '?'}`, paint(r.status), steps]];
    return r.attempts.map((a, i) => [r.runId, `${i + 1} ${a.kind}`, at(a.startedAt), a.operator.name, `${a.from} → ${a.to}`, paint(a.outcome), i === r.attempts.length - 1 ? steps : '']);
  });
  return `${table(['RUN', 'ATTEMPT', 'STARTED', 'BY', 'VERSIONS', 'OUTCOME', 'STEPS'], rows, '', width)}\n`;
}
