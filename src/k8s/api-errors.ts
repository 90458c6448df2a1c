import { UserError } from '../errors.js';

/** A Kubernetes `Status` error body, as far as we use it. */
export interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; group?: string; retryAfterSeconds?: number };
}

export class ApiRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: StatusBody | undefined,
  ) {
    super(`${method} ${path}: ${status} ${body?.reason ?? ''} ${body?.message ?? ''}`.trim());
    this.name = 'ApiRequestError';
  }

  get reason(): string | undefined {
    return this.body?.reason;
  }
}

export function parseStatus(text: string): StatusBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

/** Turns a failed request into the one line the user sees. */
export function toUserError(err: ApiRequestError, context: string): UserError {
  const msg = err.body?.message;
  switch (err.status) {
    case 401:
      return new UserError(`the API server rejected the credentials of context "${context}" (401 Unauthorized): log in again or check the kubeconfig user`);
    case 403:
      return new UserError(`permission denied (403): ${msg ?? `${err.method} ${err.path}`} — istio-upgrade needs at least get/list on this resource`);
    default:
      return new UserError(`API request failed: ${err.method} ${err.path} → ${err.status}${err.reason ? ` ${err.reason}` : ''}${msg ? `: ${msg}` : ''}`);
  }
}
