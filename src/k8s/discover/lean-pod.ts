import { arrayField, stringField, type KubeObject } from '../objects.js';
import type { LeanPod } from './raw.js';

export function leanPod(pod: KubeObject): LeanPod {
  const meta = pod.metadata;
  const owner = meta.ownerReferences?.find((o) => o.controller) ?? meta.ownerReferences?.[0];
  const containers = [...arrayField(pod, 'spec', 'containers'), ...arrayField(pod, 'spec', 'initContainers')];
  const proxy = containers.find((c) => stringField(c, 'name') === 'istio-proxy');
  return {
    namespace: meta.namespace ?? '',
    name: meta.name,
    revision: meta.annotations?.['istio.io/rev'] ?? null,
    proxyImage: proxy ? (stringField(proxy, 'image') ?? null) : null,
    owner: owner ? { kind: owner.kind, name: owner.name } : null,
    podTemplateHash: meta.labels?.['pod-template-hash'] ?? null,
    ambientRedirected: meta.annotations?.['ambient.istio.io/redirection'] === 'enabled',
    phase: stringField(pod, 'status', 'phase') ?? null,
  };
}

/** `docker.io/istio/proxyv2:1.23.6-distroless` → `1.23.6`; digests and `auto` give null. */
export function versionFromImage(image: string | null | undefined): string | null {
  if (!image) return null;
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon <= slash) return null;
  const tag = ref.slice(colon + 1);
  const m = tag.match(/^v?(\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)\.?\d+)?)/);
  return m ? m[1]! : null;
}
