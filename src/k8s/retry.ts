/**
 * One retry rule for every Kubernetes request that may safely be sent twice: reads, and the writes whose repetition
 * changes nothing more (merge/strategic patches, server-side apply, updates guarded by a resourceVersion). Transient
 * answers (429 with its Retry-After, 5xx) and dropped or timed-out connections are retried with bounded backoff;
 * anything else is final.
 */

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** kubectl's intent for --request-timeout: a request that has not answered in this long is given up. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Nothing listening, or a server that does not answer, rarely fixes itself within seconds: fewer attempts. */
const SLOW_FAILURE_ATTEMPTS: Record<string, number> = { ECONNREFUSED: 3, ETIMEDOUT: 2 };
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** What a failed attempt says about trying again. */
export interface Transient {
  /** HTTP status, when the server answered. */
  status?: number;
  /** Retry-After seconds the server asked for. */
  retryAfterSeconds?: number;
  /** Network error code (ECONNRESET, ETIMEDOUT…), when it did not. */
  code?: string;
}

/** The network code of an error from node:http, fetch (node-fetch or undici: the code may sit on `cause`), or a timeout signal. */
export function networkCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | undefined;
  if (err?.name === 'TimeoutError') return 'ETIMEDOUT';
  if (typeof err?.code === 'string') return err.code;
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  return undefined;
}

/** Milliseconds to wait before the next attempt, or undefined when the failure is final. */
export function retryDelay(t: Transient, attempt: number, policy: RetryPolicy): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  if (t.status !== undefined) {
    if (!RETRYABLE_STATUS.has(t.status)) return undefined;
    return t.retryAfterSeconds !== undefined ? Math.min(policy.maxDelayMs * 2, t.retryAfterSeconds * 1000) : backoff;
  }
  if (!t.code || !RETRYABLE_NET.has(t.code)) return undefined;
  const cap = SLOW_FAILURE_ATTEMPTS[t.code];
  return cap !== undefined && attempt >= cap ? undefined : backoff;
}

export interface RetryOutcome {
  attempts: number;
  elapsedMs: number;
}

/**
 * Runs `fn` until it succeeds or fails for good. On final failure `onGiveUp` may replace the error (it learns how many
 * attempts were made and how long they took, so the message can state the retry budget).
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  classify: (e: unknown) => Transient,
  opts: { policy: RetryPolicy; sleep: (ms: number) => Promise<void>; now?: () => number; onGiveUp?: (e: unknown, outcome: RetryOutcome) => unknown },
): Promise<T> {
  const now = opts.now ?? Date.now;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const delay = retryDelay(classify(e), attempt, opts.policy);
      if (delay === undefined) throw opts.onGiveUp ? opts.onGiveUp(e, { attempts: attempt, elapsedMs: now() - start }) : e;
      await opts.sleep(delay);
    }
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** 30000 → `30s`, 1500 → `1.5s`. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}
