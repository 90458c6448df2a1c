import * as k8s from '@kubernetes/client-node';
import { DEFAULT_RETRY, networkCode, realSleep, withRetries, type RetryPolicy, type Transient } from '../k8s/retry.js';

/**
 * client-node's typed clients, with what its makeApiClient leaves out: a deadline on every request (a server that
 * accepts connections but never answers must not hold a command), and retries of the writes that may be sent twice.
 */

/** Like KubeConfig.makeApiClient, with every request aborted after `timeoutMs`. */
export function timedApiClient<T>(kc: k8s.KubeConfig, Api: new (config: k8s.Configuration) => T, timeoutMs: number): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  const deadline: k8s.Middleware = {
    pre: async (ctx) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return ctx;
    },
    post: async (res) => res,
  };
  return new Api(k8s.createConfiguration({ baseServer: new k8s.ServerConfiguration(cluster.server, {}), authMethods: { default: kc }, promiseMiddleware: [deadline] }));
}

export function apiTransient(e: unknown): Transient {
  if (e instanceof k8s.ApiException) {
    const after = Number(e.headers?.['retry-after']);
    return { status: e.code, ...(Number.isFinite(after) && after >= 0 ? { retryAfterSeconds: after } : {}) };
  }
  const code = timedOut(e) ? 'ETIMEDOUT' : networkCode(e);
  return code ? { code } : {};
}

/** Only the deadline of timedApiClient aborts these requests, so an abort is a timeout. */
export function timedOut(e: unknown): boolean {
  const name = (e as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Retries a write whose repetition changes nothing more: a patch, a server-side apply, an update with a resourceVersion. */
export function idempotentWrite<T>(fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, sleep: (ms: number) => Promise<void> = realSleep): Promise<T> {
  return withRetries(fn, apiTransient, { policy, sleep });
}
