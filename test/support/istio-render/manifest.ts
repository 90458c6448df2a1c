/**
 * The `manifest` field of a Helm release record: the rendered documents of the objects the release owns, without
 * what the API server and controllers add (uid, timestamps, generation, status, controller annotations) and without
 * Helm's own ownership annotations (added at apply time, not rendered).
 */
import { dump } from 'js-yaml';
import { applyTimeLabels } from './installer.js';
import type { K8sObject } from './meta.js';

const TEMPLATE_FILE: Record<string, string> = {
  ConfigMap: 'configmap.yaml',
  CustomResourceDefinition: 'crds.yaml',
  DaemonSet: 'daemonset.yaml',
  Deployment: 'deployment.yaml',
  MutatingWebhookConfiguration: 'mutatingwebhook.yaml',
  Service: 'service.yaml',
  ValidatingWebhookConfiguration: 'validatingwebhookconfiguration.yaml',
};

const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'deprecated.daemonset.template.generation'];

/** Objects annotated as belonging to Helm release `release` in `namespace` (Pods/ReplicaSets/Secrets excluded). */
export function objectsOfRelease(objects: K8sObject[], release: string, namespace: string): K8sObject[] {
  return objects.filter(
    (o) =>
      o.kind !== 'Pod' &&
      o.kind !== 'ReplicaSet' &&
      o.kind !== 'Secret' &&
      o.metadata.annotations?.['meta.helm.sh/release-name'] === release &&
      o.metadata.annotations?.['meta.helm.sh/release-namespace'] === namespace,
  );
}

function rendered(o: K8sObject): Record<string, unknown> {
  const { uid: _uid, creationTimestamp: _ct, generation: _gen, ...m } = o.metadata;
  const metadata: Record<string, unknown> = { ...m };
  const annotations = Object.fromEntries(
    Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !k.startsWith('meta.helm.sh/') && !CONTROLLER_ANNOTATIONS.includes(k)),
  );
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const strip = applyTimeLabels(o).filter((k) => k !== 'managed-by');
  if (o.metadata.labels && strip.length > 0) {
    metadata.labels = Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => !strip.includes(k)));
  }
  const { status: _status, ...rest } = o;
  return { ...rest, metadata };
}

/** Helm-style manifest text for the objects of one release. */
export function helmManifest(objects: K8sObject[], release: string, namespace: string, chartName: string): string {
  return objectsOfRelease(objects, release, namespace)
    .map((o) => `---\n# Source: ${chartName}/templates/${TEMPLATE_FILE[o.kind] ?? `${o.kind.toLowerCase()}.yaml`}\n${dump(rendered(o), { lineWidth: -1, noRefs: true })}`)
    .join('');
}
