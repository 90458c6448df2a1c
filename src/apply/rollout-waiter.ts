import type { KubeObject } from '../k8s/objects.js';
import { RESOURCES, type ResourceRef } from '../k8s/resources.js';
import type { ListOptions } from '../k8s/source.js';
import type { Clock, VerifyContext, VerifyOutcome } from './ports.js';
import { currentTemplateHash, evaluateRollout, podSelector, type RolloutState, type WorkloadKind } from './rollout-state.js';

export interface ObjectReader {
  get(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined>;
  list(resource: ResourceRef, options?: ListOptions): Promise<KubeObject[]>;
}

export type WatchEnd = 'ended' | 'expired';

export interface ObjectWatcher {
  /** Streams changes of one object from `resourceVersion`; resolves when the server closes the stream, 'expired' on 410 Gone. */
  watch(resource: ResourceRef, namespace: string, name: string, resourceVersion: string | undefined, timeoutSeconds: number, onEvent: (obj: KubeObject) => void, signal: AbortSignal): Promise<WatchEnd>;
}

export interface WaiterDeps {
  reader: ObjectReader;
  watcher: ObjectWatcher;
  clock: Clock;
  /** Pods are re-read at least this often, so a crash-looping pod fails the wait quickly (default 5 s). */
  pollMs?: number;
}

export interface RolloutTarget {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  expectVersion?: string;
}

const RESOURCE: Record<WorkloadKind, ResourceRef> = { Deployment: RESOURCES.deployments, StatefulSet: RESOURCES.statefulSets, DaemonSet: RESOURCES.daemonSets };
const MAX_WATCH_SECONDS = 300;

async function observe(t: RolloutTarget, reader: ObjectReader): Promise<{ state: RolloutState; rv: string | undefined }> {
  const w = await reader.get(RESOURCE[t.kind], t.name, t.namespace);
  if (!w) return { state: { phase: 'progressing', message: `${t.kind} ${t.namespace}/${t.name} does not exist yet` }, rv: undefined };
  const selector = podSelector(w);
  const [pods, replicaSets] = await Promise.all([
    selector ? reader.list(RESOURCES.pods, { namespace: t.namespace, labelSelector: selector }) : Promise.resolve([]),
    t.kind === 'Deployment' && selector ? reader.list(RESOURCES.replicaSets, { namespace: t.namespace, labelSelector: selector }) : Promise.resolve([]),
  ]);
  const hash = t.kind === 'Deployment' ? currentTemplateHash(w, replicaSets) : undefined;
  return { state: evaluateRollout(t.kind, w, pods, hash, t.expectVersion), rv: w.metadata.resourceVersion };
}

/**
 * Waits until the workload has rolled out, failed, or the deadline passed. A watch on the
 * workload wakes the check as soon as its status moves; a timer re-checks the pods in between.
 * When the watch's resourceVersion has expired (410) the object is read again and the watch
 * restarts from there.
 */
export async function waitForRollout(t: RolloutTarget, ctx: VerifyContext, deps: WaiterDeps): Promise<VerifyOutcome> {
  const { clock, reader, watcher } = deps;
  const pollMs = deps.pollMs ?? 5_000;
  const what = `${t.kind} ${t.namespace}/${t.name}`;
  let { state, rv } = await observe(t, reader);
  if (state.phase === 'done') return { ok: true };
  if (state.phase === 'failed') return { ok: false, reason: state.message };
  if (ctx.probe) return { ok: false, reason: `${what} has not rolled out: ${state.message}` };

  const stop = new AbortController();
  const onAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let wake: () => void = () => undefined;

  const watchLoop = (async () => {
    while (!stop.signal.aborted) {
      const left = Math.ceil((ctx.deadline - clock.now()) / 1000);
      if (left <= 0) return;
      let end: WatchEnd | 'error';
      try {
        end = await watcher.watch(RESOURCE[t.kind], t.namespace, t.name, rv, Math.min(left, MAX_WATCH_SECONDS), (obj) => {
          rv = obj.metadata.resourceVersion ?? rv;
          wake();
        }, stop.signal);
      } catch {
        end = 'error';
      }
      if (stop.signal.aborted) return;
      if (end === 'expired') {
        // Re-list: the object's current resourceVersion is a valid starting point again.
        rv = (await reader.get(RESOURCE[t.kind], t.name, t.namespace).catch(() => undefined))?.metadata.resourceVersion;
        wake();
      } else if (end === 'error') {
        await clock.sleep(1_000, stop.signal).catch(() => undefined);
      }
    }
  })();

  try {
    for (;;) {
      const left = ctx.deadline - clock.now();
      if (left <= 0) return { ok: false, reason: `${what} did not roll out in time: ${state.message}` };
      await Promise.race([new Promise<void>((r) => (wake = r)), clock.sleep(Math.min(pollMs, left), stop.signal).catch(() => undefined)]);
      if (ctx.signal.aborted) return { ok: false, reason: `waiting for ${what} was cancelled` };
      const seen = await observe(t, reader);
      state = seen.state;
      if (seen.rv && !rv) rv = seen.rv;
      if (state.phase === 'done') return { ok: true };
      if (state.phase === 'failed') return { ok: false, reason: state.message };
    }
  } finally {
    stop.abort();
    ctx.signal.removeEventListener('abort', onAbort);
    // The watch ends with the abort; nothing waits for it so a stuck stream cannot hold the step.
    void watchLoop;
  }
}
