import { execFile } from 'node:child_process';
import type { User } from '@kubernetes/client-node';
import { UserError } from '../errors.js';
import { formatSeconds } from './retry.js';

/**
 * Runs kubeconfig exec credential plugins (`users[].user.exec`) in place of client-node's runner, which has no time
 * limit (a plugin waiting for a browser login blocked every command for ever), reports a missing plugin as a bare
 * ENOENT and crashes on output of the wrong shape. Same protocol: the plugin prints an ExecCredential whose status
 * holds a token or a client certificate; KUBERNETES_EXEC_INFO tells it that nobody is there to answer prompts.
 */

const API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

export interface ExecSpec {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  apiVersion?: unknown;
}

interface Credential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expiresAt?: number;
}

export class TimedExecAuth {
  private readonly cache = new Map<string, Credential>();

  constructor(
    private readonly specs: Map<string, ExecSpec>,
    private readonly timeoutMs: number,
    private readonly baseEnv: NodeJS.ProcessEnv = process.env,
  ) {}

  isAuthProvider(user: User): boolean {
    return this.specs.has(user.name);
  }

  async applyAuthentication(user: User, opts: { headers?: Record<string, unknown>; cert?: unknown; key?: unknown }): Promise<void> {
    const cred = await this.credential(user.name);
    if (cred.clientCertificateData) opts.cert = cred.clientCertificateData;
    if (cred.clientKeyData) opts.key = cred.clientKeyData;
    if (cred.token) opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${cred.token}` };
  }

  private async credential(userName: string): Promise<Credential> {
    const cached = this.cache.get(userName);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt > Date.now())) return cached;
    const cred = await this.run(userName, this.specs.get(userName)!);
    this.cache.set(userName, cred);
    return cred;
  }

  private run(userName: string, spec: ExecSpec): Promise<Credential> {
    const who = `exec credential plugin of kubeconfig user "${userName}"`;
    const { command, args, apiVersion } = spec;
    if (typeof command !== 'string' || !command) return Promise.reject(new UserError(`${who} has no command: set users[].user.exec.command in the kubeconfig`));
    if (typeof apiVersion !== 'string' || !API_VERSIONS.includes(apiVersion)) {
      return Promise.reject(new UserError(`${who}: exec apiVersion "${String(apiVersion ?? '')}" is not supported: use ${API_VERSIONS[0]}`));
    }
    const argv = Array.isArray(args) ? args.map(String) : [];
    const env: NodeJS.ProcessEnv = { ...this.baseEnv, KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } }) };
    if (Array.isArray(spec.env)) for (const e of spec.env as { name?: unknown; value?: unknown }[]) if (typeof e?.name === 'string') env[e.name] = String(e.value ?? '');
    return new Promise((resolve, reject) => {
      const child = execFile(command, argv, { env, timeout: this.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
          if (e.code === 'ENOENT') return reject(new UserError(`${who}: "${command}" not found: install it or fix users[].user.exec.command in the kubeconfig`));
          if (e.code === 'EACCES') return reject(new UserError(`${who}: "${command}" is not executable`));
          if (e.killed) return reject(new UserError(`${who}: "${command}" did not answer within ${formatSeconds(this.timeoutMs)} (--request-timeout); it may be waiting for an interactive login: log in first`));
          const first = String(stderr).trim().split('\n')[0] ?? '';
          return reject(new UserError(`${who}: "${command}" failed (exit ${String(e.code)})${first ? `: ${first}` : ''}`));
        }
        try {
          resolve(parseCredential(String(stdout)));
        } catch {
          reject(new UserError(`${who}: "${command}" printed no usable ExecCredential (expected JSON with status.token or status.clientCertificateData)`));
        }
      });
      child.stdin?.end();
    });
  }
}

function parseCredential(text: string): Credential {
  const doc = JSON.parse(text) as { status?: Record<string, unknown> };
  const s = doc?.status;
  if (!s || typeof s !== 'object') throw new Error('no status');
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const cred: Credential = {};
  const token = str(s.token);
  const cert = str(s.clientCertificateData);
  const key = str(s.clientKeyData);
  if (token) cred.token = token;
  if (cert) cred.clientCertificateData = cert;
  if (key) cred.clientKeyData = key;
  if (!cred.token && !cred.clientCertificateData) throw new Error('no credential');
  const exp = Date.parse(str(s.expirationTimestamp) ?? '');
  if (!Number.isNaN(exp)) cred.expiresAt = exp;
  return cred;
}

/** Takes the exec entries out of the users (so client-node's runner never sees them) and returns them by user name. */
export function takeExecSpecs<U extends { name: string; exec?: unknown }>(users: U[]): { users: U[]; specs: Map<string, ExecSpec> } {
  const specs = new Map<string, ExecSpec>();
  const out = users.map((u) => {
    if (!u.exec) return u;
    specs.set(u.name, u.exec as ExecSpec);
    const { exec: _exec, ...rest } = u;
    return rest as U;
  });
  return { users: out, specs };
}
