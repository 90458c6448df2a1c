import { parseDuration } from '../../apply/duration.js';
import { connectionFrom } from '../connection.js';
import { holderIdentity } from '../../apply/lock.js';
import { readPlanFile } from '../../apply/plan-file.js';
import { loadRun, rollbackRun } from '../../apply/rollback.js';
import { validateNamespace } from '../options.js';
import type { RunFlags } from '../apply-options.js';
import { liveRunDeps, summary, wireRun } from '../run-deps.js';
import { renderDocument, writeStdout } from '../write-output.js';

export interface RollbackCommandOptions extends RunFlags {
  istioNamespace: string;
  toStep?: string;
}

export async function rollbackCommand(opts: RollbackCommandOptions, runId?: string): Promise<number> {
  const timeoutMs = parseDuration(opts.stepTimeout, '--step-timeout');
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  let cluster = await LiveCluster.connect(connectionFrom(opts), validateNamespace(opts.istioNamespace));
  const { record, plan } = await loadRun(wireRun(opts, cluster).store, runId, readPlanFile);
  // The run knows its Istio namespace; the lock and its ConfigMap live there, whatever the flag said.
  if (record.istioNamespace !== cluster.istioNamespace) cluster = new LiveCluster(cluster.source, record.istioNamespace);
  const w = wireRun(opts, cluster);
  const result = await rollbackRun(
    record,
    plan,
    { ...(opts.toStep ? { toStep: opts.toStep } : {}), timeoutMs, holder: holderIdentity(), hintFlags: w.hintFlags },
    liveRunDeps(w, cluster),
  );
  if (opts.output !== 'text') await writeStdout(renderDocument(result, opts.output));
  process.stderr.write(summary(result, w.store.local.logPath(result.runId)));
  return result.exitCode;
}
