/** In-memory object store: buckets per group/kind indexed by namespace, a global resourceVersion, a bounded event log. */
import { CRD_GK, NAMESPACE_GK, Registry, type ResourceType } from './registry.js';
import type { KubeObject } from './types.js';

/** A stored object. `obj` is never mutated after it is stored; the JSON caches are filled lazily. */
export interface Entry {
  readonly obj: KubeObject;
  readonly ns: string;
  readonly name: string;
  /** Serialized list item, for the apiVersion it was rendered for. */
  itemJson?: { apiVersion: string; json: string };
  /** Serialized PartialObjectMetadata. */
  metaJson?: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  seq: number;
  type: EventType;
  gk: string;
  /** Previous state (MODIFIED, DELETED). */
  old?: Entry;
  /** New state; for DELETED the last state carrying the deletion resourceVersion. */
  cur: Entry;
}

class Bucket {
  readonly byNs = new Map<string, Map<string, Entry>>();
  sortedAll: Entry[] | undefined;
  readonly sortedNs = new Map<string, Entry[]>();
  size = 0;

  invalidate(ns: string): void {
    this.sortedAll = undefined;
    this.sortedNs.delete(ns);
  }
}

const byKey = (a: Entry, b: Entry): number =>
  a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export class Store {
  readonly registry = new Registry();
  private counter = 0;
  private readonly buckets = new Map<string, Bucket>();
  private log: StoreEvent[] = [];
  /** Highest seq dropped from the log; replay from below it is impossible. */
  private logFloor = 0;
  readonly listeners = new Set<(ev: StoreEvent) => void>();

  constructor(private readonly eventLogSize: number) {}

  get resourceVersion(): number {
    return this.counter;
  }

  nextRv(): number {
    return ++this.counter;
  }

  /** Raises the counter to at least `rv` (objects loaded with their own resourceVersion). */
  observeRv(rv: number): void {
    if (Number.isSafeInteger(rv) && rv > this.counter) this.counter = rv;
  }

  private bucket(gk: string): Bucket {
    let b = this.buckets.get(gk);
    if (!b) this.buckets.set(gk, (b = new Bucket()));
    return b;
  }

  get(gk: string, ns: string, name: string): Entry | undefined {
    return this.buckets.get(gk)?.byNs.get(ns)?.get(name);
  }

  /** Stores a finished object (metadata.resourceVersion already set) and emits ADDED/MODIFIED at `seq`. */
  put(rt: ResourceType, obj: KubeObject, seq: number): Entry {
    const ns = rt.namespaced ? (obj.metadata.namespace ?? '') : '';
    const name = obj.metadata.name;
    const b = this.bucket(rt.gk);
    let m = b.byNs.get(ns);
    if (!m) b.byNs.set(ns, (m = new Map()));
    const old = m.get(name);
    const entry: Entry = { obj, ns, name };
    m.set(name, entry);
    if (!old) b.size++;
    b.invalidate(ns);
    if (rt.gk === CRD_GK) this.registry.registerCrd(obj);
    this.emit({ seq, type: old ? 'MODIFIED' : 'ADDED', gk: rt.gk, ...(old ? { old } : {}), cur: entry });
    return entry;
  }

  /** Removes one object (cascading for namespaces and CRDs); emits DELETED events. */
  remove(rt: ResourceType, ns: string, name: string): Entry | undefined {
    const b = this.buckets.get(rt.gk);
    const m = b?.byNs.get(ns);
    const old = m?.get(name);
    if (!b || !m || !old) return undefined;
    if (rt.gk === NAMESPACE_GK) this.removeNamespaceContents(name);
    if (rt.gk === CRD_GK) this.removeCrdContents(old.obj);
    m.delete(name);
    if (m.size === 0) b.byNs.delete(ns);
    b.size--;
    b.invalidate(ns);
    const seq = this.nextRv();
    const cur: Entry = { obj: { ...old.obj, metadata: { ...old.obj.metadata, resourceVersion: String(seq) } }, ns, name };
    this.emit({ seq, type: 'DELETED', gk: rt.gk, old, cur });
    return old;
  }

  private removeNamespaceContents(ns: string): void {
    for (const [gk, b] of this.buckets) {
      const rt = this.registry.byGk(gk);
      if (!rt || !rt.namespaced) continue;
      const m = b.byNs.get(ns);
      if (!m) continue;
      for (const name of [...m.keys()].sort()) this.remove(rt, ns, name);
    }
  }

  private removeCrdContents(crd: KubeObject): void {
    const spec = (crd['spec'] ?? {}) as { group?: string; names?: { kind?: string } };
    const gk = `${spec.group ?? ''}/${spec.names?.kind ?? ''}`;
    const rt = this.registry.byGk(gk);
    if (!rt || rt.source !== 'crd') return;
    for (const e of this.sorted(gk)) this.remove(rt, e.ns, e.name);
    this.registry.unregister(gk);
  }

  /** Objects of a kind in (namespace, name) order; the array is cached until the next write and must not be mutated. */
  sorted(gk: string, ns?: string): Entry[] {
    const b = this.buckets.get(gk);
    if (!b) return [];
    if (ns === undefined) {
      if (!b.sortedAll) {
        const all: Entry[] = [];
        for (const m of b.byNs.values()) for (const e of m.values()) all.push(e);
        b.sortedAll = all.sort(byKey);
      }
      return b.sortedAll;
    }
    let s = b.sortedNs.get(ns);
    if (!s) {
      s = [...(b.byNs.get(ns)?.values() ?? [])].sort(byKey);
      b.sortedNs.set(ns, s);
    }
    return s;
  }

  /** A namespace exists when its Namespace object exists or objects were loaded into it. */
  namespaceExists(ns: string): boolean {
    if (this.get(NAMESPACE_GK, '', ns)) return true;
    for (const [gk, b] of this.buckets) {
      if (gk !== NAMESPACE_GK && (b.byNs.get(ns)?.size ?? 0) > 0) return true;
    }
    return false;
  }

  private emit(ev: StoreEvent): void {
    this.log.push(ev);
    if (this.log.length > this.eventLogSize * 2) {
      const drop = this.log.length - this.eventLogSize;
      this.logFloor = this.log[drop - 1]!.seq;
      this.log = this.log.slice(drop);
    }
    for (const l of this.listeners) l(ev);
  }

  /** Events with seq > rv, or 'expired' when some of them were already dropped. */
  eventsAfter(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.logFloor) return 'expired';
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.seq <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  /** Oldest resourceVersion a watch can still start from. */
  get oldestReplayableRv(): number {
    return this.logFloor;
  }
}
