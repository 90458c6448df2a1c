import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'istio-upgrade-values-';

/** One placeholder argument of a command and what the private file standing for it holds. */
export interface PrivateValues {
  token: string;
  /** File name inside the private directory. */
  name: string;
  content: () => Promise<string>;
}

/**
 * Plans name Helm values by reference (`<values-of:ns/release>`, `<overrides-of:COMPONENT>` after `--values`) so
 * that no values are ever written into a plan. Here each reference becomes a private file for the duration of one
 * command, in a directory named after this process: a process killed while helm runs cannot remove it, so the next
 * run removes what dead processes left (see sweepStaleValues).
 */
export async function withValuesFiles<T>(args: string[], files: PrivateValues[], run: (args: string[]) => Promise<T>, scratchDir: string = tmpdir()): Promise<T> {
  const at = files.map((f) => {
    const i = args.indexOf(f.token);
    if (i < 0) throw new Error(`the command names ${f.token} values but has no such argument`);
    return i;
  });
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(scratchDir, `${PREFIX}${process.pid}-`));
  try {
    const replaced = [...args];
    for (const [k, f] of files.entries()) {
      const file = join(dir, f.name);
      await writeFile(file, await f.content(), { mode: 0o600 });
      replaced[at[k]!] = file;
    }
    return await run(replaced);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the values directories of processes that no longer run (killed during a helm call); returns how many. */
export async function sweepStaleValues(scratchDir: string): Promise<number> {
  const entries = await readdir(scratchDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of entries) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    await rm(join(scratchDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
