import { listRunHistory } from '../../apply/history.js';
import { connectionFrom } from '../connection.js';
import { colorEnabled, makeChalk } from '../color.js';
import { validateNamespace } from '../options.js';
import type { ConnectionFlags } from '../options.js';
import { table } from '../render/table.js';
import { terminalWidth } from '../render/width.js';
import { renderDocument, writeStdout } from '../write-output.js';

export interface HistoryOptions extends ConnectionFlags {
  istioNamespace: string;
  output: string;
  color?: string;
}

export async function historyCommand(opts: HistoryOptions): Promise<number> {
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  const ns = validateNamespace(opts.istioNamespace);
  const cluster = await LiveCluster.connect(connectionFrom(opts), ns);
  const runs = await listRunHistory(cluster.configMaps, ns);
  if (opts.output !== 'text') {
    await writeStdout(renderDocument({ apiVersion: 'istio-upgrade/v1', kind: 'RunHistory', context: cluster.context, istioNamespace: ns, runs }, opts.output));
    return 0;
  }
  if (!runs.length) {
    await writeStdout(`no upgrade runs recorded in ${ns} (context "${cluster.context}")\n`);
    return 0;
  }
  const c = makeChalk(colorEnabled(opts.color));
  const paint = (s: string) => (s === 'succeeded' ? c.green(s) : s === 'running' || s === 'interrupted' || s === 'rolled-back' ? c.yellow(s) : c.red(s));
  const at = (iso: string | null) => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : '-');
  // One row per attempt (runs recorded before attempts were kept: one row for the run); the run's step count on its latest row.
  const rows = runs.flatMap((r) => {
    const steps = `${r.stepsDone}/${r.stepsTotal}`;
    if (!r.attempts.length) return [[r.runId, '-', at(r.startedAt), '-', `${r.from ?? '?'} → ${r.to ?? '?'}`, paint(r.status), steps]];
    return r.attempts.map((a, i) => [r.runId, `${i + 1} ${a.kind}`, at(a.startedAt), a.operator.name, `${a.from} → ${a.to}`, paint(a.outcome), i === r.attempts.length - 1 ? steps : '']);
  });
  await writeStdout(`${table(['RUN', 'ATTEMPT', 'STARTED', 'BY', 'VERSIONS', 'OUTCOME', 'STEPS'], rows, '', terminalWidth())}\n`);
  return 0;
}
