import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valuesPlaceholder } from '../plan/placeholders.js';

/**
 * Plans name Helm values by reference (`<values-of:ns/release>` after `--values`) so that no
 * values are ever written into a plan. Here the reference becomes a private temp file for the
 * duration of one command.
 */
export async function withValuesFile<T>(
  args: string[],
  from: { release: string; namespace: string },
  fetchValues: () => Promise<string>,
  run: (args: string[]) => Promise<T>,
): Promise<T> {
  const token = valuesPlaceholder(from.namespace, from.release);
  const at = args.indexOf(token);
  if (at < 0) throw new Error(`the command names values of ${from.namespace}/${from.release} but has no ${token} argument`);
  const dir = await mkdtemp(join(tmpdir(), 'istio-upgrade-values-'));
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
