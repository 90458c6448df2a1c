/** Application namespaces and workloads created for the scenarios (what the product restarts and counts). */
import type { Api, KubeObject } from './harness/api.js';

export async function namespace(api: Api, name: string, labels: Record<string, string> = {}): Promise<void> {
  await api.apply('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

export function deployment(namespace: string, name: string, o: { replicas?: number; image?: string; podLabels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, version: 'v1', ...(o.podLabels ?? {}) } },
        spec: { containers: [{ name, image: o.image ?? `registry.example/${name}:1.0` }] },
      },
    },
  };
}

export function statefulSet(namespace: string, name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `registry.example/${name}:1.0` }] } },
    },
  };
}

type Pod = KubeObject & { spec: { containers: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] }; status?: { phase?: string } };

/** `namespace/name → proxy image` of every pod in the namespaces (null = no istio-proxy). */
export async function proxyImages(api: Api, namespaces: string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const ns of namespaces) {
    for (const p of await api.list<Pod>('Pod', ns)) {
      if (p.metadata.deletionTimestamp) continue;
      const proxy = [...p.spec.containers, ...(p.spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
      out[`${ns}/${p.metadata.name}`] = proxy?.image ?? null;
    }
  }
  return out;
}
