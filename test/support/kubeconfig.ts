/** Writes a real kubeconfig file pointing at a (fake) API server. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import yaml from 'js-yaml';

export interface WriteKubeconfigOptions {
  server: string;
  token: string;
  /** Name of the current context (default 'fake'). */
  context?: string;
  /** Default namespace of every context written. */
  namespace?: string;
  /** More context names, all pointing at the same cluster and user. */
  extraContexts?: string[];
  /** Cluster entry name (default 'fake-cluster'). */
  cluster?: string;
  /** User entry name (default 'test-user'). */
  user?: string;
}

/** Writes the kubeconfig (mode 0600, parent directories created) and returns its YAML text. */
export function writeKubeconfig(path: string, opts: WriteKubeconfigOptions): string {
  const cluster = opts.cluster ?? 'fake-cluster';
  const user = opts.user ?? 'test-user';
  const current = opts.context ?? 'fake';
  const clusterEntry: Record<string, unknown> = { server: opts.server };
  // client-node 1.4 refuses http:// servers unless TLS verification is explicitly skipped.
  if (opts.server.startsWith('http:')) clusterEntry['insecure-skip-tls-verify'] = true;
  const names = [current, ...(opts.extraContexts ?? []).filter((c) => c !== current)];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: names.map((name) => ({
      name,
      context: { cluster, user, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
    })),
    'current-context': current,
  };
  const text = yaml.dump(config, { lineWidth: -1 });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
  return text;
}
