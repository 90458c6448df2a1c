import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valuesPlaceholder } from '../plan/placeholders.js';

const PREFIX = 'istio-upgrade-values-';

/**
 * Plans name Helm values by reference (`<values-of:ns/release>` after `--values`) so that no
 * values are ever written into a plan. Here the reference becomes a private file for the
 * duration of one command, in a directory named after this process: a process killed while helm
 * runs cannot remove it, so the next run removes what dead processes left (see sweepStaleValues).
 */
export async function withValuesFile<T>(
  args: string[],
  from: { release: string; namespace: string },
  fetchValues: () => Promise<string>,
  run: (args: string[]) => Promise<T>,
  scratchDir: string = tmpdir(),
): Promise<T> {
  const token = valuesPlaceholder(from.namespace, from.release);
  const at = args.indexOf(token);
  if (at < 0) throw new Error(`the command names values of ${from.namespace}/${from.release} but has no ${token} argument`);
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(scratchDir, `${PREFIX}${process.pid}-`));
  try {
    const file = join(dir, `${from.namespace}-${from.release}.yaml`);
    await writeFile(file, await fetchValues(), { mode: 0o600 });
    const replaced = [...args];
    replaced[at] = file;
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
