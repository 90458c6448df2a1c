// A control plane's mesh config (the `mesh` key of ConfigMap istio / istio-<revision>) as leaf digests: enough to
// tell which settings an IstioOperator file would change or drop, without ever holding a value (proxyMetadata and
// extension providers can carry tokens).
import { createHash } from 'node:crypto';
import { dump, load } from 'js-yaml';

/** Path → `sha256:<hex>` of the value; a list is one leaf (Istio replaces lists, never merges them). */
export type MeshConfigLeaves = Record<string, string>;

const digest = (value: unknown): string => `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function meshConfigLeaves(config: Record<string, unknown>, prefix = ''): MeshConfigLeaves {
  const out: MeshConfigLeaves = {};
  for (const [k, v] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isMap(v) && Object.keys(v).length) Object.assign(out, meshConfigLeaves(v, path));
    else out[path] = digest(v);
  }
  return out;
}

/** The `mesh` text of a mesh ConfigMap as leaves; null when it is not a YAML mapping. */
function loadMapping(text: string): Record<string, unknown> | null {
  try {
    const doc = load(text);
    return isMap(doc) ? doc : null;
  } catch {
    return null;
  }
}

export function leavesOfMeshText(text: string): MeshConfigLeaves | null {
  const doc = loadMapping(text);
  return doc ? meshConfigLeaves(doc) : null;
}

/** What a snapshot keeps of a mesh ConfigMap's `mesh` key: its leaf digests, flat, as YAML. */
export const meshDigestsText = (leaves: MeshConfigLeaves): string => dump(leaves, { sortKeys: true, lineWidth: -1 });

/** Reads back `meshDigestsText`; null when it is not that form. */
export function leavesOfDigestsText(text: string): MeshConfigLeaves | null {
  const doc = loadMapping(text);
  if (!doc || !Object.values(doc).every((v) => typeof v === 'string' && v.startsWith('sha256:'))) return null;
  return doc as MeshConfigLeaves;
}

/** The mesh ConfigMap of a revision: `istio` for the revision-less control plane. */
export const meshConfigMapName = (revision: string): string => (revision === 'default' ? 'istio' : `istio-${revision}`);

/** Where a mesh ConfigMap's `mesh` text came from: a cluster (values) or a snapshot (digests only). */
export function leavesOfMeshConfigMap(cm: { data?: Record<string, string>; metadata: { annotations?: Record<string, string> } }, digestsAnnotation: [string, string]): MeshConfigLeaves | null {
  const text = cm.data?.mesh;
  if (text === undefined) return null;
  return cm.metadata.annotations?.[digestsAnnotation[0]] === digestsAnnotation[1] ? leavesOfDigestsText(text) : leavesOfMeshText(text);
}

export interface MeshConfigDifference {
  /** Set in both, to different values. */
  changed: string[];
  /** Set in the running mesh config, not in the file, and not a key the chart renders on its own. */
  dropped: string[];
}

/**
 * Compares the meshConfig an IstioOperator file sets with the running one. `rendered` are the keys Istio's chart
 * writes into every mesh ConfigMap itself (istio/istio manifests/charts/istio-control/istio-discovery
 * templates/configmap.yaml): their presence says nothing about the old install's customisation.
 */
export function compareMeshConfig(file: MeshConfigLeaves, running: MeshConfigLeaves, rendered: readonly string[]): MeshConfigDifference {
  const covered = (path: string, keys: Iterable<string>): boolean => {
    for (const k of keys) if (path === k || path.startsWith(`${k}.`) || k.startsWith(`${path}.`)) return true;
    return false;
  };
  const changed = Object.keys(file).filter((p) => running[p] !== undefined && running[p] !== file[p]);
  const dropped = Object.keys(running).filter((p) => !covered(p, Object.keys(file)) && !covered(p, rendered));
  return { changed: changed.sort(), dropped: dropped.sort() };
}

/**
 * Keys the istiod chart writes into the mesh ConfigMap whatever the install's meshConfig says (the `mesh` define of
 * istio/istio manifests/charts/istio-control/istio-discovery/templates/configmap.yaml, and `enablePrometheusMerge`
 * from the chart's values.yaml), so a file that does not set them drops nothing.
 */
export const CHART_RENDERED_MESH_KEYS = [
  'trustDomain',
  'rootNamespace',
  'defaultProviders',
  'enablePrometheusMerge',
  'defaultConfig.discoveryAddress',
  'defaultConfig.tracing',
  'defaultConfig.meshId',
  'defaultConfig.image',
] as const;
