import { listRunHistory } from '../../apply/history.js';
import { MeshRunMirror } from '../../apply/mesh/record.js';
import { connectionFrom } from '../connection.js';
import { textStyle } from '../color.js';
import { validateNamespace } from '../options.js';
import type { ConnectionFlags } from '../options.js';
import { renderHistory, type RunHistory } from '../../report/history/index.js';
import { writeStdout } from '../write-output.js';

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
  const meshRuns = (await new MeshRunMirror(cluster.configMaps, ns).list()).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const doc: RunHistory = { apiVersion: 'istio-upgrade/v1', kind: 'RunHistory', context: cluster.context, istioNamespace: ns, runs, meshRuns };
  await writeStdout(renderHistory(doc, opts.output, textStyle(opts.color)));
  return 0;
}
