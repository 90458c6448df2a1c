import type { KubeObject } from './objects.js';
import type { ResourceRef } from './resources.js';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Only metadata is needed; a live source asks for PartialObjectMetadataList. */
  metadataOnly?: boolean;
}

/**
 * Where the inventory reads objects from: a live API server or an offline snapshot.
 * Both answer the same questions with the same selector semantics, so one discovery
 * routine yields the same inventory from either.
 */
export interface ClusterSource {
  readonly kind: 'live' | 'snapshot';
  /** Kube context name, when known. */
  readonly context: string | undefined;
  /** When the data was captured, for snapshots. */
  readonly capturedAt?: string | undefined;
  kubernetesVersion(): Promise<string>;
  /** Lists objects; a resource the server does not serve (CRD absent) yields []. */
  list(resource: ResourceRef, options?: ListOptions): Promise<KubeObject[]>;
  /**
   * Lists objects and projects each one as it arrives (page by page on a live source), so only the
   * projections stay in memory: for large lists (pods) where the full objects are not needed.
   */
  listMapped<T>(resource: ResourceRef, options: ListOptions, map: (o: KubeObject) => T): Promise<T[]>;
  /** Reads one object, or undefined when it does not exist. */
  get(resource: ResourceRef, name: string, namespace?: string): Promise<KubeObject | undefined>;
  /** How many API requests were made (for the benchmark and tests). */
  requestCount(): number;
}
