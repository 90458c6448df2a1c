/** Public types of the fake API server. */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface RequestRecord {
  method: string;
  /** URL pathname (not decoded). */
  path: string;
  /** Parsed query; a repeated key keeps its last value. */
  query: Record<string, string>;
  /** Lower-cased header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Raw request body text; absent when the body was empty. */
  body?: string;
  /** Status code sent; 0 while in flight or when the socket was dropped. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface Fault {
  method?: string;
  /** Matched against pathname+search; a string also matches the bare pathname. */
  path: string | RegExp;
  /** How many requests the fault applies to (default 1; Infinity allowed). */
  times?: number;
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Destroy the socket without a response. */
  drop?: boolean;
  /** Response body to send instead of the default Status. */
  body?: object;
  /** Only requests for which this returns true (in-process servers only); sees the request with its body. */
  when?: (request: RequestRecord) => boolean;
}

export interface ForbidRule {
  /** get, list, watch, create, update, patch, delete, deletecollection, or '*'. */
  verb: string;
  /** Plural (e.g. 'pods'), 'plural/subresource', or '*'. */
  resource: string;
  /** API group ('' = core); omitted = any group. */
  group?: string;
  /** Only requests in this namespace; omitted = any scope. */
  namespace?: string;
}

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
  extraContexts?: string[];
}

export interface FakeApiServerOptions {
  objects?: KubeObject[];
  /** Reported by /version (default '1.30.2'). */
  kubernetesVersion?: string;
  /** Bearer token required on every request (default 'test-token'). */
  token?: string;
  /** User name used in Forbidden messages (default 'test-user'). */
  user?: string;
  /** Groups SelfSubjectReview reports for the user (default system:masters, system:authenticated). */
  groups?: string[];
  /** Interval between watch BOOKMARK events when allowWatchBookmarks=true (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Watch events kept for resourceVersion replay (default 10000). */
  eventLogSize?: number;
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0 = any free port). */
  port?: number;
}

export interface FakeApiServer {
  readonly url: string;
  readonly port: number;
  /** Upserts objects (deep-copied); assigns uid/resourceVersion/creationTimestamp when missing. */
  load(objects: KubeObject[]): void;
  /** Like load() but adopts the objects without copying them (for large fixtures; do not mutate them afterwards). */
  loadWithoutCopy(objects: KubeObject[]): void;
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  readonly requests: RequestRecord[];
  clearRequests(): void;
  readonly faults: { add(f: Fault): void; clear(): void };
  forbid(rule: ForbidRule): void;
  clearForbidden(): void;
  expireContinueTokens(): void;
  /** The current global resourceVersion counter. */
  resourceVersion(): number;
  /** Called synchronously after every stored change (create, update, delete), before the response is sent; returns the unsubscribe. */
  onChange(listener: (change: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; kind: string; namespace: string; name: string }) => void): () => void;
  /** Serializes every stored object's list-item and metadata-only JSON now (normally done lazily on first list). */
  prewarm(): void;
  writeKubeconfig(path: string, opts?: KubeconfigOptions): void;
  close(): Promise<void>;
}
