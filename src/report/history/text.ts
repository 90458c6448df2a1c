import type { RunHistory } from './index.js';
import type { TextStyle } from '../text/style.js';
import { table } from '../text/table.js';

/** One row per attempt, newest run first, fitted to the width; the outcome coloured. */
export function renderHistoryText(doc: RunHistory, style: TextStyle): string {
  const { chalk: c, width } = style;
  if (!doc.runs.length && !doc.meshRuns.length) return `no upgrade runs recorded in ${doc.istioNamespace} (context "${doc.context}")\n`;
  const paint = statusPainter(style);
  const at = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');
  // One row per attempt (runs recorded before attempts were kept: one row for the run); the run's step count on its latest row.
  const rows = doc.runs.flatMap((r) => {
    const steps = `${r.stepsDone}/${r.stepsTotal}`;
    if (!r.attempts.length) return [[r.runId, '-', at(r.startedAt), '-', `${r.from ?? '?'} → ${r.to ?? '?'}`, paint(r.status), steps]];
    return r.attempts.map((a, i) => [r.runId, `${i + 1} ${a.kind}`, at(a.startedAt), a.operator.name, `${a.from} → ${a.to}`, paint(a.outcome), i === r.attempts.length - 1 ? steps : '']);
  });
  const runs = rows.length ? `${table(['RUN', 'ATTEMPT', 'STARTED', 'BY', 'VERSIONS', 'OUTCOME', 'STEPS'], rows, '', width)}\n` : '';
  return `${runs}${renderMeshRuns(doc, style)}`;
}

function statusPainter({ chalk: c }: TextStyle): (s: string) => string {
  return (s) => (s === 'succeeded' ? c.green(s) : s === 'running' || s === 'interrupted' || s === 'rolled-back' || s === 'paused' || s === 'pending' ? c.yellow(s) : c.red(s));
}

/** One row per cluster of each mesh run: its context, its own run (listed above when it ran here) and how it ended. */
function renderMeshRuns(doc: RunHistory, style: TextStyle): string {
  if (!doc.meshRuns.length) return '';
  const paint = statusPainter(style);
  const rows = doc.meshRuns.flatMap((m) =>
    m.clusters.map((c, i) => {
      const parts = m.parts.filter((p) => p.cluster === c.name);
      const done = parts.filter((p) => p.status === 'succeeded').length;
      return [i === 0 ? m.meshRunId : '', i === 0 ? paint(m.status) : '', c.name, c.context, c.runId ?? '-', paint(c.status), `${done}/${parts.length}`];
    }),
  );
  return `\nmesh runs:\n${table(['MESH RUN', 'STATUS', 'CLUSTER', 'CONTEXT', 'RUN', 'OUTCOME', 'PARTS'], rows, '', style.width)}\n`;
}
