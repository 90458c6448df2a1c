import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, ns, pod, PARTIAL, type Harness } from './test-helpers.js';

interface Ev {
  type: string;
  name: string | undefined;
  rv: string | undefined;
  obj: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

interface Stream {
  events: Ev[];
  done: Promise<unknown>;
  controller: AbortController;
  /** Resolves once `n` events have arrived (rejects after 3 s). */
  waitFor(n: number): Promise<Ev[]>;
}

async function watch(h: Harness, path: string, params: Record<string, string | number | boolean | undefined>): Promise<Stream> {
  const events: Ev[] = [];
  let resolveDone!: (v: unknown) => void;
  const done = new Promise((r) => (resolveDone = r));
  const waiters: { n: number; resolve: () => void }[] = [];
  const controller = await new k8s.Watch(h.kc).watch(
    path,
    params,
    (type, obj: Ev['obj']) => {
      events.push({ type, name: obj.metadata?.['name'] as string | undefined, rv: obj.metadata?.['resourceVersion'] as string | undefined, obj });
      for (const w of waiters) if (events.length >= w.n) w.resolve();
    },
    (err) => resolveDone(err ?? null),
  );
  return {
    events,
    done,
    controller,
    waitFor(n) {
      if (events.length >= n) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} events; got ${JSON.stringify(events.map((e) => `${e.type} ${e.name}`))}`)), 3000);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve(events);
          },
        });
      });
    },
  };
}

const summary = (evs: Ev[]): string[] => evs.map((e) => `${e.type} ${e.name ?? ''}`.trim());

let h: Harness;

beforeAll(async () => {
  h = await harness({ bookmarkIntervalMs: 100, objects: [ns('default'), ns('w'), pod('w', 'a', { app: 'web' }), pod('w', 'b', { app: 'db' })] });
});
afterAll(async () => {
  await h.close();
});

describe('watch', () => {
  it('sends ADDED for current objects first, then live events as chunked NDJSON', async () => {
    const s = await watch(h, '/api/v1/namespaces/w/pods', {});
    await s.waitFor(2);
    expect(summary(s.events)).toEqual(['ADDED a', 'ADDED b']);
    expect(s.events[0]!.obj['kind']).toBe('Pod');
    expect(s.events[0]!.obj['apiVersion']).toBe('v1');

    await h.core.createNamespacedPod({ namespace: 'w', body: pod('w', 'c') });
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'c', body: [{ op: 'add', path: '/metadata/labels/x', value: '1' }] });
    await h.core.deleteNamespacedPod({ namespace: 'w', name: 'c' });
    await h.core.createNamespacedPod({ namespace: 'default', body: pod('default', 'elsewhere') }); // other namespace: not delivered
    await s.waitFor(5);
    expect(summary(s.events)).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'MODIFIED c', 'DELETED c']);
    const rvs = s.events.slice(2).map((e) => Number(e.rv));
    expect(rvs[1]).toBeGreaterThan(rvs[0]!);
    expect(rvs[2]).toBeGreaterThan(rvs[1]!);
    const rec = h.server.requests.find((r) => r.query['watch'] === 'true' && r.path === '/api/v1/namespaces/w/pods')!;
    expect(rec.status).toBe(200);
    s.controller.abort();
    await h.core.deleteNamespacedPod({ namespace: 'default', name: 'elsewhere' });
  });

  it('replays events after a resourceVersion from the event log', async () => {
    const start = String(h.server.resourceVersion());
    await h.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'r1' } } });
    await h.core.patchNamespacedConfigMap({ namespace: 'w', name: 'r1', body: { data: { a: '1' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await h.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'r2' } } });
    await h.core.deleteNamespacedConfigMap({ namespace: 'w', name: 'r1' });

    const s = await watch(h, '/api/v1/namespaces/w/configmaps', { resourceVersion: start });
    await s.waitFor(4);
    expect(summary(s.events)).toEqual(['ADDED r1', 'MODIFIED r1', 'ADDED r2', 'DELETED r1']);
    expect(s.events[1]!.obj['data']).toEqual({ a: '1' });
    // then live
    await h.core.deleteNamespacedConfigMap({ namespace: 'w', name: 'r2' });
    await s.waitFor(5);
    expect(summary(s.events)[4]).toBe('DELETED r2');
    s.controller.abort();
  });

  it('filters by selectors: an object that stops matching is DELETED, one that starts matching is ADDED', async () => {
    const s = await watch(h, '/api/v1/namespaces/w/pods', { labelSelector: 'app=web' });
    await s.waitFor(1);
    expect(summary(s.events)).toEqual(['ADDED a']);
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'b', body: { metadata: { annotations: { touched: 'yes' } } } }, merge); // not matching: nothing
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'a', body: { metadata: { labels: { app: 'api' } } } }, merge);
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'b', body: { metadata: { labels: { app: 'web' } } } }, merge);
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'b', body: { metadata: { labels: { v: '2' } } } }, merge);
    await s.waitFor(4);
    expect(summary(s.events)).toEqual(['ADDED a', 'DELETED a', 'ADDED b', 'MODIFIED b']);
    // DELETED carries the last matching state with the new resourceVersion
    expect((s.events[1]!.obj['metadata'] as { labels: Record<string, string> }).labels.app).toBe('web');
    expect(Number(s.events[1]!.rv)).toBeGreaterThan(Number(s.events[0]!.rv));
    s.controller.abort();

    const f = await watch(h, '/api/v1/pods', { fieldSelector: 'metadata.name=b' });
    await f.waitFor(1);
    expect(summary(f.events)).toEqual(['ADDED b']);
    f.controller.abort();
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'a', body: { metadata: { labels: { app: 'web' } } } }, merge);
    await h.core.patchNamespacedPod({ namespace: 'w', name: 'b', body: { metadata: { labels: { app: 'db', v: null } } } }, merge);
  });

  it('sends periodic BOOKMARKs when allowed, and metadata-only objects when asked', async () => {
    const s = await watch(h, '/api/v1/namespaces/w/pods', { allowWatchBookmarks: true, resourceVersion: String(h.server.resourceVersion()) });
    await s.waitFor(2);
    expect(s.events.map((e) => e.type)).toEqual(['BOOKMARK', 'BOOKMARK']);
    expect(s.events[0]!.obj).toEqual({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(h.server.resourceVersion()) } });
    s.controller.abort();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const t0 = Date.now();
    const s = await watch(h, '/api/v1/namespaces/w/pods', { timeoutSeconds: 1 });
    expect(await s.done).toBeNull();
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
    expect(summary(s.events)).toEqual(['ADDED a', 'ADDED b']);
  });

  it('answers a too-old resourceVersion with an in-stream 410 Expired ERROR and closes', async () => {
    const small = await harness({ eventLogSize: 2, objects: [ns('x')] });
    try {
      for (let i = 0; i < 6; i++) await small.core.createNamespacedConfigMap({ namespace: 'x', body: { metadata: { name: `c${i}` } } });
      const s = await watch(small, '/api/v1/namespaces/x/configmaps', { resourceVersion: '1' });
      expect(await s.done).toBeNull();
      expect(s.events).toHaveLength(1);
      expect(s.events[0]!.type).toBe('ERROR');
      expect(s.events[0]!.obj).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
      expect(s.events[0]!.obj['message']).toMatch(/^too old resource version: 1 \(\d+\)$/);
      // A recent resourceVersion still replays.
      const recent = await watch(small, '/api/v1/namespaces/x/configmaps', { resourceVersion: String(small.server.resourceVersion() - 1) });
      await recent.waitFor(1);
      expect(summary(recent.events)).toEqual(['ADDED c5']);
      recent.controller.abort();
    } finally {
      await small.close();
    }
  });

  it('serves PartialObjectMetadata watch events when the Accept header asks for them', async () => {
    const events: { type: string; obj: Record<string, unknown> }[] = [];
    // client-node's Watch cannot set request headers, so send the kubeconfig's token by hand.
    const ac = new AbortController();
    const res = await fetch(`${h.server.url}/api/v1/namespaces/w/pods?watch=true`, {
      headers: { Authorization: `Bearer ${h.kc.getCurrentUser()!.token}`, Accept: PARTIAL },
      signal: ac.signal,
    });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    ac.abort();
    for (const line of text.trim().split('\n')) {
      const ev = JSON.parse(line) as { type: string; object: Record<string, unknown> };
      events.push({ type: ev.type, obj: ev.object });
    }
    expect(events.map((e) => e.obj['kind'])).toEqual(['PartialObjectMetadata', 'PartialObjectMetadata']);
    expect(events[0]!.obj['spec']).toBeUndefined();
  });

  it('closes open watches on close()', async () => {
    const other = await harness({ objects: [ns('z')] });
    const s = await watch(other, '/api/v1/namespaces/z/configmaps', {});
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(Promise.race([s.done.then(() => 'done'), new Promise((r) => setTimeout(() => r('hung'), 1000))])).resolves.toBe('done');
  });
});
