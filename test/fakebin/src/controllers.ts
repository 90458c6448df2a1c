/**
 * What the Kubernetes controllers (and Istio's sidecar injector) would do after a chart is applied, done at once:
 * Deployment → ReplicaSet (new one per pod template, old ones scaled to 0) → Pods; DaemonSet → one Pod per Node;
 * pods created Pending, then marked Running/Ready through `/status`; workload status written through `/status` with
 * observedGeneration = generation. Deleting a workload also deletes what it owns (no garbage collector in the fake).
 */
import { injectSidecar, safeSuffix, sortKeysDeep, templateHash, type K8sObject } from '../../support/istio-render/index.js';
import type { KObj, Kube } from './kube.js';
import { ReleaseStore } from './releases.js';

type Obj = Record<string, unknown>;

const nowIso = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function template(w: KObj): { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj } {
  return ((w.spec as Obj | undefined)?.template ?? {}) as never;
}

function selectorOf(w: KObj): string {
  const ml = ((w.spec as Obj | undefined)?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {};
  return Object.entries(ml)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const ownedBy = (o: KObj, uid: string | undefined): boolean => !!uid && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid);

function ownerRefTo(o: KObj): NonNullable<KObj['metadata']['ownerReferences']>[number] {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

function stripHash(t: Obj): Obj {
  const c = structuredClone(t) as { metadata?: { labels?: Record<string, string> } };
  if (c.metadata?.labels) delete c.metadata.labels['pod-template-hash'];
  return sortKeysDeep(c) as Obj;
}

function podStatus(pod: KObj, ready: boolean, waiting?: { reason: string; message: string }): Obj {
  const spec = (pod.spec ?? {}) as { containers?: { name: string; image: string; restartPolicy?: string }[]; initContainers?: { name: string; image: string; restartPolicy?: string }[] };
  const t = nowIso();
  const r = ready ? 'True' : 'False';
  const status: Obj = {
    phase: waiting ? 'Pending' : 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      { type: 'Ready', status: r, lastTransitionTime: t },
      { type: 'ContainersReady', status: r, lastTransitionTime: t },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
    ],
    startTime: t,
    containerStatuses: (spec.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image,
      ready,
      started: !waiting,
      restartCount: 0,
      state: waiting ? { waiting } : { running: { startedAt: t } },
    })),
  };
  if (spec.initContainers?.length) {
    status.initContainerStatuses = spec.initContainers.map((c) => ({
      name: c.name,
      image: c.image,
      ready: c.restartPolicy === 'Always' ? ready : true,
      restartCount: 0,
      state: c.restartPolicy === 'Always' ? { running: { startedAt: t } } : { terminated: { exitCode: 0, reason: 'Completed' } },
    }));
  }
  return status;
}

interface Injection {
  revision: string;
  version: string;
  hub?: string;
  variant?: string;
}

/** The sidecar injector: which istiod (through which webhook) injects a pod of `namespace`, and at what version. */
async function injectionFor(kube: Kube, pod: KObj, cache: Map<string, Injection | null>, nsCache: Map<string, Record<string, string>>): Promise<Injection | null> {
  const nsName = pod.metadata.namespace ?? 'default';
  if (!nsCache.has(nsName)) nsCache.set(nsName, (await kube.get('Namespace', nsName))?.metadata.labels ?? {});
  const nsLabels = nsCache.get(nsName)!;
  const podLabels = pod.metadata.labels ?? {};
  if (podLabels['sidecar.istio.io/inject'] === 'false') return null;
  let want: string | undefined;
  if (nsLabels['istio-injection'] === 'enabled') want = 'default';
  else if (nsLabels['istio.io/rev']) want = nsLabels['istio.io/rev'];
  else if (podLabels['istio.io/rev']) want = podLabels['istio.io/rev'];
  else if (podLabels['sidecar.istio.io/inject'] === 'true') want = 'default';
  if (!want) return null;
  if (cache.has(want)) return cache.get(want)!;
  let mwc = await kube.get('MutatingWebhookConfiguration', `istio-revision-tag-${want}`);
  if (!mwc) mwc = await kube.get('MutatingWebhookConfiguration', `istio-sidecar-injector-${want}`);
  if (!mwc && want === 'default') {
    mwc = await kube.get('MutatingWebhookConfiguration', 'istio-sidecar-injector');
    const whs = (mwc?.webhooks as { namespaceSelector?: { matchLabels?: Record<string, string> } }[] | undefined) ?? [];
    if (whs.every((w) => w.namespaceSelector?.matchLabels?.['istio.io/deactivated'] === 'never-match')) mwc = undefined;
  }
  let result: Injection | null = null;
  const svc = (mwc?.webhooks as { clientConfig?: { service?: { name: string; namespace: string } } }[] | undefined)?.[0]?.clientConfig?.service;
  if (mwc && svc) {
    const istiod = await kube.get('Deployment', svc.name, svc.namespace);
    const image = ((template(istiod ?? ({} as KObj)).spec?.containers as { image: string }[] | undefined) ?? [])[0]?.image;
    const m = image ? /^(.*)\/pilot:(\d+\.\d+\.\d+)(?:-([a-z]+))?/.exec(image) : null;
    if (istiod && m) result = { revision: mwc.metadata.labels?.['istio.io/rev'] ?? 'default', version: m[2]!, hub: m[1], variant: m[3] };
    // A remote cluster: no istiod behind the Service, the primary's istiod of that revision answers. Its version is
    // the remote install's chart version (both come from one Istio release in a supported mesh).
    else if (!istiod && mwc.metadata.labels?.release) {
      const rel = (await new ReleaseStore(kube).history(mwc.metadata.labels.release, svc.namespace)).filter((r) => r.info.status === 'deployed').pop();
      if (rel) result = { revision: mwc.metadata.labels['istio.io/rev'] ?? 'default', version: rel.chart.metadata.version };
    }
  }
  cache.set(want, result);
  return result;
}

export class Controllers {
  private nodes?: string[];
  private readonly injections = new Map<string, Injection | null>();
  private readonly namespaces = new Map<string, Record<string, string>>();

  constructor(private readonly kube: Kube) {}

  async nodeNames(): Promise<string[]> {
    this.nodes ??= (await this.kube.list('Node')).map((n) => n.metadata.name).sort();
    return this.nodes;
  }

  /** Creates a pod (Pending), injects it when the injector would, then writes its status. */
  private async startPod(pod: KObj): Promise<void> {
    let p = pod;
    const containers = (p.spec as { containers?: { name: string; image: string }[] }).containers ?? [];
    const gateway = containers.some((c) => c.image === 'auto');
    if (gateway || !containers.some((c) => c.name === 'istio-proxy')) {
      const inj = await injectionFor(this.kube, p, this.injections, this.namespaces);
      if (inj) p = injectSidecar(p as K8sObject, { ...inj, template: gateway ? 'gateway' : 'sidecar' }, p.metadata.labels?.app ?? p.metadata.name) as KObj;
    }
    const created = await this.kube.create(p);
    const stillAuto = ((created.spec as { containers?: { image: string }[] }).containers ?? []).some((c) => c.image === 'auto');
    const waiting = stillAuto ? { reason: 'ErrImagePull', message: 'failed to pull and unpack image "docker.io/library/auto:latest": pull access denied' } : undefined;
    await this.kube.patchStatus('Pod', created.metadata.name, created.metadata.namespace, podStatus(created, !waiting, waiting));
  }

  async reconcileDeployment(name: string, ns: string): Promise<void> {
    const d = await this.kube.get('Deployment', name, ns);
    if (!d) return;
    const uid = d.metadata.uid;
    const desired = typeof (d.spec as Obj).replicas === 'number' ? ((d.spec as Obj).replicas as number) : 1;
    const tpl = template(d) as Obj;
    const sel = selectorOf(d);
    const replicaSets = (await this.kube.list('ReplicaSet', { namespace: ns, labelSelector: sel })).filter((rs) => ownedBy(rs, uid));
    const revOf = (rs: KObj): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const maxRev = replicaSets.reduce((m, rs) => Math.max(m, revOf(rs)), 0);
    const wanted = JSON.stringify(stripHash(tpl));
    let current = replicaSets.find((rs) => JSON.stringify(stripHash(template(rs) as Obj)) === wanted);
    if (!current) {
      const hash = templateHash(sortKeysDeep(tpl));
      const labels = { ...(((tpl.metadata as Obj | undefined)?.labels as Record<string, string> | undefined) ?? {}), 'pod-template-hash': hash };
      const rsTemplate = structuredClone(tpl) as { metadata?: Obj };
      rsTemplate.metadata = { ...(rsTemplate.metadata ?? {}), labels };
      current = await this.kube.create({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels,
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(desired),
            'deployment.kubernetes.io/max-replicas': String(desired + 1),
            'deployment.kubernetes.io/revision': String(maxRev + 1),
          },
          ownerReferences: [ownerRefTo(d)],
        },
        spec: { replicas: desired, selector: { matchLabels: { ...(((d.spec as Obj).selector as { matchLabels?: Obj }).matchLabels ?? {}), 'pod-template-hash': hash } }, template: rsTemplate },
      });
    } else if (revOf(current) !== maxRev || (current.spec as Obj).replicas !== desired) {
      // a rollback to an older template reuses its ReplicaSet under the next revision number
      current = await this.kube.mergePatch('ReplicaSet', current.metadata.name, ns, {
        metadata: { annotations: { 'deployment.kubernetes.io/revision': String(revOf(current) === maxRev ? maxRev : maxRev + 1), 'deployment.kubernetes.io/desired-replicas': String(desired) } },
        spec: { replicas: desired },
      });
    }
    const currentHash = current.metadata.labels?.['pod-template-hash'];
    const pods = (await this.kube.list('Pod', { namespace: ns, labelSelector: sel })).filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.kind === 'ReplicaSet'));
    for (const rs of replicaSets) {
      if (rs.metadata.name === current.metadata.name) continue;
      if ((rs.spec as Obj).replicas !== 0) await this.kube.mergePatch('ReplicaSet', rs.metadata.name, ns, { spec: { replicas: 0 } });
      await this.kube.patchStatus('ReplicaSet', rs.metadata.name, ns, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: rs.metadata.generation ?? 1 });
    }
    for (const p of pods) if (!ownedBy(p, current.metadata.uid)) await this.kube.delete('Pod', p.metadata.name, ns);
    const mine = pods.filter((p) => ownedBy(p, current!.metadata.uid));
    for (const extra of mine.slice(desired)) await this.kube.delete('Pod', extra.metadata.name, ns);
    const taken = new Set(mine.map((p) => p.metadata.name));
    const nodes = await this.nodeNames();
    const rsTpl = template(current) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj };
    for (let i = mine.length, n = 0; i < desired; n++) {
      const podName = `${current.metadata.name}-${safeSuffix(5, ns, current.metadata.name, String(n))}`;
      if (taken.has(podName)) continue;
      taken.add(podName);
      const spec = structuredClone(rsTpl.spec ?? {}) as Obj;
      if (nodes.length) spec.nodeName = nodes[i % nodes.length];
      await this.startPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: { ...(rsTpl.metadata?.labels ?? {}), 'pod-template-hash': currentHash ?? '' },
          ...(rsTpl.metadata?.annotations ? { annotations: { ...rsTpl.metadata.annotations } } : {}),
          ownerReferences: [ownerRefTo(current)],
        },
        spec,
      });
      i++;
    }
    const live = (await this.kube.list('Pod', { namespace: ns, labelSelector: sel })).filter((p) => ownedBy(p, current!.metadata.uid));
    const ready = live.filter((p) => ((p.status as Obj | undefined)?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    await this.kube.patchStatus('ReplicaSet', current.metadata.name, ns, { replicas: live.length, fullyLabeledReplicas: live.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: current.metadata.generation ?? 1 });
    const revision = current.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? String(maxRev + 1);
    if (d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== revision) {
      await this.kube.mergePatch('Deployment', name, ns, { metadata: { annotations: { 'deployment.kubernetes.io/revision': revision } } });
    }
    const t = nowIso();
    const complete = ready >= desired;
    await this.kube.patchStatus('Deployment', name, ns, {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: live.length,
      updatedReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: live.length - ready > 0 ? live.length - ready : null,
      conditions: [
        { type: 'Available', status: complete ? 'True' : 'False', reason: complete ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', lastUpdateTime: t, lastTransitionTime: t },
        {
          type: 'Progressing',
          status: 'True',
          reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message: complete ? `ReplicaSet "${current.metadata.name}" has successfully progressed.` : `ReplicaSet "${current.metadata.name}" is progressing.`,
          lastUpdateTime: t,
          lastTransitionTime: t,
        },
      ],
    });
  }

  async reconcileDaemonSet(name: string, ns: string): Promise<void> {
    const ds = await this.kube.get('DaemonSet', name, ns);
    if (!ds) return;
    const gen = ds.metadata.generation ?? 1;
    if (ds.metadata.annotations?.['deprecated.daemonset.template.generation'] !== String(gen)) {
      await this.kube.mergePatch('DaemonSet', name, ns, { metadata: { annotations: { 'deprecated.daemonset.template.generation': String(gen) } } });
    }
    const sel = selectorOf(ds);
    const pods = (await this.kube.list('Pod', { namespace: ns, labelSelector: sel })).filter((p) => ownedBy(p, ds.metadata.uid));
    const nodes = await this.nodeNames();
    const tpl = template(ds);
    const hash = templateHash(sortKeysDeep(tpl)).slice(0, 10);
    const keep = new Set<string>();
    for (const p of pods) {
      const node = (p.spec as Obj | undefined)?.nodeName as string | undefined;
      if (p.metadata.labels?.['pod-template-generation'] === String(gen) && node && nodes.includes(node) && !keep.has(node)) keep.add(node);
      else await this.kube.delete('Pod', p.metadata.name, ns);
    }
    for (const node of nodes) {
      if (keep.has(node)) continue;
      await this.startPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-${safeSuffix(5, ns, name, node, String(gen), String(Date.now()))}`,
          namespace: ns,
          labels: { ...(tpl.metadata?.labels ?? {}), 'controller-revision-hash': hash, 'pod-template-generation': String(gen) },
          ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
          ownerReferences: [ownerRefTo(ds)],
        },
        spec: { ...(structuredClone(tpl.spec ?? {}) as Obj), nodeName: node },
      });
    }
    const n = nodes.length;
    await this.kube.patchStatus('DaemonSet', name, ns, {
      currentNumberScheduled: n,
      desiredNumberScheduled: n,
      numberMisscheduled: 0,
      numberReady: n,
      numberAvailable: n,
      numberUnavailable: null,
      updatedNumberScheduled: n,
      observedGeneration: gen,
    });
  }

  /**
   * The StatefulSet controller with the RollingUpdate strategy (partition 0), done at once: pods `<name>-<ordinal>` of
   * an older template (label `controller-revision-hash`) are replaced, highest ordinal first; status carries
   * currentRevision = updateRevision once every pod runs the new template.
   */
  async reconcileStatefulSet(name: string, ns: string): Promise<void> {
    const sts = await this.kube.get('StatefulSet', name, ns);
    if (!sts) return;
    const spec = (sts.spec ?? {}) as Obj;
    const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const tpl = template(sts);
    const revision = `${name}-${templateHash(sortKeysDeep(tpl)).slice(0, 10)}`;
    const sel = selectorOf(sts);
    const pods = (await this.kube.list('Pod', { namespace: ns, labelSelector: sel })).filter((p) => ownedBy(p, sts.metadata.uid));
    const ordinal = (p: KObj): number => {
      const rest = p.metadata.name.startsWith(`${name}-`) ? p.metadata.name.slice(name.length + 1) : '';
      return /^\d+$/.test(rest) ? Number(rest) : -1;
    };
    const keep = new Set<number>();
    for (const p of [...pods].sort((a, b) => ordinal(b) - ordinal(a))) {
      const i = ordinal(p);
      if (i >= 0 && i < desired && p.metadata.labels?.['controller-revision-hash'] === revision && !keep.has(i)) keep.add(i);
      else await this.kube.delete('Pod', p.metadata.name, ns);
    }
    const nodes = await this.nodeNames();
    for (let i = desired - 1; i >= 0; i--) {
      if (keep.has(i)) continue;
      const podName = `${name}-${i}`;
      await this.startPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          labels: { ...(tpl.metadata?.labels ?? {}), 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': podName },
          ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
          ownerReferences: [ownerRefTo(sts)],
        },
        spec: { ...(structuredClone(tpl.spec ?? {}) as Obj), ...(nodes.length ? { nodeName: nodes[i % nodes.length] } : {}), hostname: podName, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
      });
    }
    const live = (await this.kube.list('Pod', { namespace: ns, labelSelector: sel })).filter((p) => ownedBy(p, sts.metadata.uid));
    const ready = live.filter((p) => ((p.status as Obj | undefined)?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    const updated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    await this.kube.patchStatus('StatefulSet', name, ns, {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      currentRevision: updated === live.length ? revision : (((sts.status as Obj | undefined)?.currentRevision as string | undefined) ?? revision),
      updateRevision: revision,
      collisionCount: 0,
    });
  }

  /** Deletes an object and, like the garbage collector, what it owns (ReplicaSets → Pods). */
  async deleteCascade(kind: string, name: string, ns?: string): Promise<boolean> {
    const obj = await this.kube.get(kind, name, ns);
    if (!obj) return false;
    await this.kube.delete(kind, name, ns);
    if (kind === 'Deployment' || kind === 'DaemonSet' || kind === 'ReplicaSet' || kind === 'StatefulSet') {
      const uid = obj.metadata.uid;
      if (kind === 'Deployment') {
        for (const rs of await this.kube.list('ReplicaSet', { namespace: ns })) if (ownedBy(rs, uid)) await this.deleteCascade('ReplicaSet', rs.metadata.name, ns);
      } else {
        for (const p of await this.kube.list('Pod', { namespace: ns })) if (ownedBy(p, uid)) await this.kube.delete('Pod', p.metadata.name, ns);
      }
    }
    return true;
  }
}
