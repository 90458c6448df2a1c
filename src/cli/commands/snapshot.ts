import { discover } from '../../k8s/discover/index.js';
import { buildSnapshot, RecordingSource } from '../../k8s/snapshot-writer.js';
import { UserError, ExitCode } from '../../errors.js';
import { openSource } from '../source.js';
import { validateNamespace, type ClusterOptions } from '../options.js';
import { toJson, toYaml, writeFileAtomic } from '../write-output.js';

export async function snapshotCommand(opts: ClusterOptions & { out?: string }): Promise<number> {
  if (!opts.out) throw new UserError('snapshot needs --out FILE', ExitCode.usage);
  const recording = new RecordingSource(await openSource(opts));
  const inventory = await discover(recording, { istioNamespace: validateNamespace(opts.istioNamespace) });
  const snapshot = buildSnapshot(recording.recorded(), {
    kubernetesVersion: inventory.cluster.kubernetesVersion,
    context: recording.context,
    clusterId: inventory.cluster.clusterId,
  });
  const text = /\.json$/i.test(opts.out) ? toJson(snapshot) : toYaml(snapshot);
  await writeFileAtomic(opts.out, text, 0o600, 'the snapshot');
  process.stderr.write(`wrote ${opts.out}: ${snapshot.items.length} objects, Helm values redacted\n`);
  return 0;
}
