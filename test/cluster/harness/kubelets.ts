/**
 * Simulated nodes: each registers a Node, keeps its Lease (kube-node-lease) and Ready condition fresh, and plays the
 * kubelet for the pods the real scheduler binds to it: after `startDelayMs` a pod is Running and Ready (containers
 * started, a pod IP so the endpoints controller lists it), unless one of its images is set to crash-loop or fail to
 * pull. Pods being deleted are confirmed gone. It also plays what istio-cni's node agent does to ambient pods and the
 * cloud provider for LoadBalancer Services (an ingress address). Pod IPs and addresses are data only: nothing dials them.
 */
import type { Api, KubeObject } from './api.js';
import { ApiError } from './api.js';
import { pollLoop } from './procs.js';

export type ImageFault = 'crash' | 'pull';

export interface KubeletOptions {
  nodes?: string[];
  /** Delay between a pod's binding and Running/Ready. */
  startDelayMs?: number;
  kubeletVersion: string;
  pollMs?: number;
}

interface Container {
  name: string;
  image: string;
  restartPolicy?: string;
}
type Pod = KubeObject & {
  spec: { nodeName?: string; containers: Container[]; initContainers?: Container[] };
  status?: { phase?: string; podIP?: string; containerStatuses?: { restartCount?: number }[] };
};

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class Kubelets {
  readonly nodes: string[];
  private readonly faults = new Map<string, ImageFault>();
  private readonly delays = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private readonly lastFaultWrite = new Map<string, number>();
  private stopped = false;
  private loops: Promise<void>[] = [];
  private ipCounter = 10;
  /** Errors the loops met (a healthy run has none; tests print them on failure). */
  readonly errors: string[] = [];

  constructor(
    private readonly api: Api,
    private readonly o: KubeletOptions,
  ) {
    this.nodes = o.nodes ?? ['node-1', 'node-2'];
  }

  /** Pods with an image containing `match` start `ms` later than others (a slow pull); `undefined` clears. */
  setImageDelay(match: string, ms: number | undefined): void {
    if (ms === undefined) this.delays.delete(match);
    else this.delays.set(match, ms);
  }

  private startDelay(pod: Pod): number {
    let ms = this.o.startDelayMs ?? 500;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) for (const [match, d] of this.delays) if (c.image.includes(match)) ms = Math.max(ms, d);
    return ms;
  }

  /** Containers whose image contains `match` crash-loop (`crash`) or cannot be pulled (`pull`); `undefined` clears. */
  setImageFault(match: string, fault: ImageFault | undefined): void {
    if (fault) this.faults.set(match, fault);
    else this.faults.delete(match);
  }

  async start(): Promise<void> {
    for (const [i, name] of this.nodes.entries()) await this.register(name, i);
    this.loops.push(this.every(5000, () => this.heartbeat()));
    this.loops.push(this.every(this.o.pollMs ?? 250, () => this.syncPods()));
    this.loops.push(this.every(1000, () => this.syncLoadBalancers()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private every(ms: number, fn: () => Promise<void>): Promise<void> {
    return pollLoop(ms, fn, () => this.stopped, this.errors);
  }

  private async register(name: string, i: number): Promise<void> {
    await this.api.apply('Node', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'simulated' } },
      spec: {},
    });
    await this.api.patch('Node', name, undefined, {
      status: {
        capacity: { cpu: '32', memory: '128Gi', pods: '250', 'ephemeral-storage': '500Gi' },
        allocatable: { cpu: '32', memory: '128Gi', pods: '250', 'ephemeral-storage': '500Gi' },
        addresses: [
          { type: 'InternalIP', address: `10.240.0.${i + 10}` },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: {
          kubeletVersion: this.o.kubeletVersion,
          kubeProxyVersion: this.o.kubeletVersion,
          containerRuntimeVersion: 'simulated://1.0',
          operatingSystem: 'linux',
          architecture: 'amd64',
          osImage: 'simulated',
          kernelVersion: '6.1.0',
          machineID: name,
          systemUUID: name,
          bootID: name,
        },
        conditions: this.nodeConditions(),
      },
    }, 'merge', 'status');
    await this.renewLease(name);
  }

  private nodeConditions() {
    const t = now();
    const c = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: t, lastTransitionTime: t });
    return [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      c('Ready', 'True', 'KubeletReady'),
    ];
  }

  private async renewLease(node: string): Promise<void> {
    const renewTime = new Date().toISOString().replace('Z', '000Z').replace(/(\.\d{6})\d*Z$/, '$1Z');
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: node, namespace: 'kube-node-lease' }, spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime } };
    await this.api.apply('Lease', lease);
  }

  private beats = 0;
  private async heartbeat(): Promise<void> {
    for (const n of this.nodes) {
      await this.renewLease(n);
      // the kubelet reports status every ~40 s when nothing changed; the lease carries liveness in between
      if (this.beats % 6 === 0) await this.api.patch('Node', n, undefined, { status: { conditions: this.nodeConditions() } }, 'merge', 'status');
    }
    this.beats++;
  }

  private faultOf(pod: Pod): { container: string; fault: ImageFault } | undefined {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      for (const [match, fault] of this.faults) if (c.image.includes(match)) return { container: c.name, fault };
    }
    return undefined;
  }

  private async syncPods(): Promise<void> {
    const pods = (await this.api.list<Pod>('Pod', undefined, { fieldSelector: 'spec.nodeName!=' })).filter((p) => this.nodes.includes(p.spec.nodeName ?? ''));
    const live = new Set<string>();
    let namespaces: Map<string, KubeObject> | undefined;
    for (const p of pods) {
      const key = p.metadata.uid!;
      live.add(key);
      if (p.metadata.deletionTimestamp) {
        // containers stopped: the kubelet confirms the deletion
        await this.api.delete('Pod', p.metadata.name, p.metadata.namespace, { gracePeriodSeconds: 0, preconditions: { uid: key } });
        continue;
      }
      const fault = this.faultOf(p);
      const first = this.seen.get(key) ?? Date.now();
      this.seen.set(key, first);
      if (Date.now() - first < this.startDelay(p)) continue;
      if (!fault && p.status?.phase === 'Running' && p.status.podIP) continue;
      // a failing container is reported once, then as the kubelet's back-off restarts it
      if (fault && Date.now() - (this.lastFaultWrite.get(key) ?? 0) < 3000) continue;
      if (fault) this.lastFaultWrite.set(key, Date.now());
      if (!fault && !p.metadata.annotations?.['ambient.istio.io/redirection']) {
        namespaces ??= new Map((await this.api.list('Namespace')).map((n) => [n.metadata.name, n]));
        if (await this.ambientCaptured(p, namespaces)) {
          await this.api.patch('Pod', p.metadata.name, p.metadata.namespace, { metadata: { annotations: { 'ambient.istio.io/redirection': 'enabled' } } });
        }
      }
      await this.writeStatus(p, fault);
    }
    for (const k of this.seen.keys()) if (!live.has(k)) this.seen.delete(k);
    for (const k of this.lastFaultWrite.keys()) if (!live.has(k)) this.lastFaultWrite.delete(k);
  }

  /** istio-cni captures pods of `istio.io/dataplane-mode=ambient` namespaces on nodes where its agent runs. */
  private async ambientCaptured(p: Pod, namespaces: Map<string, KubeObject>): Promise<boolean> {
    const ns = namespaces.get(p.metadata.namespace!);
    const mode = p.metadata.labels?.['istio.io/dataplane-mode'] ?? ns?.metadata.labels?.['istio.io/dataplane-mode'];
    if (mode !== 'ambient') return false;
    if (p.metadata.annotations?.['sidecar.istio.io/status']) return false;
    const agents = await this.api.list<Pod>('Pod', undefined, { labelSelector: 'k8s-app=istio-cni-node', fieldSelector: `spec.nodeName=${p.spec.nodeName}` });
    return agents.some((a) => a.status?.phase === 'Running');
  }

  private async writeStatus(p: Pod, fault: { container: string; fault: ImageFault } | undefined): Promise<void> {
    const t = now();
    const restarts = (p.status?.containerStatuses?.[0]?.restartCount ?? 0) + (fault?.fault === 'crash' ? 1 : 0);
    const status = (c: Container, init: boolean) => {
      const base = { name: c.name, image: c.image, imageID: `${c.image}@sha256:${'0'.repeat(64)}`, containerID: `simulated://${p.metadata.uid}-${c.name}` };
      if (fault && fault.container === c.name) {
        const reason = fault.fault === 'crash' ? 'CrashLoopBackOff' : 'ImagePullBackOff';
        return { ...base, ready: false, started: false, restartCount: fault.fault === 'crash' ? restarts : 0, state: { waiting: { reason, message: `simulated ${reason}` } } };
      }
      if (init && c.restartPolicy !== 'Always') return { ...base, ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } } };
      return { ...base, ready: !fault, started: true, restartCount: 0, state: { running: { startedAt: t } } };
    };
    const ready = fault ? 'False' : 'True';
    const cond = (type: string, s: string) => ({ type, status: s, lastProbeTime: null, lastTransitionTime: t });
    const ip = p.status?.podIP ?? `10.244.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 2}`;
    const hostIP = `10.240.0.${this.nodes.indexOf(p.spec.nodeName!) + 10}`;
    try {
      await this.api.patch('Pod', p.metadata.name, p.metadata.namespace, {
        status: {
          phase: fault?.fault === 'pull' ? 'Pending' : 'Running',
          hostIP,
          hostIPs: [{ ip: hostIP }],
          podIP: ip,
          podIPs: [{ ip }],
          startTime: p.status && (p.status as { startTime?: string }).startTime ? undefined : t,
          conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', 'True')],
          initContainerStatuses: (p.spec.initContainers ?? []).map((c) => status(c, true)),
          containerStatuses: p.spec.containers.map((c) => status(c, false)),
        },
      }, 'merge', 'status');
    } catch (e) {
      if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) throw e;
    }
  }

  private async syncLoadBalancers(): Promise<void> {
    const services = await this.api.list<KubeObject & { spec: { type?: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }>('Service');
    for (const s of services) {
      if (s.spec.type !== 'LoadBalancer' || s.status?.loadBalancer?.ingress?.length) continue;
      // 192.0.2.0/24 is TEST-NET-1: an address that is only ever data
      await this.api.patch('Service', s.metadata.name, s.metadata.namespace, { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } }, 'merge', 'status');
    }
  }
}
