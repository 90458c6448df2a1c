// A control plane's mesh config (the `mesh` key of ConfigMap istio / istio-<revision>) as leaf digests: enough to
// tell which settings an IstioOperator file would change or drop, without ever holding a value (proxyMetadata and
// extension providers can carry tokens).
import { sha256Of } from '../util/canonical-json.js';
import { dump, load } from 'js-yaml';

/** Path → `sha256:<hex>` of the value (or PRESENT); a list is one leaf (Istio replaces lists, never merges them). */
export type MeshConfigLeaves = Record<string, string>;

/**
 * Subtrees that can carry credentials (proxy environment, extension providers' headers and tokens): an unsalted digest
 * of a short token could be guessed offline from a snapshot attached to a ticket, so only their presence is kept, and
 * a different value there is not reported.
 */
const PRESENCE_ONLY = ['defaultConfig.proxyMetadata', 'extensionProviders'];
export const PRESENT = 'present';

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function meshConfigLeaves(config: Record<string, unknown>, prefix = ''): MeshConfigLeaves {
  const out: MeshConfigLeaves = {};
  for (const [k, v] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isMap(v) && Object.keys(v).length) Object.assign(out, meshConfigLeaves(v, path));
    else out[path] = PRESENCE_ONLY.some((p) => under(path, p)) ? PRESENT : sha256Of(v);
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
  if (!doc || !Object.values(doc).every((v) => typeof v === 'string' && (v === PRESENT || v.startsWith('sha256:')))) return null;
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
  /** Set in the running mesh config, not in the file, and not what the chart renders on its own. */
  dropped: string[];
}

/**
 * Compares the meshConfig an IstioOperator file sets with the running one. A running key counts as kept when the file
 * sets it or something below it (a file leaf above it, such as `proxyMetadata: {}`, does not keep it: Helm merges
 * maps), and as the chart's own when the chart renders it whatever the values say, or renders it with this very value.
 */
export function compareMeshConfig(file: MeshConfigLeaves, running: MeshConfigLeaves): MeshConfigDifference {
  const fileKeys = Object.keys(file);
  const keptByFile = (path: string): boolean => fileKeys.some((k) => k === path || k.startsWith(`${path}.`));
  const chartOwn = (path: string): boolean => CHART_RENDERED_MESH_KEYS.some((k) => under(path, k)) || CHART_DEFAULT_LEAVES[path] === running[path];
  const changed = fileKeys.filter((p) => running[p] !== undefined && running[p] !== file[p]);
  const dropped = Object.keys(running).filter((p) => !keptByFile(p) && !chartOwn(p));
  return { changed: changed.sort(), dropped: dropped.sort() };
}

/**
 * What the istiod chart writes into the mesh ConfigMap by itself (the `mesh` define of istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/configmap.yaml, `enablePrometheusMerge` from the chart's
 * values.yaml). Keys rendered from other values (the namespace, the revision, global.meshID, the proxy variant,
 * global.proxy.tracer) say nothing of the install's meshConfig; keys with a fixed default count only at that value.
 */
export const CHART_RENDERED_MESH_KEYS = ['rootNamespace', 'defaultConfig.discoveryAddress', 'defaultConfig.tracing', 'defaultConfig.meshId', 'defaultConfig.image'] as const;
const CHART_DEFAULT_LEAVES: MeshConfigLeaves = meshConfigLeaves({ trustDomain: 'cluster.local', enablePrometheusMerge: true, defaultProviders: { metrics: ['prometheus'] } });
