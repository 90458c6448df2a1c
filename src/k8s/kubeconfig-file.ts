import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { UserError } from '../errors.js';
import { readRegularFile } from '../util/regular-file.js';

/**
 * Reads one kubeconfig file into the plain document client-node loads, checking what client-node would otherwise
 * trip over with messages such as "Cannot read properties of undefined (reading 'clusters')" or "Invalid URL":
 * an empty file, entries that are not objects, a server that is not a URL. `user.tokenFile` (kubectl's key, which
 * client-node 1.4 ignores, so the request went out without a token and came back 401) is read here.
 */

const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

type Doc = Record<string, unknown>;

export function readKubeconfigText(file: string): Promise<string> {
  return readRegularFile(file, { what: 'kubeconfig', maxBytes: MAX_KUBECONFIG_BYTES, fix: 'pass --kubeconfig FILE or fix KUBECONFIG' });
}

export function parseKubeconfig(text: string, file: string): Doc {
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (e) {
    throw new UserError(`kubeconfig ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) throw new UserError(`kubeconfig ${file} is empty: write a kubeconfig there (kubectl config view) or pass another --kubeconfig`);
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`kubeconfig ${file} is not a kubeconfig (expected a mapping with clusters, users and contexts)`);
  const d = doc as Doc;
  for (const key of ['clusters', 'users', 'contexts'] as const) {
    const list = d[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new UserError(`kubeconfig ${file}: ${key} must be a list`);
    list.forEach((entry, i) => {
      if (!entry || typeof entry !== 'object' || typeof (entry as Doc).name !== 'string' || !(entry as Doc).name) {
        throw new UserError(`kubeconfig ${file}: ${key}[${i}] needs a name`);
      }
    });
  }
  for (const [i, c] of ((d.clusters as Doc[] | undefined) ?? []).entries()) {
    const cluster = c.cluster as Doc | null | undefined;
    if (!cluster || typeof cluster !== 'object') throw new UserError(`kubeconfig ${file}: clusters[${i}] ("${String(c.name)}") has no cluster entry`);
    const server = cluster.server;
    if (typeof server !== 'string' || !isUrl(server)) {
      throw new UserError(`kubeconfig ${file}: cluster "${String(c.name)}" has server ${JSON.stringify(server ?? null)}, which is not a URL such as https://10.0.0.1:6443`);
    }
  }
  for (const u of (d.users as Doc[] | undefined) ?? []) {
    const user = u.user as Doc | null | undefined;
    if (user !== undefined && user !== null && typeof user !== 'object') throw new UserError(`kubeconfig ${file}: user "${String(u.name)}" is not a mapping`);
    if (user && typeof user.tokenFile === 'string' && !user.token) user.token = readTokenFile(user.tokenFile, file, String(u.name));
  }
  return d;
}

function readTokenFile(path: string, file: string, user: string): string {
  const abs = isAbsolute(path) ? path : join(dirname(file), path);
  try {
    return readFileSync(abs, 'utf8').trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`kubeconfig ${file}: token file ${abs} of user "${user}" ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}: fix users[].user.tokenFile`);
  }
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
