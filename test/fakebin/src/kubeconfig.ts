/**
 * Kubeconfig loading as kubectl/client-go do it: KUBECONFIG is a list of files (first occurrence of a name wins,
 * first file setting current-context wins), `--kubeconfig` replaces the list, `$HOME/.kube/config` is the default.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import yaml from 'js-yaml';
import { CliError } from './errors.js';

export interface ClusterTarget {
  context: string;
  server: string;
  token?: string;
  insecure: boolean;
  /** Namespace of the context (default `default`). */
  namespace: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value: T;
}

type Obj = Record<string, unknown>;

function named(list: unknown, key: string): Named<Obj>[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is Obj => !!e && typeof e === 'object' && typeof (e as Obj).name === 'string')
    .map((e) => ({ name: e.name as string, value: (e[key] && typeof e[key] === 'object' ? e[key] : {}) as Obj }));
}

export function kubeconfigFiles(env: NodeJS.ProcessEnv, explicit?: string): string[] {
  if (explicit) return [explicit];
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (list.length) return list;
  return env.HOME ? [join(env.HOME, '.kube', 'config')] : [];
}

export interface MergedKubeconfig {
  currentContext?: string;
  contexts: Map<string, Obj>;
  clusters: Map<string, Obj>;
  users: Map<string, Obj>;
}

export function loadKubeconfig(files: string[]): MergedKubeconfig {
  const merged: MergedKubeconfig = { contexts: new Map(), clusters: new Map(), users: new Map() };
  for (const f of files) {
    let doc: unknown;
    try {
      doc = yaml.load(readFileSync(f, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new CliError(`error loading config file "${f}": ${(e as Error).message.split('\n')[0]}`);
    }
    if (!doc || typeof doc !== 'object') continue;
    const d = doc as Obj;
    if (merged.currentContext === undefined && typeof d['current-context'] === 'string' && d['current-context']) merged.currentContext = d['current-context'];
    for (const c of named(d.contexts, 'context')) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c.value);
    for (const c of named(d.clusters, 'cluster')) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, c.value);
    for (const u of named(d.users, 'user')) if (!merged.users.has(u.name)) merged.users.set(u.name, u.value);
  }
  return merged;
}

/** The current context name (flag, else current-context), without resolving it. */
export function contextName(files: string[], flagContext?: string): string | undefined {
  if (flagContext) return flagContext;
  try {
    return loadKubeconfig(files).currentContext;
  } catch {
    return undefined;
  }
}

/** Resolves the cluster to talk to; `unreachable` formats the error the way each tool words it. */
export function resolveTarget(files: string[], flagContext: string | undefined, unreachable: (msg: string) => CliError): ClusterTarget {
  const kc = loadKubeconfig(files);
  const ctxName = flagContext || kc.currentContext;
  if (!ctxName) throw unreachable('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  const ctx = kc.contexts.get(ctxName);
  if (!ctx) throw unreachable(`context "${ctxName}" does not exist`);
  const cluster = kc.clusters.get(String(ctx.cluster ?? ''));
  if (!cluster || typeof cluster.server !== 'string') throw unreachable(`invalid configuration: no server found for cluster "${String(ctx.cluster ?? '')}"`);
  const user = kc.users.get(String(ctx.user ?? '')) ?? {};
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string') {
    try {
      token = readFileSync(user.tokenFile, 'utf8').trim();
    } catch {
      /* unreadable token file: requests go unauthenticated */
    }
  }
  if (!token && user.exec && typeof user.exec === 'object') token = execCredential(user.exec as Obj, unreachable);
  return {
    context: ctxName,
    server: cluster.server.replace(/\/+$/, ''),
    token,
    insecure: cluster['insecure-skip-tls-verify'] === true,
    namespace: typeof ctx.namespace === 'string' && ctx.namespace ? ctx.namespace : 'default',
  };
}

/**
 * A `users[].user.exec` credential plugin, run as client-go runs it: the command with its args, our environment plus
 * the entry's `env`, and the token read from the ExecCredential it prints. A plugin that fails makes the cluster
 * unreachable with client-go's wording.
 */
function execCredential(exec: Obj, unreachable: (msg: string) => CliError): string | undefined {
  const command = String(exec.command ?? '');
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const extra: Record<string, string> = {};
  if (Array.isArray(exec.env)) for (const e of exec.env as Obj[]) if (typeof e.name === 'string') extra[e.name] = String(e.value ?? '');
  let out: string;
  try {
    out = execFileSync(command, args, { env: { ...process.env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw unreachable(`Get "…": getting credentials: exec: executable ${command} failed with exit code ${(e as { status?: number }).status ?? 1}${stderr ? ` (${stderr})` : ''}`);
  }
  const cred = JSON.parse(out) as { status?: { token?: string } };
  return cred.status?.token;
}
