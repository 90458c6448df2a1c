import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';

export interface ConnectionOptions {
  kubeconfig?: string;
  context?: string;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface ResolvedKubeConfig {
  kc: KubeConfig;
  contextName: string;
  server: string;
  /** The files it came from (empty in-cluster); helm and istioctl get the same ones. */
  files: string[];
}

/** The kubeconfig files kubectl would read: --kubeconfig, else every file in KUBECONFIG, else ~/.kube/config if it exists. */
export function kubeconfigFiles(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  if (opts.kubeconfig) return [opts.kubeconfig];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  const def = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(def) ? [def] : [];
}

/**
 * Loads credentials the way kubectl does: --kubeconfig, else every file in KUBECONFIG merged
 * (first file wins for duplicate names and for current-context), else ~/.kube/config, else the
 * pod's service account. client-node's own merge lets later files win, hence our own.
 */
export async function loadKubeConfig(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedKubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const files = kubeconfigFiles(opts, env);

  if (files.length === 0) {
    if (existsSync(SERVICE_ACCOUNT_TOKEN) && env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else {
      throw new UserError('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or use --snapshot FILE');
    }
  } else {
    mergeFiles(kc, files, KubeConfig);
  }

  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`context "${opts.context}" not found in kubeconfig (known: ${known.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const contextName = kc.getCurrentContext();
  if (!contextName || !kc.getContextObject(contextName)) {
    throw new UserError('kubeconfig has no current context: pass --context NAME');
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UserError(`context "${contextName}" names a cluster that is not in the kubeconfig`);
  return { kc, contextName, server: cluster.server, files: files.length ? files : [] };
}

function mergeFiles(target: KubeConfig, files: string[], Ctor: new () => KubeConfig): void {
  const clusters = new Map<string, KubeConfig['clusters'][number]>();
  const users = new Map<string, KubeConfig['users'][number]>();
  const contexts = new Map<string, KubeConfig['contexts'][number]>();
  let currentContext = '';
  let loaded = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      // kubectl skips missing entries of KUBECONFIG but fails on an explicit --kubeconfig.
      if (files.length === 1) throw new UserError(`kubeconfig not found: ${file}`);
      continue;
    }
    const one = new Ctor();
    try {
      one.loadFromFile(file);
    } catch (e) {
      throw new UserError(`cannot load kubeconfig ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    loaded++;
    for (const c of one.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!currentContext && one.currentContext) currentContext = one.currentContext;
  }
  if (loaded === 0) throw new UserError(`none of the KUBECONFIG files exist: ${files.join(delimiter)}`);
  target.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
}
