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
