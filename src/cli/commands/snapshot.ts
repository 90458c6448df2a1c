import { checkOutputPath } from '../../util/regular-file.js';
import { discover } from '../../k8s/discover/index.js';
import { buildSnapshot, RecordingSource } from '../../k8s/snapshot-writer.js';
import { openSource } from '../source.js';
import { validateNamespace, type ConnectionFlags, type OutputOptions } from '../options.js';
import { writeFileAtomic, writeStdout } from '../write-output.js';
import { renderDocument } from '../../report/structured.js';

export interface SnapshotOptions extends ConnectionFlags, OutputOptions {
  istioNamespace: string;
  out?: string;
}

/** Reads the live cluster (never a snapshot: that would copy a file) and writes the ClusterSnapshot. */
export async function snapshotCommand(opts: SnapshotOptions): Promise<number> {
  // Checked before the cluster is read, not after minutes of listing.
  if (opts.out !== undefined && opts.out !== '-') await checkOutputPath(opts.out, '--out');
  const recording = new RecordingSource(await openSource({ ...opts, snapshot: undefined }));
  const inventory = await discover(recording, { istioNamespace: validateNamespace(opts.istioNamespace) });
  const snapshot = buildSnapshot(recording.recorded(), {
    kubernetesVersion: inventory.cluster.kubernetesVersion,
    context: recording.context,
    clusterId: inventory.cluster.clusterId,
  });
  const toFile = opts.out !== undefined && opts.out !== '-';
  const format = toFile && /\.json$/i.test(opts.out!) ? 'json' : opts.output;
  const text = renderDocument(snapshot, format);
  if (!toFile) return writeStdout(text).then(() => 0);
  await writeFileAtomic(opts.out!, text, 0o600, 'the snapshot');
  process.stderr.write(`wrote ${opts.out}: ${snapshot.items.length} objects, Helm values redacted\n`);
  return 0;
}
