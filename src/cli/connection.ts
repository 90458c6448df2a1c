import { parseTimerDuration } from '../apply/duration.js';
import type { ConnectionOptions } from '../k8s/kubeconfig.js';

export const REQUEST_TIMEOUT_FLAG = ['--request-timeout <duration>', 'give up a Kubernetes API request (and an exec credential plugin) that has not answered in this long; transient failures are retried a few times', '30s'] as const;

/** The connection flags of any command that reads or changes a cluster. */
export function connectionFrom(flags: { kubeconfig?: string | undefined; context?: string | undefined; requestTimeout?: string | undefined }): ConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    ...(flags.requestTimeout !== undefined ? { requestTimeoutMs: parseTimerDuration(flags.requestTimeout, '--request-timeout') } : {}),
  };
}
