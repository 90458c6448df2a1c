import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { ExitCode, UserError } from '../errors.js';
import { ConflictError, type Clock, type LeasePort, type LeaseState } from './ports.js';

/**
 * One upgrade at a time per cluster: a coordination.k8s.io Lease in the Istio namespace. A
 * holder that dies stops renewing, so its lease expires and the next apply may take it over;
 * `force-unlock <lock-id>` exists for the impatient and needs the exact id as a safeguard.
 */

export const LOCK_NAME = 'istio-upgrade-lock';
export const LEASE_SECONDS = 60;
export const RENEW_EVERY_MS = 15_000;
export const RUN_ID_ANNOTATION = 'istio-upgrade.io/run-id';
export const LOCK_ID_ANNOTATION = 'istio-upgrade.io/lock-id';

/** `ci:<job>` in CI (the job is what a colleague can look up), else `user@host`. */
export function holderIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const job = env.CI_JOB_ID || env.GITHUB_RUN_ID;
  if (job) return `ci:${job}`;
  let user = env.USER || env.USERNAME || 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    // no passwd entry (some containers): keep the environment's name
  }
  return `${user}@${hostname()}`;
}

export function newLockId(): string {
  return randomBytes(8).toString('hex');
}

/** Lease times are MicroTime: exactly six fractional digits, or the API server rejects them. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Whether another machine's lease looks current by our clock. Only ever used to refuse at once: a lease that does
 * not look current is not taken over on this basis (clocks differ between machines), but watched, see observeLease.
 */
export function leaseLooksCurrent(lease: LeaseState, nowMs: number): boolean {
  const renewed = Date.parse(lease.renewTime || lease.acquireTime);
  if (Number.isNaN(renewed)) return false;
  const window = observeSeconds(lease) * 1000;
  return renewed + window >= nowMs && renewed - window <= nowMs;
}

/** What changes on every renewal, whatever the renewing machine's clock says. */
function leaseVersion(lease: LeaseState): string {
  return `${lease.resourceVersion ?? ''}|${lease.holderIdentity}|${lease.renewTime}|${lease.annotations[LOCK_ID_ANNOTATION] ?? ''}`;
}

/** How often a suspect lease is re-read while it is watched. */
export const OBSERVE_EVERY_MS = 2_000;
const MAX_OBSERVE_SECONDS = 5 * LEASE_SECONDS;

/** A lease may claim any duration; watching is bounded so a forged one cannot make apply wait for ever. */
function observeSeconds(lease: LeaseState): number {
  return Math.min(MAX_OBSERVE_SECONDS, Math.max(1, lease.leaseDurationSeconds || LEASE_SECONDS));
}

/**
 * Judges expiry as client-go's leader election does: the lease is expired only when we, on our own clock, saw it
 * unchanged (same resourceVersion, renewTime and holder) for its whole duration. The renewTime it carries is never
 * compared with our clock for a takeover, so a machine whose clock runs ahead or behind cannot take a live lock.
 * Returns the lease as last seen when it expired, undefined when it disappeared meanwhile, or throws when it was renewed.
 */
export async function observeLease(port: LeasePort, clock: Clock, namespace: string, first: LeaseState): Promise<LeaseState | undefined> {
  const durationMs = observeSeconds(first) * 1000;
  const since = clock.now();
  let seen = first;
  while (clock.now() - since < durationMs) {
    await clock.sleep(Math.min(OBSERVE_EVERY_MS, durationMs - (clock.now() - since)));
    const now = await port.get(namespace, LOCK_NAME);
    if (!now) return undefined;
    if (leaseVersion(now) !== leaseVersion(seen)) throw heldError(now);
    seen = now;
  }
  return seen;
}

export function observingMessage(lease: LeaseState): string {
  return `the upgrade lock of ${lease.holderIdentity} says it was last renewed at ${lease.renewTime}, which this machine's clock cannot judge; watching it for ${observeSeconds(lease)} s to see whether its holder still renews it`;
}

function heldError(lease: LeaseState): UserError {
  const runId = lease.annotations[RUN_ID_ANNOTATION];
  const lockId = lease.annotations[LOCK_ID_ANNOTATION] ?? '<lock-id>';
  return new UserError(
    `another upgrade holds the lock: ${lease.holderIdentity} since ${lease.acquireTime}${runId ? ` (run ${runId})` : ''}, last renewed ${lease.renewTime}`,
    ExitCode.blocked,
    `if that process is gone, wait ${LEASE_SECONDS}s for its lease to expire or run: istio-upgrade force-unlock ${lockId}`,
  );
}

/**
 * What `acquireLock` would decide, without writing: refuses (exit 3) a lease that looks current; for one that does
 * not, says that a real apply would watch it before taking it over. Undefined when the lock is free.
 */
export async function lockAvailability(port: LeasePort, clock: Clock, namespace: string): Promise<string | undefined> {
  const current = await port.get(namespace, LOCK_NAME);
  if (!current) return undefined;
  if (leaseLooksCurrent(current, clock.now())) throw heldError(current);
  return observingMessage(current);
}

export interface HeldLock {
  readonly lockId: string;
  /** The lease was taken by someone else or could not be renewed in time. */
  readonly lost: boolean;
  /** Also records the run id on the lease, once the run is known. */
  setRunId(runId: string): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  namespace: string;
  holder: string;
  runId?: string;
  lockId?: string;
  /** Told when an expired lease of someone else is taken over. */
  onTakeover?: (previous: LeaseState) => void;
  /** Told when a lease that does not look current is watched for its duration before a takeover. */
  onObserve?: (lease: LeaseState) => void;
}

export async function acquireLock(port: LeasePort, clock: Clock, opts: AcquireOptions): Promise<HeldLock> {
  const lockId = opts.lockId ?? newLockId();
  let runId = opts.runId;
  const fresh = (): LeaseState => {
    const now = microTime(clock.now());
    return {
      holderIdentity: opts.holder,
      leaseDurationSeconds: LEASE_SECONDS,
      acquireTime: now,
      renewTime: now,
      annotations: { [LOCK_ID_ANNOTATION]: lockId, ...(runId ? { [RUN_ID_ANNOTATION]: runId } : {}) },
    };
  };

  let current = await port.get(opts.namespace, LOCK_NAME);
  let mine: LeaseState | undefined;
  if (!current) {
    try {
      mine = await port.create(opts.namespace, LOCK_NAME, fresh());
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      current = await port.get(opts.namespace, LOCK_NAME);
      if (current) throw heldError(current);
      throw new UserError('the upgrade lock changed while taking it; try again', ExitCode.blocked);
    }
  } else if (leaseLooksCurrent(current, clock.now())) {
    throw heldError(current);
  } else {
    opts.onObserve?.(current);
    const expired = await observeLease(port, clock, opts.namespace, current);
    try {
      mine = expired ? await port.replace(opts.namespace, LOCK_NAME, { ...fresh(), resourceVersion: expired.resourceVersion }) : await port.create(opts.namespace, LOCK_NAME, fresh());
      if (expired) opts.onTakeover?.(expired);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      const now = await port.get(opts.namespace, LOCK_NAME);
      throw now ? heldError(now) : new UserError('the upgrade lock changed while taking it; try again', ExitCode.blocked);
    }
  }

  let state: LeaseState = mine;
  let lost = false;
  let lastRenewed = clock.now();
  let renewing: Promise<void> = Promise.resolve();

  const renew = async (patch: Partial<LeaseState> = {}): Promise<void> => {
    if (lost) return;
    try {
      const now = await port.get(opts.namespace, LOCK_NAME);
      if (!now || now.annotations[LOCK_ID_ANNOTATION] !== lockId) {
        lost = true;
        return;
      }
      state = await port.replace(opts.namespace, LOCK_NAME, { ...now, ...patch, renewTime: microTime(clock.now()), annotations: { ...now.annotations, ...(patch.annotations ?? {}) } });
      lastRenewed = clock.now();
    } catch {
      // A transient API error: try again on the next tick, unless the lease has run out meanwhile.
      if (clock.now() - lastRenewed > LEASE_SECONDS * 1000) lost = true;
    }
  };
  const stop = clock.every(RENEW_EVERY_MS, () => {
    renewing = renewing.then(() => renew());
  });

  return {
    lockId,
    get lost() {
      return lost;
    },
    async setRunId(id: string) {
      runId = id;
      renewing = renewing.then(() => renew({ annotations: { [RUN_ID_ANNOTATION]: id } }));
      await renewing;
    },
    async release() {
      stop();
      await renewing;
      if (lost) return;
      const now = await port.get(opts.namespace, LOCK_NAME);
      if (now && now.annotations[LOCK_ID_ANNOTATION] === lockId) await port.delete(opts.namespace, LOCK_NAME, now.resourceVersion ?? state.resourceVersion);
    },
  };
}

/** Deletes the lease only when `lockId` is the one it carries. */
export async function forceUnlock(port: LeasePort, namespace: string, lockId: string): Promise<LeaseState> {
  const lease = await port.get(namespace, LOCK_NAME);
  if (!lease) throw new UserError(`no upgrade lock is held in namespace ${namespace}`);
  const held = lease.annotations[LOCK_ID_ANNOTATION];
  if (held !== lockId) {
    throw new UserError(`lock id ${lockId} does not match the lock held by ${lease.holderIdentity} since ${lease.acquireTime}; nothing was deleted`);
  }
  await port.delete(namespace, LOCK_NAME, lease.resourceVersion);
  return lease;
}
