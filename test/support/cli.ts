import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(repoRoot, 'dist', 'istio-upgrade.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would: a separate process with an explicit environment (no colour, an 80-column
 * terminal width). `nodeArgs` go to node before the script, e.g. `--import` of a test-side fault.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  opts: { input?: string; timeoutMs?: number; nodeArgs?: string[]; cwd?: string } = {},
): Promise<CliResult> {
  const r = await execa('node', [...(opts.nodeArgs ?? []), cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '/nonexistent-home', NO_COLOR: '1', COLUMNS: '80', ...env },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    extendEnv: false,
    reject: false,
    timeout: opts.timeoutMs ?? 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' }),
  });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A user-facing failure is one line on stderr (plus an optional hint) and never a stack trace. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trim().split('\n');
  return lines.length <= 2 && lines[0]!.startsWith('istio-upgrade: ') && !/\n\s+at /.test(stderr);
}

export interface CliRun {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process whose output is collected; `done` resolves when it exits. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliRun>;
}

/** Starts the built CLI with exactly `env` (no inherited variables); stdin is closed (no terminal). */
export function spawnCli(args: string[], o: { cwd: string; env: Record<string, string> }): CliProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? -1, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

/** Runs a spawned CLI to the end; killed after `timeoutMs`, which fails the run loudly. */
export async function finishCli(p: CliProcess, timeoutMs: number): Promise<CliRun> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  try {
    return await p.done;
  } finally {
    clearTimeout(timer);
  }
}

/** The environment a CI job gives the CLI: `bin` first on PATH, a private HOME and state dir, no terminal colours. */
export function ciEnv(o: { bin: string; home: string; kubeconfig: string; stateDir: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${o.bin}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: o.home,
    CI: '1',
    NO_COLOR: '1',
    KUBECONFIG: o.kubeconfig,
    ISTIO_UPGRADE_STATE_DIR: o.stateDir,
    ...extra,
  };
}
