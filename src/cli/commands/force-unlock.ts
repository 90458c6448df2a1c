import { forceUnlock, RUN_ID_ANNOTATION } from '../../apply/lock.js';
import { connectionFrom } from '../connection.js';
import { ExitCode, UserError } from '../../errors.js';
import { validateNamespace } from '../options.js';
import type { ConnectionFlags } from '../options.js';

export interface ForceUnlockOptions extends ConnectionFlags {
  istioNamespace: string;
}

export async function forceUnlockCommand(opts: ForceUnlockOptions, lockId?: string): Promise<number> {
  if (!lockId) throw new UserError('force-unlock needs the lock id printed by the apply that was refused', ExitCode.usage);
  const { LiveCluster } = await import('../../apply/live-cluster.js');
  const ns = validateNamespace(opts.istioNamespace);
  const cluster = await LiveCluster.connect(connectionFrom(opts), ns);
  const lease = await forceUnlock(cluster.leases, ns, lockId);
  const run = lease.annotations[RUN_ID_ANNOTATION];
  process.stderr.write(
    `released the upgrade lock held by ${lease.holderIdentity} since ${lease.acquireTime}${run ? ` (run ${run})` : ''}\n` +
      (run ? `if that run is not running any more, continue it with: istio-upgrade apply <plan.json> --resume ${run}\n` : ''),
  );
  return ExitCode.ok;
}
