import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { takeExecSpecs, TimedExecAuth } from './exec-credential.js';
import { parseKubeconfig, readKubeconfigText } from './kubeconfig-file.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './retry.js';

export interface ConnectionOptions {
  kubeconfig?: string;
  context?: string;
  /** Per-request limit (--request-timeout); also bounds exec credential plugins. */
  requestTimeoutMs?: number;
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
    await mergeFiles(kc, files, KubeConfig, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
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
  const userName = kc.getContextObject(contextName)?.user;
  if (userName && !kc.getUser(userName)) {
    throw new UserError(`context "${contextName}" names user "${userName}", which is not in the kubeconfig: add it to users or fix the context`);
  }
  return { kc, contextName, server: cluster.server, files: files.length ? files : [] };
}

async function mergeFiles(target: KubeConfig, files: string[], Ctor: new () => KubeConfig, execTimeoutMs: number): Promise<void> {
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
    const doc = parseKubeconfig(await readKubeconfigText(file), file);
    try {
      one.loadFromString(JSON.stringify(doc));
      one.makePathsAbsolute(dirname(file));
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
  const { users: plainUsers, specs } = takeExecSpecs([...users.values()]);
  if (specs.size) target.addAuthenticator(new TimedExecAuth(specs, execTimeoutMs));
  target.loadFromOptions({
    clusters: [...clusters.values()],
    users: plainUsers,
    contexts: [...contexts.values()],
    currentContext,
  });
}
