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
  const rows = runs.map((r) => [r.runId, r.planId, r.startedAt.replace(/\.\d{3}Z$/, 'Z'), paint(r.status), `${r.stepsDone}/${r.stepsTotal}`]);
  await writeStdout(`${table(['RUN', 'PLAN', 'STARTED', 'STATUS', 'STEPS'], rows, '', terminalWidth())}\n`);
  return 0;
}
