import { describe, expect, it } from 'vitest';
import { acquireLock, forceUnlock, LEASE_SECONDS, leaseLooksCurrent, LOCK_ID_ANNOTATION, LOCK_NAME, microTime, RENEW_EVERY_MS, RUN_ID_ANNOTATION } from '../../src/apply/lock.js';
import { UserError } from '../../src/errors.js';
import { FakeClock, MemoryLeases, NS, T0 } from './fakes.js';

const take = (leases: MemoryLeases, clock: FakeClock, holder = 'alice@laptop', lockId?: string) =>
  acquireLock(leases, clock, { namespace: NS, holder, ...(lockId ? { lockId } : {}) });

describe('upgrade lock', () => {
  it('creates a Lease with holder, duration, MicroTime stamps and the lock id', async () => {
    const leases = new MemoryLeases();
    const clock = new FakeClock();
    const lock = await take(leases, clock, 'alice@laptop', 'aaaa0000bbbb1111');
    await lock.setRunId('20261122-100000-aaaaaa');
    expect(await leases.get(NS, LOCK_NAME)).toMatchObject({
      holderIdentity: 'alice@laptop',
      leaseDurationSeconds: LEASE_SECONDS,
      acquireTime: '2026-11-22T10:00:00.000000Z',
      annotations: { [LOCK_ID_ANNOTATION]: 'aaaa0000bbbb1111', [RUN_ID_ANNOTATION]: '20261122-100000-aaaaaa' },
    });
    await lock.release();
    expect(leases.items.size).toBe(0);
  });

  it('refuses a second holder at once with exit 3, naming the holder and the force-unlock command', async () => {
    const leases = new MemoryLeases();
    const clock = new FakeClock();
    await take(leases, clock, 'ci:991', 'feedfeedfeedfeed');
    const e = await take(leases, clock, 'bob@desk').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(3);
    expect((e as UserError).message).toBe('another upgrade holds the lock: ci:991 since 2026-11-22T10:00:00.000000Z, last renewed 2026-11-22T10:00:00.000000Z');
    expect((e as UserError).hint).toBe('if that process is gone, wait 60s for its lease to expire or run: istio-upgrade force-unlock feedfeedfeedfeed');
  });

  it('renews every 15 s, so a live holder never looks expired', async () => {
    const leases = new MemoryLeases();
    const clock = new FakeClock();
    const lock = await take(leases, clock);
    for (let i = 0; i < 8; i++) {
      clock.advance(RENEW_EVERY_MS);
      await new Promise((r) => setTimeout(r, 0));
    }
    const lease = (await leases.get(NS, LOCK_NAME))!;
    expect(lease.renewTime).toBe(microTime(T0 + 8 * RENEW_EVERY_MS));
    expect(leaseLooksCurrent(lease, clock.now())).toBe(true);
    await expect(take(leases, clock, 'bob@desk')).rejects.toMatchObject({ exitCode: 3 });
    expect(lock.lost).toBe(false);
  });

  it('lets the next apply take over once it saw the holder not renewing for the lease duration on its own clock', async () => {
    const leases = new MemoryLeases();
    const clock = new FakeClock();
    await take(leases, clock, 'crashed@host', 'dead0000dead0000');
    clock.t += (LEASE_SECONDS + 1) * 1000;
    const seen: string[] = [];
    const watched: string[] = [];
    const before = clock.now();
    const lock = await acquireLock(leases, clock, { namespace: NS, holder: 'bob@desk', onTakeover: (prev) => seen.push(prev.holderIdentity), onObserve: (l) => watched.push(l.holderIdentity) });
    expect(watched).toEqual(['crashed@host']);
    expect(clock.now() - before).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);
    expect(seen).toEqual(['crashed@host']);
    expect((await leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('bob@desk');
    expect(lock.lockId).not.toBe('dead0000dead0000');
  });

  it('notices when the lease was taken away and then leaves it alone on release', async () => {
    const leases = new MemoryLeases();
    const clock = new FakeClock();
    const lock = await take(leases, clock);
    const stolen = (await leases.get(NS, LOCK_NAME))!;
    await leases.replace(NS, LOCK_NAME, { ...stolen, holderIdentity: 'bob@desk', annotations: { [LOCK_ID_ANNOTATION]: 'bob' } });
    clock.advance(RENEW_EVERY_MS);
    await new Promise((r) => setTimeout(r, 0));
    expect(lock.lost).toBe(true);
    await lock.release();
    expect((await leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('bob@desk');
  });

  it('force-unlock deletes the lease only when the lock id matches', async () => {
    const leases = new MemoryLeases();
    await take(leases, new FakeClock(), 'ci:991', 'feedfeedfeedfeed');
    await expect(forceUnlock(leases, NS, 'wrong')).rejects.toMatchObject({ exitCode: 1, message: 'lock id wrong does not match the lock held by ci:991 since 2026-11-22T10:00:00.000000Z; nothing was deleted' });
    expect(leases.items.size).toBe(1);
    const removed = await forceUnlock(leases, NS, 'feedfeedfeedfeed');
    expect(removed.holderIdentity).toBe('ci:991');
    expect(leases.items.size).toBe(0);
    await expect(forceUnlock(leases, NS, 'feedfeedfeedfeed')).rejects.toMatchObject({ message: 'no upgrade lock is held in namespace istio-system' });
  });

  describe('under clock skew (expiry is judged by watching the lease, never by comparing clocks)', () => {
    /** A holder on a machine whose clock is `skewMs` off, renewing every time the observer looks. */
    async function skewedHolder(skewMs: number) {
      const leases = new MemoryLeases();
      const holderClock = new FakeClock();
      holderClock.t = T0 + skewMs;
      const held = await take(leases, holderClock, 'skewed@host', 'beef0000beef0000');
      const renewing = {
        get: async (ns: string, name: string) => {
          holderClock.advance(RENEW_EVERY_MS);
          await new Promise((r) => setTimeout(r, 0));
          return leases.get(ns, name);
        },
        create: leases.create.bind(leases),
        replace: leases.replace.bind(leases),
        delete: leases.delete.bind(leases),
      };
      return { leases, renewing, held };
    }

    for (const [label, skew] of [
      ['renewTime 10 minutes in the past (the holder\'s clock runs behind)', -600_000],
      ['renewTime 10 minutes in the future (the holder\'s clock runs ahead)', 600_000],
      ['renewTime 90 s in the past (this machine runs 90 s ahead)', -90_000],
    ] as const) {
      it(`does not take over a lease that is still being renewed: ${label}`, async () => {
        const { leases, renewing, held } = await skewedHolder(skew);
        const clock = new FakeClock();
        const watched: string[] = [];
        const e = await acquireLock(renewing, clock, { namespace: NS, holder: 'bob@desk', onObserve: (l) => watched.push(l.holderIdentity) }).catch((x: unknown) => x);
        expect(watched).toEqual(['skewed@host']);
        expect(e).toBeInstanceOf(UserError);
        expect((e as UserError).exitCode).toBe(3);
        expect((e as UserError).message).toContain('another upgrade holds the lock: skewed@host');
        expect((await leases.get(NS, LOCK_NAME))!.annotations[LOCK_ID_ANNOTATION]).toBe('beef0000beef0000');
        expect(held.lost).toBe(false);
      });
    }

    it('takes over a lease dated 10 minutes in the future once nobody renewed it for its duration', async () => {
      const leases = new MemoryLeases();
      const holderClock = new FakeClock();
      holderClock.t = T0 + 600_000;
      await take(leases, holderClock, 'ahead@host', 'a0a0a0a0a0a0a0a0');
      const clock = new FakeClock();
      const before = clock.now();
      const lock = await take(leases, clock, 'bob@desk');
      expect(clock.now() - before).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000);
      expect((await leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('bob@desk');
      expect(lock.lost).toBe(false);
    });

    it('bounds the watch when a lease claims an absurd duration', async () => {
      const leases = new MemoryLeases();
      await leases.create(NS, LOCK_NAME, { holderIdentity: 'forged', leaseDurationSeconds: 1e9, acquireTime: '2000-01-01T00:00:00.000000Z', renewTime: '2000-01-01T00:00:00.000000Z', annotations: {} });
      const clock = new FakeClock();
      const before = clock.now();
      await take(leases, clock, 'bob@desk');
      expect(clock.now() - before).toBeLessThanOrEqual(5 * LEASE_SECONDS * 1000);
      expect((await leases.get(NS, LOCK_NAME))!.holderIdentity).toBe('bob@desk');
    });
  });
});
