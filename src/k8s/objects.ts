/** The subset of a Kubernetes object every reader relies on; everything else stays loosely typed. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export function label(obj: { metadata: ObjectMeta }, key: string): string | undefined {
  return obj.metadata.labels?.[key];
}

export function annotation(obj: { metadata: ObjectMeta }, key: string): string | undefined {
  return obj.metadata.annotations?.[key];
}

export function objectKey(obj: KubeObject): string {
  return `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** Reads a nested field without trusting the shape of data that came off the wire. */
export function field(value: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export function numberField(value: unknown, ...path: (string | number)[]): number | undefined {
  const v = field(value, ...path);
  return typeof v === 'number' ? v : undefined;
}

export function stringField(value: unknown, ...path: (string | number)[]): string | undefined {
  const v = field(value, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function arrayField(value: unknown, ...path: (string | number)[]): unknown[] {
  const v = field(value, ...path);
  return Array.isArray(v) ? v : [];
}
