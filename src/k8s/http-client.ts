import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { ApiRequestError, parseStatus, toUserError } from './api-errors.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

const REFUSED_ATTEMPTS = 3;
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

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
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
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

  private async withRetry(method: string, url: URL, accept: string): Promise<JsonResponse<unknown>> {
    let lastErr: unknown;
    let attempts = 0;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      attempts = attempt;
      try {
        return await this.once(method, url, accept);
      } catch (e) {
        lastErr = e;
        const delay = this.retryDelay(e, attempt);
        // Nothing listening rarely fixes itself within seconds: give up sooner than on resets and 5xx.
        const refused = (e as NodeJS.ErrnoException)?.code === 'ECONNREFUSED' && attempt >= REFUSED_ATTEMPTS;
        if (delay === undefined || attempt === this.retry.attempts || refused) break;
        await this.sleep(delay);
      }
    }
    if (lastErr instanceof ApiRequestError) throw lastErr;
    const code = (lastErr as NodeJS.ErrnoException)?.code;
    throw new UserError(
      `cannot reach the API server ${this.base.origin} (context "${this.contextName}"): ${code ?? (lastErr as Error)?.message ?? 'unknown error'} after ${attempts} attempts`,
    );
  }

  private retryDelay(e: unknown, attempt: number): number | undefined {
    const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    if (e instanceof ApiRequestError) {
      if (!RETRYABLE_STATUS.has(e.status)) return undefined;
      const after = (e as ApiRequestError & { retryAfter?: number }).retryAfter;
      return after !== undefined ? Math.min(this.retry.maxDelayMs * 2, after * 1000) : backoff;
    }
    const code = (e as NodeJS.ErrnoException)?.code;
    return code && RETRYABLE_NET.has(code) ? backoff : undefined;
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
      req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });
  }
}
