import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { ApiRequestError, parseStatus, toUserError } from './api-errors.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY, formatSeconds, networkCode, realSleep, withRetries, type RetryPolicy, type Transient } from './retry.js';

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/**
 * A lean JSON reader over node:http that keeps client-node's auth (tokens, exec plugins,
 * client certificates, CA) but skips its typed deserialisation, which triples the cost of
 * reading large lists. Retries transient failures with bounded backoff.
 */
export class KubeHttpClient {
  private requests = 0;
  private readonly base: URL;

  constructor(
    private readonly kc: KubeConfig,
    readonly contextName: string,
    server: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
    /** Whole-request limit (connect, headers and body), per attempt: --request-timeout. */
    readonly requestTimeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    this.base = new URL(server.endsWith('/') ? server : `${server}/`);
  }

  requestCount(): number {
    return this.requests;
  }

  /** GET a path; 404 resolves to undefined so callers can treat "absent" plainly. */
  async getJson<T>(path: string, query: Record<string, string | number | undefined> = {}, accept = 'application/json'): Promise<T | undefined> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    try {
      const res = await this.withRetry('GET', url, accept);
      return res.body as T;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Converts our request errors to user-facing ones; anything else passes through. */
  explain(e: unknown): unknown {
    if (e instanceof ApiRequestError) return toUserError(e, this.contextName);
    return e;
  }

  private withRetry(method: string, url: URL, accept: string): Promise<JsonResponse<unknown>> {
    return withRetries(() => this.once(method, url, accept), transientOf, {
      policy: this.retry,
      sleep: this.sleep,
      onGiveUp: (e, { attempts, elapsedMs }) => {
        if (e instanceof ApiRequestError || e instanceof UserError) return e;
        const code = networkCode(e);
        const budget = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatSeconds(elapsedMs)}`;
        if (code === 'ETIMEDOUT') {
          return new UserError(
            `the API server ${this.base.origin} (context "${this.contextName}") did not answer ${method} ${url.pathname} within ${formatSeconds(this.requestTimeoutMs)} (--request-timeout) — ${budget}`,
          );
        }
        return new UserError(`cannot reach the API server ${this.base.origin} (context "${this.contextName}"): ${code ?? (e as Error)?.message ?? 'unknown error'} after ${budget}`);
      },
    });
  }

  private async once(method: string, url: URL, accept: string): Promise<JsonResponse<unknown>> {
    this.requests++;
    const opts: https.RequestOptions = { method, headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), Accept: accept, 'User-Agent': 'istio-upgrade' };
    if ((opts as { auth?: string }).auth) {
      headers.Authorization = `Basic ${Buffer.from((opts as { auth?: string }).auth!).toString('base64')}`;
      delete (opts as { auth?: string }).auth;
    }
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { ...opts, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response cut short'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve({ status, body: JSON.parse(text) });
            } catch {
              reject(new ApiRequestError(method, url.pathname, status, { message: 'response is not JSON' }));
            }
            return;
          }
          const err = new ApiRequestError(method, url.pathname + url.search, status, parseStatus(text));
          const ra = Number(res.headers['retry-after']);
          if (Number.isFinite(ra) && ra >= 0) (err as ApiRequestError & { retryAfter?: number }).retryAfter = ra;
          reject(err);
        });
      });
      // A whole-request deadline, not an idle timer: a server that trickles bytes must not hold a command either.
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), this.requestTimeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end();
    });
  }
}

function transientOf(e: unknown): Transient {
  if (e instanceof ApiRequestError) {
    const after = (e as ApiRequestError & { retryAfter?: number }).retryAfter;
    return { status: e.status, ...(after !== undefined ? { retryAfterSeconds: after } : {}) };
  }
  const code = networkCode(e);
  return code ? { code } : {};
}
