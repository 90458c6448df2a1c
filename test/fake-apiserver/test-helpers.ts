/** Shared set-up for the fake API server's own tests: a server, a kubeconfig on disk, real client-node clients. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer, type FakeApiServerOptions, type KubeObject, type StatusBody } from './index.js';

export interface Harness {
  server: FakeApiServer;
  kc: k8s.KubeConfig;
  kubeconfig: string;
  dir: string;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
  close(): Promise<void>;
}

export async function harness(opts: FakeApiServerOptions = {}): Promise<Harness> {
  const server = await startFakeApiServer(opts);
  const dir = mkdtempSync(join(tmpdir(), 'fake-apiserver-'));
  const kubeconfig = join(dir, 'kubeconfig');
  server.writeKubeconfig(kubeconfig, { namespace: 'default' });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return {
    server,
    kc,
    kubeconfig,
    dir,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CaughtApiError {
  code: number;
  status: StatusBody;
  headers: Record<string, string>;
}

/** Awaits a call that must fail with an ApiException and returns the parsed Status body. */
export async function apiError(p: Promise<unknown>): Promise<CaughtApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof k8s.ApiException) {
      return { code: e.code, status: JSON.parse(e.body as string) as StatusBody, headers: e.headers as Record<string, string> };
    }
    throw e;
  }
  throw new Error('expected the call to fail with an ApiException');
}

export function ns(name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } };
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'app:1' }], nodeName: 'node-1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIP: '10.0.0.1' },
    ...extra,
  };
}

export function deployment(namespace: string, name: string, image = 'app:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 8080, name: 'http' }] },
            { name: 'istio-proxy', image: 'proxyv2:1.23.0' },
          ],
        },
      },
    },
  };
}

/** A CRD usable both with load() and with the typed ApiextensionsV1Api. */
export function crd(group: string, plural: string, kind: string, versions: string[], scope: 'Namespaced' | 'Cluster' = 'Namespaced'): KubeObject & k8s.V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: versions.map((v, i) => ({
        name: v,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object' } },
        subresources: { status: {} },
      })),
    },
  };
}

export const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const PARTIAL = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
