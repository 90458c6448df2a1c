/** Applying rendered objects the way Helm 3 does (3-way merge against the previous manifest), and release manifests. */
import yaml from 'js-yaml';
import { applyTimeLabels, type K8sObject } from '../../support/istio-render/index.js';
import { sortByInstallOrder, type RenderedObject } from './charts.js';
import type { Controllers } from './controllers.js';
import { isNamespaced, key, type KObj, type Kube } from './kube.js';

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'deprecated.daemonset.template.generation'];

/** The object as a client sends it: no server-set fields, no status, no controller annotations. */
export function clientSide(o: K8sObject | KObj): KObj {
  const c = structuredClone(o) as KObj;
  const m = c.metadata;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'deletionTimestamp']) delete m[k];
  if (m.annotations) {
    for (const a of CONTROLLER_ANNOTATIONS) delete m.annotations[a];
    if (!Object.keys(m.annotations).length) delete m.annotations;
  }
  if (m.labels && !Object.keys(m.labels).length) delete m.labels;
  delete c.status;
  return c;
}

/** What Helm stores in the release manifest: the rendered document, without its apply-time ownership marks. */
export function manifestDoc(o: K8sObject): KObj {
  const c = clientSide(o);
  const added = applyTimeLabels(o).filter((k) => k !== 'managed-by');
  if (c.metadata.labels) for (const k of added) delete c.metadata.labels[k];
  if (c.metadata.annotations) {
    for (const k of Object.keys(c.metadata.annotations)) if (k.startsWith('meta.helm.sh/')) delete c.metadata.annotations[k];
    if (!Object.keys(c.metadata.annotations).length) delete c.metadata.annotations;
  }
  return c;
}

/** Helm's setMetadataVisitor: the ownership marks added to every object at apply time. */
export function withHelmMarks(o: KObj, release: string, namespace: string): KObj {
  const c = structuredClone(o);
  c.metadata.labels = { ...(c.metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' };
  c.metadata.annotations = { ...(c.metadata.annotations ?? {}), 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace };
  return c;
}

export function dumpDoc(o: unknown): string {
  return yaml.dump(o, { lineWidth: -1, noRefs: true });
}

export function buildManifest(chart: string, rendered: RenderedObject[]): string {
  return sortByInstallOrder(rendered.filter((r) => !r.crdsDir))
    .map((r) => `---\n# Source: ${chart}/${r.source}\n${dumpDoc(manifestDoc(r.obj))}`)
    .join('');
}

export function parseManifest(text: string | undefined): KObj[] {
  if (!text) return [];
  const out: KObj[] = [];
  for (const doc of text.split(/^---\s*$/m)) {
    if (!doc.trim()) continue;
    const o = yaml.load(doc) as KObj | null;
    if (o && typeof o === 'object' && o.kind && o.metadata?.name) out.push(o);
  }
  return out;
}

/** JSON merge patch turning `original` into `target`, leaving fields others set alone (Helm's 3-way merge, approximately). */
export function threeWay(original: unknown, target: unknown): unknown {
  if (!isMap(target)) return target;
  const out: Obj = {};
  for (const [k, v] of Object.entries(target)) out[k] = isMap(original) && isMap(original[k]) && isMap(v) ? threeWay(original[k], v) : v;
  if (isMap(original)) for (const k of Object.keys(original)) if (!(k in target)) out[k] = null;
  return out;
}

export async function applyOne(kube: Kube, obj: KObj, original?: KObj): Promise<KObj> {
  const target = clientSide(obj);
  const existing = await kube.get(target.kind, target.metadata.name, target.metadata.namespace);
  if (!existing) return kube.create(target);
  return kube.mergePatch(target.kind, target.metadata.name, target.metadata.namespace, threeWay(original ? clientSide(original) : undefined, target));
}

/** Applies objects in install order and runs the controllers of the workloads among them. */
export async function applyAll(kube: Kube, ctl: Controllers, objects: KObj[], originals: KObj[] = []): Promise<void> {
  const byKey = new Map(originals.map((o) => [key(o), o]));
  const ordered = sortByInstallOrder(objects.map((obj) => ({ obj })));
  for (const { obj } of ordered) await applyOne(kube, obj, byKey.get(key(obj)));
  for (const { obj } of ordered) {
    if (obj.kind === 'Deployment') await ctl.reconcileDeployment(obj.metadata.name, obj.metadata.namespace ?? 'default');
    else if (obj.kind === 'DaemonSet') await ctl.reconcileDaemonSet(obj.metadata.name, obj.metadata.namespace ?? 'default');
    else if (obj.kind === 'StatefulSet') await ctl.reconcileStatefulSet(obj.metadata.name, obj.metadata.namespace ?? 'default');
  }
}

/** Deletes objects in reverse install order; those annotated `helm.sh/resource-policy: keep` are kept and returned. */
export async function deleteAll(ctl: Controllers, objects: KObj[]): Promise<KObj[]> {
  const kept: KObj[] = [];
  const ordered = sortByInstallOrder(objects.map((obj) => ({ obj }))).reverse();
  for (const { obj } of ordered) {
    if (obj.metadata.annotations?.['helm.sh/resource-policy'] === 'keep') {
      kept.push(obj);
      continue;
    }
    await ctl.deleteCascade(obj.kind, obj.metadata.name, isNamespaced(obj.kind) ? (obj.metadata.namespace ?? 'default') : undefined);
  }
  return kept;
}
