import type { ApiAction, VerifySpec } from '../plan/schema.js';
import type { Inventory } from '../k8s/inventory.js';
import type { HelmRecordWriter } from './pending-recovery.js';

/**
 * What the executor needs from the outside world. The engine only talks to these interfaces,
 * so tests drive it with in-memory fakes and the CLI plugs in execa and client-node.
 */

export type Tool = 'helm' | 'istioctl';

/** Receives a run's subprocess output; the run log in the state directory. */
export type LogSink = (text: string) => void;

export interface RunRequest {
  tool: Tool;
  /** Arguments after the binary name, as written in the plan (values placeholder included). */
  args: string[];
  valuesFrom?: { release: string; namespace: string };
  /** istioctl: the Istio minor the command is for (`1.24`); the runner takes the binary given for it (--istioctl 1.24=PATH). */
  istioMinor?: string;
  timeoutMs: number;
  signal: AbortSignal;
  log?: LogSink;
}

export type RunOutcome =
  | { ok: true; stdout: string }
  | {
      ok: false;
      reason: 'failed' | 'timeout' | 'cancelled' | 'not-found';
      message: string;
      /** What the command printed (its end), for checks whose findings are the point. */
      output?: string;
      /** The exit status and the whole stdout of a command that ran and exited non-zero (istioctl's 79 means "issues found"). */
      exitCode?: number;
      stdout?: string;
    };

export interface Runner {
  /** Whether the binary can be run (found on PATH, or the explicit --helm/--istioctl path exists). */
  available(tool: Tool, istioMinor?: string): Promise<boolean>;
  run(req: RunRequest): Promise<RunOutcome>;
  /** `helm get values -o yaml` of a release; the text holds secrets and is never logged. */
  helmValues(release: string, namespace: string, signal: AbortSignal): Promise<string>;
  /** The argv as it would really run (binary, context flag), for dry-run and printed hints. */
  display(tool: Tool, args: string[]): string[];
}

export interface ActionContext {
  /** stdout of the previous command of the same step (what `apply-rendered` applies). */
  previousOutput: string | undefined;
  signal: AbortSignal;
  deadline: number;
  helmValues(release: string, namespace: string): Promise<string>;
  /**
   * Release manifests pinned by URL (gateway-api-bundle.ts): their sha256, and their bytes when this process fetched
   * them before the first change. A pinned manifest is applied from those bytes, or fetched and refused if it differs.
   */
  manifests?: ReadonlyMap<string, PinnedManifest>;
}

export interface PinnedManifest {
  sha256: string;
  text?: string;
}

export interface VerifyContext {
  signal: AbortSignal;
  deadline: number;
  /** Look once without waiting: used on resume to ask "is this step's effect already there?". */
  probe: boolean;
  /** When the step started (ms); a restart must be newer than this to count. */
  since?: number;
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: string };

/** Raised by ports when the object to update is gone (404). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Raised by ports when the API server answers 409 (AlreadyExists or Conflict). */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export interface LeaseState {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  annotations: Record<string, string>;
  resourceVersion?: string;
}

export interface LeasePort {
  get(namespace: string, name: string): Promise<LeaseState | undefined>;
  /** Throws ConflictError when it already exists. */
  create(namespace: string, name: string, lease: LeaseState): Promise<LeaseState>;
  /** Throws ConflictError when `lease.resourceVersion` is not the stored one. */
  replace(namespace: string, name: string, lease: LeaseState): Promise<LeaseState>;
  /** Deletes only that version (ConflictError otherwise); absent is fine. */
  delete(namespace: string, name: string, resourceVersion: string | undefined): Promise<void>;
}

export interface StoredConfigMap {
  name: string;
  labels: Record<string, string>;
  data: Record<string, string>;
  resourceVersion?: string;
}

export interface ConfigMapPort {
  get(namespace: string, name: string): Promise<StoredConfigMap | undefined>;
  /** Throws ConflictError when it already exists. */
  create(namespace: string, cm: StoredConfigMap): Promise<StoredConfigMap>;
  /** Throws ConflictError when `cm.resourceVersion` is stale, NotFoundError when the ConfigMap is gone. */
  replace(namespace: string, cm: StoredConfigMap): Promise<StoredConfigMap>;
  list(namespace: string, labelSelector: string): Promise<StoredConfigMap[]>;
}

export interface Cluster {
  /** The kube context in use. */
  readonly context: string;
  /** Namespace of the control plane; the lock and run ConfigMaps live there too. */
  readonly istioNamespace: string;
  /** UID of the kube-system namespace: the cluster's identity. */
  clusterId(): Promise<string | null>;
  inventory(): Promise<Inventory>;
  act(action: ApiAction, ctx: ActionContext): Promise<void>;
  verify(spec: VerifySpec, ctx: VerifyContext): Promise<VerifyOutcome>;
  /** Latest Helm revision of a release; null when it has none. */
  helmRevision(release: string, namespace: string): Promise<number | null>;
  /** Latest Helm revision of a release and its status (deployed, failed, pending-upgrade…); null when it has none. */
  helmStatus(release: string, namespace: string): Promise<{ revision: number; status: string } | null>;
  /** Every revision Helm keeps of a release, with its status, oldest first; empty when it has none. */
  helmHistory(release: string, namespace: string): Promise<{ revision: number; status: string }[]>;
  /** Helm's release records, for the one change istio-upgrade makes to them (pending-recovery.ts). */
  readonly helmRecords: HelmRecordWriter;
  readonly leases: LeasePort;
  readonly configMaps: ConfigMapPort;
}

export interface Clock {
  now(): number;
  /** Rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls fn every ms until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export interface SignalSource {
  /** Subscribes to Ctrl-C / SIGTERM; returns the unsubscribe function. */
  onInterrupt(handler: (signal: string) => void): () => void;
}

export interface Confirmer {
  /** A person is there to answer (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** Asks the person to type `expected`; true only on an exact match. */
  confirm(question: string, expected: string): Promise<boolean>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};
