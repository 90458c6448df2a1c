import type { ClusterSource } from '../k8s/source.js';
import { readSnapshotFile, SnapshotSource } from '../k8s/snapshot.js';
import { UserError, ExitCode } from '../errors.js';
import type { ClusterOptions } from './options.js';
import { connectionFrom } from './connection.js';

/** A snapshot when --snapshot is given, else the live cluster (client-node is loaded only then). */
export async function openSource(opts: ClusterOptions): Promise<ClusterSource> {
  if (opts.snapshot) {
    if (opts.kubeconfig || opts.context) throw new UserError('--snapshot reads a file: do not combine it with --kubeconfig or --context', ExitCode.usage);
    return new SnapshotSource(await readSnapshotFile(opts.snapshot, opts.kubernetesVersion));
  }
  const { LiveSource } = await import('../k8s/live-source.js');
  return LiveSource.connect(connectionFrom(opts));
}
