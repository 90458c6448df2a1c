import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/k8s/objects.js';
import type { ResourceRef } from '../../src/k8s/resources.js';
import type { ListOptions } from '../../src/k8s/source.js';
import { currentTemplateHash, evaluateRollout } from '../../src/apply/rollout-state.js';
import { waitForRollout, type ObjectReader, type ObjectWatcher, type WatchEnd } from '../../src/apply/rollout-waiter.js';
import { FakeClock, T0 } from './fakes.js';

function deployment(status: Record<string, unknown>, generation = 3): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'istiod-1-24-6', namespace: 'istio-system', uid: 'd-uid', generation, resourceVersion: '10', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'istiod', 'istio.io/rev': '1-24-6' } }, template: { spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.6' }] } } },
    status,
  };
}

function pod(name: string, hash: string, waiting?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'istio-system', labels: { app: 'istiod', 'pod-template-hash': hash } },
    status: { containerStatuses: [{ name: 'discovery', state: waiting ? { waiting: { reason: waiting, message: 'back-off 5m0s restarting failed container' } } : { running: {} } }] },
  };
}

const rs = (hash: string, revision: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: `istiod-${hash}`, namespace: 'istio-system', labels: { 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istiod-1-24-6', uid: 'd-uid' }] },
});

const DONE = { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };

describe('evaluateRollout', () => {
  it('waits until the controller has observed the newest generation', () => {
    expect(evaluateRollout('Deployment', deployment({ ...DONE, observedGeneration: 2 }), [], 'new')).toEqual({ phase: 'progressing', message: 'waiting for the controller to observe generation 3 (observed 2)' });
  });

  it('waits for updated and available replicas and for old pods to go', () => {
    expect(evaluateRollout('Deployment', deployment({ ...DONE, updatedReplicas: 1 }), [], 'new')).toMatchObject({ message: '1/2 replicas updated' });
    expect(evaluateRollout('Deployment', deployment({ ...DONE, availableReplicas: 1 }), [], 'new')).toMatchObject({ message: '1/2 replicas available' });
    expect(evaluateRollout('Deployment', deployment(DONE), [pod('a', 'new'), pod('b', 'new'), pod('old', 'old')], 'new')).toMatchObject({ message: '1 pod(s) of the previous template still present' });
    expect(evaluateRollout('Deployment', deployment(DONE), [pod('a', 'new'), pod('b', 'new')], 'new')).toEqual({ phase: 'done' });
  });

  it('fails fast on CrashLoopBackOff or image pull errors of the new pods', () => {
    expect(evaluateRollout('Deployment', deployment({ ...DONE, updatedReplicas: 1 }), [pod('a', 'new', 'CrashLoopBackOff')], 'new')).toEqual({
      phase: 'failed',
      message: 'pod istio-system/a container discovery: CrashLoopBackOff (back-off 5m0s restarting failed container)',
    });
    expect(evaluateRollout('Deployment', deployment({ ...DONE, updatedReplicas: 1 }), [pod('a', 'new', 'ImagePullBackOff')], 'new').phase).toBe('failed');
    // a crash-looping pod of the old template is not this rollout's failure
    expect(evaluateRollout('Deployment', deployment({ ...DONE, updatedReplicas: 1 }), [pod('a', 'old', 'CrashLoopBackOff')], 'new').phase).toBe('progressing');
  });

  it('fails on an exceeded progress deadline and on a DaemonSet running the wrong version', () => {
    const stuck = deployment({ ...DONE, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] });
    expect(evaluateRollout('Deployment', stuck, [], 'new')).toMatchObject({ phase: 'failed' });
    const ds: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ztunnel', namespace: 'istio-system', generation: 1 }, spec: { template: { spec: { containers: [{ name: 'z', image: 'istio/ztunnel:1.23.6' }] } } }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } };
    expect(evaluateRollout('DaemonSet', ds, [], undefined, '1.24.6')).toMatchObject({ phase: 'failed', message: 'DaemonSet istio-system/ztunnel runs istio/ztunnel:1.23.6, not version 1.24.6' });
  });

  it('finds the current template hash from the newest ReplicaSet the Deployment owns', () => {
    expect(currentTemplateHash(deployment(DONE), [rs('old', '1'), rs('new', '2')])).toBe('new');
  });
});

class ScriptedCluster implements ObjectReader, ObjectWatcher {
  states: KubeObject[] = [];
  reads = 0;
  watches: (string | undefined)[] = [];
  /** What each watch call does, in order. */
  script: ((onEvent: (o: KubeObject) => void) => Promise<WatchEnd>)[] = [];
  pods: KubeObject[] = [pod('a', 'new'), pod('b', 'new')];

  async get(_r: ResourceRef, _name: string): Promise<KubeObject | undefined> {
    const s = this.states[Math.min(this.reads, this.states.length - 1)];
    this.reads++;
    return s;
  }
  async list(r: ResourceRef, _o?: ListOptions): Promise<KubeObject[]> {
    return r.kind === 'Pod' ? this.pods : [rs('new', '2')];
  }
  async watch(_r: ResourceRef, _ns: string, _name: string, rv: string | undefined, _t: number, onEvent: (o: KubeObject) => void, signal: AbortSignal): Promise<WatchEnd> {
    this.watches.push(rv);
    const step = this.script.shift();
    if (step) return step(onEvent);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve('ended')));
  }
}

describe('waitForRollout', () => {
  const target = { kind: 'Deployment' as const, namespace: 'istio-system', name: 'istiod-1-24-6' };

  it('is woken by the watch and succeeds once the rollout is complete', async () => {
    const c = new ScriptedCluster();
    c.states = [deployment({ ...DONE, updatedReplicas: 1 }), deployment(DONE)];
    c.script = [
      async (on) => {
        on(deployment(DONE));
        return new Promise<WatchEnd>(() => undefined);
      },
    ];
    const clock = new FakeClock();
    const r = await waitForRollout(target, { signal: new AbortController().signal, deadline: T0 + 60_000, probe: false }, { reader: c, watcher: c, clock, pollMs: 5_000 });
    expect(r).toEqual({ ok: true });
    expect(c.watches[0]).toBe('10');
  });

  it('re-reads the object and restarts the watch from its version after a 410', async () => {
    const c = new ScriptedCluster();
    c.states = [deployment({ ...DONE, updatedReplicas: 1 }), { ...deployment({ ...DONE, updatedReplicas: 1 }), metadata: { ...deployment({}).metadata, resourceVersion: '99' } }];
    c.script = [async () => 'expired'];
    const clock = new FakeClock();
    const r = await waitForRollout(target, { signal: new AbortController().signal, deadline: T0 + 20_000, probe: false }, { reader: c, watcher: c, clock, pollMs: 5_000 });
    expect(r).toEqual({ ok: false, reason: 'Deployment istio-system/istiod-1-24-6 did not roll out in time: 1/2 replicas updated' });
    expect(c.watches.slice(0, 2)).toEqual(['10', '99']);
  });

  it('fails fast on a crash-looping new pod instead of waiting for the deadline', async () => {
    const c = new ScriptedCluster();
    c.states = [deployment({ ...DONE, updatedReplicas: 1 })];
    c.pods = [pod('a', 'new', 'CrashLoopBackOff')];
    const clock = new FakeClock();
    const r = await waitForRollout(target, { signal: new AbortController().signal, deadline: T0 + 900_000, probe: false }, { reader: c, watcher: c, clock });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('CrashLoopBackOff') });
    expect(clock.now()).toBe(T0);
  });

  it('as a probe looks once and does not wait', async () => {
    const c = new ScriptedCluster();
    c.states = [deployment({ ...DONE, updatedReplicas: 1 })];
    const r = await waitForRollout(target, { signal: new AbortController().signal, deadline: T0 + 900_000, probe: true }, { reader: c, watcher: c, clock: new FakeClock() });
    expect(r).toEqual({ ok: false, reason: 'Deployment istio-system/istiod-1-24-6 has not rolled out: 1/2 replicas updated' });
    expect(c.watches).toEqual([]);
  });
});
