import { loadAll } from 'js-yaml';
import type { Inventory } from '../k8s/inventory.js';
import type { KubeObject } from '../k8s/objects.js';
import { RESOURCES, type ResourceRef } from '../k8s/resources.js';
import { crdMetadataPatch } from '../plan/commands.js';
import type { ApiAction } from '../plan/schema.js';
import { writeBackup } from './backup.js';
import { changedManifest, foreignBundle, manifestDigest } from './gateway-api-bundle.js';
import type { ActionContext } from './ports.js';
import { preflightProblems } from './preflight-check.js';
import type { ObjectReader } from './rollout-waiter.js';

/** The writes API actions make; each names its patch type, because client-node defaults to json-patch. */
export interface KubeWriter {
  /** application/merge-patch+json; false when the object does not exist. */
  mergePatch(resource: ResourceRef, name: string, namespace: string | undefined, body: object): Promise<boolean>;
  /** application/strategic-merge-patch+json (built-in kinds only). */
  strategicPatch(resource: ResourceRef, name: string, namespace: string, body: object): Promise<boolean>;
  /** application/apply-patch+yaml with force: we own what the plan renders. */
  serverSideApply(obj: KubeObject, fieldManager: string): Promise<void>;
  /** false when the object was already gone. */
  deleteObject(obj: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<boolean>;
}

export interface ActionDeps {
  writer: KubeWriter;
  reader: ObjectReader;
  inventory: () => Promise<Inventory>;
  now: () => number;
  /** GET of a release manifest the plan names by URL. */
  fetchManifest: (url: string, signal: AbortSignal) => Promise<string>;
}

export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

const WORKLOAD: Record<'Deployment' | 'StatefulSet' | 'DaemonSet', ResourceRef> = {
  Deployment: RESOURCES.deployments,
  StatefulSet: RESOURCES.statefulSets,
  DaemonSet: RESOURCES.daemonSets,
};

/** The objects of a multi-document YAML stream, skipping empty documents and Lists' wrappers. */
export function renderedObjects(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of loadAll(text)) {
    if (!doc || typeof doc !== 'object') continue;
    const o = doc as KubeObject;
    const items = (o as { items?: unknown }).items;
    if (o.kind?.endsWith('List') && Array.isArray(items)) out.push(...(items as KubeObject[]));
    else if (o.kind && o.apiVersion && o.metadata?.name) out.push(o);
  }
  return out;
}

export async function performAction(action: ApiAction, ctx: ActionContext, deps: ActionDeps): Promise<void> {
  switch (action.type) {
    case 'label-crds':
      for (const crd of action.crds) {
        const found = await deps.writer.mergePatch(RESOURCES.crds, crd, undefined, crdMetadataPatch(action));
        if (!found) throw new ActionError(`CustomResourceDefinition ${crd} does not exist`);
      }
      return;
    case 'unlabel-crds':
      // A CRD that is gone has nothing left to unlabel.
      for (const crd of action.crds) await deps.writer.mergePatch(RESOURCES.crds, crd, undefined, crdMetadataPatch(action));
      return;
    case 'apply-rendered': {
      const objects = renderedObjects(ctx.previousOutput ?? '');
      if (!objects.length) throw new ActionError('the previous command rendered no Kubernetes objects to apply');
      for (const obj of objects) await deps.writer.serverSideApply(obj, action.fieldManager);
      return;
    }
    case 'rollout-restart': {
      const at = new Date(deps.now()).toISOString();
      for (const w of action.workloads) {
        const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
        if (!(await deps.writer.strategicPatch(WORKLOAD[w.kind], w.name, w.namespace, body))) throw new ActionError(`${w.kind} ${w.namespace}/${w.name} does not exist`);
      }
      return;
    }
    case 'label-namespaces':
      // Merge patch: a null value removes the label, which is how a relabel drops istio-injection.
      for (const ns of action.namespaces) {
        if (!(await deps.writer.mergePatch(RESOURCES.namespaces, ns, undefined, { metadata: { labels: action.labels } }))) throw new ActionError(`namespace ${ns} does not exist`);
      }
      return;
    case 'export-backup':
      await writeBackup(action, deps.reader, ctx.helmValues, new Date(deps.now()));
      return;
    case 'preflight-checks': {
      const problems = preflightProblems(await deps.inventory());
      if (problems.length) throw new ActionError(`preflight failed: ${problems.join('; ')}`);
      return;
    }
    case 'apply-objects':
      for (const o of action.objects) await deps.writer.serverSideApply(o.object as KubeObject, action.fieldManager);
      return;
    case 'apply-gateway-api-crds': {
      // Everything is checked before the first write: a manifest that is not this bundle, or not the bytes pinned
      // before the run's first change, changes nothing.
      const pinned = ctx.manifests?.get(action.url);
      const text = pinned?.text ?? (await deps.fetchManifest(action.url, ctx.signal));
      const changed = pinned && changedManifest(action.url, pinned.sha256, manifestDigest(text));
      if (changed) throw new ActionError(changed);
      const objects = renderedObjects(text);
      const foreign = foreignBundle(objects, action);
      if (foreign) throw new ActionError(foreign);
      for (const obj of objects) await deps.writer.serverSideApply(obj, action.fieldManager);
      return;
    }
    case 'delete-admission-policy':
      await deps.writer.deleteObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', namespace: '', name: action.name });
      return;
    case 'delete-objects':
      // Deleting what is already gone is done: an undo run twice must not fail the second time.
      for (const o of action.objects) await deps.writer.deleteObject(o);
      return;
  }
}
