import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { kubeconfigFiles } from '../../k8s/kubeconfig.js';
import { defaultStateDir, LocalRunStore } from '../../apply/run-state.js';
import { writeStdout } from '../write-output.js';
import type { DynamicSource } from '../completion/spec.js';

/**
 * `__complete <source>`: the values a completion script offers, one per line. Called on every Tab, so it
 * reads files only (no client-node, no cluster) and stays silent on any error: a shell prints nothing then.
 */
export async function completeValuesCommand(opts: { kubeconfig?: string; stateDir?: string }, source: DynamicSource): Promise<number> {
  const values = source === 'contexts' ? contextNames(opts.kubeconfig) : await runIds(opts.stateDir);
  if (values.length) await writeStdout(`${values.join('\n')}\n`);
  return 0;
}

function contextNames(kubeconfig: string | undefined): string[] {
  const names = new Set<string>();
  for (const file of kubeconfigFiles(kubeconfig ? { kubeconfig } : {})) {
    try {
      const doc = load(readFileSync(file, 'utf8')) as { contexts?: { name?: unknown }[] } | null;
      for (const c of doc?.contexts ?? []) if (typeof c?.name === 'string') names.add(c.name);
    } catch {
      // an unreadable file offers nothing; the command itself will say what is wrong with it
    }
  }
  return [...names];
}

async function runIds(stateDir: string | undefined): Promise<string[]> {
  const runs = await new LocalRunStore(stateDir ?? defaultStateDir()).list().catch(() => []);
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).map((r) => r.runId);
}
